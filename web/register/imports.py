"""The import wizard: upload an agency's file, map its columns, dry run, apply.

1. Upload (CSV or XLSX, the agency, the date its data speaks for): the file is
   read once, within the import's limits (``SANDOGH_IMPORT_MAX_ROWS`` and
   ``_COLUMNS``), and its parsed rows — not the file — are kept in the upload
   folder (``REGISTER_UPLOADS``, default ``instance/register-uploads``) under a
   random token, with a small JSON note (agency, file name, its hash, date, mapping).
   The next steps read those rows; no step parses the file again.
2. Mapping: each column -> a question or nothing; prefilled from the agency's
   saved mapping (saved again by every applied import), else from the headers.
3. Dry run: ``plan_import`` writes nothing; the page shows how many rows would
   be created, updated, merged or left unchanged, and every problem, which can
   be downloaded as CSV for the agency to fix.
4. Apply: the plan is made again and written in one transaction. Applying the
   same file again changes nothing (the register knows its hash).
Uploads older than a day are removed when a new file is uploaded.
A request larger than ``MAX_CONTENT_LENGTH`` never reaches the view (a 413 page).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.utils import secure_filename

from groups.beneficiaries.fields import FIELDS, parse_date
from groups.beneficiaries.imports import (
    ImportPlan,
    apply_plan,
    check_mapping,
    file_hash,
    plan_import,
    suggest_mapping,
)
from groups.beneficiaries.models import Agency
from groups.beneficiaries.register import agency_named
from groups.beneficiaries.tables import Limits, Table, problems_csv, read_table
from ledger.errors import DomainError
from web.access import roles_required, user
from web.errors import domain_message, form_error
from web.extensions import db
from web.formatting import persian_digits
from web.register.forms import UploadForm, problem_message
from web.register.routes import bp, page
from web.register.scope import STAFF

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
#: Problems listed on the dry-run page (all of them are in the CSV).
SHOWN_PROBLEMS = 200
_KEEP_SECONDS = 24 * 3600


def upload_dir() -> Path:
    """Return the folder where uploaded files wait between the wizard's steps."""
    folder = current_app.config.get("REGISTER_UPLOADS") or str(
        Path(current_app.instance_path) / "register-uploads"
    )
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_limits() -> Limits:
    """Return the most rows and columns an imported file may have (the app's configuration)."""
    config = current_app.config
    return Limits(
        rows=int(config.get("SANDOGH_IMPORT_MAX_ROWS", Limits.rows)),
        columns=int(config.get("SANDOGH_IMPORT_MAX_COLUMNS", Limits.columns)),
    )


def save_upload(
    agency: str, file_name: str, content: bytes, received_on: Any, table: Table | None = None
) -> str:
    """Keep an upload's parsed rows and its note (not the file); return its token.

    ``table`` is the file already read (the upload step reads it once); without it the
    file is read here. The rows go to ``<token>.rows`` (JSON), the note to ``<token>.json``.
    """
    if table is None:
        table = read_table(file_name, content, import_limits())
    folder = upload_dir()
    _prune(folder)
    token = uuid.uuid4().hex
    rows = {"header": list(table.header), "rows": [list(row) for row in table.rows]}
    (folder / f"{token}.rows").write_text(json.dumps(rows, ensure_ascii=False), "utf-8")
    note = {
        "agency": agency,
        "file_name": file_name,
        "hash": file_hash(content),
        "received_on": received_on.isoformat(),
    }
    _write_note(token, note)
    return token


def _prune(folder: Path) -> None:
    limit = time.time() - _KEEP_SECONDS
    for old in folder.iterdir():
        if old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)


def _write_note(token: str, note: dict[str, Any]) -> None:
    (upload_dir() / f"{token}.json").write_text(json.dumps(note, ensure_ascii=False), "utf-8")


def load_upload(token: str) -> tuple[dict[str, Any], Table]:
    """Return an upload's note and parsed rows, or 404."""
    if not _TOKEN.match(token):
        abort(404)
    folder = upload_dir()
    note_path, rows_path = folder / f"{token}.json", folder / f"{token}.rows"
    if not note_path.exists() or not rows_path.exists():
        abort(404)
    rows = json.loads(rows_path.read_text("utf-8"))
    table = Table(tuple(rows["header"]), tuple(tuple(row) for row in rows["rows"]))
    return json.loads(note_path.read_text("utf-8")), table


