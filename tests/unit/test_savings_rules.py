"""The pure rules of a savings fund: DOMAIN.md's worked examples 1–9, edge cases, properties.

Worked examples read as the story of a fund (DOMAIN.md: share price 1,000;
members A, B, C bought 50, 30, 20 shares; charges 12,000; fines 3,000).
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from groups.calendar import add_jalali_months, from_jalali
from groups.savings import errors
from groups.savings.errors import (
    InvalidConstitution,
    LoanTermTooShort,
    NegativeAmount,
    OverPayment,
    SavingsError,
)
from groups.savings.rules import (
    Attendance,
    ChargeMethod,
    Component,
    Constitution,
    Instalment,
    LoanPosition,
    MeetingFrequency,
    MemberStake,
    Payment,
    Payout,
    PenaltyKind,
    ShareOutMethod,
    expected_cash,
    instalment_due_dates,
    late_penalty,
    loan_cap,
    loan_position,
    loan_schedule,
    meeting_dates,
    next_meeting_on_or_after,
    pledge_held,
    recovery_split,
    share_out,
    split_repayment,
    upfront_fee,
    value_per_share,
)
from ledger.errors import DomainError

PROPERTY = settings(deadline=None)
ORDER = (Component.PENALTY, Component.CHARGE, Component.PRINCIPAL)
FIVE_PERCENT = Decimal("0.05")
A, B, C = 1, 2, 3
SHARE_PRICE = 1_000


def stakes(owes_c: int = 0) -> list[MemberStake]:
    """Return the example fund: A, B, C with 50, 30, 20 shares; A paid 8,000 of charges, B 4,000."""
    return [
        MemberStake(A, 50 * SHARE_PRICE, charges_paid=8_000),
        MemberStake(B, 30 * SHARE_PRICE, charges_paid=4_000),
        MemberStake(C, 20 * SHARE_PRICE, charges_paid=0, owes=owes_c),
    ]


def payouts_of(payouts: tuple[Payout, ...]) -> dict[int, int]:
    return {p.member_id: p.payout for p in payouts}


def months(start: date, count: int) -> list[date]:
    """Return ``count`` dates a month apart after ``start``."""
    return [start + relativedelta(months=i) for i in range(1, count + 1)]


# -- DOMAIN examples 1–5: share-out --------------------------------------------------------


def test_example_1_proportional_share_out() -> None:
    savings, charges, fines = 100_000, 12_000, 3_000
    cash = savings + charges + fines
    assert cash == 115_000
    assert value_per_share(cash, 100) == 1_150

    payouts = share_out(ShareOutMethod.PROPORTIONAL, stakes(), cash)

    assert payouts_of(payouts) == {A: 57_500, B: 34_500, C: 23_000}
    assert [p.profit for p in payouts] == [7_500, 4_500, 3_000]
    assert all(p.deduction == 0 for p in payouts)


def test_example_2_equal_profit() -> None:
    payouts = share_out(ShareOutMethod.EQUAL_PROFIT, stakes(), 115_000)

    assert [p.profit for p in payouts] == [5_000, 5_000, 5_000]
    assert payouts_of(payouts) == {A: 55_000, B: 35_000, C: 25_000}


def test_example_3_charges_back_to_who_paid_them_and_fines_equally() -> None:
    payouts = share_out(ShareOutMethod.CHARGES_RETURNED, stakes(), 115_000)

    assert payouts_of(payouts) == {A: 59_000, B: 35_000, C: 21_000}
    assert [p.profit for p in payouts] == [9_000, 5_000, 1_000]


def test_example_4_a_netted_receivable_keeps_the_value_per_share() -> None:
    cash, receivable = 109_000, 6_000
    distributable = cash + receivable
    assert value_per_share(distributable, 100) == 1_150

    payouts = share_out(ShareOutMethod.PROPORTIONAL, stakes(owes_c=receivable), distributable)

    assert payouts_of(payouts) == {A: 57_500, B: 34_500, C: 17_000}
    assert payouts[2].deduction == 6_000
    assert sum(p.payout for p in payouts) == cash


def test_example_4_a_written_off_receivable_lowers_the_value_per_share() -> None:
    cash = 109_000
    assert value_per_share(cash, 100) == 1_090

    payouts = share_out(ShareOutMethod.PROPORTIONAL, stakes(), cash)

    assert payouts_of(payouts) == {A: 54_500, B: 32_700, C: 21_800}
    assert sum(p.payout for p in payouts) == cash


def test_example_5_rounding_by_largest_remainder() -> None:
    members = [MemberStake(A, 49_000), MemberStake(B, 33_000), MemberStake(C, 17_000)]

    payouts = share_out(ShareOutMethod.PROPORTIONAL, members, 100_000)

    assert payouts_of(payouts) == {A: 49_495, B: 33_333, C: 17_172}
    assert sum(p.payout for p in payouts) == 100_000


@pytest.mark.parametrize("method", [ShareOutMethod.EQUAL_PROFIT, ShareOutMethod.PROPORTIONAL])
def test_a_loss_is_borne_in_proportion_to_savings(method: ShareOutMethod) -> None:
    payouts = share_out(method, stakes(), 97_000)

    assert [p.profit for p in payouts] == [-1_500, -900, -600]
    assert sum(p.payout for p in payouts) == 97_000


def test_charges_returned_after_a_loss_bear_it_with_the_savings() -> None:
    # The claims are 58,000, 34,000 and 20,000 (112,000); 106,400 is left: 5,600 lost.
    payouts = share_out(ShareOutMethod.CHARGES_RETURNED, stakes(), 106_400)

    assert [p.payout for p in payouts] == [55_100, 32_300, 19_000]
    assert all(p.payout >= 0 for p in payouts)


@given(
    savings=st.lists(st.integers(0, 10**9), min_size=1, max_size=30),
    loss=st.integers(0, 10**9),
    method=st.sampled_from(list(ShareOutMethod)),
)
def test_a_loss_never_asks_a_member_to_pay_in(
    savings: list[int], loss: int, method: ShareOutMethod
) -> None:
    members = [MemberStake(i, amount) for i, amount in enumerate(savings)]
    distributable = max(0, sum(savings) - loss)

    payouts = share_out(method, members, distributable)

    assert all(p.payout >= 0 for p in payouts)
    assert sum(p.payout for p in payouts) == distributable


def test_a_member_who_owes_more_than_her_share_gets_a_negative_payout() -> None:
    payouts = share_out(ShareOutMethod.PROPORTIONAL, stakes(owes_c=30_000), 115_000)

    assert payouts[2].payout == 23_000 - 30_000
    assert sum(p.payout + p.deduction for p in payouts) == 115_000


def test_nobody_saved_so_the_fund_is_split_equally() -> None:
    members = [MemberStake(A, 0), MemberStake(B, 0)]

    assert payouts_of(share_out(ShareOutMethod.PROPORTIONAL, members, 1_001)) == {A: 501, B: 500}


def test_share_out_with_nobody() -> None:
    assert share_out(ShareOutMethod.PROPORTIONAL, [], 0) == ()
    with pytest.raises(ValueError):
        share_out(ShareOutMethod.PROPORTIONAL, [], 5)


def test_a_negative_stake_is_refused() -> None:
    with pytest.raises(NegativeAmount):
        share_out(ShareOutMethod.PROPORTIONAL, [MemberStake(A, -1)], 0)


def test_value_per_share_is_exact_and_zero_without_shares() -> None:
    assert value_per_share(100_000, 99) == Fraction(100_000, 99)
    assert value_per_share(100_000, Fraction(3, 2)) == Fraction(200_000, 3)
    assert value_per_share(5_000, 0) == 0


# -- DOMAIN example 6: the loan cap --------------------------------------------------------


def test_example_6_the_cap_is_k_times_savings_but_never_more_than_cash() -> None:
    assert loan_cap(savings=40_000, multiple=3, loan_fund_cash=90_000) == 90_000
    assert loan_cap(savings=40_000, multiple=3, loan_fund_cash=500_000) == 120_000
    assert loan_cap(savings=40_000, multiple=3, loan_fund_cash=-10) == 0


# -- DOMAIN examples 7–9: charges and schedules --------------------------------------------


def test_example_7_flat_charge() -> None:
    schedule = loan_schedule(
        60_000, ChargeMethod.FLAT_MONTHLY, FIVE_PERCENT, months(date(2025, 1, 6), 3)
    )

    assert [(i.principal, i.charge) for i in schedule] == [(20_000, 3_000)] * 3
    assert [i.total for i in schedule] == [23_000] * 3
    assert sum(i.charge for i in schedule) == 9_000


def test_example_8_declining_charge() -> None:
    schedule = loan_schedule(
        60_000, ChargeMethod.DECLINING_MONTHLY, FIVE_PERCENT, months(date(2025, 1, 6), 3)
    )

    assert [i.charge for i in schedule] == [3_000, 2_000, 1_000]
    assert sum(i.charge for i in schedule) == 6_000


def test_example_9_upfront_fee() -> None:
    rate = Decimal("0.04")
    fee = upfront_fee(60_000_000, ChargeMethod.UPFRONT_FEE, rate)
    schedule = loan_schedule(
        60_000_000, ChargeMethod.UPFRONT_FEE, rate, months(date(2025, 1, 6), 10)
    )

    assert fee == 2_400_000
    assert 60_000_000 - fee == 57_600_000
    assert [i.principal for i in schedule] == [6_000_000] * 10
    assert all(i.charge == 0 for i in schedule)


@pytest.mark.parametrize("method", [ChargeMethod.FLAT_MONTHLY, ChargeMethod.NONE])
def test_no_upfront_fee_unless_the_method_says_so(method: ChargeMethod) -> None:
    assert upfront_fee(60_000, method, Decimal("0.04")) == 0


def test_an_upfront_fee_rounds_half_up() -> None:
    assert upfront_fee(1_250, ChargeMethod.UPFRONT_FEE, Decimal("0.02")) == 25
    assert upfront_fee(1_225, ChargeMethod.UPFRONT_FEE, Decimal("0.02")) == 25  # 24.5


def test_the_remainder_of_the_principal_falls_on_the_last_instalment() -> None:
    schedule = loan_schedule(100_000, ChargeMethod.NONE, Decimal(0), months(date(2025, 1, 6), 3))

    assert [i.principal for i in schedule] == [33_333, 33_333, 33_334]
    assert [i.number for i in schedule] == [1, 2, 3]


def test_declining_charges_round_half_up_on_the_balance() -> None:
    schedule = loan_schedule(
        100_000, ChargeMethod.DECLINING_MONTHLY, Decimal("0.015"), months(date(2025, 1, 6), 3)
    )

    assert [i.charge for i in schedule] == [1_500, 1_000, 500]  # 1500, 1000.005, 500.01


def test_a_schedule_needs_a_positive_principal_and_a_due_date() -> None:
    with pytest.raises(NegativeAmount):
        loan_schedule(0, ChargeMethod.NONE, Decimal(0), [date(2025, 1, 6)])
    with pytest.raises(LoanTermTooShort):
        loan_schedule(1_000, ChargeMethod.NONE, Decimal(0), [])


# -- the meeting calendar ------------------------------------------------------------------


def test_weekly_meetings_fall_on_the_meeting_weekday() -> None:
    mondays = meeting_dates(MeetingFrequency.WEEKLY, 0, date(2025, 3, 1), date(2025, 3, 31))

    assert mondays == [date(2025, 3, d) for d in (3, 10, 17, 24, 31)]


def test_fortnightly_meetings_count_from_the_first_meeting() -> None:
    dates = meeting_dates(MeetingFrequency.FORTNIGHTLY, 0, date(2025, 3, 1), date(2025, 4, 30))

    assert dates == [
        date(2025, 3, 3),
        date(2025, 3, 17),
        date(2025, 3, 31),
        date(2025, 4, 14),
        date(2025, 4, 28),
    ]
    assert dates[1] == next_meeting_on_or_after(
        MeetingFrequency.FORTNIGHTLY, 0, date(2025, 3, 4), anchor=date(2025, 3, 1)
    )


def test_gregorian_monthly_meetings_on_the_31st_are_clamped_to_the_month_end() -> None:
    dates = meeting_dates(MeetingFrequency.MONTHLY, 31, date(2024, 1, 1), date(2024, 5, 31))

    assert dates == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
        date(2024, 5, 31),
    ]


def test_gregorian_monthly_meetings_on_an_ordinary_day() -> None:
    dates = meeting_dates(MeetingFrequency.MONTHLY, 15, date(2025, 1, 16), date(2025, 3, 15))

    assert dates == [date(2025, 2, 15), date(2025, 3, 15)]


def test_jalali_monthly_meetings_on_the_31st_are_clamped_to_the_month_end() -> None:
    dates = meeting_dates(
        MeetingFrequency.JALALI_MONTHLY, 31, from_jalali(1404, 6, 1), from_jalali(1404, 9, 30)
    )

    assert dates == [
        from_jalali(1404, 6, 31),
        from_jalali(1404, 7, 30),
        from_jalali(1404, 8, 30),
        from_jalali(1404, 9, 30),
    ]


def test_jalali_monthly_meetings_on_the_30th_follow_leap_esfand() -> None:
    dates = meeting_dates(
        MeetingFrequency.JALALI_MONTHLY, 30, from_jalali(1403, 12, 1), from_jalali(1405, 1, 5)
    )

    assert dates[0] == from_jalali(1403, 12, 30) == date(2025, 3, 20)
    assert from_jalali(1404, 12, 29) in dates
    assert len(dates) == 13


def test_no_meetings_in_an_empty_range() -> None:
    assert meeting_dates(MeetingFrequency.WEEKLY, 0, date(2025, 3, 2), date(2025, 3, 1)) == []


@pytest.mark.parametrize(
    ("frequency", "day", "after", "expected"),
    [
        (MeetingFrequency.WEEKLY, 0, date(2025, 3, 3), date(2025, 3, 3)),
        (MeetingFrequency.WEEKLY, 0, date(2025, 3, 4), date(2025, 3, 10)),
        (MeetingFrequency.WEEKLY, 5, date(2025, 3, 3), date(2025, 3, 8)),
        (MeetingFrequency.MONTHLY, 31, date(2025, 2, 1), date(2025, 2, 28)),
        (MeetingFrequency.MONTHLY, 5, date(2025, 12, 6), date(2026, 1, 5)),
        (MeetingFrequency.JALALI_MONTHLY, 1, date(2025, 3, 20), date(2025, 3, 21)),
    ],
)
def test_next_meeting_on_or_after(
    frequency: MeetingFrequency, day: int, after: date, expected: date
) -> None:
    assert next_meeting_on_or_after(frequency, day, after) == expected


def test_instalments_fall_on_the_first_meeting_a_month_later() -> None:
    dues = instalment_due_dates(date(2025, 1, 6), 3, MeetingFrequency.WEEKLY, 0)

    assert dues == [date(2025, 2, 10), date(2025, 3, 10), date(2025, 4, 7)]


def test_jalali_monthly_instalments_count_jalali_months() -> None:
    dues = instalment_due_dates(from_jalali(1403, 11, 30), 3, MeetingFrequency.JALALI_MONTHLY, 30)

    assert dues == [from_jalali(1403, 12, 30), from_jalali(1404, 1, 30), from_jalali(1404, 2, 30)]


def test_gregorian_monthly_instalments_clamp_short_months() -> None:
    dues = instalment_due_dates(date(2025, 1, 31), 3, MeetingFrequency.MONTHLY, 31)

    assert dues == [date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30)]


def test_fortnightly_instalments_keep_the_fortnight_of_the_disbursement() -> None:
    dues = instalment_due_dates(date(2025, 3, 3), 3, MeetingFrequency.FORTNIGHTLY, 0)

    assert dues == [date(2025, 4, 14), date(2025, 5, 12), date(2025, 6, 9)]


def test_a_loan_needs_at_least_one_month() -> None:
    with pytest.raises(LoanTermTooShort):
        instalment_due_dates(date(2025, 1, 6), 0, MeetingFrequency.WEEKLY, 0)


# -- a loan's life: position, repayments, prepayment, arrears, penalties --------------------

DISBURSED = date(2025, 1, 6)
DUES = [date(2025, 2, 10), date(2025, 3, 10), date(2025, 4, 7)]


def flat_loan() -> tuple[Instalment, ...]:
    """Return DOMAIN example 7's loan: 60,000 at 5% flat, 3 × (20,000 + 3,000)."""
    return loan_schedule(60_000, ChargeMethod.FLAT_MONTHLY, FIVE_PERCENT, DUES)


