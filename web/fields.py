"""Form fields for dates and money as people type them: Jalali dates, amounts in the fund's unit.

- ``JalaliDateField`` reads ``1403/05/12`` (also ``-`` or ``.`` separators) in
  Persian, Arabic-Indic or Latin digits; ``data`` is a Gregorian ``date``; it is
  shown back as a Jalali date in the page's digits, or as typed when invalid.
- ``MoneyField`` reads an amount in the fund's unit (``unit`` = 'rial' or
  'toman', settable per form instance before validation) with or without
  thousands separators, in any digits; ``data`` is an integer number of rials.
  A toman amount may have one decimal (۱۲۵٫۵ تومان = ۱٬۲۵۵ ریال); anything finer,
  negative or not a number is an error shown next to the field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired

from groups import locale
from web.formatting import current_locale, jalali


class JalaliDateField(StringField):  # type: ignore[misc]
    """A date typed in the Jalali calendar."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        # No grey example inside the box (it looks filled in): the example is a hint below,
        # and a required day starts as today, which the user changes if she means another.
        kwargs.setdefault("render_kw", {}).update({"inputmode": "numeric", "dir": "ltr"})
        kwargs.setdefault("description", _l("Jalali, like 1403/05/12"))
        if any(isinstance(v, InputRequired) for v in validators or ()):
            kwargs.setdefault("default", locale.today_in_iran)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = (valuelist[0] if valuelist else "") or ""
        if not text.strip():
            return
        try:
            self.data = locale.parse_jalali(text)
        except ValueError as error:
            raise ValueError(_l("Write a Jalali date like 1403/05/12.")) from error

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return jalali(self.data) if isinstance(self.data, date) else ""


class MoneyField(StringField):  # type: ignore[misc]
    """An amount of money typed in the fund's unit; ``data`` is in rials."""

    def __init__(
        self, label: Any = None, validators: Any = None, unit: str = "rial", **kwargs: Any
    ) -> None:
        kwargs.setdefault("render_kw", {}).update({"inputmode": "decimal", "dir": "ltr"})
        super().__init__(label, validators, **kwargs)
        self.unit = unit

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = (valuelist[0] if valuelist else "") or ""
        if not text.strip():
            return
        try:
            self.data = locale.parse_amount(text, self.unit)
        except ValueError as error:
            if self.unit == "toman":
                raise ValueError(
                    _l("Write an amount in tomans, like 12,500 (at most one decimal).")
                ) from error
            raise ValueError(_l("Write a whole amount in rials, like 125,000.")) from error

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if not isinstance(self.data, int):
            return ""
        return amount_text(self.data, self.unit)


def amount_text(rials: int, unit: str) -> str:
    """Write rials in the unit, without its name, in the page's digits (for an input's value)."""
    return locale.amount_text(rials, unit, persian=current_locale() == "fa")
