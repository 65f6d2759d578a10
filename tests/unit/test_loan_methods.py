"""Loans a real fund uses (issue 13, item 8), against hand-computed schedules: equal
instalments on the declining balance (annuity), instalments in multiples of a rounding
unit, and a grace period before the first instalment.

The annuity reference is Apache Fineract's published schedule: 5,000 at 12% a year
(1% a month) over 18 months, instalments rounded to whole units — an instalment of 305
and 488.22 of interest in all. Written in hundredths (cents) so the interest keeps its
two decimals as Fineract's does: 500,000 over 18 months, unit 100.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from groups.savings.errors import InvalidConstitution, NegativeAmount
from groups.savings.rules import (
    ChargeMethod,
    Constitution,
    MeetingFrequency,
    PaperLoan,
    annuity_payment,
    grace_end,
    instalment_due_dates,
    loan_instalments,
    loan_schedule,
    paper_loan_instalments,
    round_to_unit,
)

MADE = date(2025, 1, 6)  # a Monday


def months(count: int) -> list[date]:
    return [MADE + relativedelta(months=i) for i in range(1, count + 1)]


# -- annuity ----------------------------------------------------------------------------

#: Fineract's schedule, by hand: interest = balance × 1% (half up, in cents), principal =
#: 30,500 − interest, the last instalment the balance left.
FINERACT_INTEREST = [5000, 4745, 4487, 4227, 3965, 3699, 3431, 3161, 2887,
                     2611, 2332, 2050, 1766, 1479, 1188, 895, 599, 300]  # fmt: skip


def test_the_annuity_matches_fineract_s_published_schedule() -> None:
    schedule = loan_schedule(500_000, ChargeMethod.ANNUITY, Decimal("0.01"), months(18), 100)

    assert annuity_payment(500_000, Decimal("0.01"), 18) == pytest.approx(30_491.02, abs=0.01)
    assert [i.total for i in schedule[:-1]] == [30_500] * 17  # 305.00
    assert [i.charge for i in schedule] == FINERACT_INTEREST
    assert sum(i.charge for i in schedule) == 48_822  # 488.22
    assert schedule[-1].principal == 30_022 and schedule[-1].total == 30_322  # 303.22
    assert sum(i.principal for i in schedule) == 500_000


def test_an_annuity_in_rials_three_months_at_five_percent() -> None:
    """60,000 at 5% a month over 3 months: A = 60,000 × 0.05 ÷ (1 − 1.05⁻³) = 22,032.51
    → 22,033. Charges 3,000 (on 60,000), 2,048 (on 40,967), 1,049 (on 20,982)."""
    schedule = loan_schedule(60_000, ChargeMethod.ANNUITY, Decimal("0.05"), months(3))
    assert [(i.principal, i.charge) for i in schedule] == [
        (19_033, 3_000),
        (19_985, 2_048),
        (20_982, 1_049),
    ]
    assert [i.total for i in schedule] == [22_033, 22_033, 22_031]


def test_an_annuity_without_a_rate_is_equal_parts() -> None:
    schedule = loan_schedule(10_000, ChargeMethod.ANNUITY, Decimal(0), months(3))
    assert [(i.principal, i.charge) for i in schedule] == [(3_333, 0), (3_333, 0), (3_334, 0)]


UNITS = st.sampled_from([1, 10, 1_000, 10_000])
RATES = st.decimals(min_value=0, max_value=Decimal("0.2"), places=4)


@settings(deadline=None)
@given(st.integers(1, 10**12), RATES, st.integers(1, 24), UNITS, st.sampled_from(ChargeMethod))
def test_every_schedule_adds_up_to_the_principal_whatever_its_unit(
    principal: int, rate: Decimal, term: int, unit: int, method: ChargeMethod
) -> None:
    schedule = loan_schedule(principal, method, rate, months(term), unit)
    assert sum(i.principal for i in schedule) == principal
    assert all(i.principal >= 0 and i.charge >= 0 for i in schedule)


@settings(deadline=None)
@given(st.integers(1, 10**10), RATES, st.integers(1, 24), UNITS)
def test_an_annuity_has_equal_instalments_in_multiples_of_its_unit(
    base: int, rate: Decimal, term: int, unit: int
) -> None:
    """For a loan of at least 100 units an instalment (a smaller one clamps at zero)."""
    principal = 100 * unit * term + base
    schedule = loan_schedule(principal, ChargeMethod.ANNUITY, rate, months(term), unit)
    assert len({i.total for i in schedule[:-1]}) <= 1
    assert all(i.total % unit == 0 for i in schedule[:-1])
    charges = [i.charge for i in schedule]
    assert charges == sorted(charges, reverse=True)  # the balance only declines


# -- a rounding unit ----------------------------------------------------------------------


def test_round_to_unit_rounds_half_up() -> None:
    assert [round_to_unit(x, 1_000) for x in (1_499, 1_500, 2_501, 0)] == [1_000, 2_000, 3_000, 0]
    assert round_to_unit(Fraction(1, 2), 1) == 1


def test_flat_instalments_in_multiples_of_10_000_rials() -> None:
    """1,000,000 at 2% flat over 3 months: 333,333.33 + 20,000 = 353,333 → 350,000 a month
    (principal 330,000); the last 340,000 + 20,000. Without a unit: 333,333 / 333,333 /
    333,334, a fraction of a toman."""
    schedule = loan_schedule(
        1_000_000, ChargeMethod.FLAT_MONTHLY, Decimal("0.02"), months(3), 10_000
    )
    assert [(i.principal, i.charge, i.total) for i in schedule] == [
        (330_000, 20_000, 350_000),
        (330_000, 20_000, 350_000),
        (340_000, 20_000, 360_000),
    ]
    plain = loan_schedule(1_000_000, ChargeMethod.FLAT_MONTHLY, Decimal("0.02"), months(3))
    assert [i.principal for i in plain] == [333_333, 333_333, 333_334]


def test_declining_instalments_in_multiples_of_1_000_rials() -> None:
    """60,000 at 5% on the balance over 3 months, unit 1,000: 20,000 + 3,000 = 23,000;
    then 2,000 on 40,000 → 22,000; the last 20,000 + 1,000."""
    schedule = loan_schedule(
        60_000, ChargeMethod.DECLINING_MONTHLY, Decimal("0.05"), months(3), 1_000
    )
    assert [(i.principal, i.charge) for i in schedule] == [
        (20_000, 3_000),
        (20_000, 2_000),
        (20_000, 1_000),
    ]
    odd = loan_schedule(61_500, ChargeMethod.DECLINING_MONTHLY, Decimal("0.05"), months(3), 1_000)
    # 20,500 + 3,075 = 23,575 → 24,000 (principal 20,925); 40,575 × 5% = 2,029 (half up):
    # 20,500 + 2,029 = 22,529 → 23,000 (principal 20,971); the last 19,604 + 980.
    assert [(i.principal, i.charge) for i in odd] == [
        (20_925, 3_075),
        (20_971, 2_029),
        (19_604, 980),
    ]


# -- grace --------------------------------------------------------------------------------


def test_a_grace_of_two_meetings_starts_the_schedule_after_them() -> None:
    """Weekly on Mondays: made Monday 6 January; two meetings of grace end on 20 January;
    instalments fall on the first meeting on or after 20 February, 20 March, 20 April."""
    assert grace_end(MADE, 2, MeetingFrequency.WEEKLY, 0) == date(2025, 1, 20)
    assert instalment_due_dates(MADE, 3, MeetingFrequency.WEEKLY, 0, 2) == [
        date(2025, 2, 24),
        date(2025, 3, 24),
        date(2025, 4, 21),
    ]
    assert instalment_due_dates(MADE, 3, MeetingFrequency.WEEKLY, 0) == [
        date(2025, 2, 10),
        date(2025, 3, 10),
        date(2025, 4, 7),
    ]


def test_a_monthly_fund_s_grace_of_one_meeting_is_a_month() -> None:
    """Monthly on the 6th: one meeting of grace ends 6 February; due 6 March and 6 April."""
    assert instalment_due_dates(MADE, 2, MeetingFrequency.MONTHLY, 6, 1) == [
        date(2025, 3, 6),
        date(2025, 4, 6),
    ]


def test_the_constitution_s_unit_and_grace_shape_a_new_loan() -> None:
    constitution = Constitution(
        share_price=1_000,
        charge_method=ChargeMethod.ANNUITY,
        charge_rate=Decimal("0.05"),
        instalment_unit=1_000,
        grace_meetings=2,
    )
    schedule = loan_instalments(constitution, 60_000, MADE, 3)
    # A = 22,032.51 → 22,000: principal 19,000, 19,950 (charge 2,050 on 41,000), 21,050
    assert [(i.due, i.principal, i.charge) for i in schedule] == [
        (date(2025, 2, 24), 19_000, 3_000),
        (date(2025, 3, 24), 19_950, 2_050),
        (date(2025, 4, 21), 21_050, 1_053),
    ]
    assert Constitution.from_dict(constitution.to_dict()) == constitution


@pytest.mark.parametrize(
    ("setting", "value"), [("instalment_unit", 0), ("grace_meetings", -1), ("grace_meetings", 53)]
)
def test_a_unit_or_grace_out_of_range_is_no_constitution(setting: str, value: int) -> None:
    with pytest.raises(InvalidConstitution, match=setting):
        Constitution.from_dict({"share_price": 1_000, setting: value})


# -- loans from paper ---------------------------------------------------------------------


def test_a_paper_loan_s_arrears_fall_due_on_the_opening_day_and_the_rest_runs_on() -> None:
    """9,000 lent at 5% flat; 6,000 remains over 2 months, 1,000 of it overdue with 900 of
    charges: 1,000 + 900 on the opening day; 5,000 in two months, each with 450 (5% of
    the 9,000 lent, not of what remains)."""
    constitution = Constitution(share_price=1_000, charge_rate=Decimal("0.05"))
    paper = PaperLoan(6_000, 2, principal=9_000, arrears=1_000, charges_unpaid=900)
    schedule = paper_loan_instalments(constitution, paper, MADE)
    assert [(i.number, i.due, i.principal, i.charge) for i in schedule] == [
        (1, MADE, 1_000, 900),
        (2, date(2025, 2, 10), 2_500, 450),
        (3, date(2025, 3, 10), 2_500, 450),
    ]


def test_a_paper_loan_keeps_its_own_rate_and_no_upfront_fee_is_due_again() -> None:
    declining = Constitution(share_price=1_000, charge_method=ChargeMethod.DECLINING_MONTHLY)
    own = paper_loan_instalments(declining, PaperLoan(4_000, 2, rate=Decimal("0.02")), MADE)
    assert [(i.principal, i.charge) for i in own] == [(2_000, 80), (2_000, 40)]
    fee = Constitution(share_price=1_000, charge_method=ChargeMethod.UPFRONT_FEE)
    assert all(i.charge == 0 for i in paper_loan_instalments(fee, PaperLoan(4_000, 2), MADE))


def test_a_paper_loan_wholly_in_arrears_is_one_instalment_due_at_the_opening() -> None:
    constitution = Constitution(share_price=1_000)
    schedule = paper_loan_instalments(constitution, PaperLoan(3_000, 0, arrears=3_000), MADE)
    assert [(i.due, i.principal, i.charge) for i in schedule] == [(MADE, 3_000, 0)]


@pytest.mark.parametrize(
    "paper",
    [
        PaperLoan(3_000, 1, arrears=3_001),  # more overdue than remains
        PaperLoan(3_000, 1, principal=2_000),  # more remains than was lent
        PaperLoan(3_000, 1, penalties=-1),
        PaperLoan(0, 1),
        PaperLoan(3_000, 1, rate=Decimal(1)),
    ],
    ids=["arrears", "principal", "penalty", "nothing-remains", "rate"],
)
def test_a_paper_loan_whose_figures_do_not_fit_is_refused(paper: PaperLoan) -> None:
    with pytest.raises(NegativeAmount):
        paper_loan_instalments(Constitution(share_price=1_000), paper, MADE)