def test_the_story_of_a_flat_loan_repaid_late_then_early() -> None:
    schedule, paid = flat_loan(), list[Payment]()

    # Disbursed: nothing is owed yet; she may repay everything at once.
    position = loan_position(schedule, paid, 0, DISBURSED)
    assert (position.payable_now, position.max_payment, position.days_late) == (0, 60_000, 0)
    assert position.next_due == Instalment(1, DUES[0], 20_000, 3_000)

    # First instalment day: 23,000 is due, and she pays it.
    position = loan_position(schedule, paid, 0, DUES[0])
    assert (position.principal_due, position.charge_due, position.payable_now) == (
        20_000,
        3_000,
        23_000,
    )
    paid.append(split_repayment(23_000, position, ORDER, DUES[0]))
    assert paid[-1] == Payment(DUES[0], penalty=0, charge=3_000, principal=20_000)
    position = loan_position(schedule, paid, 0, DUES[0])
    assert (position.principal_outstanding, position.payable_now) == (40_000, 0)
    assert position.next_due == Instalment(2, DUES[1], 20_000, 3_000)

    # She misses the second instalment: ten days later it is overdue.
    later = DUES[1] + timedelta(days=10)
    position = loan_position(schedule, paid, 0, later)
    assert (position.overdue_principal, position.overdue_charge, position.days_late) == (
        20_000,
        3_000,
        10,
    )
    penalty = late_penalty(PenaltyKind.FIXED, 500, Decimal(0), position.overdue_principal)
    assert penalty == 500

    # She pays 10,000: the penalty, the charge, then 6,500 of principal.
    position = loan_position(schedule, paid, penalty, later)
    assert position.penalty_due == 500
    paid.append(split_repayment(10_000, position, ORDER, later))
    assert paid[-1] == Payment(later, penalty=500, charge=3_000, principal=6_500)
    position = loan_position(schedule, paid, penalty, later)
    assert (position.principal_outstanding, position.overdue_principal, position.days_late) == (
        33_500,
        13_500,
        10,
    )
    assert position.next_due == Instalment(2, DUES[1], 13_500, 0)

    # She repays the rest before the third instalment: its charge is waived.
    assert position.max_payment == 33_500
    with pytest.raises(OverPayment):
        split_repayment(33_501, position, ORDER, later)
    paid.append(split_repayment(33_500, position, ORDER, later))
    position = loan_position(schedule, paid, penalty, DUES[2] + timedelta(days=40))
    assert position.repaid and position.next_due is None
    assert (position.max_payment, position.days_late) == (0, 0)


