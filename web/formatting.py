"""Jinja filters: Persian digits, money and Jalali dates for the current language."""

from __future__ import annotations

from datetime import date

from reports import persian


def _persian_ui() -> bool:
    return True  # English is selectable once per-user languages arrive (web-app issue).


def persian_digits(value: object) -> str:
    """Write a number with Persian digits in the Persian UI."""
    return persian.persian_digits(value) if _persian_ui() else str(value)


def money(rials: int, unit: str = "rial") -> str:
    """Write an amount in the fund's unit with thousands separators."""
    return persian.format_money(rials, unit, persian=_persian_ui())


def jalali(day: date | None) -> str:
    """Write a date in the Jalali calendar."""
    return "" if day is None else persian.to_jalali(day, persian=_persian_ui())
