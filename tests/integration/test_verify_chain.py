"""Verify sees a rewrite of posted entries even by a table owner who switched the triggers off.

Each test switches the ledger's triggers off inside the test's transaction (rolled
back afterwards: DDL is transactional on both databases), rewrites the books the way
an owner of the tables could — keeping every entry balanced and every stored balance
equal to its postings, so only the hash chain can tell — and runs verify.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from ledger.entries import credit, debit
from ledger.posting import post
from ledger.verify import verify
from tests.integration.conftest import Books

SQLITE_TRIGGERS = (
    "entries_posted_are_final", "entries_posted_never_deleted", "postings_never_updated",
    "postings_posted_never_deleted", "entry_chain_never_updated", "entry_chain_never_deleted",
)  # fmt: skip


def switch_triggers_off(session: Session) -> None:
    """Do what a table owner can: drop (SQLite) or disable (PostgreSQL) the guards."""
    if session.get_bind().dialect.name == "postgresql":
        for table in ("entries", "postings", "entry_chain"):
            session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    else:
        for name in SQLITE_TRIGGERS:
            session.execute(text(f"DROP TRIGGER {name}"))


@pytest.fixture
def three(books: Books) -> list[int]:
    """Three posted entries of the fund: 500, 600 and 700 of savings into cash."""
    cash, savings = books.account("1010"), books.account("3100")
    return [
        post(books.session, books.draft(debit(cash, n), credit(savings, n), key=f"c{n}"), "t").id
        for n in (500, 600, 700)
    ]


def codes(books: Books) -> list[tuple[str, str]]:
    return sorted((p.code, p.message.split()[1]) for p in verify(books.session, books.fund.id))


def test_untouched_books_verify(books: Books, three: list[int]) -> None:
    assert verify(books.session, books.fund.id) == []


def test_a_rewritten_amount_with_its_balances_is_caught(books: Books, three: list[int]) -> None:
    switch_triggers_off(books.session)
    books.session.execute(
        text("UPDATE postings SET amount = 900 WHERE entry_id = :id"), {"id": three[1]}
    )
    books.session.execute(
        text("UPDATE accounts SET balance = balance + 300 WHERE id = :a"),
        {"a": books.account("1010")},
    )
    books.session.execute(
        text("UPDATE accounts SET balance = balance - 300 WHERE id = :a"),
        {"a": books.account("3100")},
    )
    assert codes(books) == [("chain_mismatch", str(three[1]))]


def test_a_rewritten_memo_is_caught(books: Books, three: list[int]) -> None:
    switch_triggers_off(books.session)
    books.session.execute(
        text("UPDATE entries SET memo = 'nothing happened' WHERE id = :id"), {"id": three[0]}
    )
    assert codes(books) == [("chain_mismatch", str(three[0]))]


def test_a_deleted_entry_is_caught_at_the_next_one(books: Books, three: list[int]) -> None:
    switch_triggers_off(books.session)
    for table, column in (("entry_chain", "entry_id"), ("postings", "entry_id"), ("entries", "id")):
        books.session.execute(text(f"DELETE FROM {table} WHERE {column} = :id"), {"id": three[1]})
    for code, change in (("1010", -600), ("3100", 600)):
        books.session.execute(
            text("UPDATE accounts SET balance = balance + :c WHERE id = :a"),
            {"c": change, "a": books.account(code)},
        )
    assert codes(books) == [("chain_mismatch", str(three[2]))]


def test_a_rehashed_link_without_its_entry_is_caught(books: Books, three: list[int]) -> None:
    switch_triggers_off(books.session)
    books.session.execute(
        text("UPDATE entry_chain SET hash = :h WHERE entry_id = :id"),
        {"h": "f" * 64, "id": three[2]},
    )
    assert codes(books) == [("chain_mismatch", str(three[2]))]


def test_a_link_that_went_missing_is_caught(books: Books, three: list[int]) -> None:
    switch_triggers_off(books.session)
    books.session.execute(text("DELETE FROM entry_chain WHERE entry_id = :id"), {"id": three[2]})
    assert codes(books) == [("chain_link_missing", str(three[2]))]
