"""The story of a fund's cycle, one meeting at a time, with the books checked after each step."""

from __future__ import annotations

from datetime import timedelta

import pytest

from groups.savings import queries
from groups.savings.commands import FinePaid, MemberLine, NewLoan, Pledge
from groups.savings.consistency import savings_problems
from groups.savings.errors import (
    GuarantorLacksSavings,
    LoanExceedsCap,
    MeetingDateNotAfterPrevious,
    OverPayment,
    ShareLimitExceeded,
)
from groups.savings.models import Meeting
from groups.savings.shareout import confirm_share_out, preview_share_out
from ledger.verify import verify
from tests.savings.conftest import START, Fund


def week(n: int):  # type: ignore[no-untyped-def]
    return START + timedelta(weeks=n)


def test_a_cycle_from_first_shares_to_share_out(fund: Fund) -> None:
    a, b, c = fund.members

    # Week 0: A buys 5 shares, B 3, C 2; everyone pays 200 into the social fund.
    fund.meet(
        week(0),
        MemberLine(a.id, shares=5, social=200),
        MemberLine(b.id, shares=3, social=200),
        MemberLine(c.id, shares=2, social=200),
        cash_counted=10_600,
    )
    assert fund.cash() == 10_000
    assert fund.social_cash() == 600
    assert [fund.savings(m) for m in (a, b, c)] == [5_000, 3_000, 2_000]
    assert fund.trial_balance_is_zero()

    # Week 1: everyone buys again; C borrows 6,000 for three months, A guarantees 3,000.
    meeting = fund.meet(
        week(1),
        *fund.everyone_buys(1),
        new_loans=(NewLoan(c.id, 6_000, 3, "چرخ خیاطی", (Pledge(a.id, 3_000),)),),
    )
    assert fund.cash() == 10_000 + 3_000 - 6_000
    assert fund.balance("loans") == 0  # the control account; C's loan is in her sub-account
    (loan,) = queries.open_loans(fund.session, fund.fund_id)
    assert [(i.principal, i.charge) for i in queries.schedule_of(loan)] == [(2_000, 300)] * 3
    assert meeting.cash_expected == fund.cash() + fund.social_cash()
    assert queries.pledges_held(fund.session, fund.fund_id, a.id) == 3_000

    # Week 6 (the first instalment fell due today): C pays 2,300; B is fined for coming late.
    fund.meet(
        week(6),
        MemberLine(c.id, shares=1, repayments={loan.id: 2_300}),
        MemberLine(b.id, shares=1, fines=(FinePaid("late", 500),)),
    )
    position = queries.position_of(fund.session, loan, week(6))
    assert position.principal_outstanding == 4_000
    assert fund.balance("charges") == 300
    assert fund.balance("fines") == 500
    assert queries.pledges_held(fund.session, fund.fund_id, a.id) == 2_000  # released as she repays
    assert fund.trial_balance_is_zero()
    assert verify(fund.session, fund.fund_id) == []
    assert savings_problems(fund.session, fund.fund_id) == []

    # Week 14: C repays the rest (4,000 principal + 600 charges); the loan is repaid.
    fund.meet(week(14), MemberLine(c.id, shares=1, repayments={loan.id: 4_600}))
    assert queries.loan_status(fund.session, loan.id) == "repaid"
    assert queries.pledges_held(fund.session, fund.fund_id, a.id) == 0

    # Share-out: the loan fund is paid out exactly; the social fund stays.
    preview = preview_share_out(fund.session, fund.fund_id, week(15))
    assert preview.total_payout == fund.cash()
    assert preview.social_fund_carried == 600
    share_out = confirm_share_out(fund.session, fund.fund_id, week(15), "treasurer", "share-out-1")
    assert sum(p.payout for p in share_out.payouts) == preview.distributable
    assert fund.cash() == 0
    assert fund.social_cash() == 600
    assert [fund.savings(m) for m in (a, b, c)] == [0, 0, 0]
    assert fund.balance("surplus") == 0
    assert fund.trial_balance_is_zero()
    assert verify(fund.session, fund.fund_id) == []
    assert savings_problems(fund.session, fund.fund_id) == []


def test_a_retried_meeting_posts_nothing_twice(fund: Fund) -> None:
    from groups.savings.commands import MeetingInput
    from groups.savings.meetings import record_meeting

    command = MeetingInput(week(0), "meeting-1-phone-retry", fund.everyone_buys(2))
    first = record_meeting(fund.session, fund.fund_id, command, "treasurer")
    again = record_meeting(fund.session, fund.fund_id, command, "treasurer")
    assert again.id == first.id
    assert fund.cash() == 6_000


@pytest.mark.parametrize(
    ("make_meeting", "error"),
    [
        (lambda f, a, b, c: f.meet(week(1), MemberLine(a.id, shares=6)), ShareLimitExceeded),
        (lambda f, a, b, c: f.meet(week(1), MemberLine(a.id, shares=0)), ShareLimitExceeded),
        (lambda f, a, b, c: f.meet(week(1), new_loans=(NewLoan(c.id, 7_000, 2),)), LoanExceedsCap),
        (
            lambda f, a, b, c: f.meet(
                week(1), new_loans=(NewLoan(c.id, 3_000, 2, "", (Pledge(b.id, 2_500),)),)
            ),
            GuarantorLacksSavings,
        ),
        (lambda f, a, b, c: f.meet(week(0)), MeetingDateNotAfterPrevious),
    ],
)
def test_a_broken_rule_refuses_the_meeting_and_saves_nothing(
    fund: Fund, make_meeting, error
) -> None:  # type: ignore[no-untyped-def]
    a, b, c = fund.members
    fund.meet(
        week(0), MemberLine(a.id, shares=5), MemberLine(b.id, shares=2), MemberLine(c.id, shares=2)
    )
    cash_before = fund.cash()
    meetings_before = fund.session.query(Meeting).count()
    with pytest.raises(error):
        make_meeting(fund, a, b, c)
    assert fund.cash() == cash_before
    assert fund.session.query(Meeting).count() == meetings_before
    assert verify(fund.session, fund.fund_id) == []
    assert savings_problems(fund.session, fund.fund_id) == []


def test_nobody_pays_what_she_does_not_owe(fund: Fund) -> None:
    c = fund.members[2]
    fund.meet(week(0), *fund.everyone_buys(5))
    fund.meet(week(1), *fund.everyone_buys(1), new_loans=(NewLoan(c.id, 3_000, 1),))
    (loan,) = queries.open_loans(fund.session, fund.fund_id)
    with pytest.raises(OverPayment):
        fund.meet(week(2), MemberLine(c.id, shares=1, repayments={loan.id: 3_151}))
