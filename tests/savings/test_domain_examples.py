"""DOMAIN.md's worked examples 1–9, played through the services on a real database.

A, B and C buy 50, 30 and 20 shares of 1,000. A borrows 80,000 for two months
and B 20,000 for four, at 5% a month flat: A pays 8,000 of charges, B 4,000.
Each pays a 1,000 fine; the social fund collects 5,000, which is never shared.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from groups.savings import queries, rules
from groups.savings.commands import FinePaid, MemberLine, NewLoan
from groups.savings.errors import LoanExceedsCap
from groups.savings.shareout import confirm_share_out, preview_share_out
from ledger.verify import verify
from tests.savings.conftest import START, Fund, make_fund


def week(n: int) -> date:
    return START + timedelta(weeks=n)


SHARE_OUT_DAY = week(24)


def example_fund(
    session: Session, method: rules.ShareOutMethod, c_borrows_6000: bool = False
) -> Fund:
    """Play the examples' cycle up to the share-out."""
    fund = make_fund(
        session,
        min_shares=0,
        max_shares=50,
        max_term_months=4,
        social_contribution=0,
        share_out_method=method,
        fines={"absent": 1_000},
    )
    a, b, c = fund.members
    fund.meet(
        week(0),
        MemberLine(a.id, shares=50, social=2_000),
        MemberLine(b.id, shares=30, social=2_000),
        MemberLine(c.id, shares=20, social=1_000),
    )
    fund.meet(week(2), new_loans=(NewLoan(a.id, 80_000, 2), NewLoan(b.id, 20_000, 4)))
    loans = {loan.member_id: loan.id for loan in queries.open_loans(session, fund.fund_id)}
    fund.meet(
        week(21),
        MemberLine(a.id, repayments={loans[a.id]: 88_000}, fines=(FinePaid("absent", 1_000),)),
        MemberLine(b.id, repayments={loans[b.id]: 24_000}, fines=(FinePaid("absent", 1_000),)),
        MemberLine(c.id, fines=(FinePaid("absent", 1_000),)),
    )
    if c_borrows_6000:
        fund.meet(week(23), new_loans=(NewLoan(c.id, 6_000, 2),))
    return fund


def payouts(fund: Fund, write_off: tuple[int, ...] = ()) -> list[int]:
    preview = preview_share_out(fund.session, fund.fund_id, SHARE_OUT_DAY, write_off)
    return [line.payout for line in preview.lines]


def test_the_example_cycle_holds_what_domain_md_says(session: Session) -> None:
    fund = example_fund(session, rules.ShareOutMethod.PROPORTIONAL)
    assert fund.cash() == 115_000
    assert fund.social_cash() == 5_000
    assert fund.balance("charges") == 12_000
    assert fund.balance("fines") == 3_000
    assert queries.charges_paid_by_member(
        session, queries.open_cycle(session, fund.fund_id).id
    ) == {
        fund.members[0].id: 8_000,
        fund.members[1].id: 4_000,
    }


def test_example_1_proportional_share_out(session: Session) -> None:
    fund = example_fund(session, rules.ShareOutMethod.PROPORTIONAL)
    preview = preview_share_out(session, fund.fund_id, SHARE_OUT_DAY)
    assert preview.value_per_share == 1_150
    assert [line.payout for line in preview.lines] == [57_500, 34_500, 23_000]
    confirm_share_out(session, fund.fund_id, SHARE_OUT_DAY, "treasurer", "ex1")
    assert fund.cash() == 0
    assert fund.social_cash() == 5_000  # carried to the next cycle, not shared
    assert verify(session, fund.fund_id) == []


def test_example_2_equal_profit(session: Session) -> None:
    fund = example_fund(session, rules.ShareOutMethod.EQUAL_PROFIT)
    assert payouts(fund) == [55_000, 35_000, 25_000]


def test_example_3_charges_back_to_who_paid_them(session: Session) -> None:
    fund = example_fund(session, rules.ShareOutMethod.CHARGES_RETURNED)
    assert payouts(fund) == [59_000, 35_000, 21_000]


