"""The user form of the administrator and the password reset."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from web.auth.forms import new_password_field
from web.auth.models import Role
from web.funds.labels import label


def _optional_int(value: object) -> int | None:
    return int(str(value)) if value not in (None, "", "None") else None


class UserForm(FlaskForm):  # type: ignore[misc]
    """A user's name, role, language, fund, member and assigned funds."""

    username = StringField(
        _l("Username"),
        validators=[
            InputRequired(),
            Length(min=3, max=80),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Latin letters, digits, . _ - only.")),
        ],
    )
    role = SelectField(_l("Role"), choices=[])
    locale = SelectField(_l("Language"), choices=[("fa", "فارسی"), ("en", "English")])
    fund_id = SelectField(_l("Fund (treasurer)"), coerce=_optional_int, validators=[Optional()])
    member_id = SelectField(_l("Member (member)"), coerce=_optional_int, validators=[Optional()])
    assignments = SelectMultipleField(_l("Assigned funds (facilitator)"), coerce=int)
    active = BooleanField(_l("Active"), default=True)

    def set_choices(self, funds: list[tuple[int, str]], members: list[tuple[int, str]]) -> None:
        """Fill the lists of roles, funds and members."""
        self.role.choices = [(role.value, label("role", role.value)) for role in Role]
        self.fund_id.choices = [(None, "—"), *funds]
        self.member_id.choices = [(None, "—"), *members]
        self.assignments.choices = funds


class NewUserForm(UserForm):
    """A new user: also her first password."""

    password = new_password_field(_l("Password"))


class ResetPasswordForm(FlaskForm):  # type: ignore[misc]
    """A new password set by the administrator (also unlocks the account)."""

    password = new_password_field(_l("New password"))
