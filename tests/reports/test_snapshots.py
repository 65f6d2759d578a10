"""Stored fund snapshots equal a from-scratch computation: on the demo fund, on DOMAIN.md's
examples 10 and 11, and on random sequences of meetings (late payments, absences, cash
differences, skipped weeks, a reopened meeting)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.meetings import MeetingsConfig, plan_meeting
from groups.savings import queries
from groups.savings.commands import Attendance, MeetingInput, MemberLine
from groups.savings.fundbook import import_book
from groups.savings.measures import measure
from groups.savings.meetings import record_meeting, reopen_last_meeting
from groups.savings.models import Meeting
from groups.savings.snapshots import FundSnapshot, rebuild_snapshots, refresh_snapshots
from reports.monitoring import computed_statuses, fund_statuses
from tests.savings.conftest import START, make_fund
from web.demo import DEMO_BOOK
from web.fundbook import load_book

NAMES = tuple(f"عضو {n}" for n in range(1, 7))


def snapshots_of(session: Session, fund_id: int) -> dict[int, FundSnapshot]:
    query = select(FundSnapshot).where(FundSnapshot.fund_id == fund_id)
    return {s.meeting_id: s for s in session.scalars(query)}


def closed_meetings(session: Session, fund_id: int) -> list[Meeting]:
    query = select(Meeting).where(Meeting.fund_id == fund_id, queries.CLOSED)
    return list(session.scalars(query.order_by(Meeting.date)))


def assert_snapshots_match_the_books(session: Session, fund_id: int) -> None:
    """Every closed meeting has one snapshot, equal to the sums recomputed from the postings."""
    refresh_snapshots(session, [fund_id], date.max)
    stored = snapshots_of(session, fund_id)
    meetings = closed_meetings(session, fund_id)
    assert sorted(stored) == sorted(m.id for m in meetings)
    for meeting in meetings:
        from_scratch = measure(session, [fund_id], meeting.date, now=False)[fund_id]
        assert stored[meeting.id].measures() == from_scratch, meeting.date


@pytest.fixture
def demo(session: Session) -> int:
    import_book(session, load_book(DEMO_BOOK.read_text(encoding="utf-8")), "test")
    session.flush()
    return int(session.scalar(select(Meeting.fund_id).limit(1)) or 0)


def test_demo_fund_snapshots_equal_the_books_and_the_dashboard_equals_recomputing(
    session: Session, demo: int
) -> None:
    assert_snapshots_match_the_books(session, demo)
    last = closed_meetings(session, demo)[-1].date
    for day in (last, last + timedelta(days=40)):
        stored = fund_statuses(session, [demo], day)
        assert stored == computed_statuses(session, [demo], day)
        assert stored[0].last_meeting == last
    # Forty days on with no meeting, the missed meetings show although the sums are stored.
    later = fund_statuses(session, [demo], last + timedelta(days=40))[0]
    assert "missed_meeting" in [f.code for f in later.flags]


def test_rebuilding_writes_the_same_snapshots(session: Session, demo: int) -> None:
    refresh_snapshots(session, [demo], date.max)
    before = {m: s.measures() for m, s in snapshots_of(session, demo).items()}
    assert rebuild_snapshots(session, [demo]) == len(before)
    assert {m: s.measures() for m, s in snapshots_of(session, demo).items()} == before


def test_example_10_attendance_of_the_last_four_meetings_is_stored(session: Session) -> None:
    """DOMAIN.md example 10: 20 members; 5, 18, 17, 20, 15 present → 70 of 80 = 87.5 %."""
    fund = make_fund(session, tuple(f"عضو {n}" for n in range(1, 21)))
    for week, present in enumerate((5, 18, 17, 20, 15)):
        lines = tuple(
            MemberLine(
                m.id,
                Attendance.PRESENT if i < present else Attendance.ABSENT,
                shares=1 if i < present else 0,
            )
            for i, m in enumerate(fund.members)
        )
        fund.meet(START + timedelta(weeks=week), *lines)
    status = fund_statuses(session, [fund.fund_id], START + timedelta(weeks=4))[0]
    assert (status.components.attendance_present, status.components.attendance_sheet) == (70, 80)
    assert status.kpis.attendance == Fraction(875, 1000)
    assert status == computed_statuses(session, [fund.fund_id], START + timedelta(weeks=4))[0]


def _vary(command: MeetingInput, rng: random.Random) -> MeetingInput:
    """Make a planned meeting rougher: skipped repayments, absences, a cash difference."""
    counted = None if rng.random() < 0.3 else rng.choice((0, 0, 500, -500))
    if command.new_loans:  # the plan lent the cash and savings it counted on: keep them
        return replace(command, cash_counted=counted)
    lines = []
    for line in command.lines:
        if rng.random() < 0.25:
            line = replace(line, repayments={})
        if rng.random() < 0.15 and not line.repayments:
            line = replace(line, attendance=Attendance.ABSENT, shares=0, social=0, fines=())
        lines.append(line)
    return replace(command, lines=tuple(lines), cash_counted=counted)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 10_000), weeks=st.integers(2, 14))
def test_stored_sums_equal_a_from_scratch_computation_for_random_meetings(
    session: Session, seed: int, weeks: int
) -> None:
    rng = random.Random(seed)
    config = MeetingsConfig(funds=1, members=len(NAMES), loans_per_meeting=2)
    with session.begin_nested() as savepoint:
        fund = make_fund(session, NAMES, share_price=50_000, social_contribution=10_000)
        on = START
        for week in range(weeks):
            on += timedelta(weeks=rng.choice((1, 1, 1, 2, 5)))  # now and then weeks are missed
            planned = plan_meeting(session, fund.fund_id, on, f"p-{seed}-{week}", rng, config)
            command = _vary(planned, rng)
            if command.cash_counted is not None:
                command = _counted(session, fund.fund_id, command)
            meeting = record_meeting(session, fund.fund_id, command, "test")
            if rng.random() < 0.3:  # a dashboard looks in between: these are stored now
                refresh_snapshots(session, [fund.fund_id], on)
            if rng.random() < 0.1:
                reopen_last_meeting(session, fund.fund_id, meeting.id, "mistake", "test", on)
        assert_snapshots_match_the_books(session, fund.fund_id)
        day = on + timedelta(days=rng.randint(0, 60))
        assert fund_statuses(session, [fund.fund_id], day) == computed_statuses(
            session, [fund.fund_id], day
        )
        savepoint.rollback()


def _counted(session: Session, fund_id: int, command: MeetingInput) -> MeetingInput:
    """Count the cash the meeting will leave, give or take the planned difference."""
    difference = command.cash_counted or 0
    with session.begin_nested() as trial:
        meeting = record_meeting(session, fund_id, replace(command, cash_counted=None), "test")
        expected = meeting.cash_expected
        trial.rollback()
    return replace(command, cash_counted=expected + difference)


def test_a_fund_with_no_meeting_yet_has_empty_sums(session: Session) -> None:
    fund = make_fund(session)
    status = fund_statuses(session, [fund.fund_id], date(2030, 1, 1))[0]
    assert status.last_meeting is None and status.kpis.par30 is None


def test_meetings_are_measured_once_the_first_time_a_dashboard_looks(
    session: Session, demo: int
) -> None:
    assert snapshots_of(session, demo) == {}  # recording meetings measured nothing
    last = closed_meetings(session, demo)[-1].date
    fund_statuses(session, [demo], last - timedelta(days=30))
    earlier = snapshots_of(session, demo)
    assert sorted(earlier) == [
        m.id for m in closed_meetings(session, demo) if m.date <= last - timedelta(days=30)
    ]
    fund_statuses(session, [demo], last)
    assert len(snapshots_of(session, demo)) == len(closed_meetings(session, demo))
    assert refresh_snapshots(session, [demo], last) == 0  # nothing left to measure
