"""post(), post_many(), reverse() and close_period(): the only code that writes entries.

Each call checks every ledger rule in Python first (so the caller gets a named
error), then writes the entry as a draft, adds its postings, and flips it to
posted; the database triggers check the same rules again at that flip and keep
each account's stored balance. Services flush, never commit: the caller owns
the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import (
    Connection,
    Integer,
    Table,
    any_,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from ledger.chain import GENESIS, ChainedEntry, entry_hash, posting_line
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
from ledger.models import Account, ChainLink, Entry, Fund, PeriodClose, PostingRow, utc_now

_T = TypeVar("_T")

#: Rows per statement when a batch updates or looks up entries by id.
CHUNK = 500

# The statements are built once: building and cache-keying a statement costs more
# than SQLite takes to run it, and single posts are latency-bound (docs/benchmarks.md).
_ACCOUNTS: Table = Account.__table__  # type: ignore[assignment]
_FUNDS: Table = Fund.__table__  # type: ignore[assignment]
_ENTRIES: Table = Entry.__table__  # type: ignore[assignment]
_POSTINGS: Table = PostingRow.__table__  # type: ignore[assignment]
_CLOSES: Table = PeriodClose.__table__  # type: ignore[assignment]
_CHAIN: Table = ChainLink.__table__  # type: ignore[assignment]

_ACCOUNT_FACTS = select(
    _ACCOUNTS.c.id, _ACCOUNTS.c.fund_id, _ACCOUNTS.c.currency, _ACCOUNTS.c.is_open
).where(_ACCOUNTS.c.id.in_(bindparam("ids", expanding=True)))
_FUND_FACTS = select(
    _FUNDS.c.id,
    _FUNDS.c.currency,
    select(func.max(_CLOSES.c.closed_through))
    .where(_CLOSES.c.fund_id == _FUNDS.c.id)
    .scalar_subquery(),
).where(_FUNDS.c.id.in_(bindparam("ids", expanding=True)))
_IDS_BY_KEY = select(_ENTRIES.c.idempotency_key, _ENTRIES.c.id).where(
    _ENTRIES.c.idempotency_key.in_(bindparam("keys", expanding=True))
)
_INSERT_ENTRIES = insert(_ENTRIES).returning(_ENTRIES.c.idempotency_key, _ENTRIES.c.id)
_INSERT_POSTINGS = insert(_POSTINGS)
_POSTING_COLUMNS = ("entry_id", "account_id", "side", "amount")
_LINK_COLUMNS = ("entry_id", "fund_id", "hash")
_ENTRY_COLUMNS = (
    "fund_id", "currency", "date", "memo", "source_type", "source_ref", "actor",
    "idempotency_key", "reverses_id", "status",
)  # fmt: skip
_NEW_ENTRY_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('entries', 'id')) FROM generate_series(1, :count)"
)
_INSERT_LINKS = insert(_CHAIN)
_LOCK_FUNDS = (
    select(_FUNDS.c.id)
    .where(_FUNDS.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_FUNDS.c.id)
    .with_for_update()
)
_LAST_LINK = (
    select(_CHAIN.c.fund_id, func.max(_CHAIN.c.entry_id).label("entry_id"))
    .where(_CHAIN.c.fund_id.in_(bindparam("ids", expanding=True)))
    .group_by(_CHAIN.c.fund_id)
    .subquery()
)
_CHAIN_HEADS = select(_CHAIN.c.fund_id, _CHAIN.c.hash).join(
    _LAST_LINK, _LAST_LINK.c.entry_id == _CHAIN.c.entry_id
)
_MARK_POSTED = (
    update(_ENTRIES)
    .where(_ENTRIES.c.id.in_(bindparam("ids", expanding=True)))
    .values(status=EntryStatus.POSTED.value)
)
# PostgreSQL: one UPDATE for the whole batch (its statement trigger checks them at once),
# the ids sent as one array rather than hundreds of IN parameters to plan.
_MARK_POSTED_ARRAY = (
    update(_ENTRIES)
    .where(_ENTRIES.c.id == any_(bindparam("ids", type_=postgresql.ARRAY(Integer))))
    .values(status=EntryStatus.POSTED.value)
)


class _AccountFacts(NamedTuple):  # a tuple: built once per account row of a batch
    fund_id: int
    currency: str
    is_open: bool


@dataclass
class _BatchContext:
    """What the checks of a batch need, loaded with a few prebuilt queries per batch."""

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
    session.flush()  # the context is read on the session's connection, without autoflush
    context = _load_context(session, drafts)
    slots: list[tuple[int | None, int]] = []  # (id already posted, or index into `new`)
    new: list[EntryDraft] = []
    pending: dict[str, int] = {}
    for draft in drafts:
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
        _check_draft(draft, context)  # only new entries: a retry succeeds after a period closes
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
    if replay is not None:
        if replay.reverses_id != entry_id:
            raise IdempotencyKeyReused(
                f"Idempotency key {idempotency_key!r} was used for another entry"
            )
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
    session.flush()
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
    account_ids = sorted({p.account_id for d in drafts for p in d.postings})
    fund_ids = sorted({d.fund_id for d in drafts})
    keys = [d.idempotency_key for d in drafts if d.idempotency_key is not None]
    context = _BatchContext({}, {}, {}, {})
    for ids in _chunks(account_ids):
        for account_id, fund_id, currency, is_open in _rows(session, _ACCOUNT_FACTS, ids=ids):
            context.accounts[account_id] = _AccountFacts(fund_id, currency, is_open)
    for ids in _chunks(fund_ids):
        for fund_id, currency, closed in _rows(session, _FUND_FACTS, ids=ids):
            context.fund_currency[fund_id] = currency
            if closed is not None:
                context.closed_through[fund_id] = closed
    for some_keys in _chunks(keys):
        context.existing_keys.update(_rows(session, _IDS_BY_KEY, keys=some_keys))
    return context


def _chunks(values: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _rows(session: Session, statement: Executable, **parameters: object) -> Sequence[Any]:
    """Run a prebuilt Core statement on the session's connection (no ORM on the way)."""
    return session.connection().execute(statement, parameters).all()


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
            raise AccountOfAnotherFund(
                f"Account {posting.account_id} is not in fund {draft.fund_id}"
            )
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
    connection = session.connection()
    heads = _lock_chain_heads(session, sorted({d.fund_id for d in drafts}))
    entry_rows = [_entry_row(d, actor, context, reverses_id) for d in drafts]
    entry_ids = _insert_entries(connection, entry_rows)
    posting_rows = [
        {"entry_id": entry_id, "account_id": p.account_id, "side": p.side.value, "amount": p.amount}
        for entry_id, draft in zip(entry_ids, drafts, strict=True)
        for p in draft.postings
    ]
    _insert_postings(connection, posting_rows)
    if connection.dialect.name == "postgresql":
        connection.execute(_MARK_POSTED_ARRAY, {"ids": entry_ids})
    else:
        for ids in _chunks(entry_ids):
            connection.execute(_MARK_POSTED, {"ids": ids})
    links = _chain_links(heads, entry_ids, entry_rows, drafts)
    if connection.dialect.name == "postgresql":
        _copy(
            connection, "entry_chain", _LINK_COLUMNS, ([r[c] for c in _LINK_COLUMNS] for r in links)
        )
    else:
        connection.execute(_INSERT_LINKS, links)
    _expire_stale(session, entry_ids, {p.account_id for d in drafts for p in d.postings})
    return entry_ids


