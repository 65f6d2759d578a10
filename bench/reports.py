"""The reports benchmark: a statement, a 30-member batch, the facilitator dashboard, programme KPIs.

The database is built once with the meetings benchmark's own fund generator
(``bench.meetings``: weekly meetings of 25-member funds, loans with a guarantor,
repayments now and then late, fines), every meeting through ``record_meeting``, plus
one 30-member fund for the batch, on a SQLite
file with fast (unsafe) commit settings, since building is not what is timed. A
built file can be reused with ``--database``. Then, on that database, each in a
fresh session:

1. a one-page member statement (data + PDF) of the 30-member fund's first member,
   ``samples`` times after a first, cold call (fonts and WeasyPrint loaded) timed apart;
2. the 30-member batch: every statement of that fund laid out on its own, the pages
   joined in one PDF (``reports.render.pdf_of_many``);
3. the facilitator dashboard data: every fund's KPIs and flags, ranked, as of the
   last meeting (``reports.monitoring.fund_statuses`` + ``ranked``, committed as the
   web view does). Meetings do not measure their fund; the first dashboard after them
   does, once (``refresh_snapshots``). So the database's snapshots are first brought up
   to the day before the last week (as if a facilitator looked every week, untimed),
   then the first dashboard, which measures the last week's meetings of every fund, is
   timed apart from the next ones (the median); for comparison, the same computed
   from the books (``computed_statuses``);
4. programme KPIs: ``reports.monitoring.kpis_document`` over all funds, as
   ``sandogh report kpis --json`` computes them.

Times are wall-clock (``time.perf_counter``), medians of the samples; nothing here
asserts a speed: ``TARGETS`` are reported, met or not.
"""

from __future__ import annotations

import platform
import random
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.orm import Session

from bench import ledger as ledger_bench
from bench.ledger import Target
from bench.meetings import FIRST_MEETING, MeetingsConfig, constitution, create_funds, plan_meeting
from groups.savings.funds import add_member, create_fund, start_cycle
from groups.savings.meetings import record_meeting
from groups.savings.models import Meeting, SavingsFund
from groups.savings.snapshots import FundSnapshot, refresh_snapshots
from ledger.models import Fund

Figures = dict[str, Any]
Progress = Callable[[str], None]

BATCH_FUND = "Bench batch fund"
TARGETS = (
    Target("statement_s", False, 0.5),
    Target("batch_s", False, 10.0),
    Target("dashboard_ms", False, 300.0),
    Target("programme_kpis_s", False, 2.0),
)


@dataclass(frozen=True)
class ReportsConfig:
    """How many funds and weeks to build, how many members in the batch, how many samples."""

    funds: int = 300
    weeks: int = 52
    batch_members: int = 30
    batch_weeks: int = 12
    samples: int = 5
    seed: int = 1405

    def __post_init__(self) -> None:
        if min(asdict(self).values()) < 1:
            raise ValueError(f"Every count must be at least 1: {asdict(self)}")


def run(engine: Engine, config: ReportsConfig, progress: Progress = print) -> Figures:
    """Build the database when it is empty, then time the four reports; return the figures."""
    if count_funds(engine) == 0:
        started = perf_counter()
        build_funds(engine, config, progress)
        progress(f"Built in {perf_counter() - started:.0f} s")
    if _batch_fund_id(engine) is None:
        build_batch_fund(engine, config)
    batch_fund = _batch_fund_id(engine)
    assert batch_fund is not None
    figures: Figures = {"funds": count_funds(engine), "samples": config.samples}
    with Session(engine) as session:
        figures["meetings"] = session.scalar(select(func.count()).select_from(Meeting))
        last = session.scalar(select(func.max(Meeting.date)))
        assert last is not None
        refresh_snapshots(session, None, last - timedelta(days=7))
        session.commit()
    progress("Timing statements …")
    figures |= time_statements(engine, batch_fund, config.samples)
    progress("Timing the dashboard and programme KPIs …")
    figures |= time_monitoring(engine, last, config.samples)
    with Session(engine) as session:
        figures["snapshots"] = session.scalar(select(func.count()).select_from(FundSnapshot))
    figures["machine"] = f"{platform.machine()}, {platform.python_version()}"
    figures["targets"] = target_report(figures)
    return figures


# -- building --------------------------------------------------------------------------------


def fast_engine(path: Path) -> Engine:
    """Return an engine on a SQLite file with WAL and no fsync: for building, not for timing."""
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    return engine


def build_funds(engine: Engine, config: ReportsConfig, progress: Progress) -> list[int]:
    """Create the funds and record their weekly meetings, week by week (a commit each)."""
    meetings = MeetingsConfig(funds=config.funds, weeks=config.weeks, seed=config.seed)
    rng = random.Random(config.seed)
    fund_ids = create_funds(engine, meetings)
    started = perf_counter()
    for week in range(config.weeks):
        _meet_all(engine, fund_ids, week, rng, meetings)
        elapsed = perf_counter() - started
        progress(
            f"Week {week + 1}/{config.weeks} of {config.funds} funds recorded ({elapsed:.0f} s)"
        )
    return fund_ids


def _meet_all(
    engine: Engine, fund_ids: list[int], week: int, rng: random.Random, config: MeetingsConfig
) -> None:
    on = FIRST_MEETING + timedelta(weeks=week)
    with Session(engine) as session:
        for fund_id in fund_ids:
            command = plan_meeting(session, fund_id, on, f"bench-{fund_id}-{week}", rng, config)
            record_meeting(session, fund_id, command, "bench")
            session.commit()


