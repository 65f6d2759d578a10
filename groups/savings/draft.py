"""The working copy of a meeting being planned: the fund's state as each step leaves it.

``Draft`` starts from a frozen ``FundState`` and is changed only by the planning steps
(``steps_members``, ``steps_loans``): cash, savings, loan payments and events, rows and
entries to write, and the rules broken. Pure: no session. A step checks everything
before it changes anything, so a refused part leaves the draft as it was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from groups.savings import rules
from groups.savings.errors import (
    AmountTooLarge,
    MemberNotActive,
    NegativeAmount,
    UnknownLoan,
    UnknownMember,
)
from groups.savings.planned import (
    AccountRef,
    PlannedEntry,
    PlannedEvent,
    PlannedExit,
    PlannedFine,
    PlannedLine,
    PlannedLoan,
    PlannedMovement,
    PlannedRepayment,
)
from groups.savings.state import FundState, LoanState, MemberState, PaidBy
from groups.savings.states import LoanStatus, MemberStatus
from ledger.errors import DomainError, Violation
from ledger.money import MAX_AMOUNT


@dataclass
class Draft:
    """A meeting half planned: what the fund holds now, and what is to be written."""

    state: FundState
    cash: int = 0
    social_cash: int = 0
    #: The open loans as this meeting leaves them, by id (payments and penalties added).
    loans: dict[int, LoanState] = field(default_factory=dict)
    #: Loans written off here, with the status that now refuses them.
    finished_here: dict[int, LoanStatus] = field(default_factory=dict)
    savings_change: dict[int, int] = field(default_factory=dict)
    left: set[int] = field(default_factory=set)
    lines: list[PlannedLine] = field(default_factory=list)
    repayments: list[PlannedRepayment] = field(default_factory=list)
    fines: list[PlannedFine] = field(default_factory=list)
    events: list[PlannedEvent] = field(default_factory=list)
    new_loans: list[PlannedLoan] = field(default_factory=list)
    movements: list[PlannedMovement] = field(default_factory=list)
    exits: list[PlannedExit] = field(default_factory=list)
    entries: list[PlannedEntry] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)

    @classmethod
    def of(cls, state: FundState) -> Draft:
        """Return a draft of a meeting of the fund as it stands."""
        return cls(state, state.cash, state.social_cash, dict(state.loans))

    @property
    def on(self) -> date:
        """Return the meeting's day."""
        return self.state.on

    @property
    def constitution(self) -> rules.Constitution:
        """Return the cycle's constitution."""
        return self.state.constitution

    # -- refusing ----------------------------------------------------------------------

    @contextmanager
    def checking(
        self, field: str, member_id: int | None = None, loan_id: int | None = None
    ) -> Iterator[None]:
        """Collect a broken rule of the step inside, tagged with where it is, and go on."""
        try:
            yield
        except DomainError as error:
            for name, value in (("field", field), ("member_id", member_id), ("loan_id", loan_id)):
                if getattr(error, name) is None and value is not None:
                    setattr(error, name, value)
            self.violations.append(error.violation)

    # -- members -----------------------------------------------------------------------

    def member(self, member_id: int) -> MemberState:
        """Return an active member (MemberNotActive, UnknownMember otherwise)."""
        member = self.state.members.get(member_id)
        if member is None:
            raise UnknownMember(f"Fund {self.state.fund_id} has no member {member_id}")
        if member.status is not MemberStatus.ACTIVE or member_id in self.left:
            raise MemberNotActive(f"{member.named} is not an active member", member_id=member_id)
        return member

    def savings_now(self, member_id: int) -> int:
        """Return a member's savings with what this meeting added or took."""
        member = self.state.members[member_id]
        return member.savings + self.savings_change.get(member_id, 0)

    def change_savings(self, member_id: int, amount: int) -> None:
        """Add to (or take from) a member's savings."""
        self.savings_change[member_id] = self.savings_change.get(member_id, 0) + amount

    # -- loans -------------------------------------------------------------------------

    def open_loan(self, loan_id: int) -> LoanState:
        """Return an open loan of the fund (UnknownLoan, saying why, otherwise)."""
        loan = self.loans.get(loan_id)
        if loan is not None:
            return loan
        status = self.finished_here.get(loan_id) or self.state.finished.get(loan_id)
        if status is None:
            raise UnknownLoan(f"Fund {self.state.fund_id} has no loan {loan_id}", loan_id=loan_id)
        raise UnknownLoan(f"Loan {loan_id} is {status}, not open", loan_id=loan_id)

    def position(self, loan: LoanState) -> rules.LoanPosition:
        """Return what is owed on a loan today, with this meeting's payments and penalties."""
        return loan.position(self.on)

    def loans_of(self, member_id: int) -> list[LoanState]:
        """Return a borrower's open loans granted before this meeting."""
        return [loan for loan in self.loans.values() if loan.member_id == member_id]

    def pay(
        self, loan: LoanState, payer_id: int, payment: rules.Payment, source: AccountRef, memo: str
    ) -> None:
        """Apply a payment to a loan from cash or from someone's savings."""
        self.repayments.append(PlannedRepayment(loan.id, payer_id, payment, memo))
        self.loans[loan.id] = dataclasses.replace(
            loan, paid=(*loan.paid, PaidBy(payer_id, payment))
        )
        self.entry(
            memo,
            [(source, payment.total)],
            [
                (("loans", loan.member_id), payment.principal),
                ("charges", payment.charge),
                ("penalties", payment.penalty),
            ],
        )

    def assess(self, loan: LoanState, amount: int, instalment: int) -> None:
        """Assess a late penalty for one instalment."""
        self.events.append(PlannedEvent(loan.id, "penalty", amount, instalment))
        self.loans[loan.id] = dataclasses.replace(
            loan,
            penalties=loan.penalties + amount,
            penalised=loan.penalised | {instalment},
        )

    def finish(self, loan: LoanState, status: LoanStatus) -> None:
        """Take a loan out of the open ones (written off here)."""
        del self.loans[loan.id]
        self.finished_here[loan.id] = status

    # -- entries -----------------------------------------------------------------------

    def entry(
        self,
        memo: str,
        debits: Sequence[tuple[AccountRef, int]],
        credits: Sequence[tuple[AccountRef, int]],
    ) -> None:
        """Add a journal entry; zero amounts are left out when it is written."""
        self.entries.append(PlannedEntry(memo, tuple(debits), tuple(credits)))


def non_negative(amount: int, what: str) -> None:
    """Refuse a negative amount, or one larger than the books take."""
    if amount < 0:
        raise NegativeAmount(f"{what} cannot be negative: {amount}", bound=0)
    not_too_large(amount, what)


def positive(amount: int, message: str) -> None:
    """Refuse an amount that is not above zero (with the message given), or too large."""
    if amount <= 0:
        raise NegativeAmount(message, bound=1)
    not_too_large(amount, "amount")


def not_too_large(amount: int, what: str) -> None:
    """Refuse an amount larger than the books take."""
    if amount > MAX_AMOUNT:
        raise AmountTooLarge(
            f"{what} {amount:,} is larger than the books can hold ({MAX_AMOUNT:,} at most)",
            bound=MAX_AMOUNT,
        )
