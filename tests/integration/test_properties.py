"""Properties of the books on a real database: whatever treasurers post, the books balance.

Hypothesis draws entries over the fund's whole chart (member sub-accounts too),
on any day of two years, with amounts up to 10**15 minor units. Each example
runs inside a savepoint that is rolled back, so examples never see each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups.savings.chart import SAVINGS_FUND_CHART
from ledger.accounts import Side
from ledger.balances import trial_balance
from ledger.chart import open_member_account
from ledger.entries import Posting, credit, debit
from ledger.errors import UnbalancedEntry
from ledger.models import Entry
from ledger.posting import post, reverse
from ledger.verify import verify
from tests.integration.conftest import Books

#: Three members: one borrower with a loan sub-account, two savers.
MEMBER_ACCOUNTS = [("1100", 1, "مریم"), ("3100", 1, "مریم"), ("3100", 2, "زهرا")]
CODES = [spec.code for spec in SAVINGS_FUND_CHART] + ["1100-0001", "3100-0001", "3100-0002"]

DB_PROPERTY = settings(
    max_examples=40,
    deadline=None,  # no timing asserts: a slow CI database must not fail a test
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

amounts = st.one_of(st.integers(1, 1_000_000), st.integers(1, 10**15))
days = st.dates(date(2024, 3, 20), date(2026, 3, 20))
#: An entry as legs: each moves an amount from a credited account to a debited one.
legs = st.lists(
    st.tuples(st.sampled_from(CODES), st.sampled_from(CODES), amounts), min_size=1, max_size=4
)
Legs = list[tuple[str, str, int]]
Balances = dict[str, int]


def open_members(books: Books) -> dict[str, int]:
    """Open the members' sub-accounts (once per test) and return every account id by code."""
    for parent, member, name in MEMBER_ACCOUNTS:
        open_member_account(books.session, books.fund.id, parent, member, name)
    return {code: books.account(code) for code in CODES}


@contextmanager
def rolled_back(session: Session) -> Iterator[None]:
    """Run one example in a savepoint and undo everything it wrote."""
    savepoint = session.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()
        session.expire_all()


def postings_of(ids: dict[str, int], entry_legs: Legs) -> tuple[Posting, ...]:
    """Return the balanced postings of the legs."""
    return tuple(
        posting
        for to, source, amount in entry_legs
        for posting in (debit(ids[to], amount), credit(ids[source], amount))
    )


def effect_of(entry_legs: Legs) -> Balances:
    """Return each account's net-debit change from the legs, counted without the ledger."""
    effect: Balances = {}
    for to, source, amount in entry_legs:
        effect[to] = effect.get(to, 0) + amount
        effect[source] = effect.get(source, 0) - amount
    return effect


def plus(balances: Balances, effect: Balances, sign: int = 1) -> Balances:
    """Return the balances with an effect added (or taken away, with sign -1)."""
    return {code: net + sign * effect.get(code, 0) for code, net in balances.items()}


def net_debits(books: Books) -> Balances:
    """Return every account's stored net debit by code, from the trial balance."""
    return {line.code: line.net_debit for line in trial_balance(books.session, books.fund.id).lines}


def entry_count(books: Books) -> int:
    """Return how many entries the fund has, drafts included."""
    query = select(func.count()).select_from(Entry).where(Entry.fund_id == books.fund.id)
    return books.session.scalar(query) or 0


def assert_the_books_balance(books: Books) -> None:
    """Check the trial balance is zero and every stored balance matches its postings."""
    trial = trial_balance(books.session, books.fund.id)
    assert trial.total_debit == trial.total_credit
    assert sum(line.net_debit for line in trial.lines) == 0
    assert verify(books.session, books.fund.id) == []


@DB_PROPERTY
@given(st.lists(st.tuples(legs, days), min_size=1, max_size=6))
def test_stored_balances_equal_the_postings_summed_again(
    books: Books, entries: list[tuple[Legs, date]]
) -> None:
    ids = open_members(books)
    with rolled_back(books.session):
        expected = {code: 0 for code in CODES}
        for entry_legs, on in entries:
            post(books.session, books.draft(*postings_of(ids, entry_legs), on=on), "treasurer")
            expected = plus(expected, effect_of(entry_legs))

        last_day = max(on for _, on in entries)
        summed = trial_balance(books.session, books.fund.id, as_of=last_day)
        assert net_debits(books) == expected
        assert {line.code: line.net_debit for line in summed.lines} == expected
        assert_the_books_balance(books)


