"""``sandogh report …``: print statements, minutes, share-out, loan schedules, financials, KPIs.

Each document command writes PDF, HTML, CSV or XLSX, chosen by the output file's
extension. ``report programme`` lives with the register (``web/cli/register.py``) and
is added to this group in ``web/cli/__init__.py``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from web.cli.context import with_app

if TYPE_CHECKING:
    from reports.document import Document


def _session() -> Any:
    """Return the app's session (the commands run with ``with_app``)."""
    from web.extensions import db

    return db.session()


def _day(value: str | None) -> date | None:
    """Parse a date given as ISO (2026-11-23) or Jalali (1405/09/02, Persian digits too)."""
    from groups import locale

    if not value:
        return None
    try:
        return locale.parse_day(value)
    except ValueError as error:
        raise click.BadParameter(f"not a date: {value}") from error


def _format_of(path: Path) -> str:
    from reports import render

    fmt = path.suffix.lower().lstrip(".")
    if fmt not in render.FORMATS:
        raise click.BadParameter(f"use one of .{', .'.join(render.FORMATS)}", param_hint="-o")
    return fmt


def _write(build: Callable[[], Document], output: Path) -> None:
    """Build a document and write it in the output's format; domain errors become messages."""
    from ledger.errors import DomainError
    from reports import render

    fmt = _format_of(output)
    try:
        document = build()
    except DomainError as error:
        raise click.ClickException(f"{error.message_fa} ({error})") from error
    output.write_bytes(render.render(document, fmt))
    click.echo(f"Wrote {output}", err=True)


OUTPUT = click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True
)
START = click.option("--from", "start", help="First day (ISO or Jalali).")
END = click.option("--to", "end", help="Last day (ISO or Jalali).")


@click.group()
def report() -> None:
    """Print statements and reports; compute monitoring KPIs."""


@report.command("statements")
@click.argument("fund_id", type=int)
@OUTPUT
@START
@END
@click.option("--member", "member_id", type=int, help="One member only.")
@with_app
def statements_command(
    fund_id: int, output: Path, start: str | None, end: str | None, member_id: int | None
) -> None:
    """Write the statements of every member of a fund (one per page) to a PDF, CSV or XLSX."""
    from ledger.errors import DomainError
    from reports import fundfacts, render
    from reports.statement import statements_of_fund

    fmt = _format_of(output)
    session = _session()
    ids = [member_id] if member_id else None
    try:
        members = len(fundfacts.members_of(session, fund_id)) if ids is None else 1
        bar: Any = click.progressbar(length=members, label="Statements", file=sys.stderr)
        with bar:

            def progress(done: int, total: int) -> None:
                bar.update(1)

            statements = statements_of_fund(session, fund_id, _day(start), _day(end), ids, progress)
    except DomainError as error:
        raise click.ClickException(f"{error.message_fa} ({error})") from error
    if not statements:
        raise click.ClickException("No member to print")
    if fmt == "pdf":
        click.echo("Laying out the PDF …", err=True)
        data = render.pdf_of_many(statements)[0]
    elif fmt == "html":
        data = render.html_of_many(statements[0].template, statements).encode("utf-8")
    else:
        tables = [t for s in statements for t in s.tables()]
        data = render.write_csv(tables) if fmt == "csv" else render.write_xlsx(tables)
    output.write_bytes(data)
    click.echo(f"Wrote {output} ({len(statements)} statements)", err=True)


@report.command("minutes")
@click.argument("fund_id", type=int)
@click.argument("meeting_id", type=int)
@OUTPUT
@with_app
def minutes_command(fund_id: int, meeting_id: int, output: Path) -> None:
    """Write a meeting's minutes."""
    from reports.minutes import meeting_minutes

    _write(lambda: meeting_minutes(_session(), fund_id, meeting_id), output)


@report.command("share-out")
@click.argument("fund_id", type=int)
@OUTPUT
@click.option("--cycle", "cycle_id", type=int, help="An agreed cycle (default: preview now).")
@END
@with_app
def share_out_command(fund_id: int, output: Path, cycle_id: int | None, end: str | None) -> None:
    """Write the share-out report of a cycle, or a preview of the open cycle's."""
    from reports.shareout import share_out_report

    _write(lambda: share_out_report(_session(), fund_id, cycle_id, _day(end)), output)


@report.command("loan")
@click.argument("fund_id", type=int)
@click.argument("loan_id", type=int)
@OUTPUT
@END
@with_app
def loan_command(fund_id: int, loan_id: int, output: Path, end: str | None) -> None:
    """Write a loan's schedule with its payments and guarantors."""
    from reports.loans import loan_schedule

    _write(lambda: loan_schedule(_session(), fund_id, loan_id, _day(end)), output)


@report.command("financials")
@click.argument("fund_id", type=int)
@OUTPUT
@START
@END
@with_app
def financials_command(fund_id: int, output: Path, start: str | None, end: str | None) -> None:
    """Write the fund's trial balance, balance sheet and income statement for a period."""
    from reports.financials import financial_statements

    _write(lambda: financial_statements(_session(), fund_id, _day(start), _day(end)), output)


@report.command("visit")
@click.argument("fund_id", type=int)
@OUTPUT
@click.option("--as-of", "as_of", help="Day (ISO or Jalali; default: today).")
@with_app
def visit_command(fund_id: int, output: Path, as_of: str | None) -> None:
    """Write a fund's visit report: KPIs, charts and flags."""
    from reports.visit import visit_report

    thresholds = _thresholds()
    _write(lambda: visit_report(_session(), fund_id, _day(as_of), thresholds), output)


def _thresholds() -> Any:
    from flask import current_app

    from reports.flags import Thresholds

    return Thresholds.from_mapping(current_app.config.get("SANDOGH_FLAGS", {}))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Fraction):
        return round(float(value), 6)
    if isinstance(value, date):
        return value.isoformat()
    return value


@report.command("kpis")
@click.option("--fund", "fund_id", type=int, help="One fund (default: all, rolled up).")
@click.option("--as-of", "as_of", help="Day (ISO or Jalali; default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only output for now).")
@with_app
def kpis_command(fund_id: int | None, as_of: str | None, as_json: bool) -> None:
    """Print the monitoring KPIs and flags per fund, per facilitator and for the programme."""
    from reports.monitoring import kpis_document

    document = kpis_document(_session(), [fund_id] if fund_id else None, _day(as_of), _thresholds())
    _session().commit()  # keep the snapshots of meetings measured for the first time
    click.echo(json.dumps(document, default=_jsonable, ensure_ascii=False, indent=2))


@report.command("rebuild-snapshots")
@click.option("--fund", "fund_ids", type=int, multiple=True, help="Only these funds.")
@with_app
def rebuild_snapshots_command(fund_ids: tuple[int, ...]) -> None:
    """Recompute every meeting's fund snapshot from the books (after migration 0005)."""
    from groups.savings.snapshots import rebuild_snapshots

    session = _session()
    with click.progressbar(length=1, label="Meeting days", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(1)

        written = rebuild_snapshots(session, list(fund_ids) or None, progress)
    session.commit()
    click.echo(f"Wrote {written} snapshots", err=True)
