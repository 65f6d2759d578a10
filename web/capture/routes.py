"""The phone-first capture: one page of compact member rows → confirmation cards → posted.

``GET /funds/{id}/capture`` shows the next meeting with its defaults (today's date,
everyone present, shares as last meeting, social fund for those present, each
instalment due filled in). The form's field names are the meeting sheet's
(``web/meetings/sheet.py``), so the same ``Sheet`` parses it; the page works with
no script at all, and ``static/capture.js`` adds the running totals, the
browser's data-driven checks and the offline queue. Every refusal is shown at
once, next to its field, with a summary of links at the top.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from groups.savings.commands import MeetingInput
from ledger.errors import DomainError
from web.access import Role, roles_required, user, writable_fund
from web.capture import decisions
from web.capture.record import date_refusal, off_schedule, planned, record, replay_of
from web.capture.state import CaptureState, capture_state
from web.capture.today import today
from web.capture.violations import Violation, fields_of, form_field, violations_of
from web.extensions import db
from web.formatting import jalali
from web.formatting import persian_digits as digits
from web.meetings.routes import typed_date
from web.meetings.sheet import Sheet

bp = Blueprint("capture", __name__)

WRITERS = (Role.ADMIN, Role.FACILITATOR, Role.TREASURER)


@bp.route("/funds/<int:fund_id>/capture", methods=["GET", "POST"])
@roles_required(*WRITERS)
def capture(fund_id: int) -> Any:
    """The phone's meeting: defaults on GET; "review" shows the cards; "post" records it."""
    fund = writable_fund(fund_id)
    state = capture_state(db.session(), fund, today())
    if request.method == "GET":
        return _page(state, defaults(state))
    if request.form.get("step") == "same":  # without script: every row back to its default
        kept = {k: request.form.get(k, "") for k in ("date", "idempotency_key")}
        return _page(state, {**defaults(state), **kept})
    values = decisions.normalised(request.form, state)
    key = values.get("idempotency_key", "")
    try:
        done = replay_of(db.session(), fund_id, key) if key.isalnum() else None
    except DomainError:
        done = None
    if done is not None:
        flash(_("This meeting was already recorded; nothing was posted again."), "info")
        return redirect(url_for("meetings.show", fund_id=fund_id, meeting_id=done.id))
    return _submitted(state, values)


def _submitted(state: CaptureState, values: MultiDict[str, str]) -> Any:
    sheet = Sheet(values, state.unit, [m.id for m in state.members], state.constitution.fines)
    on = typed_date(values.get("date", ""))
    if not isinstance(on, date):
        sheet.error("date", on)
        on = state.today
    command = sheet.command(
        on, values.get("idempotency_key", ""), _loans_of(state), _loan_ids(state)
    )
    found = _edge_checks(state, command, values)
    if values.get("step") == "edit":
        return _page(state, values, sheet, found)
    errors, preview = _rules(state, command)  # even beside input errors: all show at once
    found += [v for v in violations_of(errors) if form_field(v) not in sheet.errors]
    if not sheet.ok or found:
        return _page(state, values, sheet, found)
    assert preview is not None
    found = decisions.cash_problems(values, state, preview)
    if found:
        return _page(state, values, sheet, found)
    if values.get("step") == "post":
        return _post(state, values, sheet, command)
    return render_template(
        "capture/confirm.html", state=state, values=values, command=command, preview=preview
    )


def _edge_checks(state: CaptureState, command: MeetingInput, values: Any) -> list[Violation]:
    """Date bounds, the schedule question and the meeting's decisions (web/capture/decisions)."""
    found = []
    refusal = date_refusal(command.date, state.today)
    if refusal is not None:
        found += violations_of(refusal)
    elif off_schedule(command.date, state.scheduled_on) and not values.get("date_confirmed"):
        found.append(decisions.off_schedule_question(command.date, state.scheduled_on))
    found += decisions.problems(values, state)
    return found


def _rules(
    state: CaptureState, command: MeetingInput
) -> tuple[list[DomainError], dict[str, Any] | None]:
    """Return every refusal of the fund's rules, or what the meeting would post (its plan)."""
    plan = planned(db.session(), state.fund_id, command)
    if isinstance(plan, list):
        return plan, None
    counted = command.cash_counted
    return [], {
        "cash_expected": plan.cash_expected,
        "cash_counted": counted,
        "discrepancy": None if counted is None else counted - plan.cash_expected,
    }


def _post(state: CaptureState, values: Any, sheet: Sheet, command: MeetingInput) -> Any:
    attempt = record(state.fund_id, command, user().username, state.today)
    if not attempt.ok:
        return _page(state, values, sheet, violations_of(attempt.errors))
    assert attempt.value is not None
    flash(_("The meeting was recorded."), "success")
    return redirect(url_for("meetings.show", fund_id=state.fund_id, meeting_id=attempt.value.id))


def _page(
    state: CaptureState,
    values: Any,
    sheet: Sheet | None = None,
    found: list[Violation] | None = None,
) -> tuple[str, int]:
    """Render the capture page with every problem next to its field and listed at the top."""
    errors = dict(sheet.errors) if sheet else {}
    for name, messages in fields_of(found or []).items():
        errors.setdefault(name, []).extend(messages)
    top = [*(sheet.top_errors if sheet else []), *errors.pop("top", [])]
    ask_date = any(v.code == "meeting_date_off_schedule" for v in found or [])
    page = render_template(
        "capture/capture.html",
        state=state,
        values=values,
        errors=errors,
        top_errors=top,
        whose=whose(state, errors),
        ask_date=ask_date or bool(values.get("date_confirmed")),
    )
    return page, 422 if errors or top else 200


def whose(state: CaptureState, errors: dict[str, list[str]]) -> dict[str, str]:
    """Return field name → "number · name" of the member a member's field belongs to."""
    names = {str(m.id): f"{digits(m.number)} · {m.name}" for m in state.members}
    found = {}
    for name in errors:
        parts = name.split("-")
        if parts[0] == "m" and len(parts) > 1 and parts[1] in names:
            found[name] = names[parts[1]]
    return found


def defaults(state: CaptureState) -> dict[str, str]:
    """Return the form's starting values: today, everyone present, shares as last meeting, dues."""
    values = {"date": state.today.isoformat(), "idempotency_key": state.idempotency_key}
    values.update(decisions.member_defaults(state))
    values["date"] = _jalali_input(state.today)
    return values


def _jalali_input(day: date) -> str:
    return jalali(day)


def _loans_of(state: CaptureState) -> dict[int, list[int]]:
    return {m.id: [loan.id for loan in m.loans] for m in state.members}


def _loan_ids(state: CaptureState) -> list[int]:
    return [loan.id for m in state.members for loan in m.loans]
