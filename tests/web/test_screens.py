"""The read screens: home per role, fund, passbook and loan pages show the fund's figures."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from groups.locale import format_money
from groups.savings.book import FundBook
from tests.web.conftest import Web, login, text
from web.auth.models import Role


def rial(amount: int) -> str:
    return format_money(amount, "rial")


def test_the_facilitator_sees_her_funds_at_a_glance_and_only_hers(
    web: Web, client: FlaskClient
) -> None:
    login(client, Role.FACILITATOR)
    html = text(client.get("/"))
    assert html.count('class="card fund-card"') == 1
    assert "آخرین جلسه" in html and "۱۴۰۴/۰۱/۲۵" in html  # the fourth meeting, 2025-04-14
    assert "اختلاف نقد" in html and "وام‌های معوق" in html
    assert f"/funds/{web.other.fund_id}" not in html


def test_admin_and_viewer_see_every_fund(web: Web, client: FlaskClient) -> None:
    for role in (Role.ADMIN, Role.VIEWER):
        login(client, role)
        html = text(client.get("/"))
        assert f"/funds/{web.fund_id}" in html and f"/funds/{web.other.fund_id}" in html
    assert "/admin/users" not in html  # the viewer has no admin menu


def test_the_member_home_links_to_her_passbook(web: Web, client: FlaskClient) -> None:
    login(client, Role.MEMBER)
    html = text(client.get("/"))
    assert f"/funds/{web.fund_id}/members/{web.member.id}" in html
    assert "دفترچه‌ی من" in html


def test_the_fund_page_shows_balances_from_the_ledger_members_loans_and_meetings(
    web: Web, client: FlaskClient, session: Session
) -> None:
    book = FundBook.load(session, web.fund_id)
    login(client, Role.TREASURER)
    html = text(client.get(f"/funds/{web.fund_id}"))
    assert rial(book.balance("cash")) in html
    assert rial(book.balance("social_cash")) in html
    assert rial(book.balance("loans")) in html
    for member in web.fund.members:
        assert member.name in html
        assert rial(book.member_savings(member)) in html
    assert f"/funds/{web.fund_id}/loans/{web.loan.id}" in html
    assert "بهای هر سهم" in html and rial(1_000) in html  # the constitution
    assert "۵٪" in html  # the service charge
    assert html.count("<tr") >= 3 + 1 + 4  # members, loan, meetings


def test_the_fund_page_reads_in_a_fixed_number_of_queries(
    web: Web, client: FlaskClient, session: Session
) -> None:
    """No query per member or per loan: more members and loans, the same count."""
    login(client, Role.ADMIN)
    assert "/admin/users" in text(client.get("/"))
    count = count_queries(client, session, f"/funds/{web.fund_id}")
    more = web.fund.meet  # another meeting, adding lines and a loan
    from datetime import timedelta

    from groups.savings.commands import MemberLine, NewLoan
    from tests.savings.conftest import START, add_member

    for name in ("فاطمه", "زینب", "لیلا"):
        web.fund.members.append(add_member(session, web.fund_id, name, START))
    lines = [MemberLine(m.id, shares=2) for m in web.fund.members]
    more(START + timedelta(weeks=4), *lines, new_loans=(NewLoan(web.fund.members[1].id, 2_000, 1),))
    assert count_queries(client, session, f"/funds/{web.fund_id}") == count


def count_queries(client: FlaskClient, session: Session, url: str) -> int:
    statements: list[str] = []
    engine = session.get_bind()

    def listen(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return len(statements)


def test_the_passbook_shows_each_meeting_her_loan_schedule_fine_and_guarantees(
    web: Web, client: FlaskClient, session: Session
) -> None:
    login(client, Role.MEMBER)
    html = text(client.get(f"/funds/{web.fund_id}/members/{web.member.id}"))
    book = FundBook.load(session, web.fund_id)
    assert rial(book.member_savings(web.member)) in html
    assert html.count("۱۴۰۴/۰۱/") >= 4  # four meetings, in Jalali
    assert "تأخیر" in html  # late at the fourth meeting
    assert "جدول اقساط وام" in html and rial(10_000) in html
    assert "ضمانت‌هایی که گرفته است" in html and web.fund.members[1].name in html
    assert rial(3_000) in html  # the pledge
    assert rial(500) in html  # the fine


def test_the_guarantor_sees_the_guarantee_she_gave(web: Web, client: FlaskClient) -> None:
    login(client, Role.TREASURER)
    guarantor = web.fund.members[1]
    html = text(client.get(f"/funds/{web.fund_id}/members/{guarantor.id}"))
    assert "ضمانت‌هایی که داده است" in html
    assert web.member.name in html and rial(3_000) in html


def test_the_loan_page_shows_schedule_position_guarantors_and_the_write_off_rule(
    web: Web, client: FlaskClient
) -> None:
    login(client, Role.TREASURER)
    html = text(client.get(f"/funds/{web.fund_id}/loans/{web.loan.id}"))
    assert "جدول اقساط" in html and "بازپرداخت‌ها" in html
    assert web.fund.members[1].name in html  # the guarantor
    assert "مانده‌ی اصل" in html and rial(10_000) in html
    assert "سوخت کردن وام تصمیم جلسه‌ی اعضاست" in html


def test_the_write_off_note_is_for_writers_only(web: Web, client: FlaskClient) -> None:
    login(client, Role.VIEWER)
    html = text(client.get(f"/funds/{web.fund_id}/loans/{web.loan.id}"))
    assert "جدول اقساط" in html
    assert "سوخت کردن وام" not in html


def test_the_trial_balance_is_behind_the_fund_rules(web: Web, client: FlaskClient) -> None:
    login(client, Role.FACILITATOR)
    assert client.get(f"/funds/{web.fund_id}/trial-balance").status_code == 200
    assert client.get(f"/funds/{web.other.fund_id}/trial-balance").status_code == 404


def test_pages_in_english_keep_jalali_dates_with_latin_digits(
    web: Web, client: FlaskClient, session: Session
) -> None:
    web.users[Role.VIEWER].locale = "en"
    session.flush()
    login(client, Role.VIEWER)
    html = text(client.get(f"/funds/{web.fund_id}"))
    assert '<html lang="en" dir="ltr">' in html
    assert "1404/01/25" in html and "Share price" in html and "5%" in html
