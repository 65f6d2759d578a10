"""A fortnightly fund that met on every one of its days has missed nothing, however long ago
it started: its schedule counts from its first meeting, not from the look-back period."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from groups.savings.rules import MeetingFrequency
from reports.monitoring import fund_statuses
from tests.savings.conftest import START, make_fund


def test_a_fortnightly_fund_that_met_every_fortnight_missed_no_meeting(session: Session) -> None:
    fund = make_fund(session, frequency=MeetingFrequency.FORTNIGHTLY)
    days = [START + timedelta(weeks=2 * n) for n in range(20)]  # 38 weeks of fortnights
    for day in days:
        fund.meet(day, *fund.everyone_buys(1))

    for as_of in (days[-1], days[-1] + timedelta(days=3), days[-1] + timedelta(days=10)):
        status = fund_statuses(session, [fund.fund_id], as_of)[0]
        assert status.components.missed_meetings == 0, as_of
    later = fund_statuses(session, [fund.fund_id], days[-1] + timedelta(days=20))[0]
    assert later.components.missed_meetings == 1  # the next fortnight passed without one
