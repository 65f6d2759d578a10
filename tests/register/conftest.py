"""Agency files for the register's tests, written as bytes (CSV or XLSX)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from sqlalchemy.orm import Session

from groups.beneficiaries.imports import ImportPlan, apply_plan, file_hash, plan_import
from groups.beneficiaries.tables import read_table

RECEIVED = date(2014, 7, 2)  # 1393/04/11
HEADER = ("کد ملی", "نام", "نام خانوادگی", "نام پدر", "تاریخ تولد", "تلفن", "روستا/محله")


def csv_bytes(rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def plan(
    session: Session,
    agency: str,
    name: str,
    content: bytes,
    received_on: date = RECEIVED,
    mapping: dict[str, str] | None = None,
) -> ImportPlan:
    return plan_import(
        session, agency, name, file_hash(content), read_table(name, content), received_on, mapping
    )


def load(session: Session, agency: str, name: str, content: bytes, **kw: object) -> ImportPlan:
    result = plan(session, agency, name, content, **kw)  # type: ignore[arg-type]
    apply_plan(session, result, "tester")
    return result
