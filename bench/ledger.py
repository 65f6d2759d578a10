"""The ledger benchmark: batch and single posting, balance lookups, verify, trial balances.

The caller hands over an engine on a freshly migrated, empty database (with the
ledger's triggers) and the path of a second, unused SQLite file. The run:

1. opens ``funds`` funds with the savings-fund chart (16 accounts each);
2. posts ``entries`` entries of four postings (two debits, two credits on four
   distinct accounts of one fund) with ``post_many``, ``chunk`` entries per call and
   one commit per call — what a bulk import does: memory stays bounded, a crash
   loses only the chunk in flight, and a rerun with the same idempotency keys
   skips every chunk already committed;
3. inserts the very same entry and posting rows with the standard library's
   ``executemany`` into plain tables (same columns, primary keys only: no triggers,
   checks, foreign keys, unique or secondary indexes) in the second file, with the
   same chunks and commits: the physical limit our batch rate is compared with;
4. posts ``single`` entries one ``post`` and one commit each, as a web request does;
5. times ``balance`` lookups of random accounts, ``verify`` over every fund, and the
   trial balance of every fund (current, and as of the last day).

Times are wall-clock (``time.perf_counter``); rates are per second, latencies in
milliseconds. Nothing here asserts a speed: ``TARGETS`` are reported, met or not.
"""

from __future__ import annotations

import math
import os
import platform
import random
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

import sqlalchemy
from sqlalchemy import Engine, Table, func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from groups.savings.chart import SAVINGS_FUND_CHART
from ledger.balances import balance, trial_balance
from ledger.chart import open_fund
from ledger.db import analyze
from ledger.entries import EntryDraft, Source, SourceType, credit, debit
from ledger.models import Account, Entry, Fund, PostingRow
from ledger.posting import post, post_many
from ledger.verify import verify

ACTOR = "bench"
FIRST_DAY = date(2022, 3, 21)  # 1401/01/01
SPAN_DAYS = 3 * 365
MAX_AMOUNT = 10_000_000
POSTINGS_PER_ENTRY = 4
#: The tables a bulk post grows (``ledger.db.analyze`` after it, on PostgreSQL).
LEDGER_TABLES = ("entries", "postings", "entry_chain", "accounts")

Progress = Callable[[str], None]
Figures = dict[str, Any]


@dataclass(frozen=True)
class BenchConfig:
    """How much to post and time."""

    entries: int = 100_000
    funds: int = 300
    single: int = 1_000
    lookups: int = 1_000
    chunk: int = 1_000
    seed: int = 1404

    def __post_init__(self) -> None:
        counts = {k: v for k, v in asdict(self).items() if k != "seed"}
        if min(counts.values()) < 1:
            raise ValueError(f"Every count must be at least 1: {counts}")


@dataclass(frozen=True)
class Target:
    """A figure the issue asks for, and the bound it should meet."""

    figure: str
    at_least: bool
    bound: float

    def met(self, value: float) -> bool:
        """Return True when the value is on the right side of the bound."""
        return value >= self.bound if self.at_least else value < self.bound

    def __str__(self) -> str:
        return f"{'>=' if self.at_least else '<'} {self.bound:g}"


TARGETS = (
    Target("batch_vs_raw", True, 0.25),
    Target("single_post_p95_ms", False, 5.0),
    Target("balance_lookup_p95_ms", False, 1.0),
    Target("verify_postings_per_s", True, 200_000),
)


def run(engine: Engine, raw_path: Path, config: BenchConfig, progress: Progress = print) -> Figures:
    """Run the whole benchmark and return its figures as a JSON-ready dict."""
    rng = random.Random(config.seed)
    pragmas = raw_pragmas(engine)
    figures: Figures = {"config": asdict(config), "environment": environment(engine, pragmas)}
    with Session(engine) as session:
        _require_empty(session)
        progress(f"Opening {config.funds} funds …")
        accounts = open_funds(session, config.funds)
        drafts = make_drafts(accounts, config.entries, rng, "batch", FIRST_DAY, SPAN_DAYS)
        progress(f"Posting {config.entries} entries in chunks of {config.chunk} …")
        batch_s = post_batch(session, drafts, config.chunk)
        analyze(session, LEDGER_TABLES)  # a bulk load: what the planner knows is out of date
        session.commit()
        progress("Inserting the same rows raw …")
        raw_s = insert_raw(session, raw_path, config.chunk, pragmas)
        figures |= _batch_figures(len(drafts), batch_s, raw_s)
        progress(f"Posting {config.single} single entries …")
        last_day = FIRST_DAY + timedelta(days=SPAN_DAYS)
        singles = make_drafts(accounts, config.single, rng, "single", last_day, 0)
        figures |= time_singles(session, singles)
        progress("Timing balance lookups, verify and trial balances …")
        all_accounts = [a for ids in accounts.values() for a in ids]
        figures |= _latency_figures(
            "balance_lookup", time_lookups(session, all_accounts, rng, config.lookups)
        )
        figures |= time_verify(session)
        figures |= time_trial_balances(session, sorted(accounts), last_day)
    figures["targets"] = target_report(figures)
    return figures