def test_a_partial_prepayment_covers_the_next_instalments_principal_but_not_their_charges() -> None:
    schedule = flat_loan()
    position = loan_position(schedule, [], 0, DUES[0])
    paid = [split_repayment(50_000, position, ORDER, DUES[0])]
    assert paid[0] == Payment(DUES[0], 0, 3_000, 47_000)

    position = loan_position(schedule, paid, 0, DUES[1])

    assert (position.principal_outstanding, position.principal_due, position.charge_due) == (
        13_000,
        0,
        3_000,
    )
    assert position.next_due == Instalment(2, DUES[1], 0, 3_000)
    assert not position.repaid


def test_charges_of_instalments_not_yet_due_are_not_owed() -> None:
    position = loan_position(flat_loan(), [], 0, DUES[1])

    assert (position.charge_due, position.principal_due) == (6_000, 40_000)
    assert position.overdue_charge == 3_000
    assert position.days_late == (DUES[1] - DUES[0]).days


def test_an_instalment_is_not_late_on_its_due_day() -> None:
    position = loan_position(flat_loan(), [], 0, DUES[0])

    assert (position.overdue_principal, position.overdue_charge, position.days_late) == (0, 0, 0)
    assert position.payable_now == 23_000


def test_an_unpaid_charge_alone_makes_a_loan_late() -> None:
    schedule = flat_loan()
    paid = [Payment(DUES[0], principal=20_000)]

    position = loan_position(schedule, paid, 0, DUES[0] + timedelta(days=3))

    assert (position.overdue_principal, position.overdue_charge, position.days_late) == (
        0,
        3_000,
        3,
    )


