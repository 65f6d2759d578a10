"""Recompute everything from the postings and list every broken guarantee.

Checks, per fund (or all funds):
- every posted entry is balanced and has at least two postings;
- every posting is on an account of its entry's fund and currency;
- every stored balance equals the net debit recomputed from posted postings;
- each fund's balances sum to zero (the trial balance balances);
- no posted entry is dated on or before a period close made before it was created;
- every reversal mirrors the entry it reverses, in the same fund, on or after its date;
- no draft is left behind (writers post in the same transaction they draft).
Returns a list of problems; an empty list means the books are sound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from ledger.entries import EntryStatus, net_by_account
from ledger.models import Account, Entry, PeriodClose, PostingRow

POSTED = EntryStatus.POSTED.value
SIGNED = case((PostingRow.side == "debit", PostingRow.amount), else_=-PostingRow.amount)


@dataclass(frozen=True)
class Problem:
    """One broken guarantee, with where it was found."""

    code: str
    message: str
    fund_id: int | None = None

    def __str__(self) -> str:
        where = f"fund {self.fund_id}: " if self.fund_id is not None else ""
        return f"{self.code}: {where}{self.message}"


def verify(session: Session, fund_id: int | None = None) -> list[Problem]:
    """Return every problem found in the fund's books (all funds when fund_id is None)."""
    return [
        *_entry_problems(session, fund_id),
        *_balance_problems(session, fund_id),
        *_closed_period_problems(session, fund_id),
        *_reversal_problems(session, fund_id),
        *_draft_problems(session, fund_id),
    ]


def _for_fund(query: Select, column: Any, fund_id: int | None) -> Select:  # type: ignore[type-arg]
    return query if fund_id is None else query.where(column == fund_id)


def _entry_problems(session: Session, fund_id: int | None) -> list[Problem]:
    foreign = case(
        (
            (Account.fund_id != Entry.fund_id) | (Account.currency != Entry.currency),
            1,
        ),
        else_=0,
    )
    query = (
        select(Entry.id, Entry.fund_id, func.sum(SIGNED), func.count(), func.sum(foreign))
        .join(PostingRow, PostingRow.entry_id == Entry.id)
        .join(Account, Account.id == PostingRow.account_id)
        .where(Entry.status == POSTED)
        .group_by(Entry.id, Entry.fund_id)
        .having((func.sum(SIGNED) != 0) | (func.count() < 2) | (func.sum(foreign) > 0))
    )
    problems = []
    for entry_id, fund, imbalance, count, foreign_count in session.execute(
        _for_fund(query, Entry.fund_id, fund_id)
    ):
        if imbalance:
            problems.append(
                Problem("unbalanced_entry", f"entry {entry_id} is off by {imbalance}", fund)
            )
        if count < 2:
            problems.append(
                Problem("too_few_postings", f"entry {entry_id} has {count} posting(s)", fund)
            )
        if foreign_count:
            problems.append(
                Problem("account_of_another_fund", f"entry {entry_id} posts outside its fund", fund)
            )
    problems += _entries_without_postings(session, fund_id)
    return problems


def _entries_without_postings(session: Session, fund_id: int | None) -> list[Problem]:
    query = select(Entry.id, Entry.fund_id).where(
        Entry.status == POSTED,
        ~select(PostingRow.id).where(PostingRow.entry_id == Entry.id).exists(),
    )
    return [
        Problem("too_few_postings", f"entry {entry_id} has no postings", fund)
        for entry_id, fund in session.execute(_for_fund(query, Entry.fund_id, fund_id))
    ]


def _balance_problems(session: Session, fund_id: int | None) -> list[Problem]:
    # "entry_id IN (posted entries)" rather than a join: SQLite then reads the postings
    # entry by entry and groups in a temporary tree, instead of walking the account
    # index and fetching each posting at random (3x faster on 400,000 postings).
    posted = _for_fund(select(Entry.id).where(Entry.status == POSTED), Entry.fund_id, fund_id)
    recomputed_query = (
        select(PostingRow.account_id, func.sum(SIGNED))
        .where(PostingRow.entry_id.in_(posted))
        .group_by(PostingRow.account_id)
    )
    recomputed: dict[int, int] = dict(session.execute(recomputed_query).all())
    accounts = _for_fund(
        select(Account.id, Account.fund_id, Account.code, Account.balance), Account.fund_id, fund_id
    )
    problems = []
    fund_totals: dict[int, int] = {}
    for account_id, fund, code, stored in session.execute(accounts):
        expected = int(recomputed.get(account_id, 0))
        fund_totals[fund] = fund_totals.get(fund, 0) + expected
        if stored != expected:
            problems.append(
                Problem(
                    "stored_balance_mismatch",
                    f"account {code} (id {account_id}) stores {stored}, postings give {expected}",
                    fund,
                )
            )
    problems += [
        Problem("trial_balance_nonzero", f"balances sum to {total}, not 0", fund)
        for fund, total in sorted(fund_totals.items())
        if total
    ]
    return problems


def _closed_period_problems(session: Session, fund_id: int | None) -> list[Problem]:
    query = (
        select(Entry.id, Entry.fund_id, Entry.date, PeriodClose.closed_through)
        .join(
            PeriodClose,
            and_(
                PeriodClose.fund_id == Entry.fund_id,
                PeriodClose.closed_through >= Entry.date,
                PeriodClose.created_at < Entry.created_at,
            ),
        )
        .where(Entry.status == POSTED)
    )
    return [
        Problem(
            "posted_in_closed_period",
            f"entry {entry_id} dated {on} was posted after the books closed through {through}",
            fund,
        )
        for entry_id, fund, on, through in session.execute(_for_fund(query, Entry.fund_id, fund_id))
    ]


def _reversal_problems(session: Session, fund_id: int | None) -> list[Problem]:
    original = aliased(Entry)
    query = (
        select(Entry, original)
        .join(original, original.id == Entry.reverses_id)
        .options(selectinload(Entry.postings), selectinload(original.postings))
    )
    problems = []
    for reversal, reversed_entry in session.execute(_for_fund(query, Entry.fund_id, fund_id)):
        undone = net_by_account(reversal.posting_values())
        done = net_by_account(reversed_entry.posting_values())
        mirrored = undone == {account: -amount for account, amount in done.items()}
        if not mirrored or reversal.fund_id != reversed_entry.fund_id:
            problems.append(
                Problem(
                    "bad_reversal",
                    f"entry {reversal.id} does not undo entry {reversed_entry.id}",
                    reversal.fund_id,
                )
            )
        if reversal.date < reversed_entry.date:
            problems.append(
                Problem(
                    "bad_reversal",
                    f"entry {reversal.id} is dated before entry {reversed_entry.id}",
                    reversal.fund_id,
                )
            )
    return problems


def _draft_problems(session: Session, fund_id: int | None) -> list[Problem]:
    query = select(Entry.id, Entry.fund_id).where(Entry.status != POSTED)
    return [
        Problem("draft_left_behind", f"entry {entry_id} was drafted but never posted", fund)
        for entry_id, fund in session.execute(_for_fund(query, Entry.fund_id, fund_id))
    ]
