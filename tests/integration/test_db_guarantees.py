"""The database itself refuses to break the ledger's guarantees, whatever SQL is sent.

Each test goes around the Python checks and speaks SQL directly; the triggers and
constraints created by the migration must refuse it, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from groups.savings.chart import SAVINGS_FUND_CHART
from ledger import balances
from ledger.entries import credit, debit
from ledger.posting import close_period, post, reverse
from tests.integration.conftest import DAY, Books


def refused(session: Session, sql: str, params: Mapping[str, object] | None = None) -> bool:
    """Run SQL in a savepoint; return True if the database refused it (nothing is kept)."""
    savepoint = session.begin_nested()
    try:
        session.execute(text(sql), params or {})
        session.flush()
    except DatabaseError:
        savepoint.rollback()
        return True
    savepoint.rollback()
    return False


@pytest.fixture
def posted(books: Books) -> int:
    """The id of a posted entry: 50,000 of savings into cash."""
    entry = post(
        books.session,
        books.draft(debit(books.account("1010"), 50_000), credit(books.account("3100"), 50_000)),
        "t",
    )
    return entry.id


def insert_draft(
    books: Books, on: date = DAY, key: str = "sql", reverses: int | None = None
) -> int:
    """Insert a draft entry with raw SQL and return its id."""
    books.session.execute(
        text(
            "INSERT INTO entries (fund_id, currency, date, memo, source_type, actor, "
            "idempotency_key, reverses_id, status, created_at) VALUES "
            "(:fund, 'IRR', :on, 'raw', 'manual', 'sql', :key, :reverses, 'draft',"
            " CURRENT_TIMESTAMP)"
        ),
        {"fund": books.fund.id, "on": on, "key": key, "reverses": reverses},
    )
    return int(
        books.session.execute(
            text("SELECT id FROM entries WHERE idempotency_key = :key"), {"key": key}
        ).scalar_one()
    )


def insert_posting(books: Books, entry_id: int, account_id: int, side: str, amount: int) -> None:
    """Insert a posting with raw SQL."""
    books.session.execute(
        text("INSERT INTO postings (entry_id, account_id, side, amount) VALUES (:e, :a, :s, :m)"),
        {"e": entry_id, "a": account_id, "s": side, "m": amount},
    )


def test_a_posted_amount_cannot_be_updated(books: Books, posted: int) -> None:
    assert refused(
        books.session,
        "UPDATE postings SET amount = amount + 1 WHERE entry_id = :id",
        {"id": posted},
    )


def test_a_posted_entry_cannot_be_updated(books: Books, posted: int) -> None:
    assert refused(
        books.session,
        "UPDATE entries SET date = :d WHERE id = :id",
        {"d": date(2030, 1, 1), "id": posted},
    )
    assert refused(
        books.session, "UPDATE entries SET status = 'draft' WHERE id = :id", {"id": posted}
    )


def test_a_posting_cannot_be_deleted(books: Books, posted: int) -> None:
    assert refused(books.session, "DELETE FROM postings WHERE entry_id = :id", {"id": posted})


def test_a_posted_entry_cannot_be_deleted(books: Books, posted: int) -> None:
    assert refused(books.session, "DELETE FROM entries WHERE id = :id", {"id": posted})


def test_a_posted_entry_takes_no_new_posting(books: Books, posted: int) -> None:
    sql = "INSERT INTO postings (entry_id, account_id, side, amount) VALUES (:id, :a, 'debit', 1)"
    assert refused(books.session, sql, {"id": posted, "a": books.account("1010")})


def test_an_entry_cannot_be_inserted_already_posted(books: Books) -> None:
    sql = (
        "INSERT INTO entries (fund_id, currency, date, memo, source_type, actor, idempotency_key,"
        " status, created_at) VALUES (:fund, 'IRR', :on, 'x', 'manual', 'sql', 'k', 'posted',"
        " CURRENT_TIMESTAMP)"
    )
    assert refused(books.session, sql, {"fund": books.fund.id, "on": DAY})


def test_an_unbalanced_entry_cannot_be_posted(books: Books) -> None:
    entry_id = insert_draft(books)
    insert_posting(books, entry_id, books.account("1010"), "debit", 100)
    insert_posting(books, entry_id, books.account("3100"), "credit", 99)
    assert refused(
        books.session, "UPDATE entries SET status = 'posted' WHERE id = :id", {"id": entry_id}
    )


def test_a_one_sided_entry_cannot_be_posted(books: Books) -> None:
    entry_id = insert_draft(books)
    insert_posting(books, entry_id, books.account("1010"), "debit", 100)
    assert refused(
        books.session, "UPDATE entries SET status = 'posted' WHERE id = :id", {"id": entry_id}
    )


def test_a_negative_or_zero_amount_is_refused(books: Books) -> None:
    entry_id = insert_draft(books)
    for amount in (0, -5):
        sql = (
            "INSERT INTO postings (entry_id, account_id, side, amount) VALUES (:e, :a, 'debit', :m)"
        )
        assert refused(books.session, sql, {"e": entry_id, "a": books.account("1010"), "m": amount})


def test_nothing_is_posted_into_a_closed_period(books: Books) -> None:
    close_period(books.session, books.fund.id, DAY, "facilitator")
    entry_id = insert_draft(books, on=DAY)
    insert_posting(books, entry_id, books.account("1010"), "debit", 100)
    insert_posting(books, entry_id, books.account("3100"), "credit", 100)
    assert refused(
        books.session, "UPDATE entries SET status = 'posted' WHERE id = :id", {"id": entry_id}
    )


def test_a_period_close_cannot_be_undone(books: Books) -> None:
    close_period(books.session, books.fund.id, DAY, "facilitator")
    assert refused(
        books.session, "DELETE FROM period_closes WHERE fund_id = :f", {"f": books.fund.id}
    )
    assert refused(
        books.session, "UPDATE period_closes SET closed_through = :d", {"d": date(2000, 1, 1)}
    )


def test_an_entry_cannot_be_reversed_twice(books: Books, posted: int) -> None:
    reverse(books.session, posted, actor="t", on=DAY)
    sql = (
        "INSERT INTO entries (fund_id, currency, date, memo, source_type, actor, idempotency_key,"
        " reverses_id, status, created_at) VALUES (:fund, 'IRR', :on, 'x', 'manual', 'sql',"
        " 'again', :id, 'draft', CURRENT_TIMESTAMP)"
    )
    assert refused(books.session, sql, {"fund": books.fund.id, "on": DAY, "id": posted})


def test_an_idempotency_key_cannot_be_reused(books: Books) -> None:
    post(
        books.session,
        books.draft(
            debit(books.account("1010"), 1), credit(books.account("3100"), 1), key="meeting-1"
        ),
        "t",
    )
    sql = (
        "INSERT INTO entries (fund_id, currency, date, memo, source_type, actor, idempotency_key,"
        " status, created_at) VALUES (:fund, 'IRR', :on, 'x', 'manual', 'sql', 'meeting-1',"
        " 'draft', CURRENT_TIMESTAMP)"
    )
    assert refused(books.session, sql, {"fund": books.fund.id, "on": DAY})


def test_an_entry_cannot_post_to_another_funds_account(books: Books) -> None:
    from ledger.chart import open_fund, require_account

    other = open_fund(books.session, "دیگری", chart=SAVINGS_FUND_CHART)
    entry_id = insert_draft(books)
    insert_posting(
        books, entry_id, require_account(books.session, other.id, "1010").id, "debit", 100
    )
    insert_posting(books, entry_id, books.account("3100"), "credit", 100)
    assert refused(
        books.session, "UPDATE entries SET status = 'posted' WHERE id = :id", {"id": entry_id}
    )


def test_posting_by_sql_keeps_the_stored_balance(books: Books) -> None:
    """The trigger, not Python, keeps balances: a correct raw posting updates them too."""
    entry_id = insert_draft(books)
    insert_posting(books, entry_id, books.account("1010"), "debit", 700)
    insert_posting(books, entry_id, books.account("3100"), "credit", 700)
    books.session.execute(
        text("UPDATE entries SET status = 'posted' WHERE id = :id"), {"id": entry_id}
    )
    assert balances.balance(books.session, books.account("1010")) == 700
    assert balances.balance(books.session, books.account("3100")) == 700


def balanced_draft(books: Books, key: str, amount: int) -> int:
    """Insert by SQL a draft entry of ``amount`` from savings into cash; return its id."""
    entry_id = insert_draft(books, key=key)
    insert_posting(books, entry_id, books.account("1010"), "debit", amount)
    insert_posting(books, entry_id, books.account("3100"), "credit", amount)
    return entry_id


def test_one_statement_posting_many_entries_checks_each(books: Books) -> None:
    good = balanced_draft(books, "good", 300)
    bad = insert_draft(books, key="bad")
    insert_posting(books, bad, books.account("1010"), "debit", 100)
    insert_posting(books, bad, books.account("3100"), "credit", 90)
    sql = "UPDATE entries SET status = 'posted' WHERE id IN (:good, :bad)"
    assert refused(books.session, sql, {"good": good, "bad": bad})
    assert balances.balance(books.session, books.account("1010")) == 0  # nothing was kept


def test_one_statement_posting_many_entries_keeps_every_balance(books: Books) -> None:
    first, second = balanced_draft(books, "first", 300), balanced_draft(books, "second", 40)
    books.session.execute(
        text("UPDATE entries SET status = 'posted' WHERE id IN (:a, :b)"), {"a": first, "b": second}
    )
    assert balances.balance(books.session, books.account("1010")) == 340
    assert balances.balance(books.session, books.account("3100")) == 340


def test_a_posted_entry_cannot_be_renumbered_or_unposted(books: Books, posted: int) -> None:
    for sql in (
        "UPDATE entries SET id = id + 1000 WHERE id = :id",
        "UPDATE entries SET status = 'draft' WHERE id = :id",
    ):
        assert refused(books.session, sql, {"id": posted})


def test_a_chain_link_cannot_be_changed_or_deleted(books: Books, posted: int) -> None:
    sql = "UPDATE entry_chain SET hash = :h WHERE entry_id = :id"
    assert refused(books.session, sql, {"h": "0" * 64, "id": posted})
    assert refused(books.session, "DELETE FROM entry_chain WHERE entry_id = :id", {"id": posted})
