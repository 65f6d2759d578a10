"""Courses, sessions with their attendance, completions: programme staff record them.

Trainees are women of the register, named by record number or national ID, or
people outside it (facilitators, fund members not in the register) by name.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from groups.beneficiaries.models import Beneficiary
from groups.training.models import (
    COURSE_KINDS,
    Attendance,
    Completion,
    Course,
    TrainingSession,
)
from groups.training.services import Trainee, complete, create_course, hold_session
from ledger.models import Fund
from web.access import roles_required
from web.extensions import db
from web.fields import JalaliDateField
from web.lengths import LinesFit
from web.register.forms import day
from web.register.labels import REGISTER_LABELS
from web.register.routes import page, written
from web.register.scope import STAFF
from web.register.trainees import names, women_named

bp = Blueprint("training", __name__, url_prefix="/training")

_WOMEN_HINT = _l("Record numbers or national IDs of women of the register, separated by spaces.")


class CourseForm(FlaskForm):  # type: ignore[misc]
    """A new course."""

    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"), choices=[(k, REGISTER_LABELS["course"][k]) for k in COURSE_KINDS]
    )
    trade = StringField(_l("Trade (for vocational courses)"), validators=[Length(max=100)])
    provider = StringField(_l("Provider"), validators=[Length(max=200)])
    hours = IntegerField(_l("Hours"), default=0, validators=[Optional(), NumberRange(0)])


class TraineesForm(FlaskForm):  # type: ignore[misc]
    """Women of the register and people outside it."""

    women = TextAreaField(_l("Women"), validators=[Length(max=20_000)])
    others = TextAreaField(
        _l("Others (facilitators…), one name a line"),
        validators=[Length(max=5000), LinesFit(Attendance.person_name)],
    )
    others_role = SelectField(
        _l("Others are"),
        choices=[(r, REGISTER_LABELS["trainee"][r]) for r in ("facilitator", "fund_member")],
        default="facilitator",
    )

    def trainees(self) -> list[Trainee] | None:
        """Return the trainees named, or None with the unknown ones shown on the field."""
        found, unknown = women_named(db.session(), self.women.data)
        if unknown:
            self.women.errors = [
                *list(self.women.errors),
                _("No active record has these numbers: %(tokens)s", tokens=" ".join(unknown)),
            ]
            return None
        people = [
            Trainee(person_name=n, role=self.others_role.data) for n in names(self.others.data)
        ]
        return [Trainee(w) for w in found] + people


class SessionForm(TraineesForm):
    """A class held: date, place, trainer, the fund trained, who attended."""

    held_on = JalaliDateField(_l("Held on"), validators=[InputRequired()])
    place = StringField(_l("Place"), validators=[InputRequired(), Length(max=200)])
    trainer = StringField(_l("Trainer"), validators=[InputRequired(), Length(max=200)])
    fund_id = SelectField(_l("Fund trained (fund management)"), coerce=int, default=0)


class CompletionForm(TraineesForm):
    """Who completed the course, and when."""

    completed_on = JalaliDateField(_l("Completed on"), validators=[InputRequired()])


def _course(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None:
        abort(404)
    return course


@bp.get("")
@roles_required(*STAFF)
def courses() -> Any:
    """Every course with its classes, trainees and completions."""
    session = db.session()
    held = Counter(
        dict(
            session.execute(
                select(TrainingSession.course_id, func.count()).group_by(TrainingSession.course_id)
            ).all()
        )
    )
    done = Counter(
        dict(
            session.execute(
                select(Completion.course_id, func.count()).group_by(Completion.course_id)
            ).all()
        )
    )
    listed = session.scalars(select(Course).order_by(Course.kind, Course.title)).all()
    return page("training/courses.html", courses=listed, held=held, done=done)


@bp.route("/courses/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_course() -> Any:
    """Create a course."""
    form = CourseForm()
    if form.validate_on_submit():
        course = create_course(
            db.session(),
            form.title.data.strip(),
            form.kind.data,
            (form.trade.data or "").strip(),
            (form.provider.data or "").strip(),
            form.hours.data or 0,
        )
        db.session.commit()
        flash(_("The course was created."), "success")
        return redirect(url_for("training.course", course_id=course.id))
    return page("register/small_form.html", form=form, title=_("New course"), course=None)


@bp.get("/courses/<int:course_id>")
@roles_required(*STAFF)
def course(course_id: int) -> Any:
    """A course: its classes with who attended, and who completed it."""
    session = db.session()
    found = _course(course_id)
    classes = session.scalars(
        select(TrainingSession)
        .where(TrainingSession.course_id == course_id)
        .order_by(TrainingSession.held_on)
    ).all()
    attendance = session.execute(
        select(Attendance.session_id, Attendance.person_name, Beneficiary)
        .outerjoin(Beneficiary, Beneficiary.id == Attendance.beneficiary_id)
        .where(Attendance.session_id.in_([c.id for c in classes]))
        .order_by(Attendance.id)
    ).all()
    present: dict[int, list[Any]] = {c.id: [] for c in classes}
    for session_id, person, woman in attendance:
        present[session_id].append(woman or person)
    completions = session.execute(
        select(Completion, Beneficiary)
        .outerjoin(Beneficiary, Beneficiary.id == Completion.beneficiary_id)
        .where(Completion.course_id == course_id)
        .order_by(Completion.completed_on, Completion.id)
    ).all()
    funds = dict(session.execute(select(Fund.id, Fund.name)).all())
    return page(
        "training/course.html",
        course=found,
        classes=classes,
        present=present,
        completions=completions,
        funds=funds,
    )


@bp.route("/courses/<int:course_id>/sessions/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_session(course_id: int) -> Any:
    """Record a class and who attended it."""
    found = _course(course_id)
    form = SessionForm()
    form.fund_id.choices = [
        (0, "—"),
        *((i, n) for i, n in db.session.execute(select(Fund.id, Fund.name).order_by(Fund.name))),
    ]
    if form.validate_on_submit():
        trainees = form.trainees()
        if trainees is not None:
            return _write(
                form,
                course_id,
                lambda s: hold_session(
                    s,
                    course_id,
                    day(form.held_on),
                    form.place.data.strip(),
                    form.trainer.data.strip(),
                    trainees,
                    form.fund_id.data or None,
                ),
                _("The class was recorded."),
            )
    return page(
        "register/small_form.html", form=form, title=_("New class"), course=found, hint=_WOMEN_HINT
    )


@bp.route("/courses/<int:course_id>/completions/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_completion(course_id: int) -> Any:
    """Record who completed the course."""
    found = _course(course_id)
    form = CompletionForm()
    if form.validate_on_submit():
        trainees = form.trainees()
        if trainees is not None:
            return _write(
                form,
                course_id,
                lambda s: [complete(s, course_id, t, day(form.completed_on)) for t in trainees],
                _("The completions were recorded."),
            )
    return page(
        "register/small_form.html",
        form=form,
        title=_("Completions"),
        course=found,
        hint=_WOMEN_HINT,
    )


def _write(form: Any, course_id: int, write: Any, done: str) -> Any:
    back = url_for("training.course", course_id=course_id)
    finished = written(form, write, done, back)
    if finished is not None:
        return finished
    return page(
        "register/small_form.html",
        form=form,
        title=done,
        course=_course(course_id),
        hint=_WOMEN_HINT,
    )
