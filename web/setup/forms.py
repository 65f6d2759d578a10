"""Set-up forms: the constitution (also for a new cycle), a new fund, members, imports."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from groups import locale
from groups.savings import rules
from groups.savings.errors import InvalidConstitution
from groups.savings.funds import ROLES
from groups.savings.models import Member
from ledger.errors import DomainError
from web.errors import form_error
from web.extensions import db
from web.fields import JalaliDateField, MoneyField
from web.funds.labels import LABELS
from web.lengths import LinesFit

#: "Constitution setting 'min_shares' must …" → min_shares
_SETTING = re.compile(r"setting '(\w+)'")


def _choices(kind: str, values: Any) -> list[tuple[str, Any]]:
    return [(v.value, LABELS.get(kind, {}).get(v.value, v.value)) for v in values]


class ConstitutionForm(FlaskForm):  # type: ignore[misc]
    """The rules of a cycle (اساسنامه)."""

    started_on = JalaliDateField(_l("Cycle starts on"), validators=[InputRequired()])
    share_price = MoneyField(_l("Share price"), validators=[InputRequired()])
    min_shares = IntegerField(_l("Fewest shares a meeting"), default=1, validators=[NumberRange(0)])
    max_shares = IntegerField(_l("Most shares a meeting"), default=5, validators=[NumberRange(1)])
    social_contribution = MoneyField(_l("Social fund contribution"), validators=[Optional()])
    frequency = SelectField(_l("Meetings"), default="weekly")
    meeting_day = IntegerField(
        _l("Meeting day (0 = Monday … 6 = Sunday; day of month if monthly)"), default=0
    )
    loan_multiple = IntegerField(
        _l("Loan limit (× savings)"), default=3, validators=[NumberRange(1)]
    )
    max_term_months = IntegerField(
        _l("Longest loan (months)"), default=3, validators=[NumberRange(1)]
    )
    charge_method = SelectField(_l("Service charge"), default="flat_monthly")
    charge_rate = StringField(_l("Charge rate (% a month)"), default="2")
    fine_late = MoneyField(_l("Fine for coming late"), validators=[Optional()])
    fine_absent = MoneyField(_l("Fine for absence"), validators=[Optional()])
    share_out_method = SelectField(_l("Share-out method"), default="proportional")
    instalment_unit = MoneyField(
        _l("Instalments in multiples of (the remainder on the last)"), validators=[Optional()]
    )
    grace_meetings = IntegerField(
        _l("Grace before the first instalment (meetings)"),
        default=0,
        validators=[Optional(), NumberRange(0, 52)],
    )

    def __init__(self, *args: Any, unit: str = "rial", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (
            "share_price",
            "social_contribution",
            "fine_late",
            "fine_absent",
            "instalment_unit",
        ):
            _read_in(getattr(self, name), unit)
        self.frequency.choices = _choices("frequency", rules.MeetingFrequency)
        self.charge_method.choices = _choices("charge", rules.ChargeMethod)
        self.share_out_method.choices = [
            (m.value, SHARE_OUT_METHODS[m.value]) for m in rules.ShareOutMethod
        ]

    def constitution(self) -> rules.Constitution:
        """Return the constitution typed; InvalidConstitution names the setting at fault."""
        try:
            rate = Decimal(locale.latin_digits(self.charge_rate.data or "0").replace("٫", "."))
        except InvalidOperation as error:
            raise InvalidConstitution(
                "Constitution setting 'charge_rate' is not a number"
            ) from error
        fines = {"late": self.fine_late.data or 0, "absent": self.fine_absent.data or 0}
        return rules.Constitution(
            share_price=self.share_price.data or 0,
            min_shares=self.min_shares.data,
            max_shares=self.max_shares.data,
            social_contribution=self.social_contribution.data or 0,
            frequency=rules.MeetingFrequency(self.frequency.data),
            meeting_day=self.meeting_day.data,
            loan_multiple=self.loan_multiple.data,
            max_term_months=self.max_term_months.data,
            charge_method=rules.ChargeMethod(self.charge_method.data),
            charge_rate=rate / 100,
            fines={name: amount for name, amount in fines.items() if amount},
            share_out_method=rules.ShareOutMethod(self.share_out_method.data),
            instalment_unit=self.instalment_unit.data or 1,
            grace_meetings=self.grace_meetings.data or 0,
        )

    def starts_on(self) -> date:
        """Return the validated start date."""
        day = self.started_on.data
        assert isinstance(day, date)
        return day

    def fill_from(self, constitution: rules.Constitution) -> None:
        """Show an earlier cycle's constitution as the starting point."""
        for name in ("min_shares", "max_shares", "meeting_day", "loan_multiple", "max_term_months"):
            getattr(self, name).data = getattr(constitution, name)
        self.share_price.data = constitution.share_price
        self.social_contribution.data = constitution.social_contribution
        self.frequency.data = constitution.frequency.value
        self.charge_method.data = constitution.charge_method.value
        self.charge_rate.data = f"{(constitution.charge_rate * 100).normalize():f}"
        self.fine_late.data = constitution.fines.get("late")
        self.fine_absent.data = constitution.fines.get("absent")
        self.share_out_method.data = constitution.share_out_method.value
        self.instalment_unit.data = constitution.instalment_unit
        self.grace_meetings.data = constitution.grace_meetings


