"""A document's cells and titles in the user's language (Persian or English digits and words).

``reports.render`` formats cells for paper, always in Persian; the web pages show
the same raw values with the UI's filters (``web.formatting``), so an English
page reads Latin digits and English column titles.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from groups import locale
from reports.document import Cell, Column
from web import formatting


def cell_text(value: Cell, column: Column, unit: str) -> str:
    """Return a cell in the UI's language: amounts in the unit, ratios in %, Jalali dates."""
    if value is None or value == "":
        return ""
    if column.kind == "money" and isinstance(value, int):
        return formatting.money(value, unit)
    if isinstance(value, Fraction | Decimal):
        return percent(value)
    if isinstance(value, date):
        return formatting.jalali(value)
    if isinstance(value, int):
        return formatting.number(value)
    if column.kind == "text":
        return in_language(str(value))
    return formatting.persian_digits(value)


def in_language(text: str) -> str:
    """Return the UI's half of a paper label written for both ("پس‌انداز / savings")."""
    persian, separator, english = text.partition(" / ")
    if not separator:
        return text
    return english if formatting.current_locale() == "en" else persian


def percent(value: Fraction | Decimal) -> str:
    """Return a ratio as a percentage in the UI's digits (0.875 -> ۸۷٫۵٪ / 87.5%)."""
    return locale.format_percent(value, 1, persian=formatting.current_locale() == "fa")


def title_of(item: Any) -> str:
    """Return the Persian or English title of a table, column or heading (``fa``/``en``)."""
    english = formatting.current_locale() == "en"
    if hasattr(item, "title_fa"):
        return str(item.title_en if english else item.title_fa)
    return str(item.en if english else item.fa)
