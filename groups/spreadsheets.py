"""Cells a spreadsheet will not run: the one helper every CSV and XLSX export writes through.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return (or
their full-width forms, which some spreadsheet locales also read as a formula) is
taken by Excel or LibreOffice as a formula when a CSV is opened: a member named
``=HYPERLINK("http://…", "…")`` would become a live link, ``=cmd|…`` a command
(CSV or formula injection). As OWASP recommends, such text is written with a
leading apostrophe, so it shows as typed and never runs. True numbers (``int``,
``float``, ``Decimal``, ``Fraction``) stay numbers, negative ones too: amounts
must add up in the sheet. Every export — ``reports.render.write_csv`` and
``write_xlsx``, the register import's problem report — writes through ``inert``.

Pure: no database, no openpyxl.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

#: What a spreadsheet may read as the start of a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

Value = TypeVar("Value")


def inert(value: Value) -> Value | str:
    """Return a cell that no spreadsheet runs: text starting like a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_row(values: Iterable[Value]) -> list[Value | str]:
    """Return a row of cells, each through ``inert``."""
    return [inert(value) for value in values]