def build_batch_fund(engine: Engine, config: ReportsConfig) -> int:
    """Create the fund of ``batch_members`` whose statements are printed, with its meetings."""
    founded = FIRST_MEETING - timedelta(days=7)
    with Session(engine) as session:
        fund_id = create_fund(session, name=BATCH_FUND, founded_on=founded).fund_id
        start_cycle(session, fund_id, founded, constitution())
        for m in range(config.batch_members):
            add_member(session, fund_id, f"عضو {m + 1}", founded)
        session.commit()
    meetings = MeetingsConfig(funds=1, members=config.batch_members, seed=config.seed)
    rng = random.Random(config.seed)
    for week in range(config.batch_weeks):
        _meet_all(engine, [fund_id], week, rng, meetings)
    return fund_id


def count_funds(engine: Engine) -> int:
    """Return how many savings funds the database holds."""
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(SavingsFund)) or 0)


def _batch_fund_id(engine: Engine) -> int | None:
    with Session(engine) as session:
        return session.scalar(select(Fund.id).where(Fund.name == BATCH_FUND))


# -- timing ----------------------------------------------------------------------------------


def _timed(engine: Engine, work: Callable[[Session], Any]) -> tuple[float, Any]:
    """Return the seconds ``work`` took in a fresh session, and what it returned."""
    with Session(engine) as session:
        started = perf_counter()
        result = work(session)
        return perf_counter() - started, result


def _median(engine: Engine, work: Callable[[Session], Any], samples: int) -> tuple[float, Any]:
    runs = [_timed(engine, work) for _ in range(samples)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def time_statements(engine: Engine, fund_id: int, samples: int) -> Figures:
    """Time one member's statement (cold, then warm) and the fund's batch, data + PDF."""
    from reports import render
    from reports.statement import statements_of_fund

    with Session(engine) as session:
        first_member = statements_of_fund(session, fund_id)[0].member_id

    def one(session: Session) -> int:
        statement = statements_of_fund(session, fund_id, member_ids=[first_member])[0]
        return render.pdf_with_pages(render.html_of(statement))[1]

    def batch(session: Session) -> tuple[int, int]:
        statements = statements_of_fund(session, fund_id)
        return len(statements), render.pdf_of_many(statements)[1]

    cold, pages_of_one = _timed(engine, one)
    warm, _ = _median(engine, one, samples)
    batch_s, (members, pages) = _median(engine, batch, max(1, min(samples, 3)))
    return {
        "statement_first_s": round(cold, 3),
        "statement_s": round(warm, 3),
        "statement_pages": pages_of_one,
        "batch_s": round(batch_s, 3),
        "batch_members": members,
        "batch_pages": pages,
    }


def time_monitoring(engine: Engine, as_of: date | None, samples: int) -> Figures:
    """Time the dashboard (stored and recomputed) and the programme KPIs as of a day."""
    from reports.monitoring import (
        FundStatus,
        computed_statuses,
        fund_statuses,
        kpis_document,
        ranked,
    )

    def dashboard(session: Session) -> list[FundStatus]:
        statuses = ranked(fund_statuses(session, as_of=as_of))
        session.commit()  # as the web view does: the snapshots measured now are kept
        return statuses

    first_s, _ = _timed(engine, dashboard)
    dashboard_s, statuses = _median(engine, dashboard, samples)
    recomputed_s, recomputed = _timed(engine, lambda s: computed_statuses(s, as_of=as_of))
    kpis_s, document = _median(engine, lambda s: kpis_document(s, as_of=as_of), samples)
    same = sorted(statuses, key=lambda s: s.fund_id) == sorted(recomputed, key=lambda s: s.fund_id)
    return {
        "dashboard_first_ms": round(first_s * 1000, 1),
        "dashboard_ms": round(dashboard_s * 1000, 1),
        "dashboard_recomputed_ms": round(recomputed_s * 1000, 1),
        "dashboard_funds": len(statuses),
        "dashboard_flagged_funds": sum(1 for s in statuses if s.flags),
        "dashboard_equals_recomputed": same,
        "programme_kpis_s": round(kpis_s, 3),
        "programme_funds": document["programme"]["funds"],
    }


def target_report(figures: Figures) -> dict[str, Figures]:
    """Return each target with the measured value and whether it is met."""
    return ledger_bench.target_report(figures, TARGETS)


LINES = (
    ("Database", "{funds:,} funds, {meetings:,} meetings, {snapshots:,} snapshots"),
    ("Statement, first", "{statement_first_s:.3f} s (fonts and WeasyPrint loaded)"),
    ("Statement", "{statement_s:.3f} s ({statement_pages} page)"),
    ("Batch", "{batch_s:.3f} s ({batch_members} members, {batch_pages} pages)"),
    (
        "Dashboard",
        "{dashboard_ms:.1f} ms ({dashboard_funds} funds, {dashboard_flagged_funds} flagged)",
    ),
    ("  after a week", "{dashboard_first_ms:.1f} ms (the first: measures the week's meetings)"),
    ("  recomputed", "{dashboard_recomputed_ms:.1f} ms (same: {dashboard_equals_recomputed})"),
    ("Programme KPIs", "{programme_kpis_s:.3f} s ({programme_funds} funds)"),
)


def render_figures(figures: Figures) -> str:
    """Return the figures and targets as lines of text for a terminal."""
    lines = [f"{label:<20}{pattern.format(**figures)}" for label, pattern in LINES]
    lines.append(f"Medians of {figures['samples']} runs; {figures['machine']}")
    return "\n".join(lines + ledger_bench.target_lines(figures["targets"]))
