"""The reports benchmark: statements, a batch, the facilitator dashboard and programme KPIs.

The database is built once with the meetings benchmark's own fund generator
(``bench.meetings``: weekly meetings of 25-member funds, loans with a guarantor,
repayments now and then late, fines), on a SQLite file with fast (unsafe) commit
settings, since building is not what is timed. A built file can be reused with
``--database``. Then, on that database:

1. a one-page member statement of one fund's member, data + PDF, ``samples`` times;
2. a 30-member batch: one fund's statements in one PDF (the first 30 members);
3. the facilitator dashboard data: every fund's KPIs and flags, ranked, as of the
   last meeting (what the dashboard page shows for 300 funds);
4. programme KPIs: the same rolled up for the programme, as ``sandogh report kpis``
   computes them (all funds, one JSON document).

Times are wall-clock (``time.perf_counter``); nothing here asserts a speed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.orm import Session

from bench.meetings import FIRST_MEETING, MeetingsConfig, create_funds, plan_meeting
from groups.savings.meetings import record_meeting
from ledger.models import Fund

Figures = dict[str, Any]
Progress = Callable[[str], None]


def fast_engine(path: Path) -> Engine:
    """Return an engine on a SQLite file with WAL and no fsync: for building, not for timing."""
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    return engine


def build_funds(engine: Engine, funds: int, weeks: int, progress: Progress) -> list[int]:
    """Create ``funds`` 25-member funds and record ``weeks`` weekly meetings of each."""
    config = MeetingsConfig(funds=funds, weeks=weeks)
    rng = random.Random(config.seed)
    fund_ids = create_funds(engine, config)
    for week in range(weeks):
        on = FIRST_MEETING + timedelta(weeks=week)
        with Session(engine) as session:
            for fund_id in fund_ids:
                command = plan_meeting(session, fund_id, on, f"bench-{fund_id}-{week}", rng, config)
                record_meeting(session, fund_id, command, "bench")
                session.commit()
        progress(f"Week {week + 1}/{weeks} of {funds} funds recorded")
    return fund_ids


def fund_ids_of(engine: Engine) -> list[int]:
    """Return the ids of the funds already in the database."""
    with Session(engine) as session:
        return list(session.scalars(select(Fund.id).order_by(Fund.id)))


def count_funds(engine: Engine) -> int:
    """Return how many funds the database holds."""
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Fund)) or 0)
