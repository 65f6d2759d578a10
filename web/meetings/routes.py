"""The meeting sheet (record a meeting: sheet → confirmation → posted), a meeting's page, reopen.

Views are thin: the sheet is parsed by ``sheet.Sheet`` and planned by
``plan.plan_meeting`` (pure: the confirmation shows the plan, every broken rule goes
next to its field), then posted by ``record_meeting`` with the idempotency key the
form carries, so a second submit of the same sheet posts nothing new.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from groups.savings.locking import lock_fund
from groups.savings.meetings import record_meeting, reopen_last_meeting
from groups.savings.models import Meeting, SavingsFund
from groups.savings.plan import Violations, plan_meeting
from groups.savings.state import load_fund_state
from reports import persian
from web.access import Role, roles_required, user, visible_fund, writable_fund
from web.commit import attempt
from web.concurrency import RACE_ERRORS, RACE_MESSAGE, is_lost_race
from web.errors import domain_message, form_error
from web.extensions import db
from web.formatting import jalali
from web.meetings.context import SheetContext, meeting_record, sheet_context
from web.meetings.forms import ReopenForm
from web.meetings.sheet import Sheet, blank_values
from web.routing import query_id

bp = Blueprint("meetings", __name__)

WRITERS = (Role.ADMIN, Role.FACILITATOR, Role.TREASURER)
READERS = (Role.ADMIN, Role.FACILITATOR, Role.TREASURER, Role.VIEWER)


@bp.route("/funds/<int:fund_id>/meetings/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def new(fund_id: int) -> Any:
    """The meeting sheet; step "review" shows the confirmation, step "post" records it."""
    fund = writable_fund(fund_id)
    session = db.session()
    if request.method == "GET":
        context = sheet_context(session, fund)
        social = context.constitution.social_contribution
        values = blank_values(context.member_ids, social, unit(fund))
        values.update(date=jalali(context.next_date), idempotency_key=uuid.uuid4().hex)
        values.update(_write_off_asked(context))
        return _render_sheet(context, _sheet(context, values))
    key = _key(request.form.get("idempotency_key", ""))
    if _recorded(session, fund_id, key) is not None:
        return _already_recorded(fund_id, key)
    on = typed_date(request.form.get("date", ""))
    context = sheet_context(session, fund, on if isinstance(on, date) else None)
    sheet = _sheet(context, request.form)
    if not isinstance(on, date):
        sheet.error("date", on)
        return _render_sheet(context, sheet)
    command = sheet.command(on, key, context.loan_ids_of, context.open_loan_ids)
    step = request.form.get("step", "review")
    if step == "edit" or not sheet.ok:
        return _render_sheet(context, sheet)
    if step == "post":
        return _post(fund, context, sheet, command)
    return _review(fund, context, sheet, command)


def _write_off_asked(context: SheetContext) -> dict[str, str]:
    """Prefill the write-off of the open loan the loan page sent her here for (?write_off=L)."""
    loan_id = request.args.get("write_off", type=query_id)
    if loan_id is None or loan_id not in context.open_loan_ids:
        return {}
    return {f"writeoff-{loan_id}": _("Written off by decision of the meeting")}


def _sheet(context: SheetContext, values: Any) -> Sheet:
    return Sheet(values, unit(context.fund), context.member_ids, context.constitution.fines)


def unit(fund: SavingsFund) -> str:
    """Return the fund's display unit."""
    return fund.display_unit


def _key(text: str) -> str:
    key = text.strip()
    if not key or len(key) > 64 or not key.isalnum():
        abort(400)
    return key


def typed_date(text: str) -> date | str:
    """Return the typed Jalali date, or the message saying what is wrong with it."""
    if not text.strip():
        return str(_("Required."))
    try:
        return persian.parse_jalali(text)
    except ValueError:
        return str(_("Write a Jalali date like 1403/05/12."))


def _review(fund: SavingsFund, context: SheetContext, sheet: Sheet, command: Any) -> Any:
    """Plan the meeting and show what it would write (nothing is written), or every rule
    it breaks next to its field."""
    state = load_fund_state(db.session(), fund.fund_id, command.date)
    plan = plan_meeting(state, command)
    if isinstance(plan, Violations):
        for violation in plan:
            error = violation.error()
            sheet.place_error(error, domain_message(error))
        return _render_sheet(context, sheet)
    return render_template(
        "meetings/confirm.html",
        context=context,
        sheet=sheet,
        preview=plan,
        command=command,
        unit=unit(fund),
    )