def test_example_4_a_loan_netted_or_written_off(session: Session) -> None:
    fund = example_fund(session, rules.ShareOutMethod.PROPORTIONAL, c_borrows_6000=True)
    assert fund.cash() == 109_000
    preview = preview_share_out(session, fund.fund_id, SHARE_OUT_DAY)
    assert preview.value_per_share == 1_150
    assert [line.payout for line in preview.lines] == [57_500, 34_500, 17_000]
    assert preview.total_payout == 109_000

    (loan,) = queries.open_loans(session, fund.fund_id)
    written_off = preview_share_out(session, fund.fund_id, SHARE_OUT_DAY, write_off=(loan.id,))
    assert written_off.value_per_share == 1_090
    assert [line.payout for line in written_off.lines] == [54_500, 32_700, 21_800]

    confirm_share_out(session, fund.fund_id, SHARE_OUT_DAY, "treasurer", "ex4")
    assert fund.cash() == 0
    assert queries.loan_status(session, loan.id) == "repaid"
    assert verify(session, fund.fund_id) == []


def test_example_5_payouts_add_up_to_the_rial(session: Session) -> None:
    fund = make_fund(session, min_shares=0, max_shares=50)
    a, b, c = fund.members
    fund.meet(
        week(0),
        MemberLine(a.id, shares=49),
        MemberLine(b.id, shares=33),
        MemberLine(c.id, shares=17),
    )
    from groups.savings.commands import CashItem

    fund.meet(week(1), other_income=(CashItem(1_000, "sale of the old cash box"),))
    assert payouts(fund) == [49_495, 33_333, 17_172]


def test_example_6_the_cap_is_the_smaller_of_k_times_savings_and_cash(session: Session) -> None:
    fund = make_fund(session, names=("آمنه", "بتول"), min_shares=0, max_shares=50)
    a, b = fund.members
    fund.meet(week(0), MemberLine(a.id, shares=40), MemberLine(b.id, shares=50))
    fund.meet(week(1), MemberLine(b.id, shares=0))
    assert fund.cash() == 90_000
    with pytest.raises(LoanExceedsCap):
        fund.meet(week(2), new_loans=(NewLoan(a.id, 90_001, 3),))
    fund.meet(week(2), new_loans=(NewLoan(a.id, 90_000, 3),))
    assert fund.cash() == 0


@pytest.mark.parametrize(
    ("method", "instalments"),
    [
        (rules.ChargeMethod.FLAT_MONTHLY, [(20_000, 3_000)] * 3),
        (rules.ChargeMethod.DECLINING_MONTHLY, [(20_000, 3_000), (20_000, 2_000), (20_000, 1_000)]),
    ],
)
def test_examples_7_and_8_flat_and_declining_charges(
    session: Session, method: rules.ChargeMethod, instalments: list[tuple[int, int]]
) -> None:
    fund = make_fund(session, min_shares=0, max_shares=50, charge_method=method)
    a = fund.members[0]
    fund.meet(week(0), MemberLine(a.id, shares=50), MemberLine(fund.members[1].id, shares=50))
    fund.meet(week(1), new_loans=(NewLoan(a.id, 60_000, 3),))
    (loan,) = queries.open_loans(session, fund.fund_id)
    assert [(i.principal, i.charge) for i in queries.schedule_of(loan)] == instalments


def test_example_9_an_upfront_fee_is_income_of_the_cycle(session: Session) -> None:
    fund = make_fund(
        session,
        share_price=1_000_000,
        min_shares=0,
        max_shares=50,
        max_term_months=10,
        charge_method=rules.ChargeMethod.UPFRONT_FEE,
        charge_rate=Decimal("0.04"),
    )
    a, b, c = fund.members
    fund.meet(
        week(0),
        MemberLine(a.id, shares=30),
        MemberLine(b.id, shares=20),
        MemberLine(c.id, shares=20),
    )
    cash_before = fund.cash()
    fund.meet(week(1), new_loans=(NewLoan(a.id, 60_000_000, 10),))
    assert cash_before - fund.cash() == 57_600_000
    assert fund.balance("charges") == 2_400_000
    (loan,) = queries.open_loans(session, fund.fund_id)
    assert [(i.principal, i.charge) for i in queries.schedule_of(loan)] == [(6_000_000, 0)] * 10
