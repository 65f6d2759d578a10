"""Importing agency files: bad rows reported, good rows applied, dry run, idempotent re-import."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups.beneficiaries.errors import MappingIncomplete, UnreadableFile
from groups.beneficiaries.imports import suggest_mapping
from groups.beneficiaries.models import (
    Agency,
    Beneficiary,
    Fact,
    Source,
    SourceRecord,
)
from groups.beneficiaries.tables import problems_csv, read_table
from tests.register.conftest import HEADER, csv_bytes, load, plan, xlsx_bytes

RELIEF = "کمیته امداد"
WELFARE = "بهزیستی"
ROWS = [
    ["0013542419", "زهرا", "کريمي", "علی", "۱۳۶۰/۵/۱۲", "09121234567", "قلعه‌نو"],
    ["", "مریم", "احمدی", "حسن", "1365/01/20", "", "قلعه‌نو"],
    ["0013542410", "سکینه", "رضایی", "", "", "", ""],  # check digit wrong
    ["499370899", "", "موسوی", "", "1362/13/01", "", ""],  # no first name, month 13
]


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_headers_map_to_questions_in_persian_or_english() -> None:
    assert suggest_mapping(HEADER) == {
        "کد ملی": "national_id",
        "نام": "first_name",
        "نام خانوادگی": "last_name",
        "نام پدر": "father_name",
        "تاریخ تولد": "birth_date",
        "تلفن": "phone",
        "روستا/محله": "village",
    }
    assert suggest_mapping(["National ID", "first_name", "Unknown"]) == {
        "National ID": "national_id",
        "first_name": "first_name",
    }


def test_bad_rows_are_reported_cell_by_cell_and_good_rows_applied(session: Session) -> None:
    result = load(session, RELIEF, "relief.csv", csv_bytes(ROWS))

    assert result.counts == {"created": 2, "updated": 0, "merged": 0, "unchanged": 0, "invalid": 2}
    assert [(p.row, p.column, p.value, p.problem) for p in result.problems] == [
        (3, "کد ملی", "0013542410", "check digit does not match (a typo?)"),
        (4, "نام", "", "is required"),
        (4, "تاریخ تولد", "1362/13/01", "no such day"),
    ]
    assert problems_csv(result.problems).splitlines()[:2] == [
        "row,column,value,problem",
        "3,کد ملی,0013542410,check digit does not match (a typo?)",
    ]
    zahra = session.scalars(
        select(Beneficiary).where(Beneficiary.national_id == "0013542419")
    ).one()
    assert (zahra.first_name, zahra.last_name, zahra.birth_date) == (
        "زهرا",
        "کریمی",
        date(1981, 8, 3),
    )
    assert zahra.phone == "09121234567" and zahra.registered_on == date(2014, 7, 2)
    assert count(session, Beneficiary) == 2 and count(session, Fact) == 7 + 5
    agency = session.scalars(select(Agency).where(Agency.name == RELIEF)).one()
    assert agency.column_mapping["کد ملی"] == "national_id"  # saved for next time


def test_a_dry_run_writes_nothing(session: Session) -> None:
    result = plan(session, RELIEF, "relief.csv", csv_bytes(ROWS))
    assert result.counts["created"] == 2
    for model in (Agency, Source, SourceRecord, Fact, Beneficiary):
        assert count(session, model) == 0


def test_reimporting_the_same_file_changes_nothing(session: Session) -> None:
    content = csv_bytes(ROWS)
    load(session, RELIEF, "relief.csv", content)
    before = [count(session, m) for m in (Source, SourceRecord, Fact, Beneficiary)]

    again = load(session, RELIEF, "relief-copy.csv", content)

    assert again.already_imported and again.counts["unchanged"] == 2
    assert [count(session, m) for m in (Source, SourceRecord, Fact, Beneficiary)] == before


def test_the_same_rows_in_a_new_file_are_unchanged_and_new_facts_update(session: Session) -> None:
    load(session, RELIEF, "relief.csv", csv_bytes(ROWS[:2]))
    newer = [[*ROWS[0][:5], "09127654321", "قلعه‌نو"], ROWS[1]]

    result = load(session, RELIEF, "relief-2.csv", csv_bytes(newer), received_on=date(2015, 1, 1))

    assert result.counts == {"created": 0, "updated": 1, "merged": 0, "unchanged": 1, "invalid": 0}
    zahra = session.scalars(
        select(Beneficiary).where(Beneficiary.national_id == "0013542419")
    ).one()
    assert zahra.phone == "09127654321"  # the later source wins
    assert zahra.registered_on == date(2014, 7, 2)  # her first source's date
    phones = session.scalars(
        select(Fact.value)
        .join(SourceRecord, SourceRecord.id == Fact.record_id)
        .where(SourceRecord.beneficiary_id == zahra.id, Fact.field == "phone")
        .order_by(Fact.id)
    ).all()
    assert phones == ["09121234567", "09127654321"]  # both facts kept


def test_another_agencys_row_with_her_national_id_joins_her_record(session: Session) -> None:
    load(session, RELIEF, "relief.csv", csv_bytes(ROWS[:1]))
    welfare = [[13542419, "زهرا", "کریمی", "علي", "1981-08-03", "", "قلعه نو"]]  # Excel lost 00

    result = load(session, WELFARE, "welfare.xlsx", xlsx_bytes(welfare))

    assert result.counts["merged"] == 1 and count(session, Beneficiary) == 1
    agencies = session.scalars(
        select(Agency.name).join(SourceRecord, SourceRecord.agency_id == Agency.id)
    ).all()
    assert sorted(agencies) == sorted([RELIEF, WELFARE])


def test_two_rows_of_one_file_with_one_national_id_make_one_record(session: Session) -> None:
    rows = [ROWS[0], [*ROWS[0][:5], "", "قلعه‌نو"]]
    result = load(session, RELIEF, "relief.csv", csv_bytes(rows))
    assert [a for a, _ in result.actions] == ["created", "updated"]
    assert count(session, Beneficiary) == 1 and count(session, SourceRecord) == 2


def test_a_mapping_without_names_or_with_unknown_columns_is_refused(session: Session) -> None:
    with pytest.raises(MappingIncomplete):
        plan(session, RELIEF, "r.csv", csv_bytes(ROWS), mapping={"کد ملی": "national_id"})
    with pytest.raises(MappingIncomplete):
        plan(session, RELIEF, "r.csv", csv_bytes(ROWS), mapping={"x": "first_name"})


def test_other_files_are_refused() -> None:
    with pytest.raises(UnreadableFile):
        read_table("data.pdf", b"%PDF")
    with pytest.raises(UnreadableFile):
        read_table("data.xlsx", b"not a zip")