def test_a_loan_repaid_with_all_its_charges() -> None:
    schedule = flat_loan()
    paid = [Payment(d, charge=3_000, principal=20_000) for d in DUES]

    position = loan_position(schedule, paid, 0, DUES[2] + timedelta(days=1))

    assert position.repaid and position.next_due is None


def test_penalties_are_owed_until_paid() -> None:
    paid = [Payment(DUES[0], penalty=300)]
    position = loan_position(flat_loan(), paid, 800, DUES[0])

    assert position.penalty_due == 500
    assert position.max_payment == 500 + 3_000 + 60_000


def test_a_position_as_of_a_day_ignores_later_payments() -> None:
    paid = [Payment(DUES[0], charge=3_000, principal=20_000)]

    assert loan_position(flat_loan(), paid, 0, DUES[0] - timedelta(days=1)).max_payment == 60_000
    assert loan_position(flat_loan(), paid, 0, DUES[0]).max_payment == 40_000


def test_the_charge_of_an_instalment_due_on_the_day_of_full_repayment_is_still_owed() -> None:
    paid = [Payment(DUES[2], principal=60_000)]

    day = DUES[2] + timedelta(days=5)
    position = loan_position(flat_loan(), paid, 0, day)

    assert (position.principal_outstanding, position.charge_due) == (0, 9_000)
    assert position.days_late == (day - DUES[0]).days
    assert not position.repaid
    assert position.next_due == Instalment(1, DUES[0], 0, 3_000)


