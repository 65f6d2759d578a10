"""What the meeting sheet and the meeting page show, read in a few queries.

Amounts are rials; templates write them in the fund's unit. ``SheetContext`` is
the fund as the treasurer finds it before the meeting: members, their open
loans with what is due on the meeting day, the cash in the box, and the
constitution's share price, fines and schedule (for the next meeting's date).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.savings import queries, reads, rules
from groups.savings.book import FundBook
from groups.savings.models import (
    CashMovement,
    Cycle,
    Fine,
    Guarantee,
    Loan,
    LoanEvent,
    Meeting,
    Member,
    Repayment,
    SavingsFund,
)


@dataclass(frozen=True)
class OpenLoan:
    """A member's open loan and what she owes on it on the meeting day."""

    loan: Loan
    payable_now: int
    max_payment: int
    days_late: int


@dataclass
class SheetContext:
    """The fund before the meeting."""

    fund: SavingsFund
    cycle: Cycle
    constitution: rules.Constitution
    members: list[Member]
    loans: dict[int, list[OpenLoan]]
    cash: int
    social_cash: int
    next_date: date
    last_meeting: Meeting | None

    @property
    def member_ids(self) -> list[int]:
        """Return the active members' ids in the sheet's order."""
        return [m.id for m in self.members]

    @property
    def loan_ids_of(self) -> dict[int, list[int]]:
        """Return each member's open loan ids."""
        return {m: [o.loan.id for o in loans] for m, loans in self.loans.items()}

    @property
    def open_loan_ids(self) -> list[int]:
        """Return every open loan's id."""
        return [o.loan.id for loans in self.loans.values() for o in loans]

    @property
    def names(self) -> dict[int, str]:
        """Return member id → name."""
        return {m.id: m.name for m in self.members}


def sheet_context(session: Session, fund: SavingsFund, on: date | None = None) -> SheetContext:
    """Return the fund as it stands before a meeting on ``on`` (default: the next meeting)."""
    cycle = queries.open_cycle(session, fund.fund_id)
    constitution = queries.constitution_of(cycle)
    last = queries.last_meeting(session, fund.fund_id)
    next_date = next_meeting_date(constitution, cycle, last)
    day = on or next_date
    members = queries.active_members(session, fund.fund_id)
    open_loans = queries.open_loans(session, fund.fund_id)
    positions = queries.positions_of(session, open_loans, day)
    loans: dict[int, list[OpenLoan]] = {}
    for loan in open_loans:
        p = positions[loan.id]
        loans.setdefault(loan.member_id, []).append(
            OpenLoan(loan, p.payable_now, p.max_payment, p.days_late)
        )
    book = FundBook.load(session, fund.fund_id)
    return SheetContext(
        fund,
        cycle,
        constitution,
        sorted(members, key=lambda m: m.number),
        loans,
        book.balance("cash"),
        book.balance("social_cash"),
        next_date,
        last,
    )


def next_meeting_date(constitution: rules.Constitution, cycle: Cycle, last: Meeting | None) -> date:
    """Return the first scheduled meeting after the last one (or from the cycle's start)."""
    after = last.date + timedelta(days=1) if last is not None else cycle.started_on
    return rules.next_meeting_on_or_after(
        constitution.frequency, constitution.meeting_day, after, anchor=cycle.started_on
    )


@dataclass
class MeetingRecord:
    """What was recorded at one meeting."""

    meeting: Meeting
    names: dict[int, str]
    repayments: list[Repayment] = field(default_factory=list)
    fines: list[Fine] = field(default_factory=list)
    movements: list[CashMovement] = field(default_factory=list)
    new_loans: list[Loan] = field(default_factory=list)
    guarantees: dict[int, list[Guarantee]] = field(default_factory=dict)
    events: list[LoanEvent] = field(default_factory=list)
    is_last: bool = False

    @property
    def discrepancy(self) -> int | None:
        """Return cash counted minus cash expected (None when not counted)."""
        if self.meeting.cash_counted is None:
            return None
        return self.meeting.cash_counted - self.meeting.cash_expected

    def paid_by(self, member_id: int) -> int:
        """Return what a member paid on loans at the meeting."""
        return sum(
            r.penalty + r.charge + r.principal for r in self.repayments if r.payer_id == member_id
        )

    def fines_of(self, member_id: int) -> list[Fine]:
        """Return a member's fines."""
        return [f for f in self.fines if f.member_id == member_id]


def meeting_record(session: Session, meeting: Meeting) -> MeetingRecord:
    """Return everything recorded at a meeting (``reads.meeting_rows``)."""
    names = dict(
        session.execute(
            select(Member.id, Member.name).where(Member.fund_id == meeting.fund_id)
        ).all()
    )
    rows = reads.meeting_rows(session, meeting)
    last = queries.last_meeting(session, meeting.fund_id)
    return MeetingRecord(
        meeting,
        {int(k): str(v) for k, v in names.items()},
        list(rows.repayments),
        list(rows.fines),
        list(rows.movements),
        list(rows.new_loans),
        {loan.id: list(loan.guarantees) for loan in rows.new_loans},
        rows.events_of("written_off", "penalty"),
        is_last=last is not None and last.id == meeting.id,
    )
