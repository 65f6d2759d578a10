"""The register's forms: a woman's questionnaire, assessments, services, aid, import steps.

The questionnaire form is built from ``groups.beneficiaries.fields.FIELDS``: each
question is read by the register's own ``parse_value`` (the same reader as an
import), and what it finds wrong is shown next to the field in the page's
language (``problem_message``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    Field,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from groups.beneficiaries.fields import FIELDS, parse_value
from groups.beneficiaries.lengths import MAX_LENGTHS, TOO_LONG, too_long
from groups.beneficiaries.models import SERVICE_KINDS
from groups.beneficiaries.services import NEEDS
from web.fields import JalaliDateField, MoneyField
from web.formatting import persian_digits
from web.register.labels import REGISTER_LABELS, choice, lazy_question

#: Where hand-typed facts come from unless the form names another source.
DEFAULT_SOURCE = "دفتر برنامه"
#: What a field's reader finds wrong (its English text, or how it starts) -> the message shown.
PROBLEMS: tuple[tuple[str, Any], ...] = (
    ("is required", _l("This is required.")),
    ("must contain digits only", _l("A national ID has digits only.")),
    ("must have 10 digits", _l("A national ID has 10 digits (8 or 9 are padded with zeros).")),
    ("ten equal digits", _l("Ten equal digits are not a national ID.")),
    ("check digit", _l("This national ID's check digit does not match: look for a typo.")),
    ("not a date", _l("Write a Jalali date like 1360/05/12.")),
    ("no such day", _l("There is no such day in the calendar.")),
    ("must be a whole number", _l("Write a whole number.")),
    ("phone number", _l("A phone number has 7 to 11 digits.")),
    ("is not one of", _l("Choose one of the options.")),
    ("must be yes or no", _l("Answer yes or no.")),
)
_TEXTAREAS = ("address", "skills", "health", "disability", "income_sources", "support_received")
_NUMERIC = ("national_id", "phone", "household_size", "dependants", "monthly_income")


def problem_message(problem: str) -> Any:
    """Return what a reader found wrong in the page's language (unknown ones as they are)."""
    if problem.startswith(TOO_LONG):
        return gettext("At most %(n)s characters.", n=persian_digits(problem.split()[3]))
    for start, message in PROBLEMS:
        if problem.startswith(start):
            return message
    return problem


def _choices(name: str, codes: Any) -> list[tuple[str, Any]]:
    from flask_babel import LazyString

    return [("", "—")] + [(code, LazyString(choice, name, code)) for code in codes]


def _question_field(spec: Any) -> Field:
    label = lazy_question(spec.name)
    if spec.kind == "choice":
        return SelectField(label, choices=_choices(spec.name, spec.choices), default="")
    if spec.kind == "bool":
        return SelectField(
            label, choices=[("", "—"), ("1", _l("yes")), ("0", _l("no"))], default=""
        )
    render: dict[str, str] = {}
    if spec.name in _NUMERIC:
        render = {"inputmode": "numeric", "dir": "ltr"}
    if spec.kind == "date":
        render = {"inputmode": "numeric", "dir": "ltr", "placeholder": "۱۳۶۰/۰۵/۱۲"}
    kind = TextAreaField if spec.name in _TEXTAREAS else StringField
    if spec.name in MAX_LENGTHS and spec.kind == "text":
        render = {**render, "maxlength": str(MAX_LENGTHS[spec.name])}
    return kind(label, validators=[Length(max=2000)], render_kw=render)


class QuestionnaireForm(FlaskForm):  # type: ignore[misc]
    """A woman's questionnaire; ``values()`` gives the typed answers the register stores."""

    source = StringField(
        _l("Source of these answers (agency)"),
        default=DEFAULT_SOURCE,
        validators=[InputRequired(), Length(max=200)],
    )

    def questions(self) -> list[Any]:
        """Return the question fields in the questionnaire's order."""
        return [getattr(self, spec.name) for spec in FIELDS]

    def check(self, creating: bool) -> dict[str, str]:
        """Read every answer; put problems next to their fields; return the stored values.

        When editing, an empty answer leaves the record's value as it is (facts are
        only added), so a required question may be left empty.
        """
        values = {}
        for spec in FIELDS:
            field = getattr(self, spec.name)
            value, problem = parse_value(spec, str(field.data or ""))
            if value is not None and not problem:
                problem = too_long(spec.name, value)
            if problem == "is required" and not creating:
                continue
            if problem:
                field.errors = [*list(field.errors), problem_message(problem)]
            elif value is not None:
                values[spec.name] = value
        return values


for _spec in FIELDS:
    setattr(QuestionnaireForm, _spec.name, _question_field(_spec))


def day(field: Any) -> date:
    """Return a required date field's validated date."""
    value = field.data
    assert isinstance(value, date)
    return value


def stored(value: object) -> str | None:
    """Return a record's column value as the register stores it in a fact."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class AssessmentForm(FlaskForm):  # type: ignore[misc]
    """A needs assessment."""

    assessed_on = JalaliDateField(_l("Assessed on"), validators=[InputRequired()])
    assessed_by = StringField(_l("Assessed by"), validators=[InputRequired(), Length(max=200)])
    life_skills = BooleanField(REGISTER_LABELS["need"]["life_skills"])
    vocational = BooleanField(REGISTER_LABELS["need"]["vocational"])
    finance = BooleanField(REGISTER_LABELS["need"]["finance"])
    counselling = BooleanField(REGISTER_LABELS["need"]["counselling"])
    employment = BooleanField(REGISTER_LABELS["need"]["employment"])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])

    def needs(self) -> list[str]:
        """Return the needs ticked."""
        return [need for need in NEEDS if getattr(self, need).data]


class ServiceForm(FlaskForm):  # type: ignore[misc]
    """A counselling session or another service."""

    kind = SelectField(
        _l("Service"), choices=[(k, REGISTER_LABELS["service"][k]) for k in SERVICE_KINDS]
    )
    given_on = JalaliDateField(_l("Date"), validators=[InputRequired()])
    given_by = StringField(_l("Given by"), validators=[InputRequired(), Length(max=200)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])


class AidForm(FlaskForm):  # type: ignore[misc]
    """Goods given to a woman."""

    given_on = JalaliDateField(_l("Date"), validators=[InputRequired()])
    item = StringField(_l("Item"), validators=[InputRequired(), Length(max=200)])
    quantity = IntegerField(_l("Quantity"), default=1, validators=[NumberRange(1)])
    value = MoneyField(_l("Value (rials)"), validators=[Optional()])
    donor = StringField(_l("Donor"), validators=[Optional(), Length(max=200)])


class UploadForm(FlaskForm):  # type: ignore[misc]
    """An agency's file to import."""

    agency = StringField(_l("Agency"), validators=[InputRequired(), Length(max=200)])
    file = FileField(_l("File (CSV or XLSX)"), validators=[FileRequired()])
    received_on = JalaliDateField(_l("Date of the agency's data"), validators=[InputRequired()])
