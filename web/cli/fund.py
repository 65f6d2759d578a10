"""``sandogh fund``: import a fund book, export it back, and report a fund's state as JSON.

Each command owns its transaction: the import commits only when the whole book
replayed; on a broken rule it rolls back, prints where and why, and exits 1.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from web.cli.context import command_session

if TYPE_CHECKING:
    from marshmallow import ValidationError

IMPORT_ACTOR = "import"


@click.group()
def fund() -> None:
    """Import, export and report a savings fund."""


@fund.command("import-book")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--as-new", is_flag=True, help="Import a book already imported as a copy, a new fund."
)
def import_book_command(file: Path, as_new: bool) -> None:
    """Replay a fund book (JSON) through the services, all or nothing; print the new fund's id.

    A book already imported (the same ``id``, or the same contents) is refused unless
    ``--as-new`` asks for a copy.
    """
    from marshmallow import ValidationError

    from groups.savings.fundbook import import_book
    from ledger.db import analyze
    from ledger.errors import DomainError
    from web.fundbook import load_book

    try:
        book = load_book(file.read_text(encoding="utf-8"))
    except (ValidationError, UnicodeDecodeError) as error:
        _fail(f"{file} is not a valid fund book:", _problems(error))
    session = command_session()
    try:
        fund_id = import_book(session, book, actor=IMPORT_ACTOR, as_new=as_new)
    except DomainError as error:
        session.rollback()
        _fail(f"{file} was not imported; nothing was saved:", [str(error)])
    session.commit()
    analyze(session)  # a bulk load: PostgreSQL's statistics describe the tables before it
    session.commit()
    click.echo(f"Imported {file} as fund {fund_id}.", err=True)
    click.echo(fund_id)


@fund.command("export-book")
@click.argument("fund_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
def export_book_command(fund_id: int, output: Path | None) -> None:
    """Write a fund as a fund book (JSON) that import-book reads back into the same books."""
    from groups.savings.fundbook import export_book
    from ledger.errors import DomainError
    from web.fundbook import dump_book

    try:
        text = dump_book(export_book(command_session(), fund_id))
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)


@fund.command("report")
@click.argument("fund_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (required).")
@click.option("--as-of", "as_of", metavar="DATE", help="YYYY-MM-DD or Jalali 1403/05/12.")
def report_command(fund_id: int, as_json: bool, as_of: str | None) -> None:
    """Print the fund's members, loans, cash and trial balance as of its last meeting or a date."""
    from groups.savings.report import fund_report
    from ledger.errors import DomainError
    from web.fundbook import parse_book_date

    if not as_json:
        raise click.UsageError("Only JSON output exists so far: pass --json.")
    try:
        on = parse_book_date(as_of) if as_of is not None else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--as-of") from None
    try:
        report = fund_report(command_session(), fund_id, on)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(report, ensure_ascii=False, indent=2, default=_jsonable))


def _jsonable(value: object) -> object:
    """Return the JSON form of what json cannot write itself: dates ISO, Decimals as strings."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"Cannot write {type(value).__name__} as JSON")


def _problems(error: ValidationError | UnicodeDecodeError) -> list[str]:
    if isinstance(error, UnicodeDecodeError):
        return ["book: the file is not UTF-8 text."]
    from web.fundbook import error_lines

    return list(error_lines(error))


def _fail(headline: str, problems: list[str]) -> NoReturn:
    """Print the problems to stderr and exit with status 1."""
    click.echo(headline, err=True)
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)