def test_the_constitution_may_settle_principal_first() -> None:
    position = loan_position(flat_loan(), [], 500, DUES[0])
    order = (Component.PRINCIPAL, Component.CHARGE, Component.PENALTY)

    assert split_repayment(60_200, position, order, DUES[0]) == Payment(DUES[0], 0, 200, 60_000)


def test_a_repayment_split_refuses_negatives_and_broken_orders() -> None:
    position = loan_position(flat_loan(), [], 0, DUES[0])
    with pytest.raises(NegativeAmount):
        split_repayment(-1, position, ORDER, DUES[0])
    with pytest.raises(ValueError):
        split_repayment(100, position, (Component.CHARGE, Component.PRINCIPAL), DUES[0])


def test_paying_a_repaid_loan_is_an_overpayment() -> None:
    schedule = flat_loan()
    paid = [Payment(DUES[0], charge=3_000, principal=60_000)]
    position = loan_position(schedule, paid, 0, DUES[0])

    assert split_repayment(0, position, ORDER, DUES[0]) == Payment(DUES[0])
    with pytest.raises(OverPayment):
        split_repayment(1, position, ORDER, DUES[0])


@pytest.mark.parametrize(
    ("kind", "amount", "rate", "overdue", "expected"),
    [
        (PenaltyKind.NONE, 500, Decimal("0.1"), 23_000, 0),
        (PenaltyKind.FIXED, 500, Decimal(0), 23_000, 500),
        (PenaltyKind.FIXED, 500, Decimal(0), 0, 0),
        (PenaltyKind.PERCENT_OF_OVERDUE, 0, Decimal("0.02"), 23_000, 460),
        (PenaltyKind.PERCENT_OF_OVERDUE, 0, Decimal("0.02"), 1_225, 25),  # 24.5 half up
        (PenaltyKind.PERCENT_OF_OVERDUE, 0, Decimal("0.02"), 0, 0),
    ],
)
def test_late_penalties(
    kind: PenaltyKind, amount: int, rate: Decimal, overdue: int, expected: int
) -> None:
    assert late_penalty(kind, amount, rate, overdue) == expected


# -- guarantees ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outstanding", "held"),
    [(60_000, 30_000), (45_000, 22_500), (20_000, 10_000), (1, 1), (0, 0), (70_000, 30_000)],
)
def test_a_pledge_is_released_as_principal_is_repaid(outstanding: int, held: int) -> None:
    assert pledge_held(30_000, 60_000, outstanding) == held


def test_a_pledge_still_held_rounds_up() -> None:
    assert pledge_held(10_000, 30_000, 20_000) == 6_667


def test_recovery_is_split_in_proportion_to_what_each_guarantor_can_give() -> None:
    assert recovery_split(9_000, {A: 20_000, B: 10_000}) == {A: 6_000, B: 3_000}
    assert recovery_split(10_000, {A: 20_000, B: 10_000, C: 0}) == {A: 6_667, B: 3_333, C: 0}


def test_recovery_never_takes_more_than_a_guarantor_has() -> None:
    assert recovery_split(50_000, {A: 20_000, B: 10_000}) == {A: 20_000, B: 10_000}


def test_nothing_to_recover() -> None:
    assert recovery_split(0, {A: 20_000}) == {A: 0}
    assert recovery_split(5_000, {A: 0, B: -3}) == {A: 0, B: 0}
    assert recovery_split(5_000, {}) == {}


# -- the box -------------------------------------------------------------------------------


def test_expected_cash() -> None:
    assert expected_cash(115_000, [5_000, 23_000], [60_000, 2_000]) == 81_000
    assert expected_cash(0, [], []) == 0


def test_attendance_values() -> None:
    assert [a.value for a in Attendance] == ["present", "late", "absent", "represented"]


# -- the constitution ----------------------------------------------------------------------