# --- setting up ------------------------------------------------------------------------------


def _require_empty(session: Session) -> None:
    if session.scalar(select(func.count()).select_from(Fund)):
        raise ValueError("The benchmark needs a freshly migrated, empty database")


def open_funds(session: Session, count: int) -> dict[int, list[int]]:
    """Open funds with the savings chart, commit, and return each fund's account ids."""
    fund_ids = [
        open_fund(session, f"Bench fund {n + 1}", chart=SAVINGS_FUND_CHART).id for n in range(count)
    ]
    session.commit()
    accounts: dict[int, list[int]] = {fund_id: [] for fund_id in fund_ids}
    for fund_id, account_id in session.execute(select(Account.fund_id, Account.id)):
        accounts[fund_id].append(account_id)
    return accounts


def make_drafts(
    accounts: dict[int, list[int]],
    count: int,
    rng: random.Random,
    prefix: str,
    first_day: date,
    span_days: int,
) -> list[EntryDraft]:
    """Return entries of four postings, round-robin over the funds, dated in order."""
    fund_ids = sorted(accounts)
    return [
        _draft(i, fund_ids[i % len(fund_ids)], accounts, rng, prefix, first_day, span_days, count)
        for i in range(count)
    ]


def _draft(
    i: int,
    fund_id: int,
    accounts: dict[int, list[int]],
    rng: random.Random,
    prefix: str,
    first_day: date,
    span_days: int,
    count: int,
) -> EntryDraft:
    a, b, c, d = rng.sample(accounts[fund_id], 4)
    x, y = rng.randint(1, MAX_AMOUNT), rng.randint(1, MAX_AMOUNT)
    z = rng.randint(1, x + y - 1)
    return EntryDraft(
        fund_id=fund_id,
        date=first_day + timedelta(days=i * span_days // max(count, 1)),
        memo=f"Bench {prefix} entry {i}",
        postings=(debit(a, x), debit(b, y), credit(c, z), credit(d, x + y - z)),
        source=Source(SourceType.MEETING, f"{prefix}-meeting-{i // 20}"),
        idempotency_key=f"bench-{prefix}-{i}",
    )


# --- posting ---------------------------------------------------------------------------------


def post_batch(session: Session, drafts: Sequence[EntryDraft], chunk: int) -> float:
    """Post the drafts chunk by chunk, committing each chunk; return the seconds taken."""
    started = perf_counter()
    for start in range(0, len(drafts), chunk):
        post_many(session, drafts[start : start + chunk], ACTOR)
        session.commit()
    return perf_counter() - started


def time_singles(session: Session, drafts: Sequence[EntryDraft]) -> Figures:
    """Post each draft in its own transaction; return post + commit and post-alone latencies."""
    with_commit, without_commit = [], []
    for draft in drafts:
        started = perf_counter()
        post(session, draft, ACTOR)
        posted = perf_counter()
        session.commit()
        with_commit.append(perf_counter() - started)
        without_commit.append(posted - started)
    return _latency_figures("single_post", with_commit) | _latency_figures(
        "single_post_without_commit", without_commit
    )


# --- the raw reference -----------------------------------------------------------------------


def insert_raw(session: Session, raw_path: Path, chunk: int, pragmas: dict[str, Any]) -> float:
    """Copy the posted rows into plain tables of a fresh file with executemany; return seconds.

    The rows are read (untimed) from the ledger's database, so both hold the very
    same values; each chunk of ``chunk`` entries with their postings is one transaction,
    and the file has the ledger database's journal mode and synchronous setting.
    """
    entries, postings = _ledger_rows(session)
    connection = sqlite3.connect(raw_path, isolation_level=None)
    try:
        for name, value in pragmas.items():
            connection.execute(f"PRAGMA {name}={value}")
        for table in (Entry.__table__, PostingRow.__table__):
            connection.execute(plain_ddl(table))  # type: ignore[arg-type]
        return _timed_raw_inserts(connection, entries, postings, chunk)
    finally:
        connection.close()


def _ledger_rows(session: Session) -> tuple[list[tuple[Any, ...]], list[list[tuple[Any, ...]]]]:
    """Return the entry rows, and the posting rows grouped by entry, as SQLite stores them."""
    connection = session.connection()
    entry_columns = ", ".join(c.name for c in Entry.__table__.columns)
    posting_columns = ", ".join(c.name for c in PostingRow.__table__.columns)
    entries = [
        tuple(row)
        for row in connection.exec_driver_sql(f"SELECT {entry_columns} FROM entries ORDER BY id")
    ]
    rows = connection.exec_driver_sql(
        f"SELECT {posting_columns} FROM postings ORDER BY entry_id, id"
    ).all()
    session.rollback()
    by_entry: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_entry.setdefault(row[1], []).append(tuple(row))
    return entries, [by_entry.get(e[0], []) for e in entries]


def plain_ddl(table: Table) -> str:
    """Return CREATE TABLE with the table's columns and types, its primary key and nothing else."""
    dialect = sqlite.dialect()
    columns = [
        f"{c.name} {c.type.compile(dialect=dialect)}{' PRIMARY KEY' if c.primary_key else ''}"
        for c in table.columns
    ]
    return f"CREATE TABLE {table.name} ({', '.join(columns)})"


def _timed_raw_inserts(
    connection: sqlite3.Connection,
    entries: Sequence[tuple[Any, ...]],
    postings: Sequence[list[tuple[Any, ...]]],
    chunk: int,
) -> float:
    entry_sql, posting_sql = _insert_sql(Entry.__table__), _insert_sql(PostingRow.__table__)
    started = perf_counter()
    for start in range(0, len(entries), chunk):
        connection.execute("BEGIN")
        connection.executemany(entry_sql, entries[start : start + chunk])
        connection.executemany(
            posting_sql, [p for ps in postings[start : start + chunk] for p in ps]
        )
        connection.execute("COMMIT")
    return perf_counter() - started


def _insert_sql(table: Any) -> str:
    return f"INSERT INTO {table.name} VALUES ({', '.join('?' * len(table.columns))})"


# --- reading ---------------------------------------------------------------------------------


def time_lookups(
    session: Session, account_ids: Sequence[int], rng: random.Random, count: int
) -> list[float]:
    """Return the seconds each balance lookup of a random account took."""
    times = []
    for account_id in rng.choices(account_ids, k=count):
        started = perf_counter()
        balance(session, account_id)
        times.append(perf_counter() - started)
    session.rollback()
    return times


def time_verify(session: Session) -> Figures:
    """Verify every fund; return the time, the postings checked per second and the problems."""
    postings = session.scalar(select(func.count()).select_from(PostingRow)) or 0
    started = perf_counter()
    problems = verify(session)
    seconds = perf_counter() - started
    session.rollback()
    return {
        "verify_s": seconds,
        "verify_postings": postings,
        "verify_postings_per_s": postings / seconds,
        "problems": [str(p) for p in problems],
        "books_verify": not problems,
    }


def time_trial_balances(session: Session, fund_ids: Sequence[int], as_of: date) -> Figures:
    """Time every fund's trial balance, current (stored) and as of a day (summed postings)."""
    current, summed, unbalanced = [], [], 0
    for fund_id in fund_ids:
        started = perf_counter()
        unbalanced += not trial_balance(session, fund_id).is_balanced
        current.append(perf_counter() - started)
        started = perf_counter()
        unbalanced += not trial_balance(session, fund_id, as_of).is_balanced
        summed.append(perf_counter() - started)
    session.rollback()
    return {
        **_latency_figures("trial_balance", current),
        **_latency_figures("trial_balance_as_of", summed),
        "trial_balance_all_funds_s": sum(current),
        "unbalanced_trial_balances": unbalanced,
    }


# --- figures ---------------------------------------------------------------------------------


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Return the nearest-rank percentile of the samples (fraction 0.95 for p95)."""
    ordered = sorted(samples)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def _latency_figures(name: str, seconds: Sequence[float]) -> Figures:
    return {
        f"{name}_p50_ms": percentile(seconds, 0.50) * 1000,
        f"{name}_p95_ms": percentile(seconds, 0.95) * 1000,
        f"{name}_max_ms": max(seconds) * 1000,
    }


def _batch_figures(entries: int, batch_s: float, raw_s: float) -> Figures:
    postings = entries * POSTINGS_PER_ENTRY
    return {
        "batch_s": batch_s,
        "batch_entries_per_s": entries / batch_s,
        "batch_postings_per_s": postings / batch_s,
        "raw_s": raw_s,
        "raw_entries_per_s": entries / raw_s,
        "raw_postings_per_s": postings / raw_s,
        "batch_vs_raw": raw_s / batch_s,
    }


def target_report(figures: Figures, targets: Sequence[Target] = TARGETS) -> dict[str, Figures]:
    """Return each target with the measured value and whether it is met."""
    report = {}
    for target in targets:
        value = figures[target.figure]
        report[target.figure] = {"target": str(target), "value": value, "met": target.met(value)}
    return report


def target_lines(report: dict[str, Figures]) -> list[str]:
    """Return the lines that print a target report on a terminal (every benchmark's last)."""
    lines = ["Targets:"]
    for name, figure in report.items():
        status = "met" if figure["met"] else "MISSED"
        lines.append(f"  {name:<24}{figure['value']:>14,.3f}  {figure['target']:<12}{status}")
    return lines


def raw_pragmas(engine: Engine) -> dict[str, Any]:
    """Return the SQLite settings that decide what a commit costs (journal, fsync).

    On SQLite, the ledger database's own; on PostgreSQL, those of every SQLite
    connection Sandogh opens (``ledger.db``), for the raw reference file.
    """
    if engine.dialect.name != "sqlite":
        return {"journal_mode": "wal", "synchronous": 2}
    with engine.connect() as connection:
        return {
            name: connection.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "synchronous")
        }


#: The PostgreSQL settings that decide what a commit and a plan cost.
POSTGRESQL_SETTINGS = (
    "server_version", "synchronous_commit", "fsync", "wal_level", "shared_buffers",
    "work_mem", "random_page_cost", "effective_cache_size", "autovacuum", "jit",
)  # fmt: skip


def database_settings(engine: Engine) -> Figures:
    """Return the database's name and, on PostgreSQL, the settings that matter here."""
    if engine.dialect.name != "postgresql":
        return {"database": engine.dialect.name}
    with engine.connect() as connection:
        settings = {
            name: connection.execute(text(f"SHOW {name}")).scalar() for name in POSTGRESQL_SETTINGS
        }
    return {"database": "postgresql", "postgresql_settings": settings}


def environment(engine: Engine, pragmas: dict[str, Any]) -> Figures:
    """Return the versions, machine and database settings a run's figures depend on."""
    return {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "sqlite_pragmas": pragmas,
        **database_settings(engine),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


# --- printing --------------------------------------------------------------------------------

LINES = (
    (
        "Batch post_many",
        "{batch_entries_per_s:,.0f} entries/s, {batch_postings_per_s:,.0f} postings/s",
    ),
    ("Raw executemany", "{raw_entries_per_s:,.0f} entries/s, {raw_postings_per_s:,.0f} postings/s"),
    ("Batch / raw", "{batch_vs_raw:.1%}"),
    ("Single post+commit", "p50 {single_post_p50_ms:.2f} ms, p95 {single_post_p95_ms:.2f} ms"),
    (
        "  of which post",
        "p50 {single_post_without_commit_p50_ms:.2f} ms, "
        "p95 {single_post_without_commit_p95_ms:.2f} ms",
    ),
    ("Balance lookup", "p50 {balance_lookup_p50_ms:.3f} ms, p95 {balance_lookup_p95_ms:.3f} ms"),
    ("Verify", "{verify_postings_per_s:,.0f} postings/s ({verify_postings:,} in {verify_s:.2f} s)"),
    ("Trial balance", "p50 {trial_balance_p50_ms:.2f} ms per fund, current"),
    ("Trial balance as of", "p50 {trial_balance_as_of_p50_ms:.2f} ms per fund, from postings"),
)


def render(figures: Figures) -> str:
    """Return the figures and targets as lines of text for a terminal."""
    lines = [f"{label:<22}{pattern.format(**figures)}" for label, pattern in LINES]
    lines.append(f"{'Books':<22}{'verify OK' if figures['books_verify'] else 'PROBLEMS'}")
    return "\n".join(lines + target_lines(figures["targets"]))
