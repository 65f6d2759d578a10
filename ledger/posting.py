"""post(), post_many(), reverse() and close_period(): the only code that writes entries.

Each call checks every ledger rule in Python first (so the caller gets a named
error), then writes the entry as a draft, adds its postings, and flips it to
posted; the database triggers check the same rules again at that flip and keep
each account's stored balance. Services flush, never commit: the caller owns
the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ledger.entries import (
    EntryDraft,
    EntryStatus,
    Source,
    SourceType,
    check_balanced,
    reversal_of,
    same_postings,
)
from ledger.errors import (
    AccountClosed,
    AccountOfAnotherFund,
    AlreadyReversed,
    CannotReverseReversal,
    EntryNotFound,
    IdempotencyKeyReused,
    PeriodAlreadyClosed,
    PeriodClosed,
    ReversalBeforeOriginal,
    UnknownAccount,
    UnknownFund,
)
from ledger.models import Account, Entry, Fund, PeriodClose, PostingRow

#: Rows per statement when a batch updates or looks up entries by id.
CHUNK = 500


@dataclass(frozen=True)
class _AccountFacts:
    fund_id: int
    currency: str
    is_open: bool


@dataclass
class _BatchContext:
    """What the checks of a batch need, loaded with one query per table."""

    accounts: dict[int, _AccountFacts]
    fund_currency: dict[int, str]
    closed_through: dict[int, date]
    existing_keys: dict[str, int]


def post(session: Session, draft: EntryDraft, actor: str) -> Entry:
    """Post one entry and return it; a replay of its idempotency key returns the first one."""
    (entry_id,) = post_many(session, [draft], actor)
    entry = session.get(Entry, entry_id)
    assert entry is not None
    return entry


def post_many(session: Session, drafts: Sequence[EntryDraft], actor: str) -> list[int]:
    """Post entries in one batch and return their ids, in order; replays return first ids."""
    context = _load_context(session, drafts)
    slots: list[tuple[int | None, int]] = []  # (id already posted, or index into `new`)
    new: list[EntryDraft] = []
    pending: dict[str, int] = {}
    for draft in drafts:
        _check_draft(draft, context)
        key = draft.idempotency_key
        if key is not None and key in pending:
            if not _same_draft(new[pending[key]], draft):
                raise IdempotencyKeyReused(f"Idempotency key {key!r} was used for another entry")
            slots.append((None, pending[key]))
            continue
        replayed = _replayed_entry_id(session, draft, context)
        if replayed is not None:
            slots.append((replayed, -1))
            continue
        if key is not None:
            pending[key] = len(new)
        slots.append((None, len(new)))
        new.append(draft)
    new_ids = _write(session, new, actor, context)
    return [posted if posted is not None else new_ids[index] for posted, index in slots]


def reverse(
    session: Session,
    entry_id: int,
    *,
    actor: str,
    on: date | None = None,
    memo: str | None = None,
    idempotency_key: str | None = None,
) -> Entry:
    """Post the entry that undoes a posted entry, dated the day of the correction."""
    original = session.get(Entry, entry_id)
    if original is None or original.status != EntryStatus.POSTED:
        raise EntryNotFound(f"No posted entry {entry_id}")
    if original.reverses_id is not None:
        raise CannotReverseReversal(f"Entry {entry_id} is itself a reversal")
    replay = _entry_by_key(session, idempotency_key)
    if replay is not None and replay.reverses_id == entry_id:
        return replay
    if session.scalar(select(Entry.id).where(Entry.reverses_id == entry_id)) is not None:
        raise AlreadyReversed(f"Entry {entry_id} has already been reversed")
    on = on or date.today()
    if on < original.date:
        raise ReversalBeforeOriginal(f"Reversal dated {on} is before {original.date}")
    draft = EntryDraft(
        fund_id=original.fund_id,
        date=on,
        memo=memo or f"Reversal of entry #{entry_id}: {original.memo}",
        postings=reversal_of(original.posting_values()),
        source=Source(SourceType(original.source_type), original.source_ref),
        idempotency_key=idempotency_key,
    )
    context = _load_context(session, [draft])
    _check_draft(draft, context)
    (new_id,) = _write(session, [draft], actor, context, reverses_id=entry_id)
    entry = session.get(Entry, new_id)
    assert entry is not None
    return entry


def close_period(session: Session, fund_id: int, through: date, actor: str) -> PeriodClose:
    """Close the fund's books through a date: nothing may be posted on or before it again."""
    if session.get(Fund, fund_id) is None:
        raise UnknownFund(f"No fund {fund_id}")
    current = closed_through(session, fund_id)
    if current is not None and through <= current:
        raise PeriodAlreadyClosed(f"Fund {fund_id} is already closed through {current}")
    period_close = PeriodClose(fund_id=fund_id, closed_through=through, actor=actor)
    session.add(period_close)
    session.flush()
    return period_close


def closed_through(session: Session, fund_id: int) -> date | None:
    """Return the last date the fund's books are closed through, or None."""
    return session.scalar(
        select(func.max(PeriodClose.closed_through)).where(PeriodClose.fund_id == fund_id)
    )


