"""The register's pages: search, a woman's record, her questionnaire, assessments, services, aid.

Views are thin: read the form, call the register's services, commit, redirect.
Programme staff (admin, viewer) change the register; a facilitator reads the
records of her funds' women (``scope``); treasurers and members get 403.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from groups.beneficiaries.access import sensitive_view
from groups.beneficiaries.errors import DuplicateNationalId
from groups.beneficiaries.fields import FIELDS
from groups.beneficiaries.lookup import is_national_id_query, search
from groups.beneficiaries.register import record_by_hand
from groups.beneficiaries.services import assess_needs, give_aid, give_service
from ledger.errors import DomainError
from web.access import roles_required, user, visible_fund_ids
from web.auth import events
from web.auth.events import EventKind
from web.errors import form_error
from web.extensions import db
from web.funds.views import today
from web.register import labels
from web.register.forms import (
    AidForm,
    AssessmentForm,
    QuestionnaireForm,
    ServiceForm,
    day,
    stored,
)
from web.register.record import record_page
from web.register.scope import READERS, STAFF, is_staff, sees_sensitive, visible_woman, within
from web.routing import query_id

bp = Blueprint("register", __name__, url_prefix="/register")
bp.add_app_template_global(labels.register_label, "register_label")
bp.add_app_template_global(labels.question, "question")
bp.add_app_template_global(labels.shown, "shown")
bp.add_app_template_global(is_staff, "is_register_staff")


def page(template: str, **values: Any) -> tuple[str, int]:
    """Render a form page: 422 when a posted form has errors."""
    form = values.get("form")
    failed = request.method == "POST" and form is not None and (form.errors or form.form_errors)
    return render_template(template, **values), 422 if failed else 200


@bp.route("", methods=["GET", "POST"])
@roles_required(*READERS)
def search_page() -> Any:
    """Search the register by name or national ID, a page at a time.

    The form posts its query, so a national ID never appears in an address (nor
    in an access log, a browser's history or a proxy's); a national ID in a GET
    query is not searched, and the page asks for the form instead.
    """
    values = request.form if request.method == "POST" else request.args
    query = values.get("q", "").strip()
    number = values.get("page", 1, type=query_id) or 1
    in_address = request.method == "GET" and bool(query) and is_national_id_query(query)
    refused = bool(query) and is_national_id_query(query) and not sees_sensitive()
    results = None
    if query and not refused and not in_address:
        results = search(db.session(), query, number, within())
    return render_template(
        "register/search.html",
        query="" if in_address else query,
        results=results,
        refused=refused,
        in_address=in_address and not refused,
    )


@bp.get("/<int:beneficiary_id>")
@roles_required(*READERS)
def show(beneficiary_id: int) -> Any:
    """A woman's record: answers with their sources, needs, fund, training, work, services."""
    woman = visible_woman(beneficiary_id)
    if woman.merged_into_id is not None:
        flash(_("This record was merged into another one; here is the record it joined."), "info")
        return redirect(url_for("register.show", beneficiary_id=woman.merged_into_id))
    reveal = request.args.get("sensitive") == "1" and sees_sensitive()
    me = user()
    record = record_page(
        db.session(), woman, today(), (me.username, me.role) if reveal else None, visible_fund_ids()
    )
    if reveal:
        _sensitive_viewed(beneficiary_id)
        db.session.commit()  # the view of sensitive fields is logged
    return render_template("register/record.html", page=record, fields=FIELDS)


