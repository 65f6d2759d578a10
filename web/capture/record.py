"""Record a captured meeting: the date's bounds, then the fund's rules, all refusals at once.

Used by the phone page and by ``POST /api/v1/funds/{id}/meetings`` alike. The
date is checked at this edge because only the edge knows today: a meeting is
never dated in the future nor on or before the last meeting (both refusals carry
the bounding date); a date far from the schedule is not refused but asked about
(``off_schedule``). The fund's rules run in the savings services, which re-read
the fund: a meeting saved offline is re-planned against the fund as it is now.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from groups import locale
from groups.savings.commands import MeetingInput
from groups.savings.meetings import record_meeting
from groups.savings.models import Meeting
from groups.savings.plan import MeetingPlan, Violations, plan_meeting
from groups.savings.state import load_fund_state
from ledger.errors import DomainError, IdempotencyKeyReused
from web.capture.state import FAR_FROM_SCHEDULE_DAYS
from web.commit import Attempt, Refused, attempt
from web.extensions import db


class MeetingDateInFuture(DomainError):
    """Raised when a meeting is dated after today."""

    code = "meeting_date_in_future"
    message_fa = "تاریخ جلسه نمی‌تواند بعد از امروز باشد."
    field = "date"


def replay_of(session: Session, fund_id: int, key: str) -> Meeting | None:
    """Return the meeting already recorded with this key (IdempotencyKeyReused: another fund's)."""
    done = session.scalars(select(Meeting).where(Meeting.idempotency_key == key)).first()
    if done is not None and done.fund_id != fund_id:
        raise IdempotencyKeyReused(f"Key {key!r} belongs to another fund")
    return done


def date_refusal(on: date, today: date) -> DomainError | None:
    """Return the refusal of a date after today (with today as its bound), or None."""
    if on <= today:
        return None
    error = MeetingDateInFuture(
        f"The meeting date {on} is after today, {today}",
        message_fa=f"تاریخ جلسه نمی‌تواند بعد از امروز ({locale.to_jalali(today)}) باشد.",
    )
    error.bound = today
    return error


def off_schedule(on: date, scheduled: date) -> bool:
    """Return whether a date is far enough from the schedule to ask the treasurer first."""
    return abs(on - scheduled) > timedelta(days=FAR_FROM_SCHEDULE_DAYS)


def planned(
    session: Session, fund_id: int, command: MeetingInput
) -> MeetingPlan | list[DomainError]:
    """Return the meeting's plan, or every rule it breaks (``plan_meeting``: nothing is run)."""
    try:
        plan = plan_meeting(load_fund_state(session, fund_id, command.date), command)
    except DomainError as error:  # no open cycle
        return [error]
    return [v.error() for v in plan] if isinstance(plan, Violations) else plan


def record(fund_id: int, command: MeetingInput, actor: str, today: date) -> Attempt[Meeting]:
    """Record the meeting and commit, or return every refusal (nothing saved)."""

    def run() -> Meeting:
        refusal = date_refusal(command.date, today)
        plan = planned(db.session(), fund_id, command)
        errors = ([refusal] if refusal is not None else []) + (
            plan if isinstance(plan, list) else []
        )
        if errors:
            raise Refused(errors)
        return record_meeting(db.session(), fund_id, command, actor)

    try:
        return attempt(run)
    except IntegrityError:  # a second writer posted the same key first
        db.session.rollback()
        done = replay_of(db.session(), fund_id, command.idempotency_key)
        if done is None:
            raise
        return Attempt(value=done)
