"""record_meeting() and reopen_last_meeting(): a meeting is one atomic, idempotent command.

``record_meeting`` is load → plan → write: ``state.load_fund_state`` reads the fund,
``plan.plan_meeting`` checks every rule and plans every row and entry (pure), and
``write.write_plan`` writes them, all entries in one batch keyed by the meeting's
idempotency key. A refused meeting writes nothing. The caller commits.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.savings import queries, rules
from groups.savings.commands import MeetingInput
from groups.savings.errors import MeetingLocked
from groups.savings.locking import lock_fund
from groups.savings.models import Meeting, Member, MemberExit
from groups.savings.plan import Violations, plan_meeting
from groups.savings.snapshots import drop_snapshot
from groups.savings.state import load_fund_state
from groups.savings.states import MeetingStatus, MemberStatus, move
from groups.savings.write import write_plan
from ledger.entries import SourceType
from ledger.errors import IdempotencyKeyReused
from ledger.models import Entry
from ledger.posting import closed_through, reverse


def record_meeting(session: Session, fund_id: int, command: MeetingInput, actor: str) -> Meeting:
    """Check and post a whole meeting; a replay of its idempotency key returns the first one.

    Raises the first rule it breaks (``plan_meeting`` has them all); nothing is written then.
    """
    lock_fund(session, fund_id)
    replay = session.scalars(
        select(Meeting).where(Meeting.idempotency_key == command.idempotency_key)
    ).one_or_none()
    if replay is not None:
        if replay.fund_id != fund_id:
            raise IdempotencyKeyReused(f"Key {command.idempotency_key!r} belongs to another fund")
        return replay
    plan = plan_meeting(load_fund_state(session, fund_id, command.date), command)
    if isinstance(plan, Violations):
        raise plan.first()
    with session.begin_nested():
        return write_plan(session, plan, actor)


def reopen_last_meeting(
    session: Session, fund_id: int, meeting_id: int, reason: str, actor: str, on: date
) -> Meeting:
    """Reverse every entry of the fund's last meeting and mark it reopened, to record it again.

    The reversals are dated the meeting's own day (``rules.voiding_day``), so no reading
    of any day counts the voided meeting; ``on``, the day of the reopen, is kept with it.
    """
    lock_fund(session, fund_id)
    last = queries.last_meeting(session, fund_id)
    if last is None or last.id != meeting_id or last.kind != "regular":
        raise MeetingLocked(
            f"Meeting {meeting_id} is not the last regular meeting of fund {fund_id}"
        )
    entries = session.scalars(
        select(Entry.id)
        .where(
            Entry.fund_id == fund_id,
            Entry.source_type == SourceType.MEETING.value,
            Entry.source_ref == str(meeting_id),
            Entry.reverses_id.is_(None),
        )
        # Undone last first: no balance dips below zero on the way (a database check).
        .order_by(Entry.id.desc())
    ).all()
    voided_on = rules.voiding_day(last.date, closed_through(session, fund_id))
    for entry_id in entries:
        reverse(session, entry_id, actor=actor, on=voided_on, memo=f"Reopened on {on}: {reason}")
    for exit_row in session.scalars(select(MemberExit).where(MemberExit.meeting_id == meeting_id)):
        member = session.get(Member, exit_row.member_id)
        assert member is not None
        member.status, member.left_on = move(member.status, MemberStatus.ACTIVE), None
    last.status = move(last.status, MeetingStatus.REOPENED)
    last.reopen_reason, last.reopened_on = reason, on
    drop_snapshot(session, last.id)
    session.flush()
    return last
