"""Meeting minutes (صورت‌جلسه): what a meeting recorded, who came, the cash, signature lines.

Built from one closed meeting's rows. Invariants: the member table's totals are
the sums of its rows; ``cash_difference`` = counted − expected (None when the
cash was not counted); every member of the fund on the meeting's day has a row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from groups.savings import reads
from groups.savings.models import (
    Meeting,
    MeetingLine,
    Member,
)
from groups.savings.states import MeetingStatus
from ledger.errors import DomainError
from reports import fundfacts, persian
from reports.document import Column, Heading, Table


class UnknownMeeting(DomainError):
    """Raised when a document asks for a meeting the fund does not have (or not closed)."""

    code = "unknown_meeting"
    message_fa = "این جلسه در این صندوق ثبت نشده است."


MEMBER_COLUMNS = (
    Column("number", "ردیف", "no.", "count"),
    Column("name", "نام عضو", "member"),
    Column("attendance", "حضور", "attendance"),
    Column("shares", "سهم", "shares", "count"),
    Column("savings", "پس‌انداز", "savings", "money"),
    Column("social", "همبستگی", "social fund", "money"),
    Column("repaid", "بازپرداخت وام", "loan repayment", "money"),
    Column("fines", "جریمه", "fines", "money"),
    Column("signature", "امضا", "signature"),
)


@dataclass(frozen=True)
class MeetingMinutes:
    """One meeting's record, ready to print and sign."""

    heading: Heading
    meeting_number: int
    member_rows: tuple[tuple[int, str, str, int, int, int, int, int, str], ...]
    present: int
    members: int
    loans: tuple[tuple[str, int, int, str], ...]
    events: tuple[tuple[str, str, int], ...]
    cash_expected: int
    cash_counted: int | None
    cash_explanation: str
    signatories: tuple[tuple[str, str], ...]
    template: str = "minutes.html"

    @property
    def cash_difference(self) -> int | None:
        """Return counted − expected cash, or None when nothing was counted."""
        return None if self.cash_counted is None else self.cash_counted - self.cash_expected

    def member_table(self) -> Table:
        """Return a row per member with the totals of the money columns."""
        totals = tuple(
            sum(int(row[i]) for row in self.member_rows) if c.kind in ("money",) else None
            for i, c in enumerate(MEMBER_COLUMNS)
        )
        shares = sum(row[3] for row in self.member_rows)
        return Table(
            "members",
            "اعضا",
            "members",
            MEMBER_COLUMNS,
            self.member_rows,
            (None, "جمع", None, shares, *totals[4:]),
        )

    def loan_table(self) -> Table:
        """Return the loans granted at the meeting with their guarantors."""
        columns = (
            Column("borrower", "وام‌گیرنده", "borrower"),
            Column("principal", "مبلغ", "principal", "money"),
            Column("term", "مدت (ماه)", "term (months)", "count"),
            Column("guarantors", "ضامنان", "guarantors"),
        )
        return Table("loans", "وام‌های جدید", "new loans", columns, self.loans)

    def event_table(self) -> Table:
        """Return the other decisions: grants, income, expenses, recoveries, write-offs, leavers."""
        columns = (
            Column("what", "موضوع", "item"),
            Column("who", "شرح", "detail"),
            Column("amount", "مبلغ", "amount", "money"),
        )
        return Table("events", "سایر تصمیم‌ها", "other decisions", columns, self.events)

    def cash_table(self) -> Table:
        """Return the cash expected, counted and their difference."""
        columns = (Column("item", "شرح", "item"), Column("amount", "مبلغ", "amount", "money"))
        rows: tuple[tuple[str, int | None], ...] = (
            ("موجودی مورد انتظار صندوق / expected cash", self.cash_expected),
            ("موجودی شمرده‌شده / counted cash", self.cash_counted),
            ("اختلاف / difference", self.cash_difference),
        )
        return Table("cash", "شمارش صندوق", "cash count", columns, rows)

    def tables(self) -> list[Table]:
        """Return the members, loans, decisions and cash tables."""
        return [self.member_table(), self.loan_table(), self.event_table(), self.cash_table()]


