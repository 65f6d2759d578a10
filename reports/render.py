"""Turning a document (``reports.document``) into HTML, PDF, CSV or XLSX.

Generic on purpose: any data object with a ``heading``, ``tables()`` and a
``template`` (a Jinja file under ``reports/templates/`` that extends
``base.html``) renders in all four formats. Other report modules reuse
``html_of``/``pdf_of`` for their own documents and ``write_csv``/``write_xlsx`` for
any list of ``Table``.

PDF: WeasyPrint, A4, right to left, Vazirmatn embedded (``reports.fonts``: Noto
Sans Arabic when ``make fonts`` was not run; no system font is relied on),
the fund's name and period in the top margin and "صفحهٔ n از m" in the bottom
margin of every page, table headers repeated on each page, amounts in tabular
figures aligned to the end. CSV (UTF-8 with BOM, for Excel) and XLSX (one
right-to-left sheet per table) carry raw values: rials as integers, Jalali
dates with Latin digits, ratios as decimals.
"""

from __future__ import annotations

import csv
import gc
import io
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from groups.spreadsheets import inert_row
from reports import fonts, persian, resources
from reports.document import Cell, Column, Document, Heading, Table

TEMPLATES = Path(__file__).parent / "templates"
FONT_FAMILY = fonts.FAMILY
FORMATS = ("pdf", "html", "csv", "xlsx")


# -- formatting cells ----------------------------------------------------------------------


def cell_text(value: Cell, column: Column, unit: str, blank_zero: bool = False) -> str:
    """Return a cell as a member reads it: Persian digits, Jalali dates, amounts in the unit.

    With ``blank_zero`` a zero amount or count is left blank (rows of a table, so
    what did happen stands out; totals keep their zeros).
    """
    if value is None or value == "" or (blank_zero and value == 0 and column.numeric):
        return ""
    if column.kind == "money" and isinstance(value, int):
        return persian.format_amount(value, unit)
    if column.kind == "ratio" and isinstance(value, Fraction | Decimal):
        return persian.format_percent(value)
    if isinstance(value, date):
        return persian.to_jalali(value)
    if isinstance(value, int):
        return persian.group_thousands(value)
    return persian.persian_digits(value) if column.kind != "text" else str(value)


def raw_value(value: Cell) -> str | int | float | None:
    """Return a cell for a spreadsheet: ints stay ints, dates Jalali with Latin digits."""
    if isinstance(value, date):
        return persian.to_jalali(value, persian=False)
    if isinstance(value, Fraction | Decimal):
        return round(float(value), 4)
    return value


def column_title(column: Column, unit: str) -> str:
    """Return a column's Persian title, with the amount unit for money columns."""
    if column.kind == "money":
        return f"{column.fa} ({persian.unit_name(unit)})"
    return column.fa


def period_text(heading: Heading) -> str:
    """Return the period in Persian: «از … تا …», or «تا …» for a document as of one day."""
    if heading.end is None:
        return ""
    end = persian.to_jalali(heading.end)
    if heading.start is None:
        return f"تا {end}"
    return f"از {persian.to_jalali(heading.start)} تا {end}"


#: Column widths: the fewest characters a column is given, the most a text column asks
#: for (longer text wraps), and what a blank text column gets (a signature is written there).
MIN_CHARS, MAX_TEXT_CHARS, WRITE_IN_CHARS = 4, 28, 12


def column_widths(table: Table, unit: str) -> list[str]:
    """Return each column's share of the table's width, as CSS percentages.

    The tables are laid out with ``table-layout: fixed`` (WeasyPrint then skips
    measuring every cell twice, the costly part of a statement); the widths follow
    the longest cell of each column, counted in characters, and the longest word of
    its title, so that amounts (never wrapped) fit; a text column left blank for
    signatures is given room to sign.
    """
    weights = []
    for index, column in enumerate(table.columns):
        rows = (*table.rows, *([table.totals] if table.totals else []))
        cells = [cell_text(row[index], column, unit) for row in rows]
        longest = max((len(text) for text in cells), default=0)
        if column.kind == "text":
            longest = min(longest, MAX_TEXT_CHARS) if longest else WRITE_IN_CHARS
        title = max(len(word) for word in column_title(column, unit).split())
        weights.append(max(longest, title, MIN_CHARS))
    total = sum(weights)
    return [f"{100 * weight / total:.2f}%" for weight in weights]


