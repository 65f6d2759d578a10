"""The reports on the web: dashboard, monitoring, document views and files, batch print."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.locale import to_jalali
from groups.savings.models import Meeting
from ledger.models import utc_now
from tests.reports.pdf import assert_in_order, reads, require_vazirmatn
from tests.reports.pdf import pdf_text as read_back
from tests.savings.conftest import START, make_fund
from tests.web.conftest import Web, login, post, text
from tests.web.report_jobs import pdf_pages, pdf_text
from web.auth.models import Role
from web.extensions import db
from web.reports import jobs
from web.reports.download import content_disposition, safe_name
from web.reports.models import ReportJob

LAST_MEETING = START + timedelta(weeks=3)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def fund_url(web: Web, path: str) -> str:
    return f"/funds/{web.fund_id}{path}"


def file_name(response) -> str:  # type: ignore[no-untyped-def]
    """The UTF-8 file name of a download (RFC 5987 filename*)."""
    header = response.headers["Content-Disposition"]
    return unquote(header.split("filename*=UTF-8''")[1])


# -- the dashboard -------------------------------------------------------------------------


def test_the_facilitator_sees_her_funds_with_kpis_and_flags_in_words(
    web: Web, client: FlaskClient
) -> None:
    login(client, Role.FACILITATOR)
    assert "/dashboard" in text(client.get("/"))
    page = text(client.get("/dashboard?as_of=" + to_jalali(LAST_MEETING)))
    assert f"/funds/{web.fund_id}/monitoring" in page
    assert f"/funds/{web.other.fund_id}/monitoring" not in page  # not hers
    assert "PAR 30" in page and "پس‌انداز سرانه" in page
    assert "حضور کم در جلسه‌ها" not in page  # everyone came
    assert to_jalali(LAST_MEETING) in page  # the day asked for, in Persian digits
    assert "همهٔ صندوق‌های نمایش‌داده‌شده" in page  # the roll-up


def test_the_admin_sees_every_fund_with_flags_by_the_configured_thresholds(
    web: Web, client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, Role.ADMIN)
    month_later = "/dashboard?as_of=" + to_jalali(LAST_MEETING + timedelta(days=30), persian=False)
    page = text(client.get(month_later))
    assert f"/funds/{web.fund_id}/monitoring" in page
    assert f"/funds/{web.other.fund_id}/monitoring" in page
    assert page.count("جلسهٔ برگزارنشده") == 2  # weekly funds that stopped meeting
    assert "۲ صندوق از ۲ صندوق نیاز به بازدید دارد." in page
    monkeypatch.setitem(app.config, "SANDOGH_FLAGS", {"meeting_grace_days": "60"})
    assert "جلسهٔ برگزارنشده" not in text(client.get(month_later))


def test_the_dashboard_speaks_english_and_says_what_is_wrong_with_a_date(
    web: Web, client: FlaskClient
) -> None:
    login(client, Role.VIEWER)
    post(client, "/language", {"locale": "en"})
    page = text(client.get("/dashboard?as_of=1404/13/40"))
    assert "Write a Jalali date like 1403/05/12." in page
    assert "Savings per member" in page and "All funds shown" in page


def test_the_dashboard_looks_at_the_configured_day_by_default(
    app: Flask, web: Web, client: FlaskClient
) -> None:
    login(client, Role.VIEWER)
    app.config["SANDOGH_TODAY"] = date(2025, 6, 1)  # as `sandogh demo` sets its own day
    try:
        page = text(client.get("/dashboard"))
    finally:
        del app.config["SANDOGH_TODAY"]
    assert to_jalali(date(2025, 6, 1)) in page  # ۱۴۰۴/۰۳/۱۱
    assert to_jalali(date.today()) in text(client.get("/dashboard"))


def test_a_funds_monitoring_page_has_charts_and_a_visit_report(
    web: Web, client: FlaskClient, tmp_path: Path
) -> None:
    login(client, Role.FACILITATOR)
    day = to_jalali(LAST_MEETING, persian=False)
    page = text(client.get(fund_url(web, f"/monitoring?as_of={day}")))
    assert page.count('src="data:image/svg+xml;base64,') == 4
    assert "بازپرداخت" in page or "Repaid" in page
    pdf = client.get(fund_url(web, f"/monitoring.pdf?as_of={day}"))
    assert pdf.mimetype == "application/pdf" and pdf.data[:4] == b"%PDF"
    assert "گزارش بازدید" in file_name(pdf)
    assert to_jalali(LAST_MEETING) in pdf_text(pdf.data, tmp_path)
    require_vazirmatn()
    assert_in_order(read_back(pdf.data, tmp_path), "گزارش بازدید", "صندوق آزمون")


# -- documents -----------------------------------------------------------------------------


def test_a_member_reads_her_own_statement_and_downloads_it(
    web: Web, client: FlaskClient, tmp_path: Path
) -> None:
    login(client, Role.MEMBER)
    member = web.member
    url = fund_url(web, f"/members/{member.id}/statement")
    assert url in text(client.get(fund_url(web, f"/members/{member.id}")))
    page = text(client.get(url))
    assert "صورت‌حساب عضو" in page and member.name in page
    assert f"{url}.pdf" in page and f"{url}.csv" in page and f"{url}.xlsx" in page
    pdf = client.get(f"{url}.pdf")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    assert pdf.headers["Content-Disposition"].startswith("inline;")
    assert member.name in file_name(pdf) and file_name(pdf).endswith(".pdf")
    extracted = pdf_text(pdf.data, tmp_path)
    assert to_jalali(LAST_MEETING) in extracted and "۱۰٬۰۰۰" in extracted  # her loan
    require_vazirmatn()
    assert_in_order(
        read_back(pdf.data, tmp_path),
        "صورت‌حساب عضو member statement",
        "صندوق: صندوق آزمون",
        f"عضو: {member.name}",
    )
    other = web.fund.members[1]
    assert client.get(fund_url(web, f"/members/{other.id}/statement")).status_code == 404
    assert client.get(fund_url(web, f"/members/{other.id}/statement.pdf")).status_code == 404


def test_a_statement_for_a_chosen_period_as_csv_and_xlsx(web: Web, client: FlaskClient) -> None:
    login(client, Role.TREASURER)
    url = fund_url(web, f"/members/{web.member.id}/statement")
    first, second = START + timedelta(weeks=1), START + timedelta(weeks=2)
    period = f"?from={to_jalali(first)}&to={to_jalali(second, persian=False)}"
    page = text(client.get(url + period))
    latin = f"from={to_jalali(first, persian=False)}"
    assert latin in page  # the file links keep the period
    csv = client.get(f"{url}.csv{period}")
    assert csv.mimetype == "text/csv" and csv.headers["Content-Disposition"].startswith(
        "attachment"
    )
    body = csv.data.decode("utf-8-sig")
    assert to_jalali(first, persian=False) in body and to_jalali(second, persian=False) in body
    assert to_jalali(START, persian=False) not in body.split("\n", 1)[1]  # before the period
    xlsx = client.get(f"{url}.xlsx{period}")
    assert xlsx.mimetype == XLSX
    workbook = load_workbook(io.BytesIO(xlsx.data))
    assert "meetings" in workbook.sheetnames
    assert workbook["meetings"].sheet_view.rightToLeft


def test_a_wrong_period_is_explained_and_its_files_refused(web: Web, client: FlaskClient) -> None:
    login(client, Role.TREASURER)
    url = fund_url(web, "/financials")
    page = text(client.get(url + "?from=1404/05/01&to=1404/01/01"))
    assert "روز نخست پس از روز پایان است." in page
    assert client.get(url + ".pdf?from=bad").status_code == 400


@pytest.mark.parametrize(
    ("path", "title", "link_from"),
    [
        ("/meetings/{meeting}/minutes", "صورت‌جلسه", "/meetings/{meeting}"),
        ("/loans/{loan}/schedule", "جدول اقساط وام", "/loans/{loan}"),
        ("/financials", "صورت‌های مالی صندوق", ""),
    ],
)
def test_each_document_has_a_page_a_pdf_and_spreadsheets(
    web: Web, client: FlaskClient, tmp_path: Path, path: str, title: str, link_from: str
) -> None:
    login(client, Role.FACILITATOR)
    values = {"meeting": web.loan.meeting_id, "cycle": web.loan.cycle_id, "loan": web.loan.id}
    url = fund_url(web, path.format(**values))
    assert url in text(client.get(fund_url(web, link_from.format(**values))))
    page = client.get(url)
    assert page.status_code == 200 and title in text(page)
    pdf = client.get(url + ".pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data[:4] == b"%PDF"
    assert "صندوق آزمون" in file_name(pdf)
    assert to_jalali(LAST_MEETING) in pdf_text(pdf.data, tmp_path)
    require_vazirmatn()
    assert_in_order(read_back(pdf.data, tmp_path), title, "صندوق آزمون", "محل: قلعه‌نو")
    assert client.get(url + ".csv").data.startswith("\ufeff".encode())
    load_workbook(io.BytesIO(client.get(url + ".xlsx").data))


def test_the_share_out_so_far_is_previewed_when_no_loan_is_open(
    session: Session, web: Web, client: FlaskClient, tmp_path: Path
) -> None:
    fund = make_fund(session, names=("زهره", "نرگس"))
    fund.meet(START, *fund.everyone_buys(2))
    fund.meet(LAST_MEETING, *fund.everyone_buys(1))
    cycle_id = db.session.scalars(
        select(Meeting.cycle_id).where(Meeting.fund_id == fund.fund_id)
    ).first()
    login(client, Role.ADMIN)
    url = f"/funds/{fund.fund_id}/cycles/{cycle_id}/share-out/report"
    assert url in text(client.get(f"/funds/{fund.fund_id}"))
    page = text(client.get(url))
    assert "پیش‌نمایش تقسیم سود" in page and "زهره" in page
    pdf = client.get(url + ".pdf")
    assert pdf.data[:4] == b"%PDF" and "تقسیم سود" in file_name(pdf)
    assert to_jalali(LAST_MEETING) in pdf_text(pdf.data, tmp_path)
    require_vazirmatn()
    extracted = read_back(pdf.data, tmp_path)
    assert_in_order(extracted, "پیش‌نمایش تقسیم سود", "صندوق آزمون")
    assert reads(extracted, "زهره") and reads(extracted, "نرگس")  # each member's line
    load_workbook(io.BytesIO(client.get(url + ".xlsx").data))
    # With a loan still open the preview cannot be made: the reason is shown.
    blocked = client.get(fund_url(web, f"/cycles/{web.loan.cycle_id}/share-out/report"))
    assert blocked.status_code == 400 and "وام تسویه‌نشده" in text(blocked)


def test_documents_of_another_fund_or_a_meeting_elsewhere_are_not_found(
    web: Web, client: FlaskClient
) -> None:
    login(client, Role.FACILITATOR)
    other = f"/funds/{web.other.fund_id}"
    assert client.get(f"{other}/financials.pdf").status_code == 404
    assert (
        client.get(fund_url(web, f"/meetings/{web.other_loan.meeting_id}/minutes")).status_code
        == 404
    )
    assert client.get(fund_url(web, f"/loans/{web.other_loan.id}/schedule.csv")).status_code == 404
    assert (
        client.get(fund_url(web, f"/cycles/{web.other_loan.cycle_id}/share-out/report")).status_code
        == 404
    )


def test_file_names_are_persian_with_an_ascii_fallback() -> None:
    header = content_disposition("صورت‌حساب: آمنه/۱.pdf", "statement-1.pdf")
    assert header.startswith("attachment; filename=\"statement-1.pdf\"; filename*=UTF-8''")
    assert unquote(header.split("''")[1]) == "صورت‌حساب- آمنه-۱.pdf"
    assert safe_name('a\r\nb"c') == "a-b-c"


# -- batch print ---------------------------------------------------------------------------


def test_printing_all_statements_runs_a_job_to_a_downloadable_pdf(
    web: Web, client: FlaskClient, tmp_path: Path
) -> None:
    login(client, Role.TREASURER)
    start = fund_url(web, "/statements/print")
    assert start in text(client.get(fund_url(web, "")))
    response = post(client, start)
    assert response.status_code == 303
    page_url = response.headers["Location"]
    page = text(client.get(page_url))
    assert "آماده است" in page
    state = client.get(page_url + ".json").get_json()
    assert state["status"] == "done" and state["done"] == state["total"] == 3
    assert state["percent"] == 100
    pdf = client.get(state["download"])
    assert pdf.mimetype == "application/pdf" and pdf.data[:4] == b"%PDF"
    assert "صورت‌حساب‌ها" in file_name(pdf)
    assert pdf_pages(pdf.data, tmp_path) == 3  # one page per member
    assert to_jalali(LAST_MEETING) in pdf_text(pdf.data, tmp_path)
    require_vazirmatn()
    pages = read_back(pdf.data, tmp_path).split("\f")
    for member, page in zip(web.fund.members, pages, strict=False):  # in register order
        assert_in_order(page, "صورت‌حساب عضو", "صندوق آزمون", f"عضو: {member.name}")
    job = db.session.scalars(select(ReportJob).order_by(ReportJob.id.desc())).first()
    assert job is not None and job.user_id == web.users[Role.TREASURER].id
    assert "treasurer" in text(client.get(start))  # the recent prints, and who asked


def test_a_second_click_follows_the_job_already_running(web: Web, client: FlaskClient) -> None:
    running = ReportJob(fund_id=web.fund_id, kind="statements", status="running", done=1, total=3)
    db.session.add(running)
    db.session.flush()
    login(client, Role.FACILITATOR)
    response = post(client, fund_url(web, "/statements/print"))
    assert response.headers["Location"].endswith(f"/jobs/{running.id}")
    page = text(client.get(response.headers["Location"]))
    assert 'http-equiv="refresh"' in page and "report-job.js" in page  # refreshes without JS
    state = client.get(fund_url(web, f"/jobs/{running.id}.json")).get_json()
    assert (state["status"], state["percent"], state["download"]) == ("running", 33, None)
    early = client.get(fund_url(web, f"/jobs/{running.id}/file"))
    assert early.status_code == 302  # not ready: back to the job's page


def test_a_failed_or_interrupted_job_says_so_kindly(
    web: Web, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("the printer caught fire")

    monkeypatch.setattr(jobs, "statements_pdf", broken)
    login(client, Role.ADMIN)
    page_url = post(client, fund_url(web, "/statements/print")).headers["Location"]
    state = client.get(page_url + ".json").get_json()
    assert state["status"] == "failed" and "fire" not in state["message"]
    assert "خطایی پیش آمد" in state["message"]
    stale = ReportJob(fund_id=web.fund_id, kind="statements", status="running", done=1, total=3)
    stale.updated_at = utc_now() - timedelta(hours=1)
    db.session.add(stale)
    db.session.flush()
    state = client.get(fund_url(web, f"/jobs/{stale.id}.json")).get_json()
    assert state["status"] == "failed" and "قطع شد" in state["message"]


def test_a_fund_without_members_fails_with_its_reason(web: Web, client: FlaskClient) -> None:
    from groups.savings.funds import create_fund

    empty = create_fund(db.session(), name="صندوق خالی", founded_on=START, village="")
    db.session.flush()
    login(client, Role.ADMIN)
    page_url = post(client, f"/funds/{empty.fund_id}/statements/print").headers["Location"]
    assert "این صندوق عضوی برای چاپ ندارد." in text(client.get(page_url))


def test_jobs_and_files_of_a_fund_are_hidden_from_those_who_cannot_see_it(
    web: Web, client: FlaskClient
) -> None:
    login(client, Role.ADMIN)
    page_url = post(client, f"/funds/{web.other.fund_id}/statements/print").headers["Location"]
    login(client, Role.FACILITATOR)
    assert client.get(page_url).status_code == 404
    assert client.get(page_url + "/file").status_code == 404
    job_id = page_url.rsplit("/", 1)[1]
    assert client.get(fund_url(web, f"/jobs/{job_id}")).status_code == 404  # wrong fund


def test_meeting_pages_link_their_minutes_only_when_closed(web: Web, client: FlaskClient) -> None:
    login(client, Role.VIEWER)
    meeting = db.session.get(Meeting, web.loan.meeting_id)
    assert meeting is not None and meeting.status == "closed"
    page = text(client.get(fund_url(web, f"/meetings/{meeting.id}")))
    assert fund_url(web, f"/meetings/{meeting.id}/minutes") in page
