"""A hash chain per fund over its posted entries: a rewrite of the books shows.

Each posted entry gets a row in ``entry_chain`` with the SHA-256 of its own fields,
its postings and the hash of the fund's previous posted entry (by id); the first
entry of a fund chains to ``GENESIS``. ``post_many`` writes the rows in the same
transaction that posts the entries, after locking the funds it posts to (PostgreSQL:
``SELECT … FOR UPDATE``; SQLite has one writer at a time), so a fund's chain is one
line in id order. ``ledger.verify`` recomputes every chain from the entries and
postings and reports the first entry of each fund whose stored hash differs.

What it protects against, and what not: ``docs/ledger.md`` ("The hash chain").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, NamedTuple

#: The hash a fund's first entry chains to.
GENESIS = "0" * 64


class ChainedEntry(NamedTuple):
    """The fields of a posted entry its hash covers (the order of a SELECT on ``entries``)."""

    id: int
    fund_id: int
    date: Any  # a date (or its ISO text, as SQLite's driver returns it)
    currency: str
    source_type: str
    source_ref: str | None
    reverses_id: int | None
    memo: str
    actor: str


def entry_hash(previous: str, entry: ChainedEntry, postings: Iterable[str]) -> str:
    """Return the hash of an entry and its postings (``posting_line``s, in any order).

    The text hashed is one field a line (the date as ISO text, from a date and from
    SQLite alike); free text is prefixed by its length, so no memo can be written to
    look like other fields; the postings' lines are sorted, so their order does not
    matter (verify gets them concatenated by the database).
    """
    reverses = "~" if entry.reverses_id is None else entry.reverses_id
    text = (
        f"{previous}\n{entry.id}\n{entry.fund_id}\n{entry.date}\n{entry.currency}\n"
        f"{entry.source_type}\n{_text(entry.source_ref)}\n{reverses}\n"
        f"{len(entry.memo)}:{entry.memo}\n{len(entry.actor)}:{entry.actor}\n"
    )
    text += "\n".join(sorted(postings))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def posting_line(account_id: int, side: str, amount: int) -> str:
    """Return a posting as the hash covers it: ``"account side amount"``."""
    return f"{account_id} {side} {amount}"


def _text(value: str | None) -> str:
    return "~" if value is None else f"{len(value)}:{value}"
