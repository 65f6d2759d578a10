"""Forms of the login, the password change and the language switch."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from web.auth.models import LOCALES
from web.formatting import persian_digits

MIN_PASSWORD_LENGTH = 10


class LoginForm(FlaskForm):  # type: ignore[misc]
    """Username and password."""

    username = StringField(_l("Username"), validators=[InputRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])


class LongEnough(Length):  # type: ignore[misc]
    """Length with a message whose number is written in the page's digits."""

    def __call__(self, form: object, field: object) -> None:
        self.message = gettext("At least %(n)s characters.", n=persian_digits(self.min))
        super().__call__(form, field)


def new_password_field(label: object) -> PasswordField:
    """A new password: at least MIN_PASSWORD_LENGTH characters."""
    return PasswordField(
        label, validators=[InputRequired(), LongEnough(min=MIN_PASSWORD_LENGTH, max=200)]
    )


class ChangePasswordForm(FlaskForm):  # type: ignore[misc]
    """The current password, then the new one twice."""

    current = PasswordField(_l("Current password"), validators=[InputRequired()])
    new = new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("New password again"),
        validators=[InputRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )


class LanguageForm(FlaskForm):  # type: ignore[misc]
    """The language switch in every page's header."""

    locale = HiddenField(validators=[InputRequired()])
    next = HiddenField()

    def chosen(self) -> str | None:
        """Return the chosen locale if it is one the app speaks."""
        value = self.locale.data
        return value if value in LOCALES else None
