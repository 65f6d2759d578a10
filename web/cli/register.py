"""``sandogh register`` (import agency files, de-duplicate) and ``sandogh report programme``.

Each command owns its transaction: an import commits all its valid rows at once
(or nothing with ``--dry-run``); a merge or an undo commits alone.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from web.cli.context import with_app

if TYPE_CHECKING:
    from groups.beneficiaries.imports import ImportPlan

ACTOR = "cli"


@click.group()
def register() -> None:
    """The programme register: import agency files, de-duplicate."""


@register.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", required=True, help="The agency that sent the file.")
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the invalid rows' problems to this CSV file.",
)
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Map a column to a question (repeat); default: the agency's saved mapping.",
)
@click.option("--date", "received", metavar="DATE", help="The file's date (default: today).")
@with_app
def import_command(
    file: Path,
    agency: str,
    dry_run: bool,
    report_path: Path | None,
    mapping: tuple[str, ...],
    received: str | None,
) -> None:
    """Validate an agency's CSV/XLSX file and import its valid rows in one transaction."""
    from groups.beneficiaries.imports import apply_plan, file_hash, plan_import
    from groups.beneficiaries.tables import problems_csv, read_table
    from ledger.errors import DomainError
    from web.extensions import db
    from web.register.imports import import_limits

    content = file.read_bytes()
    session = db.session()
    try:
        table = read_table(file.name, content, import_limits())
        plan = plan_import(
            session, agency, file.name, file_hash(content), table,
            _date(received, "--date") if received else date.today(), _mapping(mapping) or None,
        )  # fmt: skip
        if not dry_run:
            apply_plan(session, plan, ACTOR)
    except DomainError as error:
        session.rollback()
        raise click.ClickException(str(error)) from error
    if dry_run:
        session.rollback()
    else:
        session.commit()
    _print_plan(plan, dry_run)
    if report_path is not None:
        report_path.write_text(problems_csv(plan.problems), encoding="utf-8-sig")
        click.echo(f"Wrote {len(plan.problems)} problems to {report_path}", err=True)


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        column, sep, field = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r} is not COLUMN=FIELD", param_hint="--map")
        mapping[column.strip()] = field.strip()
    return mapping


def _print_plan(plan: ImportPlan, dry_run: bool) -> None:
    counts = plan.counts
    verb = "would be" if dry_run else "were"
    if plan.already_imported:
        click.echo(
            f"{plan.file_name} was imported before from {plan.agency_name}: nothing changed."
        )
    click.echo(
        f"{plan.rows_read} rows: {counts['created']} {verb} created, {counts['updated']} updated, "
        f"{counts['merged']} merged into other agencies' records, {counts['unchanged']} unchanged, "
        f"{counts['invalid']} invalid."
    )
    for problem in plan.problems[:20]:
        click.echo(
            f"  row {problem.row}, {problem.column} = {problem.value!r}: {problem.problem}",
            err=True,
        )
    if len(plan.problems) > 20:
        click.echo(f"  … and {len(plan.problems) - 20} more (see --report)", err=True)


@register.command("dedup")
@with_app
def dedup_command() -> None:
    """Find likely duplicates and queue them (proposed or for review)."""
    from groups.beneficiaries.dedup import find_duplicates
    from web.extensions import db

    session = db.session()
    result = find_duplicates(session)
    session.commit()
    click.echo(
        f"{result.records} records, {result.stats.pairs_compared} pairs compared: "
        f"{result.proposed} new pairs proposed, {result.review} for review"
        f" ({result.stats.oversized_blocks} oversized blocks skipped)."
    )


@register.command("candidates")
@click.option(
    "--status", type=click.Choice(["proposed", "review", "merged", "rejected"]), default="review"
)
@with_app
def candidates_command(status: str) -> None:
    """List queued pairs: id, the two records, score and evidence."""
    from groups.beneficiaries.models import Beneficiary, MatchCandidate
    from web.extensions import db

    session = db.session()
    for candidate in (
        session.query(MatchCandidate).filter_by(status=status).order_by(MatchCandidate.id)
    ):
        a, b = (
            session.get(Beneficiary, candidate.first_id),
            session.get(Beneficiary, candidate.second_id),
        )
        assert a is not None and b is not None
        pair = f"{a.id} {a.full_name}\t{b.id} {b.full_name}"
        click.echo(f"{candidate.id}\t{pair}\t{candidate.score}\t{candidate.evidence}")


