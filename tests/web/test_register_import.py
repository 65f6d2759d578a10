"""The import wizard end to end (CSV and XLSX), and de-duplication through the screens."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups.beneficiaries.models import (
    Agency,
    Beneficiary,
    Fact,
    MatchCandidate,
    Merge,
    SourceRecord,
)
from tests.register.conftest import csv_bytes, xlsx_bytes
from tests.web.conftest import Web, login, post, text
from tests.web.register_data import Register, make_register
from web.auth.models import Role

HEADER = ("کد ملی", "نام", "نام خانوادگی", "نام پدر", "تاریخ تولد", "Mobile")
ROWS = [
    ["13542419", "زهرا", "کريمي", "علی", "۱۳۶۰/۵/۱۲", "09121234567"],  # padded national ID
    ["", "مریم", "احمدی", "حسن", "1365/01/20", "09350000000"],
    ["0013542410", "سکینه", "رضایی", "", "", ""],  # check digit wrong
    ["", "", "موسوی", "", "1362/13/01", ""],  # no first name, month 13
]


@pytest.fixture(autouse=True)
def uploads(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setitem(app.config, "REGISTER_UPLOADS", str(tmp_path))
    return tmp_path


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def upload(client: FlaskClient, name: str, content: bytes, agency: str = "کمیته امداد") -> str:
    """Upload a file; return the mapping page's URL."""
    response = post(
        client,
        "/register/import",
        {"agency": agency, "received_on": "۱۴۰۳/۰۴/۱۱", "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, text(response)
    return response.headers["Location"]


def mapping_form(html: str) -> dict[str, str]:
    """The mapping page's selected options, as the browser would post them."""
    import re

    chosen = {}
    for select_html in re.findall(r'<select id="(col-\d+)".*?</select>', html, re.S):
        chosen[select_html] = ""
    for name, body in re.findall(
        r'<select id="(col-\d+)" name="col-\d+">(.*?)</select>', html, re.S
    ):
        picked = re.search(r'<option value="(\w+)" selected>', body)
        chosen[name] = picked.group(1) if picked else ""
    return chosen


def test_a_csv_goes_through_upload_mapping_dry_run_and_apply_once(
    client: FlaskClient, web: Web, session: Session
) -> None:
    login(client, Role.VIEWER)
    assert client.get("/register/import").status_code == 200
    mapping_url = upload(client, "relief.csv", csv_bytes(ROWS, HEADER))

    page = text(client.get(mapping_url))
    chosen = mapping_form(page)
    assert chosen == {"col-0": "national_id", "col-1": "first_name", "col-2": "last_name",
                      "col-3": "father_name", "col-4": "birth_date", "col-5": "phone"}  # fmt: skip
    assert "09121234567" in page  # the first values help to choose
    assert chosen["col-5"] == "phone"  # "Mobile" is one of the phone column's other names
    response = post(client, mapping_url, chosen)
    assert response.status_code == 302
    dry_run_url = response.headers["Location"]

    html = text(client.get(dry_run_url))

    assert count(session, Beneficiary) == 0  # the dry run wrote nothing
    assert "<strong>۲</strong> <span>بانوی تازه</span>" in html
    assert "<strong>۲</strong> <span>ردیف کنارگذاشته</span>" in html
    assert "رقم کنترل این کد ملی درست نیست" in html and "چنین روزی در تقویم نیست" in html
    problems = client.get(dry_run_url + "/problems.csv")
    assert problems.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(problems.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["row", "column", "value", "problem"]
    assert rows[1][:3] == ["3", "کد ملی", "0013542410"] and "رقم کنترل" in rows[1][3]
    assert len(rows) == 4  # three problems: one in row 3, two in row 4

    applied = post(client, dry_run_url + "/apply")

    assert applied.status_code == 302
    assert "۲ پرونده‌ی تازه" in text(client.get(applied.headers["Location"]))
    women = session.scalars(select(Beneficiary).order_by(Beneficiary.id)).all()
    assert [(w.national_id, w.phone) for w in women] == [
        ("0013542419", "09121234567"),
        (None, "09350000000"),
    ]
    agency = session.scalars(select(Agency)).one()
    assert agency.column_mapping["Mobile"] == "phone"  # saved for the agency's next file
    facts = count(session, Fact)

    again = post(client, dry_run_url + "/apply")  # the same file once more

    assert "پیش‌تر وارد شده بود" in text(client.get(again.headers["Location"]))
    assert count(session, Fact) == facts and count(session, Beneficiary) == 2


def test_an_xlsx_of_the_same_agency_gets_its_saved_mapping_and_joins_the_records(
    client: FlaskClient, web: Web, session: Session
) -> None:
    login(client, Role.ADMIN)
    first = upload(client, "relief.csv", csv_bytes(ROWS[:2], HEADER))
    post(client, first, {**mapping_form(text(client.get(first))), "col-5": "phone"})
    post(client, first.replace("/mapping", "/apply"))
    rows = [[13542419, "زهرا", "کریمی", "علی", "1360/05/12", "09127777777"]]  # a number cell

    second = upload(client, "relief-1404.xlsx", xlsx_bytes(rows, HEADER))

    assert mapping_form(text(client.get(second)))["col-5"] == "phone"  # prefilled
    post(client, second, {**mapping_form(text(client.get(second)))})
    html = text(client.get(second.replace("/mapping", "")))
    assert "<strong>۱</strong> <span>به‌روزرسانی</span>" in html
    post(client, second.replace("/mapping", "/apply"))
    zahra = session.scalars(
        select(Beneficiary).where(Beneficiary.national_id == "0013542419")
    ).one()
    session.refresh(zahra)
    assert zahra.phone == "09127777777"
    assert count(session, SourceRecord) == 3


def test_the_wizard_says_what_is_wrong_with_a_file_or_a_mapping(
    client: FlaskClient, web: Web, session: Session
) -> None:
    login(client, Role.VIEWER)
    response = post(
        client,
        "/register/import",
        {"agency": "x", "received_on": "1403/04/11", "file": (io.BytesIO(b"%PDF"), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "فایل خوانده نشد" in text(response)
    missing = post(client, "/register/import", {"agency": "", "received_on": "1403/13/01"})
    assert missing.status_code == 422
    url = upload(client, "a.csv", csv_bytes(ROWS, HEADER))
    no_names = post(client, url, {"col-0": "national_id"})
    assert no_names.status_code == 422 and "ستون نام و ستون نام خانوادگی" in text(no_names)
    twice = post(client, url, {"col-1": "first_name", "col-2": "first_name"})
    assert twice.status_code == 422 and "فقط یک ستون" in text(twice)
    assert client.get("/register/import/" + "0" * 32).status_code == 404
    assert client.get("/register/import/../../etc/passwd").status_code == 404
    assert count(session, Beneficiary) == 0


# De-duplication ------------------------------------------------------------------------


@pytest.fixture
def register(session: Session, web: Web) -> Register:
    return make_register(session, web)


def test_a_pair_is_shown_side_by_side_merged_and_the_merge_undone(
    client: FlaskClient, register: Register, session: Session
) -> None:
    login(client, Role.VIEWER)
    html = text(client.get("/register/duplicates"))
    assert "۱ جفت در انتظار تصمیم است" in html
    assert html.count("فاطمه رضایی") == 2  # both records side by side (ي stored as ی)
    assert "تاریخ تولد" in html and "نام پدر" in html  # what agreed besides the name
    facts = count(session, Fact)

    merged = post(client, f"/register/duplicates/{register.candidate}", {"action": "merge"})

    assert merged.status_code == 303
    assert session.get(Beneficiary, register.fatemeh_again).merged_into_id == register.fatemeh  # type: ignore[union-attr]
    assert count(session, Fact) == facts  # every fact kept
    assert "جفتی در انتظار تصمیم نیست" in text(client.get("/register/duplicates"))
    merge = session.scalars(select(Merge)).one()
    assert "برگرداندن" in text(client.get("/register/merges"))

    undone = post(client, f"/register/merges/{merge.id}/undo")

    assert undone.status_code == 303
    woman = session.get(Beneficiary, register.fatemeh_again)
    assert woman is not None
    session.refresh(woman)
    assert woman.merged_into_id is None
    assert "برگردانده شد" in text(client.get("/register/merges"))
    again = post(client, f"/register/merges/{merge.id}/undo")
    assert "پیش‌تر برگردانده شده" in text(client.get(again.headers["Location"]))


def test_two_different_women_are_kept_apart_and_a_bad_decision_is_refused(
    client: FlaskClient, register: Register, session: Session
) -> None:
    login(client, Role.ADMIN)
    assert post(client, f"/register/duplicates/{register.candidate}", {}).status_code == 303
    assert session.get(MatchCandidate, register.candidate).status != "rejected"  # type: ignore[union-attr]
    post(client, f"/register/duplicates/{register.candidate}", {"action": "reject"})
    candidate = session.get(MatchCandidate, register.candidate)
    assert candidate is not None
    session.refresh(candidate)
    assert candidate.status == "rejected"
    response = post(client, f"/register/duplicates/{register.candidate}", {"action": "merge"})
    assert "نمی‌توان ادغام کرد" in text(client.get(response.headers["Location"]))
    found = post(client, "/register/duplicates/find")
    assert "۴ پرونده مقایسه شد" in text(client.get(found.headers["Location"]))


def test_village_and_household_headers_are_matched_and_the_rest_shown_loudly(
    client: FlaskClient, web: Web
) -> None:
    header = ("نام", "نام خانوادگی", "روستا", "تعداد خانوار", "درآمد ماهانه (ریال)", "توضیحات")
    rows = [["زهرا", "کریمی", "قلعه‌نو", "۴", "1000000", "—"]]
    login(client, Role.VIEWER)
    page = text(client.get(upload(client, "welfare.csv", csv_bytes(rows, header))))
    chosen = mapping_form(page)
    assert [chosen[f"col-{i}"] for i in range(6)] == [
        "first_name", "last_name", "village", "household_size", "monthly_income", ""
    ]  # fmt: skip
    assert 'class="warning"' in page and "<bdi>توضیحات</bdi>" in page  # left out, said so


def test_a_date_error_keeps_the_uploaded_file(client: FlaskClient, web: Web) -> None:
    login(client, Role.VIEWER)
    content = csv_bytes(ROWS, HEADER)
    first = post(
        client,
        "/register/import",
        {"agency": "بهزیستی", "received_on": "1403/13/40", "file": (io.BytesIO(content), "b.csv")},
        content_type="multipart/form-data",
    )
    html = text(first)
    assert first.status_code != 302 and "b.csv" in html  # the file is kept, by name
    kept = re.search(r'name="kept" value="([0-9a-f]{32})"', html)
    assert kept is not None
    again = post(
        client,
        "/register/import",
        {"agency": "بهزیستی", "received_on": "1403/04/11", "kept": kept.group(1)},
        content_type="multipart/form-data",
    )
    assert again.status_code == 302  # no need to choose the file again
    assert kept.group(1) in again.headers["Location"]


def test_the_queue_filters_by_score_names_what_differs_and_keeps_its_place(
    client: FlaskClient, register: Register, session: Session
) -> None:
    candidate = session.get(MatchCandidate, register.candidate)
    assert candidate is not None
    candidate.evidence = "birth_date,!phone"
    session.commit()
    login(client, Role.VIEWER)
    html = text(client.get("/register/duplicates"))
    assert "!phone" not in html and "phone!" not in html
    assert 'class="tag bad">تلفن' in html  # "different: phone", in words
    above = text(client.get(f"/register/duplicates?min={candidate.score + 1}"))
    assert "جفتی در انتظار تصمیم نیست" in above  # a floor above the pair's score hides it
    assert text(client.get("/register/duplicates?agency=999")).count("فاطمه رضایی") == 0
    decided = post(
        client,
        f"/register/duplicates/{register.candidate}?min=85&page=1",
        {"action": "reject"},
    )
    assert decided.headers["Location"].endswith("/register/duplicates?page=1&min=85")
