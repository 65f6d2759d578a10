"""Issue 13, items 4 and 5: a recovery settles what is overdue first, oldest first (a
constitution option, this the default); a new cycle may not start before the previous
share-out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from groups.savings import queries, rules
from groups.savings.commands import MemberLine, NewLoan, Pledge
from groups.savings.errors import CycleBeforeShareOut
from groups.savings.funds import start_cycle
from groups.savings.models import Cycle
from groups.savings.shareout import confirm_share_out
from tests.savings.conftest import START, constitution, make_fund


def week(n: int) -> date:
    return START + timedelta(weeks=n)


def recovered_on_the_next_due_day(session: Session, **settings: object) -> tuple[str, int]:
    """B borrows 6,000 over three months (2,000 + 300 a month), A pledges 3,000; B pays
    nothing, and on the day her second instalment falls due the meeting recovers her
    arrears (the first instalment, 2,300) from A. Return the loan's status and what is
    still overdue."""
    fund = make_fund(session, min_shares=0, max_shares=20, **settings)
    a, b, _c = fund.members
    fund.meet(week(0), MemberLine(a.id, shares=10), MemberLine(b.id, shares=2))
    fund.meet(week(1), new_loans=(NewLoan(b.id, 6_000, 3, "", (Pledge(a.id, 3_000),)),))
    (loan,) = queries.open_loans(session, fund.fund_id)
    second_due = queries.schedule_of(loan)[1].due
    fund.meet(second_due, recoveries=(loan.id,))
    position = queries.position_of(session, loan, second_due)
    assert fund.savings(a) == 10_000 - 2_300
    return queries.loan_status(session, loan.id), position.overdue_principal


def test_a_recovery_on_a_due_day_settles_the_late_instalment_first(session: Session) -> None:
    assert recovered_on_the_next_due_day(session) == ("active", 0)


def test_a_fund_may_recover_along_its_repayment_order_instead(session: Session) -> None:
    # Penalty, then every charge due (today's 300 too), then principal: 300 stays late.
    order = rules.RecoveryOrder.REPAYMENT_ORDER
    assert recovered_on_the_next_due_day(session, recovery_order=order) == ("in_arrears", 300)


def test_split_recovery_walks_the_late_instalments_oldest_first() -> None:
    day = date(2025, 6, 1)
    schedule = (
        rules.Instalment(1, date(2025, 4, 1), 1_000, 100),
        rules.Instalment(2, date(2025, 5, 1), 1_000, 100),
        rules.Instalment(3, day, 1_000, 100),
    )
    position = rules.loan_position(schedule, [], 50, day)
    late = rules.late_instalments(schedule, [], day)
    assert [i.number for i in late] == [1, 2]
    order = rules.DEFAULT_REPAYMENT_ORDER
    # 50 of penalty, instalment 1 (100 + 1,000), then 400 of instalment 2's charge and principal.
    assert rules.split_recovery(1_550, position, late, order, day) == rules.Payment(
        day, 50, 200, 1_300
    )
    # More than the arrears goes to what falls due today, along the order.
    assert rules.split_recovery(2_400, position, late, order, day) == rules.Payment(
        day, 50, 300, 2_050
    )


def test_a_new_cycle_cannot_start_before_the_previous_share_out(session: Session) -> None:
    fund = make_fund(session)
    fund.meet(week(0), *fund.everyone_buys(2))
    confirm_share_out(session, fund.fund_id, week(4), "treasurer", "share-out-1")
    with pytest.raises(CycleBeforeShareOut) as refused:
        start_cycle(session, fund.fund_id, week(3), constitution())
    assert (refused.value.field, refused.value.bound) == ("started_on", week(4))
    cycle = start_cycle(session, fund.fund_id, week(4), constitution())
    assert (cycle.number, cycle.status) == (2, "open")
    assert session.get(Cycle, cycle.id) is cycle
