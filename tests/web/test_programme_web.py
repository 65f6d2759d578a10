"""Training, placements and the programme report through the screens."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.placement.models import Employer, FollowUp, Placement
from groups.training.models import Attendance, Completion, Course, TrainingSession
from tests.reports.pdf import assert_in_order, require_vazirmatn
from tests.reports.pdf import pdf_text as read_back
from tests.web.conftest import Web, login, post, text
from tests.web.register_data import ZAHRA_ID, Register, make_register
from tests.web.report_jobs import pdf_text
from web.auth.models import Role


@pytest.fixture
def register(session: Session, web: Web) -> Register:
    return make_register(session, web)


# Training -------------------------------------------------------------------------------


def test_staff_create_a_course_record_a_class_and_its_completions(
    client: FlaskClient, register: Register, session: Session
) -> None:
    login(client, Role.VIEWER)
    assert "خیاطی" in text(client.get("/training"))
    bad = post(client, "/training/courses/new", {"title": "", "kind": "vocational"})
    assert bad.status_code == 422
    response = post(
        client,
        "/training/courses/new",
        {"title": "قالی‌بافی", "kind": "vocational", "trade": "carpet weaving", "hours": "60"},
    )
    course = session.scalars(select(Course).where(Course.title == "قالی‌بافی")).one()
    assert response.headers["Location"].endswith(f"/training/courses/{course.id}")
    url = f"/training/courses/{course.id}/sessions/new"
    assert client.get(url).status_code == 200
    typed = {"held_on": "۱۴۰۳/۰۴/۰۱", "place": "فرمانداری", "trainer": "خانم مربی"}

    unknown = post(client, url, {**typed, "women": f"{register.zahra} 99999"})
    assert unknown.status_code == 422 and "99999" in text(unknown)
    assert 'value="فرمانداری"' in text(unknown)  # the input is kept
    # Women by record number (Persian digits) and by national ID; a facilitator by name.
    women = (
        f"{str(register.maryam).translate(str.maketrans('0123456789', '۰۱۲۳۴۵۶۷۸۹'))}، {ZAHRA_ID}"
    )
    done = post(client, url, {**typed, "women": women, "others": "تسهیلگر یک\n"})

    assert done.status_code == 302
    held = session.scalars(
        select(TrainingSession).where(TrainingSession.course_id == course.id)
    ).one()
    present = session.scalars(select(Attendance).where(Attendance.session_id == held.id)).all()
    assert {(a.beneficiary_id, a.person_name, a.role) for a in present} == {
        (register.maryam, None, "woman"),
        (register.zahra, None, "woman"),
        (None, "تسهیلگر یک", "facilitator"),
    }
    completions = f"/training/courses/{course.id}/completions/new"
    post(client, completions, {"completed_on": "1403/05/01", "women": str(register.maryam)})
    twice = post(client, completions, {"completed_on": "1403/05/01", "women": str(register.maryam)})
    assert twice.status_code == 422 and "ثبت آموزشی" in text(twice)
    assert session.scalars(select(Completion).where(Completion.course_id == course.id)).one()
    page = text(client.get(f"/training/courses/{course.id}"))
    assert "۳ نفر" in page and "مریم احمدی" in page and "تسهیلگر یک" in page
    assert "قالی‌بافی" in text(client.get(f"/register/{register.maryam}"))  # her history


# Placement ------------------------------------------------------------------------------


def test_staff_register_a_workshop_place_a_woman_and_follow_her_up(
    client: FlaskClient, register: Register, session: Session
) -> None:
    login(client, Role.ADMIN)
    new_employer = {"name": "کارگاه بسته‌بندی", "kind": "workshop", "trade": "packaging"}
    assert post(client, "/placement/employers/new", new_employer).status_code == 302
    again = post(client, "/placement/employers/new", new_employer)
    assert again.status_code == 422 and "پیش‌تر ثبت شده" in text(again)
    employer = session.scalars(select(Employer).where(Employer.trade == "packaging")).one()
    url = f"/register/{register.maryam}/placements/new"
    assert client.get(url).status_code == 200
    typed = {"kind": "employment", "started_on": "1403/06/01", "role": "بسته‌بند"}
    no_employer = post(client, url, {**typed, "monthly_income": "60,000,000"})
    assert no_employer.status_code == 422 and "کارگاه یا کارفرما را انتخاب کنید" in text(
        no_employer
    )

    done = post(
        client, url, {**typed, "employer_id": str(employer.id), "monthly_income": "۶۰٬۰۰۰٬۰۰۰"}
    )

    assert done.status_code == 302
    job = session.scalars(
        select(Placement).where(Placement.beneficiary_id == register.maryam)
    ).one()
    assert (job.employer_id, job.monthly_income) == (employer.id, 60_000_000)
    follow = f"/placement/{job.id}/follow-ups/new"
    early = post(client, follow, {"months": "3", "visited_on": "1403/05/01", "still_working": "y"})
    assert early.status_code == 422 and "اشتغال" in text(early)
    ok = post(
        client,
        follow,
        {
            "months": "3",
            "visited_on": "1403/09/02",
            "still_working": "y",
            "monthly_income": "65000000",
        },
    )
    assert ok.status_code == 302
    found = session.scalars(select(FollowUp).where(FollowUp.placement_id == job.id)).one()
    assert (found.still_working, found.monthly_income) == (True, 65_000_000)
    assert "کارگاه بسته‌بندی" in text(client.get("/placement"))
    assert "۶۵٬۰۰۰٬۰۰۰ ریال" in text(client.get(f"/register/{register.maryam}"))


def test_self_employment_may_name_her_own_fund_loan_only(
    client: FlaskClient, register: Register, session: Session, web: Web
) -> None:
    login(client, Role.VIEWER)
    url = f"/register/{register.zahra}/placements/new"
    typed = {"kind": "self_employment", "started_on": "1403/06/01", "role": "دامداری"}
    assert f'value="{web.loan.id}"' in text(client.get(url))  # her loan is offered
    other = post(client, url, {**typed, "loan_id": str(web.other_loan.id)})
    assert other.status_code == 422  # not one of her loans
    assert post(client, url, {**typed, "loan_id": str(web.loan.id)}).status_code == 302
    job = session.scalars(select(Placement).where(Placement.kind == "self_employment")).one()
    assert job.loan_id == web.loan.id


# The programme report -------------------------------------------------------------------

PERIOD = {"start": "۱۴۰۳/۰۱/۰۱", "end": "1403/12/30", "village": ""}


def test_the_report_shows_the_period_s_figures_on_screen(
    client: FlaskClient, register: Register
) -> None:
    login(client, Role.VIEWER)
    assert client.get("/register/report").status_code == 200  # this year so far
    html = text(client.get("/register/report", query_string=PERIOD))
    assert "۱۴۰۳/۰۱/۰۱ – ۱۴۰۳/۱۲/۳۰" in html and "همه‌ی مناطق" in html
    assert "<dt>نیازسنجی‌شده</dt><dd>۱</dd>" in html
    assert "<dt>اشتغال ایجادشده (نفر)</dt><dd>۱</dd>" in html
    assert "۳۵٬۰۰۰٬۰۰۰ ریال" in html  # in-kind aid
    nowhere = text(client.get("/register/report", query_string={**PERIOD, "village": "کهریزک"}))
    assert "<dt>نیازسنجی‌شده</dt><dd>۰</dd>" in nowhere and "کهریزک" in nowhere


def test_the_report_refuses_a_wrong_period(client: FlaskClient, register: Register) -> None:
    login(client, Role.ADMIN)
    wrong = client.get("/register/report", query_string={"start": "1403/13/01"})
    assert wrong.status_code == 422 and "تقویم خورشیدی" in text(wrong)
    backwards = client.get(
        "/register/report", query_string={"start": "1403/05/01", "end": "1403/01/01"}
    )
    assert backwards.status_code == 422 and "پایان دوره پیش از آغاز" in text(backwards)
    assert client.get("/register/report.pdf", query_string={"start": "x"}).status_code == 422


def test_the_report_downloads_as_a_persian_pdf_and_an_xlsx(
    client: FlaskClient, register: Register, tmp_path: Path
) -> None:
    login(client, Role.VIEWER)
    pdf = client.get("/register/report.pdf", query_string=PERIOD)
    assert pdf.mimetype == "application/pdf" and pdf.data[:4] == b"%PDF"
    assert 'filename="programme-1403-01-01-1403-12-30.pdf"' in pdf.headers["Content-Disposition"]
    extracted = pdf_text(pdf.data, tmp_path)
    assert "۱۴۰۳/۰۱/۰۱" in extracted and "۱۴۰۳/۱۲/۳۰" in extracted  # the period, Jalali
    require_vazirmatn()
    assert_in_order(
        read_back(pdf.data, tmp_path),
        "گزارش آماری طرح توانمندسازی زنان سرپرست خانوار",
        "منطقه: همه‌ی مناطق طرح",
        "مشاوره‌گرفتگان",
        "جلسات مشاوره",
        "مبالغ",
        "مبلغ وام‌های پرداخت‌شده",
        "ارزش کمک‌های غیرنقدی",
    )
    xlsx = client.get("/register/report.xlsx", query_string=PERIOD)
    book = load_workbook(io.BytesIO(xlsx.data))
    cells = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert "needs assessed" in cells and "in-kind aid, value" in cells
    assert 35_000_000 in cells
