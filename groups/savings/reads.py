"""What was recorded, read one way for every reader: the rows of meetings, of a member and
of a loan, in batch.

A meeting counts when it is closed, not voided by a reopen. ``COUNTED`` says that once
and ``counted(query, meeting_id)`` adds it to a query of rows recorded at meetings; a
reader never writes ``Meeting.status == "closed"`` itself. The records are the ORM
rows, read in one query per kind for any number of meetings (no query per meeting):

- ``meetings_rows(session, meetings)`` → each meeting's ``MeetingRows`` (lines,
  repayments with the loans' borrowers, fines, cash movements, loans granted with their
  pledges, loan events, leavers' settlements): the meeting page, the minutes, the
  statements and the fund-book export read these;
- ``member_rows(session, member_id)`` → her lines, fines and pledges at counted meetings
  (the member page);
- ``loan_rows(session, loan_id)`` → a loan's repayments and events at counted meetings
  (the loan page).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from groups.savings.models import (
    CashMovement,
    Fine,
    Guarantee,
    Loan,
    LoanEvent,
    Meeting,
    MeetingLine,
    MemberExit,
    Repayment,
)
from groups.savings.states import MeetingStatus

#: True for a meeting that counts: closed, not voided by a reopen.
COUNTED: ColumnElement[bool] = Meeting.status == MeetingStatus.CLOSED.value

S = TypeVar("S", bound=Select)  # type: ignore[type-arg]


def counted(query: S, meeting_id: InstrumentedAttribute[int] | ColumnElement[int]) -> S:
    """Return the query of rows recorded at meetings, keeping those of counted meetings."""
    return query.join(Meeting, Meeting.id == meeting_id).where(COUNTED)


@dataclass(frozen=True)
class MeetingRows:
    """Everything one meeting recorded, as rows."""

    meeting: Meeting
    lines: tuple[MeetingLine, ...] = ()
    repayments: tuple[Repayment, ...] = ()
    fines: tuple[Fine, ...] = ()
    movements: tuple[CashMovement, ...] = ()
    #: Loans granted at the meeting, their pledges loaded.
    new_loans: tuple[Loan, ...] = ()
    events: tuple[LoanEvent, ...] = ()
    exits: tuple[MemberExit, ...] = ()
    #: loan id → borrower, for every loan a repayment or an event of the meeting is about.
    borrowers: Mapping[int, int] = field(default_factory=dict)

    def events_of(self, *kinds: str) -> list[LoanEvent]:
        """Return the meeting's loan events of these kinds."""
        return [e for e in self.events if e.kind in kinds]

    def recoveries(self) -> list[Repayment]:
        """Return the payments a guarantor made on someone else's loan."""
        return [r for r in self.repayments if r.payer_id != self.borrowers.get(r.loan_id)]


def meetings_rows(session: Session, meetings: Sequence[Meeting]) -> dict[int, MeetingRows]:
    """Return what each meeting recorded, by meeting id, in one query per kind of row."""
    ids = [m.id for m in meetings]
    if not ids:
        return {}

    def of(model: Any, *order: Any) -> dict[int, list[Any]]:
        rows: dict[int, list[Any]] = {i: [] for i in ids}
        query = select(model).where(model.meeting_id.in_(ids)).order_by(*order, model.id)
        if model is Loan:
            query = query.options(selectinload(Loan.guarantees))
        for row in session.scalars(query):
            rows[row.meeting_id].append(row)
        return rows

    lines = of(MeetingLine, MeetingLine.member_id)
    repayments, fines, movements = of(Repayment), of(Fine), of(CashMovement)
    loans, events, exits = of(Loan), of(LoanEvent), of(MemberExit)
    loan_ids = {r.loan_id for rs in repayments.values() for r in rs} | {
        e.loan_id for es in events.values() for e in es
    }
    query = select(Loan.id, Loan.member_id).where(Loan.id.in_(loan_ids))
    borrowers = {loan_id: member_id for loan_id, member_id in session.execute(query)}
    return {
        m.id: MeetingRows(
            m,
            tuple(lines[m.id]),
            tuple(repayments[m.id]),
            tuple(fines[m.id]),
            tuple(movements[m.id]),
            tuple(loans[m.id]),
            tuple(events[m.id]),
            tuple(exits[m.id]),
            borrowers,
        )
        for m in meetings
    }


def meeting_rows(session: Session, meeting: Meeting) -> MeetingRows:
    """Return what one meeting recorded."""
    return meetings_rows(session, [meeting])[meeting.id]


@dataclass(frozen=True)
class MemberRows:
    """A member's rows at counted meetings: (row, meeting) pairs, oldest first."""

    lines: tuple[tuple[MeetingLine, Meeting], ...]
    fines: tuple[tuple[Fine, Meeting], ...]
    #: Her pledges on loans granted at counted meetings, with the loan.
    pledges: tuple[tuple[Guarantee, Loan], ...]


def member_rows(session: Session, member_id: int) -> MemberRows:
    """Return a member's lines, fines and pledges at counted meetings."""
    lines = counted(select(MeetingLine, Meeting), MeetingLine.meeting_id).where(
        MeetingLine.member_id == member_id
    )
    fines = counted(select(Fine, Meeting), Fine.meeting_id).where(Fine.member_id == member_id)
    pledges = counted(
        select(Guarantee, Loan).join(Loan, Loan.id == Guarantee.loan_id), Loan.meeting_id
    ).where(Guarantee.guarantor_id == member_id)
    return MemberRows(
        tuple((a, b) for a, b in session.execute(lines.order_by(Meeting.date, Meeting.number))),
        tuple((a, b) for a, b in session.execute(fines.order_by(Meeting.date, Fine.id))),
        tuple((a, b) for a, b in session.execute(pledges.order_by(Loan.id))),
    )


@dataclass(frozen=True)
class LoanRows:
    """A loan's repayments and events at counted meetings, oldest first."""

    repayments: tuple[Repayment, ...]
    events: tuple[LoanEvent, ...]


def loan_rows(session: Session, loan_id: int) -> LoanRows:
    """Return a loan's repayments and events at counted meetings."""
    repayments = counted(select(Repayment), Repayment.meeting_id).where(
        Repayment.loan_id == loan_id
    )
    events = counted(select(LoanEvent), LoanEvent.meeting_id).where(LoanEvent.loan_id == loan_id)
    return LoanRows(
        tuple(session.scalars(repayments.order_by(Repayment.paid_on, Repayment.id))),
        tuple(session.scalars(events.order_by(LoanEvent.on, LoanEvent.id))),
    )