def css_string(text: str) -> Markup:
    """Return text as a quoted CSS string (for ``content:`` in ``@page`` rules, inside <style>).

    Every character but letters, digits and spaces is written as a six-digit CSS escape
    (``<`` → ``\\00003c``): no quote, backslash, newline or ``</style>`` of a fund's name
    can end the string or the style sheet, and what is printed is the text itself.
    """
    escaped = "".join(
        char if char.isalnum() or char == " " else f"\\{ord(char):06x}" for char in text
    )
    return Markup(f'"{escaped}"')


# -- HTML and PDF --------------------------------------------------------------------------


@cache
def environment() -> Environment:
    """Return the Jinja environment over reports/templates with the Persian filters."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        fa=persian.persian_digits,
        jdate=persian.to_jalali,
        amount=persian.format_amount,
        money=persian.format_money,
        percent=persian.format_percent,
        css_string=css_string,
        cell=cell_text,
        column_title=column_title,
        column_widths=column_widths,
    )
    files = {weight: path.as_uri() for weight, path in fonts.font_files().items()}
    env.globals.update(fonts=files, font_family=FONT_FAMILY)
    return env


def html_of(document: Document, **extra: Any) -> str:
    """Return the document laid out by its template as one HTML page."""
    return html_of_many(document.template, [document], **extra)


def html_of_many(template: str, documents: Sequence[Document], **extra: Any) -> str:
    """Return several documents of one template in one HTML, each starting on a new page."""
    heading = documents[0].heading
    running = " — ".join(part for part in (heading.fund_name, period_text(heading)) if part)
    return (
        environment()
        .get_template(template)
        .render(documents=documents, heading=heading, running=running, **extra)
    )


class _PausedCollector:
    """Python's cyclic garbage collector, paused while any thread lays out or writes a PDF.

    WeasyPrint allocates hundreds of thousands of small objects per page: with the
    collector on, its collections take about 40 % of the CPU time of a statement
    (measured: a 30-statement batch 7.1 s of CPU with it, 4.2 s without). Reference
    counting still frees almost everything; the cycles left are collected once the
    collector is back on. Counted across threads: the last one out turns it back on,
    and only if it was on before.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._was_enabled = False

    def __enter__(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._depth += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._was_enabled:
                gc.enable()


gc_paused = _PausedCollector()


@cache
def font_configuration() -> Any:
    """Return the process's WeasyPrint font configuration, shared by every PDF it lays out."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def layout(html: str) -> Any:
    """Return an HTML page laid out in pages (a WeasyPrint document), fonts shared per process.

    WeasyPrint reads nothing but the packaged fonts and inline charts
    (``reports.resources``), and the PDF carries no attachment.
    """
    from weasyprint import HTML  # imported late: it takes ~0.5 s and only PDFs need it

    page = HTML(string=html, base_url=str(TEMPLATES), url_fetcher=resources.url_fetcher())
    with gc_paused:
        return resources.strip_attachments(page.render(font_config=font_configuration()))


def write_pdf(laid_out: Any) -> bytes:
    """Return the PDF of a laid-out WeasyPrint document."""
    with gc_paused:
        pdf: bytes = laid_out.write_pdf()
    return pdf


def pdf_from_html(html: str) -> bytes:
    """Return the PDF of an HTML page (WeasyPrint; packaged fonts and inline charts only)."""
    return write_pdf(layout(html))


def pdf_of(document: Document, **extra: Any) -> bytes:
    """Return the document as a PDF."""
    return pdf_from_html(html_of(document, **extra))


def pdf_with_pages(html: str) -> tuple[bytes, int]:
    """Return the PDF of an HTML page and how many pages it has."""
    document = layout(html)
    return write_pdf(document), len(document.pages)


def layout_many(
    documents: Sequence[Document],
    progress: Callable[[int, int], None] | None = None,
    **extra: Any,
) -> Any:
    """Return the documents laid out one by one, their pages joined in one WeasyPrint document.

    Each starts on a new page and numbers its own pages ("صفحهٔ ۱ از ۱" on every
    one-page statement). Laying out N short HTML pages is much faster than one long
    one (WeasyPrint's work per page grows with the length of the HTML).
    ``progress(done, total)`` is called after each document.
    """
    if not documents:
        raise ValueError("No document to lay out")
    laid_out = []
    with gc_paused:  # once for all: the pages kept would be scanned again after each document
        for done, document in enumerate(documents, start=1):
            laid_out.append(layout(html_of(document, **extra)))
            if progress is not None:
                progress(done, len(documents))
    pages = [page for one in laid_out for page in one.pages]
    return laid_out[0].copy(pages)


def pdf_of_many(
    documents: Sequence[Document],
    progress: Callable[[int, int], None] | None = None,
    **extra: Any,
) -> tuple[bytes, int]:
    """Return the documents in one PDF, each from a new page, and how many pages it has."""
    with gc_paused:
        joined = layout_many(documents, progress, **extra)
        return write_pdf(joined), len(joined.pages)


# -- CSV and XLSX --------------------------------------------------------------------------


def _header(table: Table) -> list[str]:
    """Return the column titles, Persian (amounts in rials) / English."""
    return [f"{column_title(c, 'rial')} / {c.en}" for c in table.columns]


def write_csv(tables: Iterable[Table], heading: Heading | None = None) -> bytes:
    """Return the tables as one CSV (UTF-8 with BOM): each under its title, then a blank line.

    Every cell goes through ``groups.spreadsheets.inert``: text that starts like a
    formula is written with a leading ``'``; numbers stay numbers.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _csv_rows(tables, heading):
        writer.writerow(inert_row(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_rows(tables: Iterable[Table], heading: Heading | None) -> Iterator[list[Any]]:
    """Yield the rows of the CSV: the heading, then each table's title, header, rows, totals."""
    if heading is not None:
        yield [heading.title_fa, heading.fund_name, period_text(heading)]
    for table in tables:
        yield [f"{table.fa} / {table.en}"]
        yield _header(table)
        for row in table.rows:
            yield [raw_value(v) for v in row]
        if table.totals is not None:
            yield [raw_value(v) for v in table.totals]
        yield []


def write_xlsx(tables: Iterable[Table], heading: Heading | None = None) -> bytes:
    """Return the tables as an XLSX workbook: one right-to-left sheet per table.

    Every cell goes through ``groups.spreadsheets.inert`` and text is stored as a
    string cell (never a formula); characters XLSX cannot hold are left out.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    used: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.name, used))
        sheet.sheet_view.rightToLeft = True
        if heading is not None:
            _append(sheet, [heading.fund_name, period_text(heading), heading.title_fa])
        _append(sheet, [f"{table.fa} / {table.en}"])
        _append(sheet, _header(table))
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        sheet.freeze_panes = sheet.cell(row=sheet.max_row + 1, column=1)
        for row in table.rows:
            _append(sheet, [raw_value(v) for v in row])
        if table.totals is not None:
            _append(sheet, [raw_value(v) for v in table.totals])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
        _format_columns(sheet, table.columns)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _append(sheet: Any, values: Sequence[Any]) -> None:
    """Append a row of inert cells; text cells are strings, never formulas."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    legal = [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values]
    sheet.append(inert_row(legal))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _sheet_name(name: str, used: set[str]) -> str:
    base, n, candidate = name[:28], 1, name[:31]
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    used.add(candidate)
    return candidate


def _format_columns(sheet: Any, columns: Sequence[Column]) -> None:
    from openpyxl.utils import get_column_letter

    formats = {"money": "#,##0", "count": "#,##0", "ratio": "0.0%"}
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 18 if column.numeric else 24
        number_format = formats.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(min_col=index, max_col=index, min_row=3):
                cell.number_format = number_format


def render(document: Document, fmt: str, **extra: Any) -> bytes:
    """Return the document in a format: pdf, html, csv or xlsx."""
    if fmt == "pdf":
        return pdf_of(document, **extra)
    if fmt == "html":
        return html_of(document, **extra).encode("utf-8")
    if fmt == "csv":
        return write_csv(document.tables(), document.heading)
    if fmt == "xlsx":
        return write_xlsx(document.tables(), document.heading)
    raise ValueError(f"Unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
