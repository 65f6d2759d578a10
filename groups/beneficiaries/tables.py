"""Reading an agency's file (CSV or XLSX) into a header and rows of text; the problem report.

Pure (openpyxl for XLSX). CSV is read as UTF-8 (with or without BOM), falling back
to Windows-1256, which older Persian Excel exports use. XLSX cells become text:
whole numbers without ``.0`` (Excel turns national IDs into numbers), dates ISO.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from groups.beneficiaries.errors import UnreadableFile
from groups.spreadsheets import inert_row


@dataclass(frozen=True)
class Table:
    """A file's header and data rows, all cells as text."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Problem:
    """What is wrong with one cell (or one row, when ``column`` is empty)."""

    row: int
    column: str
    value: str
    problem: str


def read_table(name: str, content: bytes) -> Table:
    """Return the table of a CSV or XLSX file's bytes; raise UnreadableFile."""
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(content)
    if suffix in (".csv", ".txt", ""):
        return _read_csv(content)
    raise UnreadableFile(f"{name}: only .csv and .xlsx files can be imported")


def _read_csv(content: bytes) -> Table:
    for encoding in ("utf-8-sig", "cp1256"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1256 decodes almost any byte string
        raise UnreadableFile("The CSV file is neither UTF-8 nor Windows-1256 text")
    return _table(csv.reader(io.StringIO(text, newline="")))


def _read_xlsx(content: bytes) -> Table:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise UnreadableFile(f"Not an XLSX workbook: {error}") from None
    sheet = book.worksheets[0]
    rows = ([_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
    table = _table(rows)
    book.close()
    return table


def _table(rows: Iterable[Sequence[str]]) -> Table:
    iterator = iter(rows)
    header = tuple(cell.strip() for cell in next(iterator, []))
    if not any(header):
        raise UnreadableFile("The file has no header row")
    body = []
    for row in iterator:
        cells = tuple(row[i].strip() if i < len(row) else "" for i in range(len(header)))
        if any(cells):
            body.append(cells)
    return Table(header, tuple(body))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def problems_csv(problems: Sequence[Problem]) -> str:
    """Return the problems as CSV text (row, column, value, problem) for the agency to fix.

    The values come from the agency's file: each cell goes through
    ``groups.spreadsheets.inert``, so a value like ``=HYPERLINK(…)`` never runs.
    """
    out = io.StringIO()
    writer = csv.writer(out)  # CRLF, as Excel writes: a CR or LF in a value is quoted
    writer.writerow(["row", "column", "value", "problem"])
    writer.writerows(inert_row((p.row, p.column, p.value, p.problem)) for p in problems)
    return out.getvalue()
