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
import json
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


def entry_hash(previous: str, entry: ChainedEntry, postings: Iterable[tuple[int, str, int]]) -> str:
    """Return the hash of an entry and its postings (account id, side, amount, in id order)."""
    fields = [previous, *entry]
    fields[3] = str(entry.date)  # ISO text from a date and from SQLite alike
    record = [fields, [[account, side, amount] for account, side, amount in postings]]
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
