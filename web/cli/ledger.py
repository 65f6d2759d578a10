"""``sandogh ledger verify`` and ``sandogh ledger export``: check the books, hand them over.

Both read the database directly (``web/cli/context.py``), without the web app.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from web.cli.context import command_session

FORMATS = ("beancount", "hledger")


@click.group()
def ledger() -> None:
    """Check and export the books."""


@ledger.command("verify")
@click.option("--fund", "fund_id", type=int, help="Check one fund (default: all).")
def verify_command(fund_id: int | None) -> None:
    """Recompute every balance and check every guarantee; print OK or each problem."""
    from ledger.verify import verify

    problems = verify(command_session(), fund_id)
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
def export_command(fund_id: int, fmt: str, output: Path | None) -> None:
    """Write the fund's journal for Beancount or hledger."""
    from ledger.errors import DomainError
    from ledger.export import export_journal

    try:
        text = export_journal(command_session(), fund_id, fmt)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)
