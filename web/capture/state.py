"""The capture state: everything the phone needs to record the next meeting, as plain data.

One read of the fund before a meeting (``web.meetings.context.sheet_context``)
plus what the phone's defaults and checks need: each member's shares at the
last meeting, her savings, loan cap and unpledged savings, what she owes today
on each open loan; the constitution's ranges and fines; the date bounds. The
page renders it, the JSON API serves it (``GET /api/v1/funds/{id}/capture``)
and the offline client caches it. The browser's checks read their bounds from
here; the rules themselves run only on the server, which re-plans every meeting.
Amounts are rials.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.savings import queries, rules
from groups.savings.book import FundBook
from groups.savings.models import MeetingLine, Member, SavingsFund
from web.meetings.context import SheetContext, sheet_context

#: A meeting date this many days from the schedule asks the treasurer to confirm it.
FAR_FROM_SCHEDULE_DAYS = 7


@dataclass(frozen=True)
class DueLoan:
    """A member's open loan: what she owes today and the most she may pay."""

    id: int
    principal: int
    payable_now: int
    max_payment: int
    days_late: int


@dataclass(frozen=True)
class CaptureMember:
    """One member as the phone shows her: identity, defaults and bounds."""

    id: int
    number: int
    name: str
    last_shares: int
    savings: int
    unpledged: int
    loan_cap: int
    loans: tuple[DueLoan, ...] = ()

    @property
    def due_today(self) -> int:
        """Return what she owes today on all her loans."""
        return sum(loan.payable_now for loan in self.loans)


@dataclass(frozen=True)
class CaptureState:
    """The fund before its next meeting, for the phone."""

    fund_id: int
    fund_name: str
    unit: str
    today: date
    last_meeting_on: date | None
    scheduled_on: date
    constitution: rules.Constitution
    members: tuple[CaptureMember, ...]
    cash: int
    social_cash: int
    idempotency_key: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def earliest(self) -> date | None:
        """Return the first day a new meeting may be dated (None: any day up to today)."""
        return self.last_meeting_on + timedelta(days=1) if self.last_meeting_on else None

    @property
    def default_date(self) -> date:
        """Return today: the meeting is recorded the day it is held."""
        return self.today

    def member(self, member_id: int) -> CaptureMember | None:
        """Return the member with this id (None when she is not active)."""
        return next((m for m in self.members if m.id == member_id), None)


def capture_state(session: Session, fund: SavingsFund, today: date) -> CaptureState:
    """Return the capture state of the fund's next meeting, held ``today``."""
    context = sheet_context(session, fund, today)
    book = FundBook.load(session, fund.fund_id)
    last_shares = _shares_at_last_meeting(session, context)
    members = tuple(_member(session, context, book, m, last_shares) for m in context.members)
    return CaptureState(
        fund_id=fund.fund_id,
        fund_name=fund.fund.name,
        unit=fund.display_unit,
        today=today,
        last_meeting_on=context.last_meeting.date if context.last_meeting else None,
        scheduled_on=scheduled_near(context, today),
        constitution=context.constitution,
        members=members,
        cash=context.cash,
        social_cash=context.social_cash,
    )


def scheduled_near(context: SheetContext, today: date) -> date:
    """Return the scheduled meeting day after the last meeting that is nearest to today."""
    c, anchor = context.constitution, context.cycle.started_on
    best = context.next_date
    while True:
        following = rules.next_meeting_on_or_after(
            c.frequency, c.meeting_day, best + timedelta(days=1), anchor=anchor
        )
        if abs(following - today) >= abs(best - today):
            return best
        best = following


def _shares_at_last_meeting(session: Session, context: SheetContext) -> dict[int, int]:
    last = context.last_meeting
    if last is None:
        return {}
    rows = session.execute(
        select(MeetingLine.member_id, MeetingLine.shares).where(MeetingLine.meeting_id == last.id)
    )
    return {int(member_id): int(shares) for member_id, shares in rows}


def _member(
    session: Session,
    context: SheetContext,
    book: FundBook,
    member: Member,
    last_shares: dict[int, int],
) -> CaptureMember:
    savings = book.member_savings(member)
    held = queries.pledges_held(session, context.fund.fund_id, member.id)
    loans = tuple(
        DueLoan(o.loan.id, o.loan.principal, o.payable_now, o.max_payment, o.days_late)
        for o in context.loans.get(member.id, [])
    )
    multiple = context.constitution.loan_multiple
    return CaptureMember(
        id=member.id,
        number=member.number,
        name=member.name,
        last_shares=last_shares.get(member.id, context.constitution.min_shares),
        savings=savings,
        unpledged=max(0, savings - held),
        loan_cap=0 if loans else rules.loan_cap(savings, multiple, context.cash),
        loans=loans,
    )


def state_data(state: CaptureState) -> dict[str, Any]:
    """Return the state as the API's ``CaptureSchema`` dumps it (and the page's JS reads it)."""
    c = state.constitution
    return {
        "fund_id": state.fund_id,
        "fund_name": state.fund_name,
        "unit": state.unit,
        "today": state.today,
        "earliest": state.earliest,
        "last_meeting_on": state.last_meeting_on,
        "scheduled_on": state.scheduled_on,
        "far_from_schedule_days": FAR_FROM_SCHEDULE_DAYS,
        "idempotency_key": state.idempotency_key,
        "cash": state.cash,
        "social_cash": state.social_cash,
        "constitution": {
            "share_price": c.share_price,
            "min_shares": c.min_shares,
            "max_shares": c.max_shares,
            "social_contribution": c.social_contribution,
            "loan_multiple": c.loan_multiple,
            "max_term_months": c.max_term_months,
            "fines": [{"type": k, "amount": v} for k, v in sorted(c.fines.items())],
        },
        "members": [_member_data(m) for m in state.members],
    }


def _member_data(member: CaptureMember) -> dict[str, Any]:
    return {
        "id": member.id,
        "number": member.number,
        "name": member.name,
        "last_shares": member.last_shares,
        "savings": member.savings,
        "unpledged": member.unpledged,
        "loan_cap": member.loan_cap,
        "due_today": member.due_today,
        "loans": [vars(loan) for loan in member.loans],
    }
