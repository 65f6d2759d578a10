"""Workshops and employers, a woman's placements, and their follow-ups at 3 and 6 months.

Programme staff record them; the list of employers shows the follow-ups due.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from groups.beneficiaries.models import Beneficiary
from groups.placement.models import FOLLOW_UP_MONTHS, Employer, Placement
from groups.placement.services import (
    add_employer,
    follow_ups_due,
    place,
    record_follow_up,
    start_self_employment,
)
from groups.savings.models import Loan, Member
from web.access import roles_required
from web.extensions import db
from web.fields import JalaliDateField, MoneyField
from web.funds.views import today
from web.register.forms import day
from web.register.labels import REGISTER_LABELS
from web.register.routes import page, written
from web.register.scope import STAFF, visible_woman

bp = Blueprint("placement", __name__)


class EmployerForm(FlaskForm):  # type: ignore[misc]
    """A workshop or an employer."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"), choices=[(k, REGISTER_LABELS["employer"][k]) for k in ("workshop", "employer")]
    )
    trade = StringField(_l("Trade"), validators=[Length(max=100)])
    place = StringField(_l("Place"), validators=[Length(max=200)])


class PlacementForm(FlaskForm):  # type: ignore[misc]
    """A job with an employer or workshop, or her own business."""

    kind = SelectField(
        _l("Kind"),
        choices=[(k, REGISTER_LABELS["placement"][k]) for k in ("employment", "self_employment")],
    )
    employer_id = SelectField(_l("Workshop or employer"), coerce=int, default=0)
    loan_id = SelectField(_l("Started with her fund's loan"), coerce=int, default=0)
    started_on = JalaliDateField(_l("Started on"), validators=[InputRequired()])
    role = StringField(_l("Work"), validators=[InputRequired(), Length(max=200)])
    monthly_income = MoneyField(_l("Monthly income (rials)"), validators=[Optional()])


class FollowUpForm(FlaskForm):  # type: ignore[misc]
    """What a follow-up visit found."""

    months = SelectField(
        _l("Follow-up"),
        coerce=int,
        choices=[(m, _l("%(n)s months", n=m)) for m in FOLLOW_UP_MONTHS],
    )
    visited_on = JalaliDateField(_l("Visited on"), validators=[InputRequired()])
    still_working = BooleanField(_l("Still working"))
    monthly_income = MoneyField(_l("Monthly income (rials)"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])


@bp.get("/placement")
@roles_required(*STAFF)
def employers() -> Any:
    """Workshops and employers, and the follow-ups due."""
    session = db.session()
    listed = session.scalars(select(Employer).order_by(Employer.kind, Employer.name)).all()
    due = follow_ups_due(session, today())
    women = {
        w.id: w
        for w in session.scalars(
            select(Beneficiary).where(Beneficiary.id.in_({p.beneficiary_id for p, _m, _d in due}))
        )
    }
    return page("placement/employers.html", employers=listed, due=due, women=women)


@bp.route("/placement/employers/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_employer() -> Any:
    """Register a workshop or an employer."""
    form = EmployerForm()
    if form.validate_on_submit():
        session = db.session()
        name = form.name.data.strip()
        if session.scalar(select(Employer.id).where(Employer.name == name)) is not None:
            form.name.errors = [_("This name is already registered.")]
        else:
            add_employer(
                session, name, form.kind.data, form.trade.data or "", form.place.data or ""
            )
            session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("placement.employers"))
    return page(
        "register/small_form.html", form=form, title=_("New workshop or employer"), woman=None
    )


@bp.route("/register/<int:beneficiary_id>/placements/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_placement(beneficiary_id: int) -> Any:
    """Record that a woman started work, or her own business."""
    woman = visible_woman(beneficiary_id)
    if woman.merged_into_id is not None:
        abort(404)
    form = PlacementForm()
    session = db.session()
    form.employer_id.choices = [
        (0, "—"),
        *(
            (i, n)
            for i, n in session.execute(select(Employer.id, Employer.name).order_by(Employer.name))
        ),
    ]
    loans = session.execute(
        select(Loan.id, Loan.principal, Loan.disbursed_on)
        .join(Member, Member.id == Loan.member_id)
        .where(Member.beneficiary_id == woman.id)
        .order_by(Loan.disbursed_on)
    ).all()
    form.loan_id.choices = [(0, "—"), *((i, f"#{i}") for i, _p, _d in loans)]
    if form.validate_on_submit() and _employer_named(form):
        back = url_for("register.show", beneficiary_id=woman.id)
        done = written(form, lambda s: _place(s, woman.id, form), _("Saved."), back)
        if done is not None:
            return done
    return page("register/small_form.html", form=form, title=_("New placement"), woman=woman)


def _place(session: Any, woman_id: int, form: PlacementForm) -> Placement:
    income = form.monthly_income.data or 0
    if form.kind.data == "employment":
        return place(
            session, woman_id, form.employer_id.data, day(form.started_on), form.role.data, income
        )
    return start_self_employment(
        session, woman_id, day(form.started_on), form.role.data, income, form.loan_id.data or None
    )


def _employer_named(form: PlacementForm) -> bool:
    """Return whether an employment names its employer (else say so on the field)."""
    if form.kind.data == "employment" and not form.employer_id.data:
        form.employer_id.errors = [_("Choose the workshop or employer.")]
        return False
    return True


@bp.route("/placement/<int:placement_id>/follow-ups/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_follow_up(placement_id: int) -> Any:
    """Record a 3- or 6-month follow-up: still working? earning what?"""
    placement = db.session.get(Placement, placement_id)
    if placement is None:
        abort(404)
    woman = visible_woman(placement.beneficiary_id)
    form = FollowUpForm()
    if form.validate_on_submit():
        back = url_for("register.show", beneficiary_id=woman.id)
        done = written(form, lambda s: _follow_up(s, placement_id, form), _("Saved."), back)
        if done is not None:
            return done
    return page("register/small_form.html", form=form, title=_("Follow-up"), woman=woman)


def _follow_up(session: Any, placement_id: int, form: FollowUpForm) -> object:
    return record_follow_up(
        session,
        placement_id,
        form.months.data,
        day(form.visited_on),
        form.still_working.data,
        form.monthly_income.data or 0,
        form.notes.data or "",
    )