@register.command("merge")
@click.argument("survivor_id", type=int, required=False)
@click.argument("merged_id", type=int, required=False)
@click.option("--proposed", is_flag=True, help="Merge every proposed pair.")
@click.option("--candidate", type=int, help="Merge a queued pair by its id.")
@click.option("--reject", type=int, help="Reject a queued pair by its id.")
@with_app
def merge_command(
    survivor_id: int | None,
    merged_id: int | None,
    proposed: bool,
    candidate: int | None,
    reject: int | None,
) -> None:
    """Merge two records (SURVIVOR MERGED), a queued pair, or every proposed pair."""
    from groups.beneficiaries.dedup import decide, merge, merge_proposed
    from groups.beneficiaries.errors import RegisterError
    from web.extensions import db

    session = db.session()
    try:
        if proposed:
            merges = merge_proposed(session, ACTOR)
            click.echo(f"Merged {len(merges)} pairs.")
        elif candidate is not None or reject is not None:
            done = decide(
                session, candidate or reject or 0, accept=candidate is not None, actor=ACTOR
            )
            click.echo(f"Merge {done.id}." if done else "Rejected.")
        elif survivor_id is not None and merged_id is not None:
            click.echo(f"Merge {merge(session, survivor_id, merged_id, ACTOR).id}.")
        else:
            raise click.UsageError("Give SURVIVOR MERGED, --candidate, --reject or --proposed.")
    except RegisterError as error:
        session.rollback()
        raise click.ClickException(str(error)) from error
    session.commit()


@register.command("undo-merge")
@click.argument("merge_id", type=int)
@with_app
def undo_merge_command(merge_id: int) -> None:
    """Undo a merge: move back everything it moved."""
    from groups.beneficiaries.dedup import undo_merge
    from groups.beneficiaries.errors import RegisterError
    from web.extensions import db

    session = db.session()
    try:
        undo_merge(session, merge_id, ACTOR)
    except RegisterError as error:
        session.rollback()
        raise click.ClickException(str(error)) from error
    session.commit()
    click.echo(f"Undid merge {merge_id}.")


def _date(text: str, hint: str) -> date:
    from groups.beneficiaries.fields import parse_date

    try:
        return parse_date(text)
    except ValueError as error:
        raise click.BadParameter(f"{text!r}: {error}", param_hint=hint) from None


@click.command("programme")
@click.option(
    "--from",
    "start",
    metavar="DATE",
    help="First day (Jalali or ISO); default: 1 Farvardin of this year.",
)
@click.option("--to", "end", metavar="DATE", help="Last day (Jalali or ISO); default: today.")
@click.option("--county")
@click.option("--district")
@click.option("--village")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.pdf or FILE.xlsx (or .csv/.html).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@with_app
def programme_command(
    start: str | None,
    end: str | None,
    county: str | None,
    district: str | None,
    village: str | None,
    output: Path | None,
    as_json: bool,
) -> None:
    """The programme report for a period and area: registered, trained, loans, jobs, counselling."""
    from groups import calendar
    from groups.beneficiaries.programme import Area, programme_figures
    from web.extensions import db

    last = _date(end, "--to") if end else date.today()
    first = (
        _date(start, "--from") if start else calendar.from_jalali(calendar.to_jalali(last)[0], 1, 1)
    )
    figures = programme_figures(db.session(), first, last, Area(county, district, village))
    if output is not None:
        from reports.programme import programme_document

        fmt = output.suffix.lower().lstrip(".")
        if fmt not in ("pdf", "xlsx", "csv", "html"):
            raise click.BadParameter(
                "the file must end in .pdf, .xlsx, .csv or .html", param_hint="-o"
            )
        output.write_bytes(programme_document(figures, fmt))
        click.echo(f"Wrote {output}", err=True)
    if as_json or output is None:
        click.echo(json.dumps(figures.to_dict(), ensure_ascii=False, indent=2))
