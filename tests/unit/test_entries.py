"""Postings and the balanced check, without a database."""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.accounts import Side
from ledger.entries import (
    Posting,
    check_balanced,
    credit,
    debit,
    net_by_account,
    reversal_of,
    same_postings,
)
from ledger.errors import InvalidAmount, TooFewPostings, UnbalancedEntry

PROPERTY = settings(deadline=None)

account_ids = st.integers(min_value=1, max_value=8)
amounts = st.integers(min_value=1, max_value=10**15)
postings = st.builds(Posting, account_ids, st.sampled_from(Side), amounts)


@st.composite
def balanced_postings(draw: st.DrawFn) -> list[Posting]:
    """Draw an entry: each leg moves one amount from a credited to a debited account."""
    legs = draw(st.lists(st.tuples(account_ids, account_ids, amounts), min_size=1, max_size=5))
    lines = [p for to, source, amount in legs for p in (debit(to, amount), credit(source, amount))]
    return draw(st.permutations(lines))


def imbalance(lines: list[Posting]) -> int:
    """Return Σ debits − Σ credits, counted here independently of the code under test."""
    debits = sum(p.amount for p in lines if p.side == Side.DEBIT)
    credits = sum(p.amount for p in lines if p.side == Side.CREDIT)
    return debits - credits


def test_a_deposit_debiting_cash_and_crediting_savings_is_balanced() -> None:
    check_balanced([debit(1, 50_000), credit(2, 30_000), credit(3, 20_000)])


def test_an_entry_off_by_one_rial_is_refused() -> None:
    with pytest.raises(UnbalancedEntry, match="differ by 1"):
        check_balanced([debit(1, 50_001), credit(2, 50_000)])


@pytest.mark.parametrize("lines", [[], [debit(1, 5)], [credit(1, 5)]])
def test_an_entry_needs_two_postings(lines: list[Posting]) -> None:
    with pytest.raises(TooFewPostings):
        check_balanced(lines)


@PROPERTY
@given(balanced_postings())
def test_every_balanced_entry_is_accepted(lines: list[Posting]) -> None:
    check_balanced(lines)


@PROPERTY
@given(st.lists(postings, min_size=2, max_size=8))
def test_an_entry_is_refused_exactly_when_its_debits_and_credits_differ(
    lines: list[Posting],
) -> None:
    if imbalance(lines) == 0:
        check_balanced(lines)
    else:
        with pytest.raises(UnbalancedEntry):
            check_balanced(lines)


@PROPERTY
@given(balanced_postings(), postings)
def test_one_extra_posting_always_unbalances_a_balanced_entry(
    lines: list[Posting], extra: Posting
) -> None:
    with pytest.raises(UnbalancedEntry):
        check_balanced([*lines, extra])


@PROPERTY
@given(st.lists(postings, min_size=1, max_size=8))
def test_an_entry_and_its_reversal_net_to_zero_on_every_account(lines: list[Posting]) -> None:
    undone = net_by_account([*lines, *reversal_of(lines)])
    assert set(undone) == {p.account_id for p in lines}
    assert set(undone.values()) == {0}


@PROPERTY
@given(st.lists(postings, min_size=1, max_size=8))
def test_a_reversal_keeps_accounts_and_amounts_and_swaps_sides(lines: list[Posting]) -> None:
    reversal = reversal_of(lines)
    assert [(p.account_id, p.amount) for p in reversal] == [(p.account_id, p.amount) for p in lines]
    assert all(r.side != p.side for r, p in zip(reversal, lines, strict=True))
    assert list(reversal_of(reversal)) == lines


@PROPERTY
@given(balanced_postings())
def test_the_reversal_of_a_balanced_entry_is_balanced(lines: list[Posting]) -> None:
    check_balanced(reversal_of(lines))


@PROPERTY
@given(st.lists(postings, max_size=8), st.randoms())
def test_the_same_postings_in_another_order_are_the_same(
    lines: list[Posting], rnd: random.Random
) -> None:
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    assert same_postings(lines, shuffled)
    if lines:
        assert not same_postings(lines, shuffled[1:])
        assert not same_postings(lines, [lines[0].reversed(), *lines[1:]])


def test_net_by_account_sums_debits_minus_credits_per_account() -> None:
    lines = [debit(1, 100), credit(2, 70), credit(1, 30), debit(3, 5), credit(2, 5)]
    assert net_by_account(lines) == {1: 70, 2: -75, 3: 5}


@pytest.mark.parametrize(
    "amount",
    [0, -1, -(10**15), True, False, 1.0, 2.5, float("nan"), Decimal("3"), Fraction(4), "5", None],
    ids=repr,
)
def test_a_posting_refuses_an_amount_that_is_not_a_positive_int(amount: object) -> None:
    with pytest.raises(InvalidAmount):
        Posting(1, Side.DEBIT, amount)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount):
        credit(1, amount)  # type: ignore[arg-type]


@PROPERTY
@given(st.one_of(st.integers(max_value=0), st.floats(), st.booleans()), st.sampled_from(Side))
def test_no_non_positive_int_float_or_bool_makes_a_posting(amount: object, side: Side) -> None:
    with pytest.raises(InvalidAmount):
        Posting(1, side, amount)  # type: ignore[arg-type]


def test_a_posting_is_immutable_and_signed_by_its_side() -> None:
    posting = debit(1, 500)
    with pytest.raises(dataclasses.FrozenInstanceError):
        posting.amount = -500  # type: ignore[misc]
    assert posting.net_debit == 500
    assert posting.reversed() == credit(1, 500)
    assert credit(1, 500).net_debit == -500