def full_constitution() -> Constitution:
    """Return a constitution with no default left."""
    return Constitution(
        share_price=50_000,
        min_shares=0,
        max_shares=4,
        social_contribution=10_000,
        frequency=MeetingFrequency.JALALI_MONTHLY,
        meeting_day=30,
        loan_multiple=2,
        max_term_months=6,
        charge_method=ChargeMethod.UPFRONT_FEE,
        charge_rate=Decimal("0.04"),
        repayment_order=(Component.PRINCIPAL, Component.PENALTY, Component.CHARGE),
        penalty_kind=PenaltyKind.PERCENT_OF_OVERDUE,
        penalty_amount=0,
        penalty_rate=Decimal("0.015"),
        fines={"late": 20_000, "absent": 50_000},
        share_out_method=ShareOutMethod.CHARGES_RETURNED,
        leaver_gets_profit=True,
    )


@pytest.mark.parametrize("constitution", [Constitution(share_price=1_000), full_constitution()])
def test_a_constitution_round_trips_through_json(constitution: Constitution) -> None:
    data = json.loads(json.dumps(constitution.to_dict()))

    assert Constitution.from_dict(data) == constitution


def test_to_dict_writes_decimals_as_strings_and_enums_as_values() -> None:
    data = full_constitution().to_dict()

    assert data["charge_rate"] == "0.04"
    assert data["frequency"] == "jalali_monthly"
    assert data["repayment_order"] == ["principal", "penalty", "charge"]
    assert data["fines"] == {"late": 20_000, "absent": 50_000}
    assert type(data["frequency"]) is str


def test_from_dict_fills_defaults_and_reads_typed_text() -> None:
    constitution = Constitution.from_dict(
        {"share_price": "1000", "frequency": "monthly", "meeting_day": 15, "charge_rate": 0.03}
    )

    assert constitution.share_price == 1_000
    assert constitution.frequency is MeetingFrequency.MONTHLY
    assert constitution.charge_rate == Decimal("0.03")
    assert constitution.max_shares == 5


def test_a_constitution_coerces_values_and_freezes_its_fines() -> None:
    constitution = Constitution(share_price=1_000, charge_method="none", fines={"late": 500})  # type: ignore[arg-type]

    assert constitution.charge_method is ChargeMethod.NONE
    assert constitution == Constitution(
        share_price=1_000, charge_method=ChargeMethod.NONE, fines={"late": 500}
    )
    assert hash(constitution) == hash(
        Constitution(share_price=1_000, charge_method=ChargeMethod.NONE)
    )
    with pytest.raises(TypeError):
        constitution.fines["late"] = 0  # type: ignore[index]


@pytest.mark.parametrize(
    ("changes", "setting"),
    [
        ({"share_price": 0}, "share_price"),
        ({"share_price": -1_000}, "share_price"),
        ({"share_price": "هزار"}, "share_price"),
        ({"share_price": 1.5}, "share_price"),
        ({"share_price": True}, "share_price"),
        ({"min_shares": -1}, "min_shares"),
        ({"min_shares": 6, "max_shares": 5}, "min_shares"),
        ({"max_shares": 0, "min_shares": 0}, "max_shares"),
        ({"social_contribution": -1}, "social_contribution"),
        ({"frequency": "daily"}, "frequency"),
        ({"meeting_day": 7}, "meeting_day"),
        ({"frequency": "monthly", "meeting_day": 0}, "meeting_day"),
        ({"frequency": "jalali_monthly", "meeting_day": 32}, "meeting_day"),
        ({"loan_multiple": 0}, "loan_multiple"),
        ({"max_term_months": 0}, "max_term_months"),
        ({"charge_method": "compound"}, "charge_method"),
        ({"charge_rate": "1"}, "charge_rate"),
        ({"charge_rate": "-0.01"}, "charge_rate"),
        ({"charge_rate": "five percent"}, "charge_rate"),
        ({"charge_rate": "NaN"}, "charge_rate"),
        ({"charge_rate": None}, "charge_rate"),
        ({"penalty_rate": "1.5"}, "penalty_rate"),
        ({"penalty_amount": -500}, "penalty_amount"),
        ({"penalty_kind": "daily"}, "penalty_kind"),
        ({"repayment_order": ["penalty", "charge"]}, "repayment_order"),
        ({"repayment_order": ["penalty", "penalty", "principal"]}, "repayment_order"),
        ({"repayment_order": "penalty"}, "repayment_order"),
        ({"repayment_order": ["interest", "charge", "principal"]}, "repayment_order"),
        ({"fines": {"late": -500}}, "fines"),
        ({"fines": {"": 500}}, "fines"),
        ({"fines": ["late"]}, "fines"),
        ({"share_out_method": "by_lottery"}, "share_out_method"),
        ({"leaver_gets_profit": "yes"}, "leaver_gets_profit"),
    ],
)
def test_an_invalid_setting_is_refused_by_name(changes: dict[str, object], setting: str) -> None:
    with pytest.raises(InvalidConstitution) as refused:
        Constitution.from_dict({"share_price": 1_000, **changes})

    assert setting in str(refused.value)
    assert refused.value.message_fa.startswith("اساسنامه: ")


def test_a_message_names_the_setting_in_persian() -> None:
    with pytest.raises(InvalidConstitution) as refused:
        Constitution.from_dict({"share_price": 0})

    assert refused.value.message_fa == "اساسنامه: قیمت هر سهم باید بیشتر از صفر باشد."