def _post(fund: SavingsFund, context: SheetContext, sheet: Sheet, command: Any) -> Any:
    """Record the meeting; a second writer of the fund waits for the first, then re-reads.

    The same sheet sent twice at once posts once: the second finds the first's meeting
    once it has the fund's lock and answers like a replay. A sheet that lost a race
    (another meeting came first) shows why, with everything typed kept.
    """
    fund_id, key = fund.fund_id, command.idempotency_key
    try:
        done = attempt(lambda: _record_once(fund_id, command))
    except RACE_ERRORS as error:
        if not is_lost_race(error):
            raise
        db.session.rollback()
        if _recorded(db.session(), fund_id, key) is not None:
            return _already_recorded(fund_id, key)
        sheet.error("top", RACE_MESSAGE)
        return _render_sheet(context, sheet)
    if not done.ok:
        for refused in done.errors:
            sheet.place_error(refused, domain_message(refused))
        return _render_sheet(context, sheet)
    assert done.value is not None
    meeting_id, replayed = done.value
    if replayed:
        return _already_recorded(fund_id, key)
    flash(_("The meeting was recorded."), "success")
    return redirect(url_for("meetings.show", fund_id=fund_id, meeting_id=meeting_id))


def _record_once(fund_id: int, command: Any) -> tuple[int, bool]:
    """Take the fund's lock, then record the meeting unless its key already was: (id, replayed)."""
    session = db.session()
    lock_fund(session, fund_id)
    done = _recorded(session, fund_id, command.idempotency_key)
    if done is not None:
        return done.id, True
    return record_meeting(session, fund_id, command, user().username).id, False


def _recorded(session: Session, fund_id: int, key: str) -> Meeting | None:
    """Return the fund's meeting recorded with this idempotency key, if any."""
    query = select(Meeting).where(Meeting.idempotency_key == key, Meeting.fund_id == fund_id)
    return session.scalars(query).first()


def _already_recorded(fund_id: int, key: str) -> Response:
    meeting = _recorded(db.session(), fund_id, key)
    assert meeting is not None
    flash(_("This meeting was already recorded; nothing was posted again."), "info")
    return redirect(url_for("meetings.show", fund_id=fund_id, meeting_id=meeting.id))


def _render_sheet(context: SheetContext, sheet: Sheet) -> tuple[str, int]:
    status = 200 if sheet.ok else 422
    page = render_template(
        "meetings/sheet.html", context=context, sheet=sheet, unit=unit(context.fund)
    )
    return page, status


@bp.get("/funds/<int:fund_id>/meetings/<int:meeting_id>")
@roles_required(*READERS)
def show(fund_id: int, meeting_id: int) -> str:
    """What was recorded at a meeting: lines, loans, cash expected and counted."""
    fund = visible_fund(fund_id)
    meeting = _meeting_of(fund_id, meeting_id)
    record = meeting_record(db.session(), meeting)
    return render_template("meetings/show.html", fund=fund, record=record, unit=unit(fund))


def _meeting_of(fund_id: int, meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.fund_id != fund_id:
        abort(404)
    return meeting


@bp.route("/funds/<int:fund_id>/meetings/<int:meeting_id>/reopen", methods=["GET", "POST"])
@roles_required(*WRITERS)
def reopen(fund_id: int, meeting_id: int) -> Response | str | tuple[str, int]:
    """Reopen the fund's last meeting with a reason: its entries are reversed."""
    fund = writable_fund(fund_id)
    meeting = _meeting_of(fund_id, meeting_id)
    form = ReopenForm()
    if form.validate_on_submit():
        done = attempt(
            lambda: reopen_last_meeting(
                db.session(), fund_id, meeting_id, form.reason.data, user().username, date.today()
            )
        )
        for error in done.errors:
            form_error(form, error)
        if done.ok:
            flash(_("The meeting was reopened; record it again."), "success")
            return redirect(url_for("meetings.new", fund_id=fund_id))
    status = 422 if form.errors or form.form_errors else 200
    page = render_template("meetings/reopen.html", fund=fund, meeting=meeting, form=form)
    return page, status
