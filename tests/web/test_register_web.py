"""The register's screens: search, a woman's record, her questionnaire, and who sees what."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups.beneficiaries.models import (
    Assessment,
    Beneficiary,
    Fact,
    InKindAid,
    SensitiveView,
    Service,
)
from tests.web.conftest import Web, login, post, text
from tests.web.register_data import ZAHRA_ID, Register, make_register
from web.auth.models import Role


@pytest.fixture(autouse=True)
def uploads(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Uploaded agency files wait in a folder of the test's own."""
    monkeypatch.setitem(app.config, "REGISTER_UPLOADS", str(tmp_path))
    return tmp_path


@pytest.fixture
def register(session: Session, web: Web) -> Register:
    return make_register(session, web)


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


# Search ---------------------------------------------------------------------------------


def test_staff_find_a_woman_by_any_spelling_of_her_name(
    client: FlaskClient, register: Register
) -> None:
    login(client, Role.VIEWER)
    for query in ("كريمي", "زهرا کریمی", "کریمی زهرا"):
        html = text(client.get("/register", query_string={"q": query}))
        assert f"/register/{register.zahra}" in html, query
        assert f"/register/{register.maryam}" not in html
    html = text(client.get("/register", query_string={"q": "نامی که نیست"}))
    assert "۰ بانو پیدا شد" in html


def test_staff_find_a_woman_by_national_id_in_persian_digits_and_without_leading_zeros(
    client: FlaskClient, register: Register
) -> None:
    login(client, Role.ADMIN)
    for query in ("۰۰۱۳۵۴۲۴۱۹", "13542419", "001-354241-9"):
        html = text(post(client, "/register", {"q": query}))  # by POST: never in a URL
        assert f"/register/{register.zahra}" in html, query
        assert "۱ بانو پیدا شد" in html


def test_a_facilitator_finds_only_her_funds_women_and_never_by_national_id(
    client: FlaskClient, register: Register
) -> None:
    login(client, Role.FACILITATOR)
    assert f"/register/{register.zahra}" in text(client.get("/register?q=زهرا"))
    assert f"/register/{register.maryam}" not in text(client.get("/register?q=مریم"))
    html = text(post(client, "/register", {"q": ZAHRA_ID}))
    assert "جست‌وجو با کد ملی" in html and f"/register/{register.zahra}" not in html


def test_results_come_a_page_at_a_time(client: FlaskClient, session: Session, web: Web) -> None:
    from groups.beneficiaries.register import record_by_hand
    from web.funds.views import today

    for number in range(30):
        values = {"first_name": f"سمیه {number}", "last_name": "نوری"}
        record_by_hand(session, "دفتر", values, "t", today())
    login(client, Role.VIEWER)
    first = text(client.get("/register?q=نوری"))
    second = text(client.get("/register?q=نوری&page=2"))
    posted = text(post(client, "/register", {"q": "نوری", "page": "2"}))
    assert posted.count("<tr>") == 6 and "صفحه‌ی ۲ از ۲" in posted
    assert "۳۰ بانو پیدا شد" in first and "صفحه‌ی ۱ از ۲" in first
    assert first.count("<tr>") == 26 and second.count("<tr>") == 6  # 25 + header, 5 + header


# A woman's record ------------------------------------------------------------------------


def test_her_record_shows_each_answer_with_its_source_and_all_the_programme_did(
    client: FlaskClient, register: Register, web: Web
) -> None:
    login(client, Role.VIEWER)
    html = text(client.get(f"/register/{register.zahra}"))
    assert "کریمی" in html and "کمیته امداد" in html and "relief.csv" in html
    assert "۱۳۶۰/۰۵/۱۲" in html  # birth date, Jalali
    assert "مالی (صندوق، وام)" in html  # her needs
    assert "حرفه‌ای" in html and "خیاطی" in html and "۱۴۰۳/۰۴/۱۱" in html  # completed 2024-07-01
    assert "کارگاه جوراب‌بافی" in html and "شاغل" in html  # placement, 3-month follow-up
    assert "مشاوره" in html and "چرخ خیاطی" in html and "۳۵٬۰۰۰٬۰۰۰ ریال" in html
    assert f"/funds/{web.fund_id}" in html  # her fund, savings and loans
    assert f"/funds/{web.fund_id}/loans/{web.loan.id}" in html


