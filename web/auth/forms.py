"""Forms of the login, the password change and the language switch."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from web.auth.models import LOCALES
from web.auth.passwords import MIN_PASSWORD_LENGTH, is_common
from web.formatting import persian_digits


class LoginForm(FlaskForm):  # type: ignore[misc]
    """Username and password."""

    username = StringField(_l("Username"), validators=[InputRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])


class LongEnough(Length):  # type: ignore[misc]
    """Length with a message whose number is written in the page's digits."""

    def __call__(self, form: object, field: object) -> None:
        self.message = gettext("At least %(n)s characters.", n=persian_digits(self.min))
        super().__call__(form, field)


class NotCommon:
    """Refuse a commonly used password (web/auth/passwords.py), or the form's username."""

    def __call__(self, form: object, field: object) -> None:
        username = getattr(getattr(form, "username", None), "data", None) or ""
        if not username and current_user and current_user.is_authenticated:
            username = current_user.username  # her own password change
        if is_common(str(getattr(field, "data", "") or ""), str(username)):
            raise ValidationError(
                gettext("This password is too common and easily guessed. Choose another.")
            )


def new_password_field(label: object) -> PasswordField:
    """A new password: at least MIN_PASSWORD_LENGTH characters, and not a common one."""
    return PasswordField(
        label,
        validators=[InputRequired(), LongEnough(min=MIN_PASSWORD_LENGTH, max=200), NotCommon()],
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
