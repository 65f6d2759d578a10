"""Money rules: splitting never loses a rial, rates round as named, amounts are positive ints."""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import InvalidAmount, UnknownCurrency
from ledger.money import allocate, apply_rate, minor_unit_exponent, require_positive_amount

#: No deadline: a property test must not fail because a CI machine is slow.
PROPERTY = settings(deadline=None)

totals = st.integers(min_value=0, max_value=10**18)
#: Share counts of members: some may hold none, but not all.
weights = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=40).filter(any)
fraction_weights = st.lists(
    st.fractions(min_value=0, max_value=1_000, max_denominator=1_000), min_size=1, max_size=20
).filter(any)
#: Rates as a constitution writes them: 0 to 100% with up to six decimals.
rates = st.decimals(min_value=0, max_value=1, places=6)
amounts = st.integers(min_value=0, max_value=10**15)


def exact_shares(total: int, parts: list[int] | list[Fraction]) -> list[Fraction]:
    """Return each weight's exact share of the total."""
    weight_sum = sum(Fraction(w) for w in parts)
    return [Fraction(total) * Fraction(w) / weight_sum for w in parts]


def test_the_share_out_of_the_domain_example_pays_49495_33333_and_17172() -> None:
    assert allocate(100_000, [49, 33, 17]) == [49_495, 33_333, 17_172]


def test_left_over_rials_go_to_the_largest_remainders_and_ties_to_the_earlier_member() -> None:
    assert allocate(2, [1, 1, 1]) == [1, 1, 0]
    assert allocate(10, [1, 2]) == [3, 7]  # 3⅓ and 6⅔: the rial goes to the larger remainder
    assert allocate(7, [0, 1, 0]) == [0, 7, 0]


@PROPERTY
@given(totals, weights)
def test_allocated_parts_always_add_up_to_the_whole(total: int, shares: list[int]) -> None:
    assert sum(allocate(total, shares)) == total


@PROPERTY
@given(totals, st.one_of(weights, fraction_weights))
def test_each_part_is_its_exact_share_rounded_down_or_up(
    total: int, shares: list[int] | list[Fraction]
) -> None:
    parts = allocate(total, shares)

    assert len(parts) == len(shares)
    for part, exact in zip(parts, exact_shares(total, shares), strict=True):
        assert math.floor(exact) <= part <= math.ceil(exact)
        assert abs(part - exact) < 1


@PROPERTY
@given(totals, weights)
def test_a_member_rounded_up_never_had_a_smaller_remainder_than_one_rounded_down(
    total: int, shares: list[int]
) -> None:
    paid = zip(allocate(total, shares), exact_shares(total, shares), strict=True)
    rounded = [(part, exact, exact - math.floor(exact)) for part, exact in paid]
    up = [remainder for part, exact, remainder in rounded if part > exact]
    down = [remainder for part, exact, remainder in rounded if part < exact]
    if up and down:
        assert min(up) >= max(down)


@PROPERTY
@given(totals, st.integers(min_value=1, max_value=60))
def test_equal_instalments_differ_by_at_most_one_rial(total: int, count: int) -> None:
    parts = allocate(total, [1] * count)
    assert max(parts) - min(parts) <= 1
    assert parts == sorted(parts, reverse=True)


@pytest.mark.parametrize("bad_weights", [[], [1, -1], [0, 0, 0]])
def test_allocate_refuses_weights_that_cannot_split_anything(bad_weights: list[int]) -> None:
    with pytest.raises(ValueError):
        allocate(100, bad_weights)


def test_a_rate_is_applied_and_rounded_half_up_by_default() -> None:
    assert apply_rate(1_000_000, Decimal("0.05")) == 50_000
    assert apply_rate(5, Decimal("0.5")) == 3
    assert apply_rate(15, Decimal("0.1")) == 2


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [(ROUND_HALF_UP, 3), (ROUND_HALF_EVEN, 2), (ROUND_DOWN, 2), (ROUND_UP, 3)],
)
def test_the_named_rounding_mode_decides_half_a_rial(rounding: str, expected: int) -> None:
    assert apply_rate(5, Decimal("0.5"), rounding) == expected


@PROPERTY
@given(amounts, rates)
def test_a_rated_amount_is_within_half_a_rial_of_the_exact_product(
    amount: int, rate: Decimal
) -> None:
    exact = Fraction(amount) * Fraction(rate)
    result = apply_rate(amount, rate)

    assert isinstance(result, int)
    assert abs(result - exact) <= Fraction(1, 2)
    if exact - math.floor(exact) == Fraction(1, 2):
        assert result == math.ceil(exact)  # half up


@PROPERTY
@given(amounts, rates)
def test_rounding_down_and_up_bracket_the_exact_product(amount: int, rate: Decimal) -> None:
    exact = Fraction(amount) * Fraction(rate)
    assert apply_rate(amount, rate, ROUND_DOWN) == math.floor(exact)
    assert apply_rate(amount, rate, ROUND_UP) == math.ceil(exact)


@PROPERTY
@given(st.integers(min_value=1))
def test_any_positive_int_is_an_amount(amount: int) -> None:
    assert require_positive_amount(amount) == amount


@PROPERTY
@given(
    st.one_of(
        st.integers(max_value=0),
        st.booleans(),
        st.floats(),
        st.decimals(),
        st.fractions(),
        st.text(),
        st.none(),
    )
)
def test_anything_but_a_positive_int_is_refused_as_an_amount(value: object) -> None:
    with pytest.raises(InvalidAmount):
        require_positive_amount(value)


@pytest.mark.parametrize(("currency", "exponent"), [("IRR", 0), ("USD", 2), ("IQD", 3)])
def test_each_currency_has_its_minor_unit_exponent(currency: str, exponent: int) -> None:
    assert minor_unit_exponent(currency) == exponent


def test_an_unknown_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrency):
        minor_unit_exponent("XYZ")
