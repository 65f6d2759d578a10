"""The ``sandogh`` command: Flask's CLI group on the app factory, plus Sandogh's commands."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from ledger.export import FORMATS, export_journal
from ledger.verify import verify
from web import create_app
from web.extensions import db


@click.group(cls=FlaskGroup, create_app=create_app)
def main() -> None:
    """Sandogh: the ledger of community savings funds."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def demo(host: str, port: int) -> None:
    """Migrate the database, load the demo fund if it is empty, and serve the app."""
    from web.demo import load_demo_if_empty

    upgrade(directory=current_app.extensions["migrate"].directory)
    if load_demo_if_empty(db.session, today=date.today()):
        db.session.commit()
        click.echo("Loaded the demo fund.")
    click.echo(f"Sandogh is at http://{host}:{port}/ — no login is needed yet; open it in a browser.")
    run_simple(host, port, current_app._get_current_object(), threaded=True)


@main.group()
def ledger() -> None:
    """Check and export the books."""


@ledger.command("verify")
@click.option("--fund", "fund_id", type=int, help="Check one fund (default: all).")
@with_appcontext
def verify_command(fund_id: int | None) -> None:
    """Recompute every balance and check every guarantee; print OK or each problem."""
    problems = verify(db.session, fund_id)
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
    text = export_journal(db.session, fund_id, fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)