def _sensitive_viewed(beneficiary_id: int) -> None:
    """Add the view of a woman's sensitive fields to the security events (with sensitive_views)."""
    events.record(
        db.session(), EventKind.SENSITIVE_VIEWED, user(), detail=f"beneficiary {beneficiary_id}"
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new() -> Any:
    """Register a woman by hand."""
    form = QuestionnaireForm()
    if form.validate_on_submit():
        values = form.check(creating=True)
        if not form.errors:
            woman = _save(form, values, None)
            if woman is not None:
                flash(_("The woman was registered."), "success")
                return redirect(url_for("register.show", beneficiary_id=woman))
    return page("register/edit.html", form=form, woman=None)


@bp.route("/<int:beneficiary_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit(beneficiary_id: int) -> Any:
    """Correct or complete a woman's answers: each changed answer becomes a new fact."""
    woman = visible_woman(beneficiary_id)
    if woman.merged_into_id is not None:
        abort(404)
    form = QuestionnaireForm()
    if request.method == "GET":
        sensitive_view(db.session(), woman.id, user().username, user().role)
        _sensitive_viewed(woman.id)
        db.session.commit()  # the form shows the sensitive answers: the view is logged
        for spec in FIELDS:
            _fill(getattr(form, spec.name), spec, getattr(woman, spec.name))
    elif form.validate_on_submit():
        values = form.check(creating=False)
        changed = {k: v for k, v in values.items() if stored(getattr(woman, k)) != v}
        if not form.errors and not changed:
            flash(_("Nothing was changed."), "info")
            return redirect(url_for("register.show", beneficiary_id=woman.id))
        if not form.errors and _save(form, changed, woman.id) is not None:
            flash(_("The answers were saved, each with its source."), "success")
            return redirect(url_for("register.show", beneficiary_id=woman.id))
    return page("register/edit.html", form=form, woman=woman)


def _fill(field: Any, spec: Any, value: Any) -> None:
    """Show a record's value in its form field as a person would type it."""
    text = stored(value)
    if text is None:
        return
    if spec.kind == "date":
        from web.formatting import jalali

        field.data = jalali(value)
    elif spec.kind == "list":
        field.data = "، ".join(text.split(";"))
    else:
        field.data = text


def _save(form: QuestionnaireForm, values: dict[str, str], woman_id: int | None) -> int | None:
    """Record the typed answers; return the woman's id, or None with the error on the form."""
    session = db.session()
    try:
        woman = record_by_hand(
            session, form.source.data.strip(), values, user().username, today(), woman_id
        )
    except DomainError as error:
        session.rollback()
        form_error(form, error, "national_id" if isinstance(error, DuplicateNationalId) else None)
        return None
    session.commit()
    return woman.id


def written(form: Any, write: Any, done: str, next_url: str) -> Any:
    """Write a valid form with ``write(session)``: commit and go on, or show the error on it.

    Returns the redirect, or None when the form has an error (the caller shows it again).
    """
    session = db.session()
    try:
        write(session)
    except DomainError as error:
        session.rollback()
        form_error(form, error)
        return None
    session.commit()
    flash(done, "success")
    return redirect(next_url)


def _record_form(woman_id: int, form: Any, template: str, title: str, write: Any) -> Any:
    """Show a small form about a woman; on a valid post, write it and go back to her record."""
    woman = visible_woman(woman_id)
    if woman.merged_into_id is not None:
        abort(404)
    if form.validate_on_submit():
        back = url_for("register.show", beneficiary_id=woman.id)
        done = written(form, lambda session: write(session, woman.id), _("Saved."), back)
        if done is not None:
            return done
    return page(template, form=form, woman=woman, title=title)


@bp.route("/<int:beneficiary_id>/assessments/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_assessment(beneficiary_id: int) -> Any:
    """Record a needs assessment."""
    form = AssessmentForm()
    return _record_form(
        beneficiary_id,
        form,
        "register/small_form.html",
        _("Needs assessment"),
        lambda s, w: assess_needs(
            s, w, day(form.assessed_on), form.assessed_by.data, form.needs(), form.notes.data or ""
        ),
    )


@bp.route("/<int:beneficiary_id>/services/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_service(beneficiary_id: int) -> Any:
    """Record counselling or another service."""
    form = ServiceForm()
    return _record_form(
        beneficiary_id,
        form,
        "register/small_form.html",
        _("Counselling or another service"),
        lambda s, w: give_service(
            s, w, form.kind.data, day(form.given_on), form.given_by.data, form.notes.data or ""
        ),
    )


@bp.route("/<int:beneficiary_id>/aid/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_aid(beneficiary_id: int) -> Any:
    """Record in-kind aid."""
    form = AidForm()
    return _record_form(
        beneficiary_id,
        form,
        "register/small_form.html",
        _("In-kind aid"),
        lambda s, w: give_aid(
            s,
            w,
            day(form.given_on),
            form.item.data,
            form.quantity.data,
            form.value.data or 0,
            form.donor.data or "",
        ),
    )


from web.register import dedup, imports, report  # noqa: E402,F401  (routes on bp)