def _load_context(session: Session, drafts: Sequence[EntryDraft]) -> _BatchContext:
    account_ids = {p.account_id for d in drafts for p in d.postings}
    fund_ids = {d.fund_id for d in drafts}
    keys = [d.idempotency_key for d in drafts if d.idempotency_key is not None]
    return _BatchContext(
        accounts=_account_facts(session, account_ids),
        fund_currency=dict(
            session.execute(select(Fund.id, Fund.currency).where(Fund.id.in_(fund_ids))).all()
        ),
        closed_through=dict(
            session.execute(
                select(PeriodClose.fund_id, func.max(PeriodClose.closed_through))
                .where(PeriodClose.fund_id.in_(fund_ids))
                .group_by(PeriodClose.fund_id)
            ).all()
        ),
        existing_keys=_existing_keys(session, keys),
    )


def _account_facts(session: Session, account_ids: Iterable[int]) -> dict[int, _AccountFacts]:
    facts: dict[int, _AccountFacts] = {}
    ids = sorted(account_ids)
    for start in range(0, len(ids), CHUNK):
        query = select(Account.id, Account.fund_id, Account.currency, Account.is_open).where(
            Account.id.in_(ids[start : start + CHUNK])
        )
        for account_id, fund_id, currency, is_open in session.execute(query):
            facts[account_id] = _AccountFacts(fund_id, currency, is_open)
    return facts


def _existing_keys(session: Session, keys: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(keys), CHUNK):
        query = select(Entry.idempotency_key, Entry.id).where(
            Entry.idempotency_key.in_(keys[start : start + CHUNK])
        )
        found.update(session.execute(query).all())
    return found


def _check_draft(draft: EntryDraft, context: _BatchContext) -> None:
    """Raise the named error of the first ledger rule the draft breaks."""
    check_balanced(draft.postings)
    currency = context.fund_currency.get(draft.fund_id)
    if currency is None:
        raise UnknownFund(f"No fund {draft.fund_id}")
    for posting in draft.postings:
        facts = context.accounts.get(posting.account_id)
        if facts is None:
            raise UnknownAccount(f"No account {posting.account_id}")
        if facts.fund_id != draft.fund_id or facts.currency != currency:
            raise AccountOfAnotherFund(f"Account {posting.account_id} is not in fund {draft.fund_id}")
        if not facts.is_open:
            raise AccountClosed(f"Account {posting.account_id} is closed")
    closed = context.closed_through.get(draft.fund_id)
    if closed is not None and draft.date <= closed:
        raise PeriodClosed(f"Fund {draft.fund_id} is closed through {closed}")


def _replayed_entry_id(session: Session, draft: EntryDraft, context: _BatchContext) -> int | None:
    """Return the id of the entry already posted under the draft's key, if it is the same."""
    key = draft.idempotency_key
    if key is None or key not in context.existing_keys:
        return None
    entry = _entry_by_key(session, key)
    if entry is None or not _same_entry(entry, draft):
        raise IdempotencyKeyReused(f"Idempotency key {key!r} was used for another entry")
    return entry.id


def _entry_by_key(session: Session, key: str | None) -> Entry | None:
    if key is None:
        return None
    return session.scalars(select(Entry).where(Entry.idempotency_key == key)).one_or_none()


def _same_entry(entry: Entry, draft: EntryDraft) -> bool:
    return (
        entry.fund_id == draft.fund_id
        and entry.date == draft.date
        and same_postings(entry.posting_values(), draft.postings)
    )


def _same_draft(a: EntryDraft, b: EntryDraft) -> bool:
    return a.fund_id == b.fund_id and a.date == b.date and same_postings(a.postings, b.postings)


def _write(
    session: Session,
    drafts: Sequence[EntryDraft],
    actor: str,
    context: _BatchContext,
    reverses_id: int | None = None,
) -> list[int]:
    """Insert the drafts and their postings, then flip them to posted; return the new ids."""
    if not drafts:
        return []
    session.flush()
    entry_rows = [_entry_row(d, actor, context, reverses_id) for d in drafts]
    entry_ids = list(
        session.scalars(
            insert(Entry).returning(Entry.id, sort_by_parameter_order=True), entry_rows
        )
    )
    posting_rows = [
        {"entry_id": entry_id, "account_id": p.account_id, "side": p.side.value, "amount": p.amount}
        for entry_id, draft in zip(entry_ids, drafts, strict=True)
        for p in draft.postings
    ]
    session.execute(insert(PostingRow), posting_rows)
    for start in range(0, len(entry_ids), CHUNK):
        session.execute(
            update(Entry)
            .where(Entry.id.in_(entry_ids[start : start + CHUNK]))
            .values(status=EntryStatus.POSTED.value)
            .execution_options(synchronize_session=False)
        )
    _expire_stale(session, entry_ids, {p["account_id"] for p in posting_rows})
    return entry_ids


def _entry_row(
    draft: EntryDraft, actor: str, context: _BatchContext, reverses_id: int | None
) -> dict[str, object]:
    return {
        "fund_id": draft.fund_id,
        "currency": context.fund_currency[draft.fund_id],
        "date": draft.date,
        "memo": draft.memo,
        "source_type": draft.source.type.value,
        "source_ref": draft.source.ref,
        "actor": actor,
        "idempotency_key": draft.idempotency_key or uuid.uuid4().hex,
        "reverses_id": reverses_id,
        "status": EntryStatus.DRAFT.value,
    }


def _expire_stale(session: Session, entry_ids: Iterable[int], account_ids: Iterable[int]) -> None:
    """Expire loaded objects the triggers changed behind the session's back."""
    stale = [(Entry, i, "status") for i in entry_ids] + [
        (Account, i, "balance") for i in account_ids
    ]
    for model, object_id, attribute in stale:
        loaded = session.identity_map.get(identity_key(model, object_id))
        if loaded is not None:
            session.expire(loaded, [attribute])
