"""The ``sandogh`` command: Flask's CLI group on the app factory, plus Sandogh's commands."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from ledger.errors import DomainError
from ledger.export import FORMATS, export_journal
from ledger.verify import verify
from web import create_app
from web.extensions import db
from web.fund_cli import fund
from web.ops_cli import attach as attach_ops
from web.register_cli import attach as attach_register
from web.report_cli import report
from web.token_cli import token


@click.group(cls=FlaskGroup, create_app=create_app)
def main() -> None:
    """Sandogh: the ledger of community savings funds."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--on-existing-data",
    is_flag=True,
    help="Run on a database holding data the demo did not create (adds its known-password users).",
)
@with_appcontext
def demo(host: str, port: int, on_existing_data: bool) -> None:
    """Migrate the database, load the demo if it is empty, create the demo users, and serve.

    Refuses a database holding data the demo did not create (web/demo_serve.py).
    """
    from web.demo_serve import run_demo

    run_demo(current_app._get_current_object(), host, port, on_existing_data)  # type: ignore[attr-defined]


@main.group()
def ledger() -> None:
    """Check and export the books."""


@ledger.command("verify")
@click.option("--fund", "fund_id", type=int, help="Check one fund (default: all).")
@with_appcontext
def verify_command(fund_id: int | None) -> None:
    """Recompute every balance and check every guarantee; print OK or each problem."""
    problems = verify(db.session(), fund_id)
    if not problems:
        click.echo("OK")
        return
    for problem in problems:
        click.echo(str(problem))
    sys.exit(1)


@ledger.command("export")
@click.option("--fund", "fund_id", type=int, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_command(fund_id: int, fmt: str, output: Path | None) -> None:
    """Write the fund's journal for Beancount or hledger."""
    try:
        text = export_journal(db.session(), fund_id, fmt)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)


@main.group()
def bench() -> None:
    """Measure how fast Sandogh is."""


@bench.command("ledger", with_appcontext=False)
@click.option("-n", "--entries", default=100_000, show_default=True, type=click.IntRange(min=1))
@click.option("--funds", default=300, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--single",
    default=1_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Single posts to time, one commit each.",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the figures to this file as JSON.",
)
def bench_ledger(entries: int, funds: int, single: int, json_path: Path | None) -> None:
    """Post entries on a fresh SQLite database and print the ledger's speed against its targets.

    Exits with 1 only when the books do not verify afterwards; a missed target is reported.
    """
    from bench.ledger import BenchConfig, render, run

    config = BenchConfig(entries=entries, funds=funds, single=single)
    with tempfile.TemporaryDirectory(prefix="sandogh-bench-") as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'ledger.db'}"})
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            figures = run(db.engine, Path(folder) / "raw.db", config, _echo_progress)
            db.engine.dispose()
    click.echo(render(figures))
    if json_path is not None:
        payload = json.dumps(figures, indent=2, ensure_ascii=False)
        json_path.write_text(payload + "\n", encoding="utf-8")
        click.echo(f"Wrote {json_path}", err=True)
    if not figures["books_verify"]:
        sys.exit(1)  # a missed target is a figure; books that do not verify are a failure


@bench.command("meetings", with_appcontext=False)
@click.option("--funds", default=300, show_default=True, type=click.IntRange(min=1))
@click.option("--members", default=25, show_default=True, type=click.IntRange(min=2))
@click.option("--weeks", default=52, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the figures to this file as JSON.",
)
def bench_meetings(funds: int, members: int, weeks: int, json_path: Path | None) -> None:
    """Record a year of weekly meetings of many funds on a fresh SQLite database and time them.

    Exits with 1 only when the books do not verify afterwards; a missed target is reported.
    """
    from bench.meetings import MeetingsConfig, render, run

    config = MeetingsConfig(funds=funds, members=members, weeks=weeks)
    with tempfile.TemporaryDirectory(prefix="sandogh-bench-") as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'savings.db'}"})
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            figures = run(db.engine, config, _echo_progress)
            db.engine.dispose()
    click.echo(render(figures))
    if json_path is not None:
        payload = json.dumps(figures, indent=2, ensure_ascii=False, default=str)
        json_path.write_text(payload + "\n", encoding="utf-8")
        click.echo(f"Wrote {json_path}", err=True)
    if not figures["books_verify"] or figures["unbalanced_fund_reports"]:
        sys.exit(1)


@bench.command("reports", with_appcontext=False)
@click.option("--funds", default=300, show_default=True, type=click.IntRange(min=1))
@click.option("--weeks", default=52, show_default=True, type=click.IntRange(min=1))
@click.option("--samples", default=5, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--database",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file to build once and reuse (default: a temporary one).",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the figures to this file as JSON.",
)
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
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path.resolve()}"})
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            db.engine.dispose()
        engine = fast_engine(path)
        figures = run(engine, config, _echo_progress)
        engine.dispose()
    click.echo(render_figures(figures))
    if json_path is not None:
        payload = json.dumps(figures, indent=2, ensure_ascii=False, default=str)
        json_path.write_text(payload + "\n", encoding="utf-8")
        click.echo(f"Wrote {json_path}", err=True)
    if not figures["dashboard_equals_recomputed"]:
        sys.exit(1)


def _echo_progress(message: str) -> None:
    click.echo(message, err=True)


main.add_command(fund)
main.add_command(report)
main.add_command(token)
attach_register(main)
attach_ops(main)