def test_sensitive_fields_are_hidden_until_asked_for_and_each_view_is_logged(
    client: FlaskClient, register: Register, session: Session
) -> None:
    login(client, Role.VIEWER)
    html = text(client.get(f"/register/{register.zahra}"))
    assert "۰۰۱۳۵۴۲۴۱۹" not in html and ZAHRA_ID not in html
    assert count(session, SensitiveView) == 0

    html = text(client.get(f"/register/{register.zahra}?sensitive=1"))

    assert "۰۰۱۳۵۴۲۴۱۹" in html
    views = session.scalars(select(SensitiveView)).all()
    assert [(v.viewer, v.role, v.beneficiary_id) for v in views] == [
        ("viewer", "viewer", register.zahra)
    ]
    assert "national_id" in views[0].fields


def test_a_facilitator_reads_her_funds_women_without_sensitive_fields(
    client: FlaskClient, register: Register, session: Session
) -> None:
    login(client, Role.FACILITATOR)
    html = text(client.get(f"/register/{register.zahra}?sensitive=1"))
    assert "زهرا" in html and "۰۰۱۳۵۴۲۴۱۹" not in html
    assert "/edit" not in html  # read only
    assert count(session, SensitiveView) == 0
    assert client.get(f"/register/{register.maryam}").status_code == 404
    assert client.get(f"/register/{register.zahra}/edit").status_code == 403


@pytest.mark.parametrize("role", [Role.TREASURER, Role.MEMBER])
def test_treasurers_and_members_have_no_register(
    client: FlaskClient, register: Register, role: Role
) -> None:
    login(client, role)
    assert client.get("/register").status_code == 403
    assert client.get(f"/register/{register.zahra}").status_code == 403
    assert "/register" not in text(client.get("/"))


def test_the_menu_leads_staff_and_facilitators_to_the_register(
    client: FlaskClient, web: Web
) -> None:
    for role, report in ((Role.VIEWER, True), (Role.FACILITATOR, False)):
        login(client, role)
        html = text(client.get("/"))
        assert 'href="/register"' in html
        assert ('href="/register/report"' in html) is report


def test_a_merged_record_leads_to_the_one_it_joined(
    client: FlaskClient, register: Register, session: Session
) -> None:
    from groups.beneficiaries.dedup import merge

    merge(session, register.fatemeh, register.fatemeh_again, "t")
    login(client, Role.VIEWER)
    response = client.get(f"/register/{register.fatemeh_again}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/register/{register.fatemeh}")


# Questionnaire ---------------------------------------------------------------------------

NEW = {
    "source": "دفتر برنامه",
    "first_name": "سکینه",
    "last_name": "موسوی",
    "national_id": "۴۹۹۳۷۰۸۹۹",  # nine Persian digits: padded to 0499370899
    "birth_date": "۱۳۵۸/۰۷/۰۱",
    "settlement": "rural",
    "marital_status": "widowed",
    "household_size": "۴",
    "monthly_income": "۱۲٬۰۰۰٬۰۰۰",
    "consent_to_share": "1",
}


def test_staff_register_a_woman_and_each_answer_becomes_a_sourced_fact(
    client: FlaskClient, web: Web, session: Session
) -> None:
    login(client, Role.ADMIN)
    assert "کد ملی" in text(client.get("/register/new"))

    response = post(client, "/register/new", NEW)

    assert response.status_code == 302
    woman = session.scalars(select(Beneficiary).where(Beneficiary.last_name == "موسوی")).one()
    assert (woman.national_id, woman.settlement, woman.household_size) == ("0499370899", "rural", 4)
    assert woman.monthly_income == 12_000_000 and woman.consent_to_share is True
    assert response.headers["Location"].endswith(f"/register/{woman.id}")
    html = text(client.get(f"/register/{woman.id}"))
    assert "روستایی" in html and "بیوه" in html and "ثبت دستی" in html


def test_a_wrong_national_id_is_explained_in_persian_and_the_input_is_kept(
    client: FlaskClient, web: Web, session: Session
) -> None:
    login(client, Role.ADMIN)
    response = post(client, "/register/new", {**NEW, "national_id": "0013542410"})
    html = text(response)
    assert response.status_code == 422
    assert "رقم کنترل این کد ملی" in html
    assert 'value="0013542410"' in html and 'value="سکینه"' in html
    for national_id, message in (("12345", "کد ملی ۱۰ رقم دارد"), ("1111111111", "ده رقم یکسان")):
        html = text(post(client, "/register/new", {**NEW, "national_id": national_id}))
        assert message in html
    html = text(post(client, "/register/new", {**NEW, "birth_date": "1362/13/01", "last_name": ""}))
    assert "چنین روزی در تقویم نیست" in html and "این مورد لازم است" in html
    assert count(session, Beneficiary) == 0