def test_validate_checks_a_constitution_built_directly() -> None:
    Constitution(share_price=1_000).validate()
    with pytest.raises(InvalidConstitution):
        Constitution(share_price=1_000, min_shares=3, max_shares=2).validate()


@pytest.mark.parametrize(
    "data", [{"share_price": 1_000, "shareprice": 1_000}, {"min_shares": 1}, ["share_price"]]
)
def test_unknown_missing_or_shapeless_settings_are_refused(data: object) -> None:
    with pytest.raises(InvalidConstitution):
        Constitution.from_dict(data)  # type: ignore[arg-type]


# -- the errors ----------------------------------------------------------------------------

REQUIRED_ERRORS = [
    "SavingsError",
    "InvalidConstitution",
    "ShareLimitExceeded",
    "LoanExceedsCap",
    "LoanTermTooLong",
    "GuarantorLacksSavings",
    "GuarantorIsBorrower",
    "OverPayment",
    "NothingToRecover",
    "MemberNotActive",
    "MemberHasGuarantees",
    "MemberHasOpenLoan",
    "MeetingLocked",
    "MeetingDateNotAfterPrevious",
    "NoOpenCycle",
    "CycleAlreadyOpen",
    "ShareOutAlreadyDone",
    "InsufficientCash",
    "InsufficientSocialFund",
    "UnknownMember",
    "UnknownLoan",
    "DuplicateMember",
    "NegativeAmount",
    "UnknownFineType",
    "LoanTermTooShort",
]

SAVINGS_ERRORS = [
    cls for _, cls in inspect.getmembers(errors, inspect.isclass) if issubclass(cls, SavingsError)
]


def test_every_required_error_exists() -> None:
    assert set(REQUIRED_ERRORS) <= {cls.__name__ for cls in SAVINGS_ERRORS}


@pytest.mark.parametrize("error", SAVINGS_ERRORS, ids=lambda cls: cls.__name__)
def test_an_error_says_when_it_is_raised_in_both_languages(error: type[SavingsError]) -> None:
    assert issubclass(error, DomainError)
    assert (error.__doc__ or "").startswith("Raised when ")
    assert "\n" not in (error.__doc__ or "")
    assert re.fullmatch(r"[a-z_]+", error.code)
    assert re.search(r"[\u0600-\u06ff]{3}", error.message_fa)
    assert not re.search(r"[A-Za-z]", error.message_fa)
    assert str(error()) == error.__doc__


def test_error_codes_and_persian_messages_are_unique() -> None:
    assert len({e.code for e in SAVINGS_ERRORS}) == len(SAVINGS_ERRORS)
    assert len({e.message_fa for e in SAVINGS_ERRORS}) == len(SAVINGS_ERRORS)


def test_an_error_keeps_its_english_figures_and_may_carry_its_own_persian() -> None:
    error = OverPayment("Payment 5 exceeds the 4 owed", message_fa="بیش از بدهی")
    assert (str(error), error.message_fa, error.code) == (
        "Payment 5 exceeds the 4 owed",
        "بیش از بدهی",
        "over_payment",
    )


# -- properties ----------------------------------------------------------------------------

methods = st.sampled_from(list(ShareOutMethod))
member_stakes = st.lists(
    st.builds(
        MemberStake,
        member_id=st.integers(1, 10**6),
        savings=st.integers(0, 10**10),
        charges_paid=st.integers(0, 10**8),
        owes=st.integers(0, 10**8),
    ),
    min_size=1,
    max_size=30,
)
charge_methods = st.sampled_from(list(ChargeMethod))
#: The methods that split the principal in equal parts (annuity: tests/unit/test_loan_methods.py).
equal_principal_methods = st.sampled_from([m for m in ChargeMethod if m != ChargeMethod.ANNUITY])
rates = st.decimals(min_value=0, max_value=Decimal("0.2"), places=4)
orders = st.permutations(list(Component))


@PROPERTY
@given(methods, member_stakes, st.integers(-(10**10), 10**12))
def test_share_out_always_pays_out_exactly_the_distributable_fund(
    method: ShareOutMethod, members: list[MemberStake], distributable: int
) -> None:
    payouts = share_out(method, members, distributable)

    assert sum(p.payout + p.deduction for p in payouts) == distributable
    for stake, p in zip(members, payouts, strict=True):
        assert (p.member_id, p.savings, p.deduction) == (stake.member_id, stake.savings, stake.owes)
        assert p.payout == p.savings + p.profit - p.deduction


@PROPERTY
@given(member_stakes.filter(lambda ms: any(m.savings for m in ms)), st.integers(0, 10**12))
def test_a_proportional_share_is_within_a_rial_of_the_exact_share(
    members: list[MemberStake], distributable: int
) -> None:
    total = sum(m.savings for m in members)
    for stake, p in zip(
        members, share_out(ShareOutMethod.PROPORTIONAL, members, distributable), strict=True
    ):
        exact = Fraction(distributable * stake.savings, total)
        assert abs((p.savings + p.profit) - exact) < 1