def _read_in(field: MoneyField, unit: str) -> None:
    """Read an amount again in the fund's unit (fields read the form before it is known)."""
    field.unit = unit
    if field.raw_data:
        field.process_errors = []
        try:
            field.process_formdata(field.raw_data)
        except ValueError as error:
            field.process_errors.append(error.args[0])


def refused(form: FlaskForm, error: DomainError) -> None:
    """Undo what the form began and show the broken rule next to the setting it names."""
    db.session.rollback()
    found = _SETTING.search(str(error)) if isinstance(error, InvalidConstitution) else None
    form_error(form, error, found.group(1) if found else None)


SHARE_OUT_METHODS = {
    "proportional": _l("in proportion to savings"),
    "equal_profit": _l("equal profit per member"),
    "charges_returned": _l("service charges returned to who paid them"),
}


class NewFundForm(ConstitutionForm):
    """A new fund, its first cycle's constitution and its members."""

    name = StringField(_l("Name of the fund"), validators=[InputRequired(), Length(max=200)])
    village = StringField(_l("Village"), validators=[Optional(), Length(max=200)])
    display_unit = SelectField(
        _l("Amounts shown in"), choices=[("rial", _l("rial")), ("toman", _l("toman"))]
    )
    members = TextAreaField(
        _l("Members, one name a line"),
        validators=[InputRequired(), Length(max=20_000), LinesFit(Member.name)],
    )


class MemberForm(FlaskForm):  # type: ignore[misc]
    """A new member of the fund."""

    def joined(self) -> date:
        """Return the validated joining date."""
        day = self.joined_on.data
        assert isinstance(day, date)
        return day

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    joined_on = JalaliDateField(_l("Joined on"), validators=[InputRequired()])


ROLE_NAMES = {
    "chair": _l("chair"),
    "treasurer": _l("treasurer"),
    "box_keeper": _l("box keeper"),
    "money_counter": _l("money counter"),
    "key_holder": _l("key holder"),
}


class RolesForm(FlaskForm):  # type: ignore[misc]
    """A member's committee roles."""

    roles = SelectMultipleField(
        _l("Committee roles"), choices=[(r, ROLE_NAMES[r]) for r in ROLES], validators=[Optional()]
    )


class ImportForm(FlaskForm):  # type: ignore[misc]
    """A fund book (JSON) to import."""

    book = FileField(_l("Fund book (JSON)"), validators=[FileRequired()])
    #: A book already imported is refused unless copied as a new fund.
    as_new = BooleanField(_l("Import as a new fund (a copy of a book already imported)"))
