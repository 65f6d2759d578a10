"""Jinja filters: digits, money and Jalali dates in the current language.

Persian pages write Persian digits and Persian separators; English pages Latin
ones. Dates are Jalali in both (the funds keep their books in the Jalali
calendar); Babel is not used for numbers (it never writes Persian digits).
"""

from __future__ import annotations

from datetime import date

from flask import has_request_context, request, url_for
from flask_babel import get_locale
from markupsafe import Markup

from groups import locale

#: Between items of a line: a thin rule drawn by CSS, not a glyph ("·" beside a digit reads
#: as a zero in Persian, and a dash as a minus).
SEPARATOR = Markup('<span class="sep" aria-hidden="true"></span>')


def current_locale() -> str:
    """Return 'fa' or 'en': the language of the current request (Persian outside one)."""
    if not has_request_context():
        return "fa"
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "fa"


def _persian_ui() -> bool:
    return current_locale() == "fa"


def persian_digits(value: object) -> str:
    """Write a number with Persian digits in the Persian UI, Latin digits in English."""
    return locale.persian_digits(value) if _persian_ui() else str(value)


def number(value: int) -> str:
    """Write a whole number with thousands separators in the UI's digits."""
    return locale.group_thousands(value, persian=_persian_ui())


def money(rials: int, unit: str = "rial") -> Markup:
    """Write an amount in the fund's unit (rounded to it), or exactly in rials when asked.

    Isolated in ``<bdi>``: next to a Persian name in an English line (or a Latin word in a
    Persian one) the figure and its unit keep their order.
    """
    text = locale.format_money(rials, shown_unit(unit), persian=_persian_ui())
    return Markup("<bdi>{}</bdi>").format(text)


def comma() -> str:
    """Return the separator of a list in the UI's language: «، » in Persian, ", " in English."""
    return "، " if _persian_ui() else ", "


def shown_unit(unit: str) -> str:
    """Return the unit amounts are shown in: the fund's, or rials when exact amounts are asked."""
    return "rial" if exact_amounts() else unit


def exact_amounts() -> bool:
    """Return whether the reader asked for exact amounts (in rials) on this page."""
    return has_request_context() and request.args.get("exact") == "1"


def difference(rials: int, unit: str = "rial") -> str:
    """Write a counted-minus-expected cash difference in words: shortfall or surplus."""
    return locale.format_difference(rials, shown_unit(unit), persian=_persian_ui())


def jalali(day: date | None) -> str:
    """Write a date in the Jalali calendar."""
    return "" if day is None else locale.to_jalali(day, persian=_persian_ui())


def difference_word(counted_minus_expected: int) -> str:
    """Return the word for a cash difference in the UI's language: shortfall, surplus or none."""
    return locale.difference_words(counted_minus_expected, persian=_persian_ui())


def exact_toggle_url() -> str | None:
    """Return this page's address with exact amounts switched on or off (None outside a GET)."""
    if not has_request_context() or request.method != "GET" or request.endpoint is None:
        return None
    args = {**(request.view_args or {}), **request.args.to_dict()}
    if exact_amounts():
        args.pop("exact", None)
    else:
        args["exact"] = "1"
    return url_for(request.endpoint, **args)
