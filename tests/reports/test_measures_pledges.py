"""What a guarantor paid on a defaulted loan uses up her pledge everywhere the pledge is read:
the monitoring (not over-pledged), her statement and the loan schedule
(queries.held_by_guarantee)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from groups.savings.measures import measure
from reports.loans import loan_schedule
from reports.statement import member_statement
from tests.savings.test_rules_refused import guaranteed_fund, week


def test_a_guarantor_who_paid_from_her_savings_is_not_over_pledged(session: Session) -> None:
    fund, a, loan = guaranteed_fund(session, guarantor_shares=3)
    fund.meet(week(7), recoveries=(loan.id,))  # she pays 2,300 of her 3,000: 700 left
    assert fund.savings(a) == 700

    measures = measure(session, [fund.fund_id], week(7))[fund.fund_id]

    assert measures.guarantors_over_pledged == 0  # 700 held of 700, not 2,000


def test_her_statement_and_the_loan_schedule_show_the_pledge_left_after_she_paid(
    session: Session,
) -> None:
    fund, a, loan = guaranteed_fund(session, guarantor_shares=3)
    fund.meet(week(7), recoveries=(loan.id,))

    (line,) = member_statement(session, fund.fund_id, a.id).guarantees
    schedule = loan_schedule(session, fund.fund_id, loan.id)

    assert (line.pledge, line.held) == (3_000, 700)
    assert [held for _, _, held in schedule.guarantors] == [700]
