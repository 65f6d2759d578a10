"""Forms of the meeting pages other than the sheet (the sheet is parsed by ``sheet.Sheet``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length


class ReopenForm(FlaskForm):  # type: ignore[misc]
    """Why the last meeting is reopened (kept with the reversed entries)."""

    reason = TextAreaField(
        _l("Why is the meeting reopened?"), validators=[InputRequired(), Length(max=500)]
    )