@PROPERTY
@given(st.integers(1, 10**12), equal_principal_methods, rates, st.integers(1, 24))
def test_schedule_principal_parts_sum_to_the_principal(
    principal: int, method: ChargeMethod, rate: Decimal, term: int
) -> None:
    schedule = loan_schedule(principal, method, rate, months(DISBURSED, term))

    assert sum(i.principal for i in schedule) == principal
    assert len({i.principal for i in schedule[:-1]}) <= 1
    assert schedule[-1].principal - schedule[0].principal in range(term)
    assert all(i.charge >= 0 for i in schedule)
    if method == ChargeMethod.DECLINING_MONTHLY:
        assert [i.charge for i in schedule] == sorted((i.charge for i in schedule), reverse=True)
    if method in (ChargeMethod.UPFRONT_FEE, ChargeMethod.NONE):
        assert all(i.charge == 0 for i in schedule)


@st.composite
def loans_with_history(draw: st.DrawFn) -> tuple[tuple[Instalment, ...], list[Payment], int, date]:
    """Draw a loan, payments made through split_repayment at random days, and a later day."""
    principal = draw(st.integers(1, 10**9))
    term = draw(st.integers(1, 6))
    schedule = loan_schedule(principal, draw(charge_methods), draw(rates), months(DISBURSED, term))
    penalties, paid, day = draw(st.integers(0, 10**6)), list[Payment](), DISBURSED
    for step, share in draw(
        st.lists(st.tuples(st.integers(0, 60), st.fractions(0, 1)), max_size=6)
    ):
        day += timedelta(days=step)
        position = loan_position(schedule, paid, penalties, day)
        amount = int(position.max_payment * share)
        paid.append(split_repayment(amount, position, draw(orders), day))
    return schedule, paid, penalties, day + timedelta(days=draw(st.integers(0, 200)))


@PROPERTY
@given(loans_with_history(), orders, st.fractions(0, 1))
def test_a_split_repayment_sums_to_the_amount_and_never_exceeds_a_due(
    loan: tuple[tuple[Instalment, ...], list[Payment], int, date],
    order: list[Component],
    share: Fraction,
) -> None:
    schedule, paid, penalties, day = loan
    position = loan_position(schedule, paid, penalties, day)
    amount = int(position.max_payment * share)

    payment = split_repayment(amount, position, order, day)

    assert payment.total == amount
    assert 0 <= payment.penalty <= position.penalty_due
    assert 0 <= payment.charge <= position.charge_due
    assert 0 <= payment.principal <= position.principal_outstanding
    after = loan_position(schedule, [*paid, payment], penalties, day)
    assert after.max_payment == position.max_payment - amount


@PROPERTY
@given(loans_with_history())
def test_a_position_is_consistent(
    loan: tuple[tuple[Instalment, ...], list[Payment], int, date],
) -> None:
    schedule, paid, penalties, day = loan
    position = loan_position(schedule, paid, penalties, day)

    assert (position.days_late > 0) == (position.overdue_principal + position.overdue_charge > 0)
    assert position.overdue_principal <= position.principal_due <= position.principal_outstanding
    assert position.overdue_charge <= position.charge_due
    assert position.payable_now <= position.max_payment
    assert position.repaid == (position.max_payment == 0)
    assert isinstance(position, LoanPosition)
    if position.next_due is not None:
        assert position.next_due.total > 0


@PROPERTY
@given(
    st.integers(0, 10**9),
    st.dictionaries(st.integers(1, 100), st.integers(-10, 10**9), max_size=10),
)
def test_recovery_never_exceeds_what_is_owed_or_what_anyone_has(
    arrears: int, available: Mapping[int, int]
) -> None:
    split = recovery_split(arrears, available)

    assert split.keys() == available.keys()
    assert sum(split.values()) == min(arrears, sum(max(a, 0) for a in available.values()))
    assert all(0 <= split[m] <= max(available[m], 0) for m in available)


@PROPERTY
@given(st.integers(1, 10**9), st.integers(1, 10**9), st.data())
def test_a_pledge_is_released_monotonically(
    pledge: int, principal: int, data: st.DataObject
) -> None:
    low = data.draw(st.integers(0, principal))
    high = data.draw(st.integers(low, principal))

    assert (
        0 <= pledge_held(pledge, principal, low) <= pledge_held(pledge, principal, high) <= pledge
    )
    assert pledge_held(pledge, principal, principal) == pledge
    assert pledge_held(pledge, principal, 0) == 0


@PROPERTY
@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(1, 12),
    st.sampled_from(list(MeetingFrequency)),
    st.data(),
)
def test_instalments_fall_on_meeting_days_in_order_at_least_a_month_apart(
    disbursed: date, term: int, frequency: MeetingFrequency, data: st.DataObject
) -> None:
    weekly = frequency in (MeetingFrequency.WEEKLY, MeetingFrequency.FORTNIGHTLY)
    day = data.draw(st.integers(0, 6) if weekly else st.integers(1, 31))

    dues = instalment_due_dates(disbursed, term, frequency, day)

    assert dues == sorted(set(dues))
    meetings = set(meeting_dates(frequency, day, disbursed, dues[-1]))
    assert set(dues) <= meetings
    for i, due in enumerate(dues, start=1):
        month_later = (
            add_jalali_months(disbursed, i)
            if frequency == MeetingFrequency.JALALI_MONTHLY
            else disbursed + relativedelta(months=i)
        )
        assert month_later <= due < month_later + timedelta(days=32)