@DB_PROPERTY
@given(
    before=st.lists(st.tuples(legs, days), max_size=3),
    mistake=st.tuples(legs, days),
    after=st.lists(st.tuples(legs, days), max_size=3),
    days_later=st.integers(0, 400),
)
def test_a_reversal_takes_away_exactly_what_the_reversed_entry_did(
    books: Books,
    before: list[tuple[Legs, date]],
    mistake: tuple[Legs, date],
    after: list[tuple[Legs, date]],
    days_later: int,
) -> None:
    ids = open_members(books)
    with rolled_back(books.session):
        for entry_legs, on in before:
            post(books.session, books.draft(*postings_of(ids, entry_legs), on=on), "t")
        before_mistake = net_debits(books)
        mistake_legs, mistake_day = mistake
        wrong = post(
            books.session, books.draft(*postings_of(ids, mistake_legs), on=mistake_day), "t"
        )
        assert net_debits(books) == plus(before_mistake, effect_of(mistake_legs))
        for entry_legs, on in after:
            post(books.session, books.draft(*postings_of(ids, entry_legs), on=on), "t")
        before_reversal = net_debits(books)

        reverse(books.session, wrong.id, actor="t", on=mistake_day + timedelta(days=days_later))

        assert net_debits(books) == plus(before_reversal, effect_of(mistake_legs), sign=-1)
        if not after:
            assert net_debits(books) == before_mistake
        assert_the_books_balance(books)


@DB_PROPERTY
@given(
    earlier=st.lists(st.tuples(legs, days), max_size=3),
    entry_legs=legs,
    on=days,
    extra_code=st.sampled_from(CODES),
    extra_side=st.sampled_from(Side),
    off_by=amounts,
)
def test_an_unbalanced_entry_is_always_refused_and_changes_nothing(
    books: Books,
    earlier: list[tuple[Legs, date]],
    entry_legs: Legs,
    on: date,
    extra_code: str,
    extra_side: Side,
    off_by: int,
) -> None:
    ids = open_members(books)
    with rolled_back(books.session):
        for legs_before, day in earlier:
            post(books.session, books.draft(*postings_of(ids, legs_before), on=day), "t")
        balances_before, entries_before = net_debits(books), entry_count(books)
        lopsided = (*postings_of(ids, entry_legs), Posting(ids[extra_code], extra_side, off_by))

        with pytest.raises(UnbalancedEntry):
            post(books.session, books.draft(*lopsided, on=on), "t")

        assert net_debits(books) == balances_before
        assert entry_count(books) == entries_before
        assert_the_books_balance(books)


class TreasurersAtWork(RuleBasedStateMachine):
    """Treasurers post entries, reverse some and try lopsided ones; the books always balance."""

    #: Set by the test before the machine runs: the fixture's fund and its account ids.
    books: ClassVar[Books]
    ids: ClassVar[dict[str, int]]

    posted = Bundle("posted")

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = self.books.session.begin_nested()
        self.expected: Balances = {code: 0 for code in CODES}

    @rule(target=posted, entry_legs=legs, on=days)
    def post_a_balanced_entry(self, entry_legs: Legs, on: date) -> tuple[int, date, Balances]:
        draft = self.books.draft(*postings_of(self.ids, entry_legs), on=on)
        entry = post(self.books.session, draft, "treasurer")
        self.expected = plus(self.expected, effect_of(entry_legs))
        return entry.id, on, effect_of(entry_legs)

    @rule(entry=consumes(posted), days_later=st.integers(0, 400))
    def reverse_an_entry(self, entry: tuple[int, date, Balances], days_later: int) -> None:
        entry_id, on, effect = entry
        before = net_debits(self.books)
        reverse(self.books.session, entry_id, actor="facilitator", on=on + timedelta(days_later))
        assert net_debits(self.books) == plus(before, effect, sign=-1)
        self.expected = plus(self.expected, effect, sign=-1)

    @rule(entry_legs=legs, on=days, side=st.sampled_from(Side), off_by=amounts)
    def try_a_lopsided_entry(self, entry_legs: Legs, on: date, side: Side, off_by: int) -> None:
        before, count = net_debits(self.books), entry_count(self.books)
        lopsided = (*postings_of(self.ids, entry_legs), Posting(self.ids["1010"], side, off_by))
        with pytest.raises(UnbalancedEntry):
            post(self.books.session, self.books.draft(*lopsided, on=on), "treasurer")
        assert (net_debits(self.books), entry_count(self.books)) == (before, count)

    @invariant()
    def the_books_balance_and_hold_what_was_posted(self) -> None:
        assert_the_books_balance(self.books)
        assert net_debits(self.books) == self.expected

    def teardown(self) -> None:
        self.savepoint.rollback()
        self.books.session.expire_all()


def test_the_books_balance_whatever_treasurers_post_and_reverse(books: Books) -> None:
    TreasurersAtWork.books = books
    TreasurersAtWork.ids = open_members(books)
    run_state_machine_as_test(
        TreasurersAtWork, settings=settings(DB_PROPERTY, max_examples=30, stateful_step_count=12)
    )
