"""A guarantor who paid a defaulted loan from her savings is not counted as over-pledged:
what she paid uses up her pledge (the same rule as the meeting's, rules.pledge_held)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from groups.savings.measures import measure
from tests.savings.test_rules_refused import guaranteed_fund, week


def test_a_guarantor_who_paid_from_her_savings_is_not_over_pledged(session: Session) -> None:
    fund, a, loan = guaranteed_fund(session, guarantor_shares=3)
    fund.meet(week(7), recoveries=(loan.id,))  # she pays 2,300 of her 3,000: 700 left
    assert fund.savings(a) == 700

    measures = measure(session, [fund.fund_id], week(7))[fund.fund_id]

    assert measures.guarantors_over_pledged == 0  # 700 held of 700, not 2,000