def meeting_minutes(session: Session, fund_id: int, meeting_id: int) -> MeetingMinutes:
    """Return the minutes of a closed meeting of the fund."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.fund_id != fund_id or meeting.status != MeetingStatus.CLOSED:
        raise UnknownMeeting(f"Fund {fund_id} has no closed meeting {meeting_id}")
    info = fundfacts.fund_info(session, fund_id, meeting.date)
    members = [
        m
        for m in fundfacts.members_of(session, fund_id)
        if m.joined_on <= meeting.date and (m.left_on is None or m.left_on >= meeting.date)
    ]
    names = {m.id: m.name for m in fundfacts.members_of(session, fund_id)}
    recorded = reads.meeting_rows(session, meeting)
    lines = {line.member_id: line for line in recorded.lines}
    repaid: dict[int, int] = defaultdict(int)
    for r in recorded.repayments:
        if r.payer_id in lines:
            repaid[r.payer_id] += r.total
    fines: dict[int, int] = defaultdict(int)
    for f in recorded.fines:
        fines[f.member_id] += f.amount
    rows = tuple(
        _member_row(m.number, m.name, lines.get(m.id), repaid, fines, m.id) for m in members
    )
    present = sum(1 for line in lines.values() if line.attendance in ("present", "late"))
    heading = Heading(
        "صورت‌جلسه",
        "meeting minutes",
        info.name,
        info.village,
        None,
        meeting.date,
        info.unit,
        facts=(("جلسهٔ شمارهٔ", persian.persian_digits(meeting.number)),),
    )
    return MeetingMinutes(
        heading,
        meeting.number,
        rows,
        present,
        len(members),
        _loans(recorded, names),
        _events(recorded, names),
        meeting.cash_expected,
        meeting.cash_counted,
        meeting.cash_explanation,
        committee_signatories(members),
    )


def _member_row(
    number: int,
    name: str,
    line: MeetingLine | None,
    repaid: dict[int, int],
    fines: dict[int, int],
    member_id: int,
) -> tuple[int, str, str, int, int, int, int, int, str]:
    attendance = fundfacts.ATTENDANCE_FA.get(line.attendance, "") if line else ""
    return (
        number,
        name,
        attendance,
        line.shares if line else 0,
        line.savings if line else 0,
        line.social if line else 0,
        repaid.get(member_id, 0),
        fines.get(member_id, 0),
        "",
    )


def _loans(
    recorded: reads.MeetingRows, names: dict[int, str]
) -> tuple[tuple[str, int, int, str], ...]:
    return tuple(
        (
            names.get(loan.member_id, ""),
            loan.principal,
            loan.term_months,
            "، ".join(
                f"{names.get(g.guarantor_id, '')} ({persian.format_amount(g.pledge)})"
                for g in loan.guarantees
            ),
        )
        for loan in recorded.new_loans
    )


CASH_KINDS_FA = {"grant": "کمک از صندوق همبستگی", "income": "درآمد دیگر", "expense": "هزینه"}


def _events(recorded: reads.MeetingRows, names: dict[int, str]) -> tuple[tuple[str, str, int], ...]:
    events: list[tuple[str, str, int]] = []
    for c in recorded.movements:
        who = names.get(c.member_id, "") if c.member_id else ""
        events.append((CASH_KINDS_FA[c.kind], " ".join(p for p in (who, c.memo) if p), c.amount))
    for r in recorded.recoveries():
        borrower = recorded.borrowers[r.loan_id]
        detail = f"از پس‌انداز {names.get(r.payer_id, '')} برای وام {names.get(borrower, '')}"
        events.append(("برداشت از ضامن", detail, r.total))
    for event in recorded.events_of("written_off"):
        borrower = recorded.borrowers[event.loan_id]
        events.append(("سوخت وام", f"{names.get(borrower, '')} {event.note}".strip(), event.amount))
    for exit_row in recorded.exits:
        events.append(("خروج عضو", names.get(exit_row.member_id, ""), exit_row.paid))
    return tuple(events)


SIGNING_ROLES = ("chair", "treasurer", "box_keeper", "money_counter", "key_holder")


def committee_signatories(members: list[Member]) -> tuple[tuple[str, str], ...]:
    """Return (role, name) for the committee and the key holders, in the order they sign."""
    lines = [
        (fundfacts.ROLE_NAMES_FA[role], m.name)
        for role in SIGNING_ROLES
        for m in members
        if role in m.role_list
    ]
    return tuple(lines) or (("رئیس", ""), ("منشی و خزانه‌دار", ""))
