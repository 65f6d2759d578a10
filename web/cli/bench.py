"""``sandogh bench …``: the benchmarks (ledger, meetings, reports, register, compare).

Each builds a fresh database, runs its workload and prints the figures against their
targets (``docs/benchmarks.md``); ``--json`` also writes them to a file. ``ledger`` and
``meetings`` run on a temporary SQLite file, or with ``--database-url`` on PostgreSQL
in a schema of their own that is dropped afterwards; ``compare`` divides the figures
of two such runs.
"""

from __future__ import annotations

import json
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

JSON_OUTPUT = click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the figures to this file as JSON.",
)
DATABASE_URL = click.option(
    "--database-url",
    metavar="URL",
    help="Run on this PostgreSQL database, in a schema of its own dropped afterwards "
    "(default: a temporary SQLite file).",
)


@click.group()
def bench() -> None:
    """Measure how fast Sandogh is."""


@bench.command("ledger")
@click.option("-n", "--entries", default=100_000, show_default=True, type=click.IntRange(min=1))
@click.option("--funds", default=300, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--single",
    default=1_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Single posts to time, one commit each.",
)
@DATABASE_URL
@click.option(
    "--keep",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Build the books in this new SQLite file and keep it (to compare with other tools).",
)
@JSON_OUTPUT
def bench_ledger(
    entries: int,
    funds: int,
    single: int,
    database_url: str | None,
    keep: Path | None,
    json_path: Path | None,
) -> None:
    """Post entries on a fresh database and print the ledger's speed against its targets.

    Exits with 1 only when the books do not verify afterwards; a missed target is reported.
    """
    from bench.ledger import BenchConfig, render, run

    if keep is not None and keep.exists():
        raise click.BadParameter(f"{keep} exists; give a new file", param_hint="--keep")
    config = BenchConfig(entries=entries, funds=funds, single=single)
    with tempfile.TemporaryDirectory(prefix="sandogh-bench-") as folder:
        kept = f"sqlite:///{keep.resolve()}" if keep is not None else None
        url = database_url or kept or f"sqlite:///{Path(folder) / 'ledger.db'}"
        with migrated_engine(url) as engine:
            figures = run(engine, Path(folder) / "raw.db", config, _echo_progress)
    click.echo(render(figures))
    _write_json(figures, json_path)
    if not figures["books_verify"]:
        sys.exit(1)  # a missed target is a figure; books that do not verify are a failure


@bench.command("meetings")
@click.option("--funds", default=300, show_default=True, type=click.IntRange(min=1))
@click.option("--members", default=25, show_default=True, type=click.IntRange(min=2))
@click.option("--weeks", default=52, show_default=True, type=click.IntRange(min=1))
@DATABASE_URL
@JSON_OUTPUT
def bench_meetings(
    funds: int, members: int, weeks: int, database_url: str | None, json_path: Path | None
) -> None:
    """Record a year of weekly meetings of many funds on a fresh database and time them.

    Exits with 1 only when the books do not verify afterwards; a missed target is reported.
    """
    from bench.meetings import MeetingsConfig, render, run

    config = MeetingsConfig(funds=funds, members=members, weeks=weeks)
    with tempfile.TemporaryDirectory(prefix="sandogh-bench-") as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'savings.db'}"
        with migrated_engine(url) as engine:
            figures = run(engine, config, _echo_progress)
    click.echo(render(figures))
    _write_json(figures, json_path)
    if not figures["books_verify"] or figures["unbalanced_fund_reports"]:
        sys.exit(1)


@bench.command("reports")
@click.option("--funds", default=300, show_default=True, type=click.IntRange(min=1))
@click.option("--weeks", default=52, show_default=True, type=click.IntRange(min=1))
@click.option("--samples", default=5, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--database",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file to build once and reuse (default: a temporary one).",
)
@JSON_OUTPUT
def bench_reports(
    funds: int, weeks: int, samples: int, database: Path | None, json_path: Path | None
) -> None:
    """Time a statement, a 30-member batch, the dashboard of many funds and programme KPIs.

    Building a year of meetings of 300 funds takes minutes; --database keeps the file.
    Exits with 1 only when the dashboard differs from its recomputation.
    """
    from bench.reports import ReportsConfig, fast_engine, render_figures, run

    config = ReportsConfig(funds=funds, weeks=weeks, samples=samples)
    with tempfile.TemporaryDirectory(prefix="sandogh-bench-") as folder:
        path = database or Path(folder) / "reports.db"
        with migrated_engine(f"sqlite:///{path.resolve()}"):
            pass
        engine = fast_engine(path)
        figures = run(engine, config, _echo_progress)
        engine.dispose()
    click.echo(render_figures(figures))
    _write_json(figures, json_path)
    if not figures["dashboard_equals_recomputed"]:
        sys.exit(1)


@bench.command("register")
@click.option("--women", default=4_800, show_default=True, type=click.IntRange(min=10))
@click.option("--dedup-records", default=1_000_000, show_default=True, type=click.IntRange(min=10))
@JSON_OUTPUT
def bench_register(women: int, dedup_records: int, json_path: Path | None) -> None:
    """Import three agencies' files (6,000 rows), de-duplicate, report; match 1,000,000 records."""
    from bench.register import RegisterConfig, render, run

    config = RegisterConfig(women=women, dedup_records=dedup_records)
    with (
        tempfile.TemporaryDirectory(prefix="sandogh-bench-") as folder,
        migrated_engine(f"sqlite:///{Path(folder) / 'register.db'}") as engine,
    ):
        figures = run(engine, config, _echo_progress)
    click.echo(render(figures))
    _write_json(figures, json_path)


@bench.command("compare")
@click.argument("sqlite_json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("postgresql_json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def bench_compare(sqlite_json: Path, postgresql_json: Path) -> None:
    """Print PostgreSQL ÷ SQLite for two --json files of one benchmark (ledger or meetings).

    Exits with 1 when a ratio misses its target (post_many ≤ 2×, meeting p95 ≤ 1.5×).
    """
    from bench.compare import compare, render

    try:
        ratios = compare(
            json.loads(sqlite_json.read_text(encoding="utf-8")),
            json.loads(postgresql_json.read_text(encoding="utf-8")),
        )
    except (ValueError, KeyError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(render(ratios))
    if any(ratio.met is False for ratio in ratios):
        sys.exit(1)


@contextmanager
def migrated_engine(url: str) -> Iterator[Engine]:
    """Yield an engine on a freshly migrated database: the SQLite file, or a new PG schema."""
    from flask_migrate import upgrade

    from web import create_app
    from web.config import normalise_database_url
    from web.extensions import db

    url = normalise_database_url(url)
    with _private_schema(url) as engine_options:
        overrides = {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": engine_options}
        app = create_app(overrides)
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            try:
                yield db.engine
            finally:
                db.engine.dispose()


@contextmanager
def _private_schema(url: str) -> Iterator[dict[str, Any]]:
    """On PostgreSQL, make a schema for this run and drop it afterwards."""
    from sqlalchemy import create_engine, text

    from web.config import normalise_database_url

    if not url.startswith(("postgresql", "postgres")):
        yield {}
        return
    schema = f"sandogh_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_database_url(url))
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _write_json(figures: dict[str, Any], path: Path | None) -> None:
    if path is not None:
        payload = json.dumps(figures, indent=2, ensure_ascii=False, default=str)
        path.write_text(payload + "\n", encoding="utf-8")
        click.echo(f"Wrote {path}", err=True)


def _echo_progress(message: str) -> None:
    click.echo(message, err=True)
