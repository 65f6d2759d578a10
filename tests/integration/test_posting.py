"""post, reverse, close_period and balances: the story of a fund's first entries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from groups.savings.chart import SAVINGS_FUND_CHART
from ledger import balances
from ledger.chain import GENESIS, ChainedEntry, entry_hash, posting_line
from ledger.chart import close_account, open_fund
from ledger.entries import credit, debit
from ledger.errors import (
    AccountClosed,
    AccountNotEmpty,
    AccountOfAnotherFund,
    AlreadyReversed,
    CannotReverseReversal,
    IdempotencyKeyReused,
    PeriodAlreadyClosed,
    PeriodClosed,
    ReversalBeforeOriginal,
    TooFewPostings,
    UnbalancedEntry,
    UnknownAccount,
)
from ledger.models import ChainLink, Entry
from ledger.posting import close_period, post, post_many, reverse
from ledger.verify import verify
from tests.integration.conftest import DAY, Books


def test_a_members_savings_raise_cash_and_her_savings(books: Books) -> None:
    cash, savings = books.account("1010"), books.account("3100")
    entry = post(
        books.session, books.draft(debit(cash, 50_000), credit(savings, 50_000)), "treasurer"
    )

    assert entry.status == "posted"
    assert entry.actor == "treasurer"
    assert balances.balance(books.session, cash) == 50_000
    assert balances.balance(books.session, savings) == 50_000
    assert balances.trial_balance(books.session, books.fund.id).is_balanced
    assert verify(books.session, books.fund.id) == []


def test_balance_as_of_a_date_counts_entries_up_to_that_day(books: Books) -> None:
    cash, savings = books.account("1010"), books.account("3100")
    for week in range(3):
        on = DAY + timedelta(weeks=week)
        post(books.session, books.draft(debit(cash, 1_000), credit(savings, 1_000), on=on), "t")

    assert balances.balance_as_of(books.session, cash, DAY - timedelta(days=1)) == 0
    assert balances.balance_as_of(books.session, cash, DAY) == 1_000
    assert balances.balance_as_of(books.session, cash, DAY + timedelta(weeks=1)) == 2_000
    assert balances.balance(books.session, cash) == 3_000


@pytest.mark.parametrize(
    ("postings", "error"),
    [
        (lambda c, s: [debit(c, 100), credit(s, 99)], UnbalancedEntry),
        (lambda c, s: [debit(c, 100)], TooFewPostings),
        (lambda c, s: [debit(c, 100), credit(10_000_000, 100)], UnknownAccount),
    ],
)
def test_a_broken_entry_is_refused_and_nothing_is_posted(books: Books, postings, error) -> None:  # type: ignore[no-untyped-def]
    cash, savings = books.account("1010"), books.account("3100")
    with pytest.raises(error):
        post(books.session, books.draft(*postings(cash, savings)), "t")
    assert balances.balance(books.session, cash) == 0
    assert verify(books.session, books.fund.id) == []


def test_an_entry_cannot_mix_funds(books: Books) -> None:
    other = open_fund(books.session, "صندوق دیگر", chart=SAVINGS_FUND_CHART)
    from ledger.chart import require_account

    foreign_cash = require_account(books.session, other.id, "1010").id
    with pytest.raises(AccountOfAnotherFund):
        post(
            books.session,
            books.draft(debit(foreign_cash, 5), credit(books.account("3100"), 5)),
            "t",
        )


def test_a_retried_submission_posts_nothing_twice(books: Books) -> None:
    cash, savings = books.account("1010"), books.account("3100")
    draft = books.draft(debit(cash, 7_000), credit(savings, 7_000), key="meeting-12:shares")
    first = post(books.session, draft, "t")
    again = post(books.session, draft, "t")

    assert again.id == first.id
    assert balances.balance(books.session, cash) == 7_000
    with pytest.raises(IdempotencyKeyReused):
        post(
            books.session,
            books.draft(debit(cash, 8_000), credit(savings, 8_000), key="meeting-12:shares"),
            "t",
        )


def test_a_batch_with_the_same_key_twice_posts_once(books: Books) -> None:
    cash, savings = books.account("1010"), books.account("3100")
    draft = books.draft(debit(cash, 10), credit(savings, 10), key="k")
    ids = post_many(books.session, [draft, draft], "t")
    assert ids[0] == ids[1]
    assert balances.balance(books.session, cash) == 10


def test_a_reversal_restores_every_balance_and_is_linked(books: Books) -> None:
    cash, loans, charges = books.account("1010"), books.account("1100"), books.account("4100")
    post(
        books.session, books.draft(debit(cash, 90_000), credit(books.account("3100"), 90_000)), "t"
    )
    wrong = post(
        books.session,
        books.draft(debit(loans, 60_000), debit(charges, 1), credit(cash, 60_001)),
        "t",
    )
    fixed_on = DAY + timedelta(days=3)
    reversal = reverse(books.session, wrong.id, actor="facilitator", on=fixed_on)

    assert reversal.reverses_id == wrong.id
    assert reversal.date == fixed_on
    assert balances.balance(books.session, cash) == 90_000
    assert balances.balance(books.session, loans) == 0
    assert balances.balance(books.session, charges) == 0
    assert verify(books.session, books.fund.id) == []
    with pytest.raises(AlreadyReversed):
        reverse(books.session, wrong.id, actor="t", on=fixed_on)
    with pytest.raises(CannotReverseReversal):
        reverse(books.session, reversal.id, actor="t", on=fixed_on)


def test_a_reversal_cannot_be_dated_before_the_entry(books: Books) -> None:
    entry = post(
        books.session,
        books.draft(debit(books.account("1010"), 5), credit(books.account("3100"), 5)),
        "t",
    )
    with pytest.raises(ReversalBeforeOriginal):
        reverse(books.session, entry.id, actor="t", on=DAY - timedelta(days=1))


def test_nothing_is_posted_on_or_before_a_closed_date(books: Books) -> None:
    cash, savings = books.account("1010"), books.account("3100")
    entry = post(books.session, books.draft(debit(cash, 5), credit(savings, 5)), "t")
    close_period(books.session, books.fund.id, DAY, "facilitator")

    with pytest.raises(PeriodClosed):
        post(books.session, books.draft(debit(cash, 5), credit(savings, 5), on=DAY), "t")
    with pytest.raises(PeriodClosed):
        reverse(books.session, entry.id, actor="t", on=DAY)
    with pytest.raises(PeriodAlreadyClosed):
        close_period(books.session, books.fund.id, DAY - timedelta(days=5), "facilitator")
    post(
        books.session,
        books.draft(debit(cash, 5), credit(savings, 5), on=DAY + timedelta(days=1)),
        "t",
    )
    reverse(books.session, entry.id, actor="t", on=DAY + timedelta(days=1))
    assert balances.balance(books.session, cash) == 5


def test_a_closed_account_takes_no_postings(books: Books) -> None:
    cash, bank = books.account("1010"), books.account("1030")
    post(books.session, books.draft(debit(bank, 5), credit(cash, 5)), "t")
    with pytest.raises(AccountNotEmpty):
        close_account(books.session, bank)
    post(books.session, books.draft(debit(cash, 5), credit(bank, 5)), "t")
    close_account(books.session, bank)
    with pytest.raises(AccountClosed):
        post(books.session, books.draft(debit(bank, 5), credit(cash, 5)), "t")


def test_statements_for_a_period(books: Books) -> None:
    cash, savings, charges, expenses = (books.account(c) for c in ("1010", "3100", "4100", "5100"))
    post(books.session, books.draft(debit(cash, 100_000), credit(savings, 100_000)), "t")
    post(
        books.session,
        books.draft(debit(cash, 12_000), credit(charges, 12_000), on=DAY + timedelta(days=5)),
        "t",
    )
    post(
        books.session,
        books.draft(debit(expenses, 2_000), credit(cash, 2_000), on=DAY + timedelta(days=20)),
        "t",
    )

    sheet = balances.balance_sheet(books.session, books.fund.id, DAY + timedelta(days=60))
    assert sheet.assets.total == 110_000
    assert sheet.equity.total == 100_000
    assert sheet.surplus == 10_000
    assert sheet.is_balanced

    april = balances.income_statement(
        books.session, books.fund.id, date(2025, 4, 1), date(2025, 4, 30)
    )
    assert (april.income.total, april.expenses.total, april.net) == (0, 2_000, -2_000)
    year = balances.income_statement(books.session, books.fund.id, DAY, DAY + timedelta(days=365))
    assert year.net == 10_000

    as_of_start = balances.trial_balance(books.session, books.fund.id, as_of=DAY)
    assert as_of_start.by_code()["1010"].debit == 100_000
    assert as_of_start.is_balanced


def test_a_retry_still_returns_the_entry_after_its_period_closed(books: Books) -> None:
    draft = books.draft(
        debit(books.account("1010"), 3), credit(books.account("3100"), 3), key="m-9"
    )
    first = post(books.session, draft, "t")
    close_period(books.session, books.fund.id, DAY, "facilitator")
    assert post(books.session, draft, "t").id == first.id


def test_a_reversal_key_of_another_entry_is_refused(books: Books) -> None:
    one = post(
        books.session,
        books.draft(debit(books.account("1010"), 3), credit(books.account("3100"), 3)),
        "t",
    )
    two = post(
        books.session,
        books.draft(debit(books.account("1010"), 4), credit(books.account("3100"), 4)),
        "t",
    )
    reverse(books.session, one.id, actor="t", on=DAY, idempotency_key="fix-1")
    with pytest.raises(IdempotencyKeyReused):
        reverse(books.session, two.id, actor="t", on=DAY, idempotency_key="fix-1")


def test_each_posted_entry_is_chained_onto_its_funds_previous_one(books: Books) -> None:
    cash, savings = books.account("1010"), books.account("3100")
    drafts = [books.draft(debit(cash, n), credit(savings, n), key=f"chain-{n}") for n in (5, 7)]
    first, second = post_many(books.session, drafts, "t")
    post(books.session, books.draft(debit(cash, 9), credit(savings, 9), key="chain-9"), "t")
    query = select(ChainLink).where(ChainLink.fund_id == books.fund.id)
    links = books.session.scalars(query.order_by(ChainLink.entry_id)).all()
    assert [link.entry_id for link in links][:2] == [first, second]
    previous = GENESIS
    for link in links:
        entry = books.session.get(Entry, link.entry_id)
        assert entry is not None and link.fund_id == entry.fund_id
        fields = ChainedEntry(
            entry.id, entry.fund_id, entry.date, entry.currency, entry.source_type,
            entry.source_ref, entry.reverses_id, entry.memo, entry.actor,
        )  # fmt: skip
        postings = [posting_line(p.account_id, p.side, p.amount) for p in entry.postings]
        previous = entry_hash(previous, fields, postings)
        assert link.hash == previous