def test_a_national_id_of_another_record_is_refused_next_to_the_field(
    client: FlaskClient, register: Register
) -> None:
    login(client, Role.VIEWER)
    response = post(client, "/register/new", {**NEW, "national_id": ZAHRA_ID})
    assert response.status_code == 422
    assert "این کد ملی در پرونده‌ی بانوی دیگری ثبت شده است" in text(response)


def test_editing_adds_a_fact_for_each_changed_answer_only(
    client: FlaskClient, register: Register, session: Session
) -> None:
    login(client, Role.VIEWER)
    form = text(client.get(f"/register/{register.zahra}/edit"))
    assert 'value="0013542419"' in form and 'value="1360/05/12"' in form.replace(
        "۱۳۶۰/۰۵/۱۲", "1360/05/12"
    )
    assert count(session, SensitiveView) == 1  # the form showed her national ID
    facts = count(session, Fact)

    response = post(
        client,
        f"/register/{register.zahra}/edit",
        {"source": "بهزیستی", "first_name": "زهرا", "phone": "09127654321", "village": "قلعه‌نو"},
    )

    assert response.status_code == 302
    assert count(session, Fact) == facts + 1  # the phone only: the rest did not change
    woman = session.get(Beneficiary, register.zahra)
    assert woman is not None
    session.refresh(woman)
    assert woman.phone == "09127654321" and woman.national_id == ZAHRA_ID
    unchanged = post(
        client, f"/register/{register.zahra}/edit", {"source": "x", "first_name": "زهرا"}
    )
    assert unchanged.status_code == 302 and count(session, Fact) == facts + 1
    bad = post(client, f"/register/{register.zahra}/edit", {"source": "x", "phone": "123"})
    assert bad.status_code == 422 and "۷ تا ۱۱ رقم" in text(bad)


# Assessments, services, aid --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "valid", "model"),
    [
        (
            "assessments",
            {"assessed_on": "۱۴۰۳/۰۲/۱۰", "assessed_by": "کارشناس", "employment": "y"},
            Assessment,
        ),
        (
            "services",
            {"kind": "legal", "given_on": "1403/03/01", "given_by": "وکیل"},
            Service,
        ),
        (
            "aid",
            {"given_on": "1403/03/01", "item": "گوسفند", "quantity": "2", "value": "۸۰٬۰۰۰٬۰۰۰"},
            InKindAid,
        ),
    ],
)
def test_staff_record_assessments_services_and_aid_and_mistakes_are_shown(
    client: FlaskClient,
    register: Register,
    session: Session,
    path: str,
    valid: dict[str, str],
    model: type,
) -> None:
    login(client, Role.VIEWER)
    url = f"/register/{register.maryam}/{path}/new"
    assert client.get(url).status_code == 200
    date_field = next(k for k in valid if k.endswith("_on"))
    bad = post(client, url, {**valid, date_field: "1403/13/40"})
    assert bad.status_code == 422 and "تقویم خورشیدی" in text(bad)
    assert 'value="1403/13/40"' in text(bad)

    response = post(client, url, valid)

    assert response.status_code == 302
    row = session.scalars(select(model).where(model.beneficiary_id == register.maryam)).one()  # type: ignore[attr-defined]
    if model is InKindAid:
        assert (row.quantity, row.value) == (2, 80_000_000)
    if model is Assessment:
        assert row.employment and not row.vocational


def test_the_demo_register_size_comes_from_the_environment_when_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from web.demo import DEMO_REGISTER_SIZE, SMALLEST_REGISTER, register_size

    monkeypatch.delenv("SANDOGH_DEMO_REGISTER_SIZE", raising=False)
    assert register_size() == DEMO_REGISTER_SIZE == 4_800
    monkeypatch.setenv("SANDOGH_DEMO_REGISTER_SIZE", "600")
    assert register_size() == 600
    monkeypatch.setenv("SANDOGH_DEMO_REGISTER_SIZE", "10")
    assert register_size() == SMALLEST_REGISTER
