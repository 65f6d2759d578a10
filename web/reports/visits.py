"""Recording a facilitator's visit to a fund: notes, agreed actions, and actions now done.

Thin: the form is read, ``groups.savings.visits.record_visit`` writes, the view
commits. Who: the administrator and the facilitators who may change the fund
(``writable_fund``); a visit is not a treasurer's or a viewer's to record.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, FormField, StringField, TextAreaField
from wtforms.fields import FieldList
from wtforms.validators import InputRequired, Length, Optional

from groups.savings.visits import AgreedAction, open_actions, record_visit, visits_of
from ledger.errors import DomainError
from web.access import Role, roles_required, user, writable_fund
from web.errors import form_error
from web.extensions import db
from web.fields import JalaliDateField
from web.reports.blueprint import bp

#: Actions that can be agreed on one visit form.
ACTION_ROWS = 3


class ActionForm(Form):  # type: ignore[misc]
    """One agreed action: what, who, by when (all optional: an empty row is skipped)."""

    action = StringField(_l("Action agreed"), validators=[Optional(), Length(max=500)])
    who = StringField(_l("Who"), validators=[Optional(), Length(max=200)])
    due_on = JalaliDateField(_l("By when"), validators=[Optional()])


class VisitForm(FlaskForm):  # type: ignore[misc]
    """A visit: its day, the facilitator's notes and up to three agreed actions."""

    visited_on = JalaliDateField(_l("Visited on"), validators=[InputRequired()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    actions = FieldList(FormField(ActionForm), min_entries=ACTION_ROWS, max_entries=ACTION_ROWS)


@bp.route("/funds/<int:fund_id>/visits/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.FACILITATOR)
def new_visit(fund_id: int) -> ResponseReturnValue:
    """Record a visit; tick the open actions that are done."""
    fund = writable_fund(fund_id)
    session = db.session()
    still_open = open_actions(session, [fund_id]).get(fund_id, [])
    form = VisitForm()
    if form.validate_on_submit() and form.visited_on.data is not None:  # required
        try:
            record_visit(
                session,
                fund_id,
                form.visited_on.data,
                (form.notes.data or "").strip(),
                [_agreed(row) for row in form.actions.entries],
                _done_ids(),
                user().username,
            )
        except DomainError as error:
            session.rollback()
            form_error(form, error)
        else:
            session.commit()
            flash(_("The visit was recorded."), "success")
            return redirect(url_for("reports.monitoring", fund_id=fund_id))
    page = render_template(
        "reports/visit_form.html",
        fund=fund,
        form=form,
        still_open=still_open,
        visits=visits_of(session, fund_id)[:5],
    )
    return page, 422 if form.errors or form.form_errors else 200


def _agreed(row: Any) -> AgreedAction:
    data = row.form
    return AgreedAction(data.action.data or "", data.who.data or "", data.due_on.data)


def _done_ids() -> list[int]:
    return [int(v) for v in request.form.getlist("done") if v.isdigit()]
