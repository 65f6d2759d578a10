"""Turning a document (``reports.document``) into HTML, PDF, CSV or XLSX.

Generic on purpose: any data object with a ``heading``, ``tables()`` and a
``template`` (a Jinja file under ``reports/templates/`` that extends
``base.html``) renders in all four formats. Other report modules reuse
``html_of``/``pdf_of`` for their own documents and ``write_csv``/``write_xlsx`` for
any list of ``Table``.

PDF: WeasyPrint, A4, right to left, Noto Sans Arabic embedded from the
``fontpkg_noto_sans_arabic`` package (no system font is relied on for Persian),
the fund's name and period in the top margin and "صفحهٔ n از m" in the bottom
margin of every page, table headers repeated on each page, amounts in tabular
figures aligned to the end. CSV (UTF-8 with BOM, for Excel) and XLSX (one
right-to-left sheet per table) carry raw values: rials as integers, Jalali
dates with Latin digits, ratios as decimals.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import fontpkg_noto_sans_arabic
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from reports import persian
from reports.document import Cell, Column, Document, Heading, Table

TEMPLATES = Path(__file__).parent / "templates"
FONT_FAMILY = "Noto Sans Arabic"
FORMATS = ("pdf", "html", "csv", "xlsx")


#: Where the static instances of the variable font are kept between runs.
FONT_CACHE = Path(
    os.environ.get("SANDOGH_FONT_CACHE") or Path(tempfile.gettempdir()) / "sandogh-fonts"
)
WEIGHTS = (400, 700)


def font_path() -> Path:
    """Return the embedded Persian font file (from the fontpkg_noto_sans_arabic package)."""
    files = Path(fontpkg_noto_sans_arabic.ROOT) / "files"
    return next(files.glob("*.ttf"))


@cache
def font_files() -> dict[int, Path]:
    """Return static regular and bold instances of the package's variable font, by weight.

    WeasyPrint would instantiate the variable font anew for every PDF (about 0.2 s
    per weight); the instances are made once (fontTools) and cached in FONT_CACHE.
    """
    from fontTools.ttLib import TTFont
    from fontTools.varLib.instancer import instantiateVariableFont

    source = font_path()
    stamp = f"{source.stat().st_size}-{int(source.stat().st_mtime)}"
    files = {}
    for weight in WEIGHTS:
        target = FONT_CACHE / f"NotoSansArabic-{weight}-{stamp}.ttf"
        if not target.exists():
            FONT_CACHE.mkdir(parents=True, exist_ok=True)
            static = instantiateVariableFont(TTFont(source), {"wght": weight, "wdth": 100})
            partial = target.with_suffix(f".{os.getpid()}.tmp")
            static.save(partial)
            partial.replace(target)  # atomic: a concurrent run never reads half a font
        files[weight] = target
    return files


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


def css_string(text: str) -> Markup:
    """Return text as a quoted CSS string (for ``content:`` in ``@page`` rules)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
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
    )
    fonts = {weight: path.as_uri() for weight, path in font_files().items()}
    env.globals.update(fonts=fonts, font_family=FONT_FAMILY)
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


@cache
def font_configuration() -> Any:
    """Return the process's WeasyPrint font configuration, shared by every PDF it lays out."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def layout(html: str) -> Any:
    """Return an HTML page laid out in pages (a WeasyPrint document), fonts shared per process."""
    from weasyprint import HTML  # imported late: it takes ~0.5 s and only PDFs need it

    return HTML(string=html, base_url=str(TEMPLATES)).render(font_config=font_configuration())


def pdf_from_html(html: str) -> bytes:
    """Return the PDF of an HTML page (WeasyPrint; fonts and images resolved from templates/)."""
    pdf: bytes = layout(html).write_pdf()
    return pdf


def pdf_of(document: Document, **extra: Any) -> bytes:
    """Return the document as a PDF."""
    return pdf_from_html(html_of(document, **extra))


def pdf_with_pages(html: str) -> tuple[bytes, int]:
    """Return the PDF of an HTML page and how many pages it has."""
    document = layout(html)
    pdf: bytes = document.write_pdf()
    return pdf, len(document.pages)


# -- CSV and XLSX --------------------------------------------------------------------------


def _header(table: Table) -> list[str]:
    """Return the column titles, Persian (amounts in rials) / English."""
    return [f"{column_title(c, 'rial')} / {c.en}" for c in table.columns]


def write_csv(tables: Iterable[Table], heading: Heading | None = None) -> bytes:
    """Return the tables as one CSV (UTF-8 with BOM): each under its title, then a blank line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if heading is not None:
        writer.writerow([heading.title_fa, heading.fund_name, period_text(heading)])
    for table in tables:
        writer.writerow([f"{table.fa} / {table.en}"])
        writer.writerow(_header(table))
        for row in table.rows:
            writer.writerow([raw_value(v) for v in row])
        if table.totals is not None:
            writer.writerow([raw_value(v) for v in table.totals])
        writer.writerow([])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(tables: Iterable[Table], heading: Heading | None = None) -> bytes:
    """Return the tables as an XLSX workbook: one right-to-left sheet per table."""
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
            sheet.append([heading.fund_name, period_text(heading), heading.title_fa])
        sheet.append([f"{table.fa} / {table.en}"])
        sheet.append(_header(table))
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        sheet.freeze_panes = sheet.cell(row=sheet.max_row + 1, column=1)
        for row in table.rows:
            sheet.append([raw_value(v) for v in row])
        if table.totals is not None:
            sheet.append([raw_value(v) for v in table.totals])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
        _format_columns(sheet, table.columns)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
