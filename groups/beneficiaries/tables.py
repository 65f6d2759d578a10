"""Reading an agency's file (CSV or XLSX) into a header and rows of text; the problem report.

Pure (openpyxl for XLSX). CSV is read as UTF-8 (with or without BOM), falling back
to Windows-1256, which older Persian Excel exports use. XLSX cells become text:
whole numbers without ``.0`` (Excel turns national IDs into numbers), dates ISO.

Bounded (``Limits``): a file with more data rows or wider rows than the limits
(default 100,000 rows, 200 columns) is refused with ``FileTooBig`` as soon as the
reader gets there, before the rest is read. XLSX is read in openpyxl's read-only
(streaming) mode, one row at a time, with the sheet's ``<dimension>`` ignored: a
file may claim 16,384 columns and a million rows, and openpyxl would pad every row
to what it claims. An archive that unzips to more than ``MAX_UNZIPPED`` bytes is
refused before any of it is parsed.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from groups.beneficiaries.errors import FileTooBig, UnreadableFile
from groups.spreadsheets import inert_row

#: The most an XLSX archive may unzip to (its XML; 10 MB of XLSX is ~100 MB of XML).
MAX_UNZIPPED = 256 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The most data rows and columns an imported file may have."""

    rows: int = 100_000
    columns: int = 200


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


def read_table(name: str, content: bytes, limits: Limits = Limits()) -> Table:
    """Return the table of a CSV or XLSX file's bytes; raise UnreadableFile or FileTooBig."""
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(content, limits)
    if suffix in (".csv", ".txt", ""):
        return _read_csv(content, limits)
    raise UnreadableFile(f"{name}: only .csv and .xlsx files can be imported")


def _read_csv(content: bytes, limits: Limits) -> Table:
    for encoding in ("utf-8-sig", "cp1256"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1256 decodes almost any byte string
        raise UnreadableFile("The CSV file is neither UTF-8 nor Windows-1256 text")
    try:
        return _table(csv.reader(io.StringIO(text, newline="")), limits)
    except csv.Error as error:  # e.g. a field longer than csv.field_size_limit()
        raise UnreadableFile(f"Not a readable CSV file: {error}") from None


def _read_xlsx(content: bytes, limits: Limits) -> Table:
    _check_unzipped_size(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise UnreadableFile(f"Not an XLSX workbook: {error}") from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # never trust <dimension>: rows are as long as their cells
        # One row and one column past the limits are enough to know the file is too big;
        # cells further right are not read (a row is never longer than the limit + 1).
        cells = sheet.iter_rows(
            max_row=limits.rows + 2, max_col=limits.columns + 1, values_only=True
        )
        return _table(cells, limits)
    finally:
        book.close()


def _check_unzipped_size(content: bytes) -> None:
    """Refuse an archive whose files unzip to more than MAX_UNZIPPED bytes (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unzipped = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise UnreadableFile(f"Not an XLSX workbook: {error}") from None
    if unzipped > MAX_UNZIPPED:
        raise FileTooBig(
            f"The workbook unzips to {unzipped:,} bytes, more than {MAX_UNZIPPED:,}",
            message_fa="این فایل XLSX بیش از اندازه بزرگ است؛ آن را در چند فایل کوچک‌تر بفرستید.",
        )


def _table(rows: Iterable[Sequence[object]], limits: Limits) -> Table:
    """Return the header and the non-blank data rows as text, cut to the header's width."""
    iterator = _bounded(iter(rows), limits)
    first = [_cell_text(value).strip() for value in next(iterator, ())]
    while first and not first[-1]:
        first.pop()
    header = tuple(first)
    if not any(header):
        raise UnreadableFile("The file has no header row")
    width, body = len(header), []
    for row in iterator:
        cells = [_cell_text(value).strip() for value in row[:width]]
        if any(cells):
            body.append(tuple(cells + [""] * (width - len(cells))))
    return Table(header, tuple(body))


def _bounded(rows: Iterator[Sequence[object]], limits: Limits) -> Iterator[Sequence[object]]:
    """Yield the rows (header first), refusing a row wider or a file longer than the limits."""
    for number, row in enumerate(rows):
        if number > limits.rows:
            raise FileTooBig(
                f"The file has more than {limits.rows:,} data rows",
                message_fa=f"این فایل بیش از {_fa(limits.rows)} ردیف دارد؛ "
                "آن را در چند فایل کوچک‌تر بفرستید.",
            )
        if any(value not in (None, "") for value in row[limits.columns :]):
            raise FileTooBig(
                f"Row {number + 1} has more than {limits.columns:,} columns",
                message_fa=f"ردیف {_fa(number + 1)} این فایل بیش از {_fa(limits.columns)} "
                "ستون دارد؛ ستون‌های اضافه را پاک کنید.",
            )
        yield row


def _fa(number: int) -> str:
    """Return a count in Persian digits with the Persian thousands separator."""
    return f"{number:,}".translate(str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬"))


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
