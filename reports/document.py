"""What every printable document is made of: a heading and tables of typed cells.

A document is a plain data object (tested on its own) with a ``heading`` and a
``tables()`` view; ``reports.render`` turns the same object into HTML/PDF (its
own Jinja template), CSV and XLSX. Cells hold raw values: money as ``int``
rials, dates as ``date``, ratios as ``Fraction``/``Decimal`` (0.15 = 15 %),
counts as ``int``, text as ``str``; ``None`` is an empty cell. The renderers
format them by the column's ``kind``, so the figures a member reads on paper and
the ones a facilitator opens in a spreadsheet come from the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Literal, Protocol

Kind = Literal["text", "money", "count", "date", "ratio"]
Cell = int | str | date | Fraction | Decimal | None
#: Column kinds right-aligned in tabular figures.
NUMERIC_KINDS = frozenset({"money", "count", "ratio"})


@dataclass(frozen=True)
class Column:
    """A column of a table: its Persian and English titles and the kind of its cells."""

    key: str
    fa: str
    en: str
    kind: Kind = "text"

    @property
    def numeric(self) -> bool:
        """Return True for money, counts and ratios (aligned to the end, tabular figures)."""
        return self.kind in NUMERIC_KINDS


@dataclass(frozen=True)
class Table:
    """Rows under columns, with an optional totals row; ``name`` is short ASCII (a sheet name)."""

    name: str
    fa: str
    en: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    totals: tuple[Cell, ...] | None = None

    def __post_init__(self) -> None:
        width = len(self.columns)
        for row in (*self.rows, *([self.totals] if self.totals else [])):
            if len(row) != width:
                raise ValueError(
                    f"Table {self.name}: a row of {len(row)} cells for {width} columns"
                )

    def column(self, key: str) -> list[Cell]:
        """Return the cells of one column, by key."""
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]

    def without_empty(self, keys: Sequence[str]) -> Table:
        """Return the table without those of ``keys`` whose cells are all zero or empty."""
        drop = {k for k in keys if not any(self.column(k))}
        keep = [i for i, c in enumerate(self.columns) if c.key not in drop]
        return Table(
            self.name,
            self.fa,
            self.en,
            tuple(self.columns[i] for i in keep),
            tuple(tuple(row[i] for i in keep) for row in self.rows),
            tuple(self.totals[i] for i in keep) if self.totals else None,
        )


@dataclass(frozen=True)
class Heading:
    """Who and when a document is about: printed at the top and on every page."""

    title_fa: str
    title_en: str
    fund_name: str
    village: str = ""
    #: The period covered; ``start`` None for a document as of one day.
    start: date | None = None
    end: date | None = None
    #: How amounts are shown: rial or toman (cells always hold rials).
    unit: str = "rial"
    #: Extra labelled facts under the title (label, value) — value already formatted.
    facts: tuple[tuple[str, str], ...] = field(default=())


class Document(Protocol):
    """A printable document: a heading, tables, and the Jinja template that lays it out."""

    @property
    def template(self) -> str:
        """Return the Jinja template (under reports/templates) that lays the document out."""
        ...

    @property
    def heading(self) -> Heading:
        """Return the document's heading."""
        ...

    def tables(self) -> Sequence[Table]:
        """Return the document's tables, in reading order (CSV/XLSX use them as they are)."""
        ...


def ratio(numerator: int, denominator: int) -> Fraction | None:
    """Return numerator ÷ denominator as an exact fraction, or None when nothing to divide by."""
    return Fraction(numerator, denominator) if denominator else None


def column_sums(rows: Sequence[Sequence[Cell]], indexes: Sequence[int]) -> list[int]:
    """Return the sum of each listed column of rows whose cells there are ints."""
    sums = []
    for i in indexes:
        cells = [row[i] for row in rows]
        sums.append(sum(cell for cell in cells if isinstance(cell, int)))
    return sums
