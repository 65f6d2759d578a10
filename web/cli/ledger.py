"""``sandogh ledger verify`` and ``sandogh ledger export``: check the books, hand them over.

Both read the database directly (``web/cli/context.py``), without the web app.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click

from web.cli.context import command_session

FORMATS = ("beancount", "hledger")


@click.group()
def ledger() -> None:
    """Check and export the books."""


@ledger.command("verify")
@click.option("--fund", "fund_id", type=int, help="Check one fund (default: all).")
def verify_command(fund_id: int | None) -> None:
    """Recompute every balance and check every guarantee; print OK or each problem.

    The ledger's own checks (``ledger/verify.py``: balances, the hash chain …), then
    whether the savings tables agree with the ledger (``groups/savings/consistency.py``).
    """
    from groups.savings.consistency import savings_problems
    from ledger.verify import verify

    session = command_session()
    problems = [*verify(session, fund_id), *savings_problems(session, fund_id)]
    if not problems:
        click.echo("OK")
        return
    for problem in problems:
        click.echo(str(problem))
    sys.exit(1)


@ledger.command("export")
@click.option("--fund", "fund_id", type=int, help="One fund, accounts named Assets:1010 ….")
@click.option(
    "--all", "every_fund", is_flag=True, help="Every fund in one file (Assets:F12:1010 …)."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
def export_command(fund_id: int | None, every_fund: bool, fmt: str, output: Path | None) -> None:
    """Write a fund's journal, or every fund's, for Beancount or hledger."""
    from ledger.errors import DomainError
    from ledger.export import export_all, export_journal

    if (fund_id is None) == (not every_fund):
        raise click.UsageError("Give --fund ID or --all.")
    if every_fund:
        with _opened(output) as out:
            export_all(command_session(), fmt, out)
        return
    assert fund_id is not None
    try:
        text = export_journal(command_session(), fund_id, fmt)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    with _opened(output) as out:
        out.write(text)


@contextmanager
def _opened(output: Path | None) -> Iterator[TextIO]:
    """Yield the output file (written whole or not at all), or standard output."""
    if output is None:
        yield sys.stdout
        return
    partial = output.with_name(f".{output.name}.partial")
    try:
        with partial.open("w", encoding="utf-8") as out:
            yield out
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(output)
    click.echo(f"Wrote {output}", err=True)
