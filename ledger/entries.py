"""Posting and entry values, and the balanced check: pure, no database.

A posting is ``(account_id, side, amount)`` with a positive integer amount; the
sign lives in ``side``, never in ``amount``. An entry is balanced when the sum
of its debits equals the sum of its credits and it has at least two postings.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from ledger.accounts import Side
from ledger.errors import TooFewPostings, UnbalancedEntry
from ledger.money import require_positive_amount


class SourceType(enum.StrEnum):
    """The business event an entry records."""

    MEETING = "meeting"
    LOAN = "loan"
    SHARE_OUT = "share_out"
    OPENING_BALANCE = "opening_balance"
    MANUAL = "manual"


class EntryStatus(enum.StrEnum):
    """An entry is written as a draft with its postings, then posted once; posted is final."""

    DRAFT = "draft"
    POSTED = "posted"


@dataclass(frozen=True)
class Posting:
    """One line of an entry."""

    account_id: int
    side: Side
    amount: int

    def __post_init__(self) -> None:
        require_positive_amount(self.amount)

    @property
    def net_debit(self) -> int:
        """Return the signed contribution of this posting to its account's net debit."""
        return self.amount * self.side.sign

    def reversed(self) -> Posting:
        """Return the same amount on the opposite side."""
        return Posting(self.account_id, self.side.opposite, self.amount)


def debit(account_id: int, amount: int) -> Posting:
    """Return a debit posting."""
    return Posting(account_id, Side.DEBIT, amount)


def credit(account_id: int, amount: int) -> Posting:
    """Return a credit posting."""
    return Posting(account_id, Side.CREDIT, amount)


@dataclass(frozen=True)
class Source:
    """What business event an entry records, and that event's id."""

    type: SourceType
    ref: str | None = None


@dataclass(frozen=True)
class EntryDraft:
    """Everything needed to post one entry."""

    fund_id: int
    date: date
    memo: str
    postings: tuple[Posting, ...]
    source: Source = field(default_factory=lambda: Source(SourceType.MANUAL))
    idempotency_key: str | None = None


def check_balanced(postings: Sequence[Posting]) -> None:
    """Raise unless the postings are at least two and their debits equal their credits."""
    if len(postings) < 2:
        raise TooFewPostings(f"An entry needs at least two postings, got {len(postings)}")
    imbalance = sum(p.net_debit for p in postings)
    if imbalance:
        raise UnbalancedEntry(f"Debits and credits differ by {imbalance}")


def reversal_of(postings: Iterable[Posting]) -> tuple[Posting, ...]:
    """Return postings that undo the given ones."""
    return tuple(p.reversed() for p in postings)


def net_by_account(postings: Iterable[Posting]) -> dict[int, int]:
    """Return each account's net-debit change from the postings."""
    totals: dict[int, int] = {}
    for p in postings:
        totals[p.account_id] = totals.get(p.account_id, 0) + p.net_debit
    return totals


def same_postings(a: Iterable[Posting], b: Iterable[Posting]) -> bool:
    """Return True if both are the same multiset of postings, in any order."""
    key = lambda p: (p.account_id, p.side.value, p.amount)  # noqa: E731
    return sorted(map(key, a)) == sorted(map(key, b))