def _mapping_of(note: dict[str, Any], table: Table) -> dict[str, str]:
    """Return the mapping chosen in the wizard, else the agency's saved one, else a guess."""
    if note.get("mapping"):
        return dict(note["mapping"])
    agency = agency_named(db.session(), note["agency"], create=False)
    saved = {
        c: f for c, f in (agency.column_mapping if agency else {}).items() if c in table.header
    }
    return saved or suggest_mapping(table.header)


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*STAFF)
def import_upload() -> Any:
    """Step 1: upload an agency's file."""
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        name = secure_filename(upload.filename or "") or "file.csv"
        content = upload.read()
        try:
            table = read_table(name, content, import_limits())
        except DomainError as error:
            form_error(form, error, "file")
        else:
            agency = form.agency.data.strip()
            token = save_upload(agency, name, content, form.received_on.data, table)
            return redirect(url_for("register.import_mapping", token=token))
    agencies = db.session.scalars(db.select(Agency.name).order_by(Agency.name)).all()
    return page("register/import_upload.html", form=form, agencies=agencies)


@bp.route("/import/<token>/mapping", methods=["GET", "POST"])
@roles_required(*STAFF)
def import_mapping(token: str) -> Any:
    """Step 2: which question each column answers (the agency's saved mapping prefilled)."""
    note, table = load_upload(token)
    mapping = _mapping_of(note, table)
    problem = None
    if request.method == "POST":
        mapping = {
            column: request.form.get(f"col-{i}", "")
            for i, column in enumerate(table.header)
            if request.form.get(f"col-{i}")
        }
        problem = _mapping_problem(table, mapping)
        if problem is None:
            _write_note(token, {**note, "mapping": mapping})
            return redirect(url_for("register.import_dry_run", token=token))
    html = render_template(
        "register/import_mapping.html",
        note=note,
        table=table,
        mapping=mapping,
        fields=FIELDS,
        problem=problem,
        token=token,
    )
    return html, 422 if problem else 200


def _mapping_problem(table: Table, mapping: dict[str, str]) -> str | None:
    """Return what is wrong with a chosen mapping, in the page's language, or None."""
    chosen = list(mapping.values())
    if len(chosen) != len(set(chosen)):
        return str(_("Each question can be answered by one column only."))
    try:
        check_mapping(table.header, mapping)
    except DomainError:
        return str(_("Choose the columns of the first name and the last name."))
    return None


def _plan(token: str) -> tuple[dict[str, Any], ImportPlan]:
    note, table = load_upload(token)
    plan = plan_import(
        db.session(),
        note["agency"],
        note["file_name"],
        note["hash"],
        table,
        parse_date(note["received_on"]),
        _mapping_of(note, table),
    )
    return note, plan


@bp.get("/import/<token>")
@roles_required(*STAFF)
def import_dry_run(token: str) -> Any:
    """Step 3: what the import would do, row by row, and what is wrong; nothing is written."""
    try:
        note, plan = _plan(token)
    except DomainError as error:
        flash(domain_message(error), "error")
        return redirect(url_for("register.import_mapping", token=token))
    finally:
        db.session.rollback()
    problems = [(p, problem_message(p.problem)) for p in plan.problems[:SHOWN_PROBLEMS]]
    return render_template(
        "register/import_dry_run.html", note=note, plan=plan, problems=problems, token=token
    )


@bp.get("/import/<token>/problems.csv")
@roles_required(*STAFF)
def import_problems(token: str) -> Response:
    """The dry run's problems as CSV (row, column, value, problem) for the agency to fix."""
    try:
        _note, plan = _plan(token)
    finally:
        db.session.rollback()
    translated = [replace(p, problem=str(problem_message(p.problem))) for p in plan.problems]
    return Response(
        "\ufeff" + problems_csv(translated),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="problems-{token[:8]}.csv"'},
    )


@bp.post("/import/<token>/apply")
@roles_required(*STAFF)
def import_apply(token: str) -> Any:
    """Step 4: write every valid row in one transaction (a second time changes nothing)."""
    session = db.session()
    try:
        _note, plan = _plan(token)
        counts = apply_plan(session, plan, user().username)
    except DomainError as error:
        session.rollback()
        flash(domain_message(error), "error")
        return redirect(url_for("register.import_mapping", token=token))
    session.commit()
    if plan.already_imported:
        flash(_("This file was imported before: nothing was changed."), "info")
    else:
        flash(
            _(
                "Imported: %(created)s new, %(updated)s updated, %(merged)s joined to records "
                "of other agencies, %(unchanged)s unchanged, %(invalid)s rows left out.",
                **{action: persian_digits(n) for action, n in counts.items()},
            ),
            "success",
        )
    return redirect(url_for("register.import_dry_run", token=token))