def _insert_entries(connection: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the draft entries and return their ids, in the order of the rows."""
    if connection.dialect.name == "postgresql":
        # Ids drawn from the sequence first, then one COPY (see _insert_postings).
        ids = list(connection.execute(_NEW_ENTRY_IDS, {"count": len(rows)}).scalars())
        created = utc_now()
        values = (
            [entry_id, created, *(row[c] for c in _ENTRY_COLUMNS)]
            for entry_id, row in zip(ids, rows, strict=True)
        )
        _copy(connection, "entries", ("id", "created_at", *_ENTRY_COLUMNS), values)
        return ids
    # Every new entry has its own key (given or generated), so the keys map the
    # returned ids back to the drafts whatever order the database returns them in.
    returned: Sequence[Any] = connection.execute(_INSERT_ENTRIES, rows).all()
    ids_by_key = dict(returned)
    return [ids_by_key[row["idempotency_key"]] for row in rows]


def _insert_postings(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert the postings: one executemany on SQLite, one COPY on PostgreSQL.

    psycopg's executemany sends an INSERT per row, so the statement-level triggers
    of ``postings`` would run once per posting; COPY is one statement (its triggers
    run once, on the whole batch) and the fastest way in for the rows themselves.
    """
    if connection.dialect.name != "postgresql":
        connection.execute(_INSERT_POSTINGS, rows)
        return
    _copy(connection, "postings", _POSTING_COLUMNS,
          ([row[name] for name in _POSTING_COLUMNS] for row in rows))  # fmt: skip


def _copy(
    connection: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """COPY rows into a table on PostgreSQL, in the connection's transaction.

    The driver's errors are raised as SQLAlchemy raises them (IntegrityError …).
    """
    import psycopg

    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    driver = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as error:
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from error


def _lock_chain_heads(session: Session, fund_ids: Sequence[int]) -> dict[int, str]:
    """Lock the funds (PostgreSQL) and return the hash their chains end with now.

    The lock keeps a fund's writers in line, so each one chains to the last entry the
    previous one posted, and a fund's entries are chained in the order of their ids.
    SQLite needs no lock: it has one writer at a time.
    """
    heads = dict.fromkeys(fund_ids, GENESIS)
    for ids in _chunks(fund_ids):
        if session.get_bind().dialect.name == "postgresql":
            _rows(session, _LOCK_FUNDS, ids=ids)
        heads.update(_rows(session, _CHAIN_HEADS, ids=ids))
    return heads


def _chain_links(
    heads: dict[int, str],
    entry_ids: Sequence[int],
    entry_rows: Sequence[dict[str, Any]],
    drafts: Sequence[EntryDraft],
) -> list[dict[str, object]]:
    """Return the chain rows of new entries, each hashed onto its fund's previous one."""
    links = []
    for entry_id, row, draft in sorted(zip(entry_ids, entry_rows, drafts, strict=True)):
        entry = ChainedEntry(
            entry_id, row["fund_id"], row["date"], row["currency"], row["source_type"],
            row["source_ref"], row["reverses_id"], row["memo"], row["actor"],
        )  # fmt: skip
        postings = [posting_line(p.account_id, p.side.value, p.amount) for p in draft.postings]
        heads[draft.fund_id] = entry_hash(heads[draft.fund_id], entry, postings)
        links.append({"entry_id": entry_id, "fund_id": draft.fund_id, "hash": heads[draft.fund_id]})
    return links


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
    if not session.identity_map:
        return
    stale = {Entry: ("status", set(entry_ids)), Account: ("balance", set(account_ids))}
    # Walk what is loaded (few objects in a bulk import or a request), not every new id.
    for key in list(session.identity_map.keys()):
        model, identity = key[0], key[1]
        attribute, ids = stale.get(model, ("", set()))
        loaded = session.identity_map.get(key) if identity[0] in ids else None
        if loaded is not None:
            session.expire(loaded, [attribute])
