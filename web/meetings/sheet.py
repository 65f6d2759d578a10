"""The meeting sheet as typed: its rows, what they parse to, and where each error belongs.

Field names of the posted form (member ``M``, open loan ``L``, new-loan row ``i``,
guarantor row ``j``, grant/income/expense row ``k``):

- ``m-M-attendance``, ``m-M-shares``, ``m-M-social``, ``m-M-repay-L``,
  ``m-M-fine_type``, ``m-M-fine``, ``leave-M`` (a member leaving);
- ``loan-i-borrower``, ``loan-i-amount``, ``loan-i-term``, ``loan-i-purpose``,
  ``loan-i-g-j`` (guarantor) and ``loan-i-p-j`` (her pledge);
- ``recover-L`` (recover arrears from guarantors), ``writeoff-L`` (the reason);
- ``grant-k-member``, ``grant-k-amount``, ``grant-k-reason``;
  ``income-k-amount``/``income-k-memo``, ``expense-k-amount``/``expense-k-memo``;
- ``date``, ``cash_counted``, ``cash_explanation``, ``idempotency_key``.

``Sheet`` keeps every value as typed (so a refused sheet comes back as it was),
collects the input errors of each field, and builds the ``MeetingInput``. A
``DomainError`` of the services (or each ``Violation`` of a plan) is placed by
``place_error``: its ``code`` names the kind of field, its ``member_id`` the row and
its ``loan_id`` the loan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from groups.savings.commands import (
    CashItem,
    FinePaid,
    Grant,
    MeetingInput,
    MemberLine,
    NewLoan,
    Pledge,
)
from groups.savings.rules import Attendance
from ledger.errors import DomainError
from reports import persian
from web.fields import amount_text, parse_amount

#: Blank rows offered in each repeated section of the sheet.
LOAN_ROWS, GUARANTOR_ROWS, ITEM_ROWS = 2, 3, 2

#: Where each rule's error goes: patterns tried in order ({m} = the error's member).
#: "top" is the top of the sheet; "section:x" is the heading of a section.
ERROR_FIELDS: dict[str, tuple[str, ...]] = {
    "share_limit_exceeded": ("m-{m}-shares",),
    "unknown_fine_type": ("m-{m}-fine_type",),
    "over_payment": ("repay:{m}",),
    "unknown_loan": ("repay:{m}", "section:decisions"),
    "loan_exceeds_cap": ("loan:{m}:amount",),
    "loan_term_too_long": ("loan:{m}:term",),
    "loan_term_too_short": ("loan:{m}:term",),
    "guarantor_lacks_savings": ("pledge:{m}",),
    "guarantor_is_borrower": ("pledge:{m}",),
    "member_has_open_loan": ("loan:{m}:borrower", "leave-{m}"),
    "member_has_guarantees": ("leave-{m}",),
    "insufficient_social_fund": ("grant:{m}:amount", "section:grants"),
    "insufficient_cash": ("leave-{m}", "section:cash_items"),
    "negative_amount": (
        "loan:{m}:amount",
        "pledge:{m}",
        "grant:{m}:amount",
        "m-{m}-social",
        "section:cash_items",
    ),
    "amount_too_large": (
        "loan:{m}:amount",
        "pledge:{m}",
        "grant:{m}:amount",
        "m-{m}-social",
        "repay:{m}",
        "section:cash_items",
    ),
    "member_listed_twice": ("m-{m}-shares", "pledge:{m}"),
    "nothing_to_recover": ("section:decisions",),
    "meeting_date_not_after_previous": ("date",),
    "member_not_active": ("m-{m}-shares", "loan:{m}:borrower", "pledge:{m}", "grant:{m}:member"),
    "unknown_member": ("loan:{m}:borrower", "pledge:{m}", "grant:{m}:member"),
}

REQUIRED = _l("Required.")
NOT_A_COUNT = _l("Write a whole number, like 2.")
NOT_AN_AMOUNT = _l("Write an amount, like 125,000.")
NOT_A_CHOICE = _l("Choose one of the options.")
NEEDS_BORROWER = _l("Choose the borrower.")
NEEDS_GUARANTOR = _l("Choose the guarantor of this pledge.")


@dataclass
class Sheet:
    """One meeting sheet: typed values, their errors, and the parsed command parts."""

    values: Mapping[str, str]
    unit: str
    member_ids: list[int]
    fine_amounts: Mapping[str, int] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    top_errors: list[str] = field(default_factory=list)

    # -- reading typed values ----------------------------------------------------------

    def get(self, name: str) -> str:
        """Return the value as typed ('' when absent)."""
        return (self.values.get(name) or "").strip()

    def error(self, name: str, message: object) -> None:
        """Attach a message to a field (or to "top")."""
        if name == "top":
            self.top_errors.append(str(message))
        else:
            self.errors.setdefault(name, []).append(str(message))

    def count(self, name: str, default: int = 0) -> int:
        """Return a whole number typed in any digits, or record an error."""
        text = persian.latin_digits(self.get(name))
        if not text:
            return default
        if not text.isdigit():
            self.error(name, NOT_A_COUNT)
            return default
        return int(text)

    def amount(self, name: str) -> int:
        """Return the rials of an amount typed in the fund's unit, or record an error."""
        text = self.get(name)
        if not text:
            return 0
        try:
            return parse_amount(text, self.unit)
        except ValueError:
            self.error(name, NOT_AN_AMOUNT)
            return 0

    def member(self, name: str) -> int | None:
        """Return a chosen member's id ('' means none)."""
        text = self.get(name)
        if not text:
            return None
        if not text.isdigit():
            self.error(name, NOT_A_COUNT)
            return None
        return int(text)

    @property
    def ok(self) -> bool:
        """Return whether no field has an error."""
        return not self.errors and not self.top_errors

    # -- building the command ----------------------------------------------------------

    def command(
        self, on: date, key: str, loans_of: Mapping[int, list[int]], open_loans: list[int]
    ) -> MeetingInput:
        """Return the meeting the sheet describes (check ``ok`` afterwards)."""
        return MeetingInput(
            date=on,
            idempotency_key=key,
            lines=tuple(self._line(m, loans_of.get(m, [])) for m in self.member_ids),
            new_loans=tuple(self._new_loans()),
            grants=tuple(self._grants()),
            other_income=tuple(self._items("income")),
            expenses=tuple(self._items("expense")),
            recoveries=tuple(loan for loan in open_loans if self.get(f"recover-{loan}")),
            write_offs={
                loan: self.get(f"writeoff-{loan}")
                for loan in open_loans
                if self.get(f"writeoff-{loan}")
            },
            leavers=tuple(m for m in self.member_ids if self.get(f"leave-{m}")),
            cash_counted=self.amount("cash_counted") if self.get("cash_counted") else None,
            cash_explanation=self.get("cash_explanation"),
        )

    def _line(self, member_id: int, loan_ids: list[int]) -> MemberLine:
        prefix = f"m-{member_id}"
        attendance = self.get(f"{prefix}-attendance") or Attendance.PRESENT.value
        if attendance not in {a.value for a in Attendance}:
            self.error(f"{prefix}-attendance", NOT_A_CHOICE)
            attendance = Attendance.PRESENT.value
        repayments = {loan: self.amount(f"{prefix}-repay-{loan}") for loan in loan_ids}
        return MemberLine(
            member_id=member_id,
            attendance=Attendance(attendance),
            shares=self.count(f"{prefix}-shares"),
            social=self.amount(f"{prefix}-social"),
            repayments={loan: amount for loan, amount in repayments.items() if amount},
            fines=self._fines(prefix),
        )

    def _fines(self, prefix: str) -> tuple[FinePaid, ...]:
        fine_type = self.get(f"{prefix}-fine_type")
        if not fine_type:
            return ()
        typed = self.get(f"{prefix}-fine")
        amount = self.amount(f"{prefix}-fine") if typed else self.fine_amounts.get(fine_type, 0)
        return (FinePaid(fine_type, amount),)

    def _new_loans(self) -> list[NewLoan]:
        loans = []
        for i in range(self.loan_rows):
            prefix = f"loan-{i}"
            amount = self.amount(f"{prefix}-amount")
            borrower = self.member(f"{prefix}-borrower")
            if borrower is None:
                if amount:
                    self.error(f"{prefix}-borrower", NEEDS_BORROWER)
                continue
            if not self.get(f"{prefix}-amount"):
                self.error(f"{prefix}-amount", REQUIRED)
            loans.append(
                NewLoan(
                    borrower_id=borrower,
                    amount=amount,
                    term_months=self.count(f"{prefix}-term"),
                    purpose=self.get(f"{prefix}-purpose"),
                    guarantors=tuple(self._pledges(prefix)),
                )
            )
        return loans

    def _pledges(self, prefix: str) -> list[Pledge]:
        pledges = []
        for j in range(self.guarantor_rows(prefix)):
            guarantor = self.member(f"{prefix}-g-{j}")
            amount = self.amount(f"{prefix}-p-{j}")
            if guarantor is None:
                if amount:
                    self.error(f"{prefix}-g-{j}", NEEDS_GUARANTOR)
                continue
            pledges.append(Pledge(guarantor, amount))
        return pledges

    def _grants(self) -> list[Grant]:
        grants = []
        for k in range(self.item_rows("grant")):
            member = self.member(f"grant-{k}-member")
            amount = self.amount(f"grant-{k}-amount")
            if member is None:
                if amount:
                    self.error(f"grant-{k}-member", REQUIRED)
                continue
            grants.append(Grant(member, amount, self.get(f"grant-{k}-reason")))
        return grants

    def _items(self, kind: str) -> list[CashItem]:
        items = []
        for k in range(self.item_rows(kind)):
            if self.get(f"{kind}-{k}-amount") or self.get(f"{kind}-{k}-memo"):
                items.append(
                    CashItem(self.amount(f"{kind}-{k}-amount"), self.get(f"{kind}-{k}-memo"))
                )
        return items

    # -- how many rows of each repeated section -----------------------------------------

    def _rows(self, prefix: str, minimum: int) -> int:
        """Return the rows to show: the blank minimum, or more when more were sent."""
        sent = [
            int(name[len(prefix) :].split("-")[0])
            for name in self.values
            if name.startswith(prefix) and name[len(prefix) :].split("-")[0].isdigit()
        ]
        return max([minimum, *(n + 1 for n in sent)])

    @property
    def loan_rows(self) -> int:
        """Return the number of new-loan rows."""
        return self._rows("loan-", LOAN_ROWS)

    def guarantor_rows(self, loan_prefix: str) -> int:
        """Return the number of guarantor rows of a new loan."""
        return self._rows(f"{loan_prefix}-g-", GUARANTOR_ROWS)

    def item_rows(self, kind: str) -> int:
        """Return the number of rows of grants, income or expenses."""
        return self._rows(f"{kind}-", ITEM_ROWS)

    # -- placing a refused rule next to its field ----------------------------------------

    def place_error(self, error: DomainError, message: str) -> str:
        """Attach a service's error to the field it is about; return that field's name."""
        for pattern in ERROR_FIELDS.get(error.code, ()):
            name = self._resolve(pattern, error.member_id, error.loan_id)
            if name is not None:
                self.error(name, message)
                return name
        self.error("top", message)
        return "top"

    def _resolve(
        self, pattern: str, member_id: int | None, loan_id: int | None = None
    ) -> str | None:
        if pattern.startswith("section:"):
            return pattern
        if "{m}" in pattern and member_id is None:
            return None
        m = str(member_id)
        kind, _, rest = pattern.partition(":")
        if kind == "loan":
            part = rest.split(":")[1]
            return self._row_where("loan-", "-borrower", m, part, self.loan_rows)
        if kind == "grant":
            part = rest.split(":")[1]
            return self._row_where("grant-", "-member", m, part, self.item_rows("grant"))
        if kind == "pledge":
            return self._pledge_of(m)
        if kind == "repay":
            return self._repayment_of(m, loan_id)
        name = pattern.format(m=m)
        return name if name == "date" or self._member_row_sent(name) else None

    def _row_where(self, prefix: str, key: str, m: str, part: str, rows: int) -> str | None:
        for i in range(rows):
            if self.get(f"{prefix}{i}{key}") == m:
                return f"{prefix}{i}-{part}"
        return None

    def _pledge_of(self, m: str) -> str | None:
        for i in range(self.loan_rows):
            for j in range(self.guarantor_rows(f"loan-{i}")):
                if self.get(f"loan-{i}-g-{j}") == m:
                    return f"loan-{i}-g-{j}"
        return None

    def _repayment_of(self, m: str, loan_id: int | None) -> str | None:
        exact = f"m-{m}-repay-{loan_id}"
        if loan_id is not None and self.get(exact):
            return exact
        names = [n for n in self.values if n.startswith(f"m-{m}-repay-") and self.get(n)]
        return names[0] if names else None

    def _member_row_sent(self, name: str) -> bool:
        if name.startswith("leave-"):
            return bool(self.get(name))
        return name.startswith("m-") and int(name.split("-")[1]) in self.member_ids


def blank_values(member_ids: list[int], social: int, unit: str) -> dict[str, Any]:
    """Return the sheet's starting values: everyone present, no shares typed yet."""
    values: dict[str, Any] = {}
    for member_id in member_ids:
        values[f"m-{member_id}-attendance"] = Attendance.PRESENT.value
        if social:
            values[f"m-{member_id}-social"] = amount_text(social, unit)
    return values
