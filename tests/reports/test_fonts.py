"""The one font: Vazirmatn for Persian and English in every PDF, Noto Sans Arabic without it."""

from __future__ import annotations

import gc
import logging
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from reports import fonts, render
from reports.document import Column, Heading, Table
from tests.reports.pdf import require_vazirmatn


def _reset() -> None:
    fonts.font_files.cache_clear()
    render.environment.cache_clear()


@pytest.fixture
def without_vazirmatn(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Point SANDOGH_FONT_DIR at an empty folder, as on a machine where `make fonts` never ran."""
    monkeypatch.setenv("SANDOGH_FONT_DIR", str(tmp_path / "no-fonts"))
    _reset()
    yield
    monkeypatch.undo()
    _reset()


def _fonts_in(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def document() -> Table:
    return Table(
        "t",
        "جدول",
        "table",
        (Column("name", "نام", "name"), Column("amount", "مبلغ", "amount", "money")),
        (("آمنه", 1_250_000), ("Leila (English)", 0)),
        ("جمع", 1_250_000),
    )


#: A document of one table, on the page every document extends.
ONE_TABLE = """{% extends "base.html" %}{% import "macros.html" as tables %}
{% block document %}{{ tables.table(doc.table, doc.heading.unit) }}{% endblock %}"""


@dataclass(frozen=True)
class OneTable:
    heading: Heading
    table: Table


def _one_table_html(table: Table) -> str:
    heading = Heading("آزمون", "test", "صندوق آزمون", None, None, date(2026, 1, 1), "rial")
    template = render.environment().from_string(ONE_TABLE)
    return template.render(documents=[OneTable(heading, table)], heading=heading, running="")


def _one_table_pdf(table: Table) -> bytes:
    return render.pdf_from_html(_one_table_html(table))


def test_pdfs_set_persian_and_english_in_vazirmatn(document: Table, tmp_path: Path) -> None:
    require_vazirmatn()
    assert fonts.font_files() == {
        400: fonts.DEFAULT_DIR / "Vazirmatn-Regular.ttf",
        700: fonts.DEFAULT_DIR / "Vazirmatn-Bold.ttf",
    }
    assert fonts.font_name() == "Vazirmatn"
    listed = _fonts_in(_one_table_pdf(document), tmp_path)
    names = [line.split()[0] for line in listed.splitlines()[2:]]
    # only the family the files are declared as (no system fallback such as DejaVu for
    # the English), regular and bold (headers and totals)
    assert sorted(name.split("+")[1] for name in names) == ["Sandogh", "Sandogh-Bold"], listed


def test_without_vazirmatn_noto_is_used_and_the_log_says_so_once(
    without_vazirmatn: None,
    document: Table,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # migrations/env.py's fileConfig() disables the loggers that exist when it runs
    monkeypatch.setattr(fonts.log, "disabled", False)
    with caplog.at_level(logging.WARNING, logger="reports.fonts"):
        files = fonts.font_files()
        fonts.font_files()
    assert [r.message for r in caplog.records if "make fonts" in r.message] == [
        caplog.records[0].message
    ]
    assert set(files) == {400, 700} and all("NotoSansArabic" in p.name for p in files.values())
    assert fonts.font_name() == "Noto Sans Arabic"
    html = _one_table_html(document)
    assert all(path.as_uri() in html for path in files.values())  # the PDF's @font-face
    assert "Sandogh-Bold" in _fonts_in(render.pdf_from_html(html), tmp_path)


def test_column_widths_follow_the_longest_cell_and_add_up(document: Table) -> None:
    widths = [float(w.rstrip("%")) for w in render.column_widths(document, "rial")]
    assert sum(widths) == pytest.approx(100, abs=0.05)
    # "Leila (English)" (15 characters) against "۱٬۲۵۰٬۰۰۰" (9)
    assert widths == [62.5, 37.5]
    narrow = Table("n", "ن", "n", (Column("n", "ن", "n", "count"),) * 2, ((1, 2),))
    assert render.column_widths(narrow, "rial") == ["50.00%", "50.00%"]  # at least MIN_CHARS
    signed = Table(
        "s", "ن", "s", (Column("n", "نام", "n"), Column("s", "امضا", "s")), (("مریم", ""),)
    )
    assert render.column_widths(signed, "rial") == ["25.00%", "75.00%"]  # room to sign


def test_the_collector_is_paused_while_laying_out_and_restored_after() -> None:
    assert gc.isenabled()
    with render.gc_paused:
        assert not gc.isenabled()
        with render.gc_paused:  # another thread's batch, say
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with render.gc_paused:
            pass
        assert not gc.isenabled()  # left as it was
    finally:
        gc.enable()
