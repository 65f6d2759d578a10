"""Jinja filters: digits, money and Jalali dates in the current language.

Persian pages write Persian digits and Persian separators; English pages Latin
ones. Dates are Jalali in both (the funds keep their books in the Jalali
calendar); Babel is not used for numbers (it never writes Persian digits).
"""

from __future__ import annotations

from datetime import date

from flask import has_request_context
from flask_babel import get_locale

from reports import persian


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
    return persian.persian_digits(value) if _persian_ui() else str(value)


def number(value: int) -> str:
    """Write a whole number with thousands separators in the UI's digits."""
    return persian.group_thousands(value, persian=_persian_ui())


def money(rials: int, unit: str = "rial") -> str:
    """Write an amount in the fund's unit with thousands separators."""
    return persian.format_money(rials, unit, persian=_persian_ui())


def jalali(day: date | None) -> str:
    """Write a date in the Jalali calendar."""
    return "" if day is None else persian.to_jalali(day, persian=_persian_ui())


def parse_jalali_date(text: str) -> date:
    """Return the Gregorian date of a typed Jalali date (Persian or Latin digits).

    Raises ValueError when the text is not a real Jalali date.
    """
    return persian.parse_jalali(text)
