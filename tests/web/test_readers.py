"""Pages as their readers see them: amounts in the fund's unit, no "·" beside a digit (issue 15).

- Every amount on the pages of the demo fund (toman) is in tomans, rounded to the
  toman: the pages are read, the fund switched to rials, read again, and their
  numbers paired in reading order (as tests/reports/test_units.py does for PDFs).
- No page, in either language, puts a middle dot next to a digit (``۱–۵ ·``
  reads ``۱–۵۰``), and no template has one left.
- A cash difference is said in words (کسری / اضافه), never in brackets.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from groups import locale
from groups.locale import latin_digits
from groups.savings.models import Loan, Meeting, Member, SavingsFund
from tests.web.conftest import Web, add_user, login, post
from tests.web.test_home import demo_fund_id
from tests.web.test_role_matrix import rules, url_values
from web.auth.models import Role

NUMBER = re.compile("[۰-۹]+(?:٬[۰-۹]{3})*")
#: A middle dot with a digit (or a percent sign) beside it, either side, any digits.
DOT_BY_DIGIT = re.compile(r"[0-9۰-۹٠-٩٪%]\s*·|·\s*[0-9۰-۹٠-٩]")
TEMPLATES = Path(__file__).parents[2] / "web" / "templates"


def demo_pages(session: Session, fund_id: int) -> list[str]:
    """Return the read-only pages of the demo fund, each showing amounts."""
    member = session.scalars(select(Member.id).where(Member.fund_id == fund_id)).first()
    loan = session.scalars(select(Loan.id).where(Loan.fund_id == fund_id)).first()
    meeting = session.scalars(
        select(Meeting.id).where(Meeting.fund_id == fund_id, Meeting.status == "closed")
    ).first()
    base = f"/funds/{fund_id}"
    return [
        "/",
        base,
        f"{base}/members/{member}",
        f"{base}/loans/{loan}",
        f"{base}/meetings/{meeting}",
        f"{base}/trial-balance",
        f"{base}/members/{member}/statement",
        f"{base}/meetings/{meeting}/minutes",
        f"{base}/loans/{loan}/schedule",
        f"{base}/financials",
        f"{base}/monitoring",
        "/dashboard",
    ]


def numbers(text: str) -> list[tuple[str, int]]:
    return [(m, int(latin_digits(m).replace("٬", ""))) for m in NUMBER.findall(text)]


def set_unit(session: Session, fund_id: int, unit: str) -> None:
    fund = session.get(SavingsFund, fund_id)
    assert fund is not None
    fund.display_unit = unit
    session.commit()


def test_every_amount_on_the_pages_of_a_toman_fund_is_in_tomans(
    client: FlaskClient, session: Session
) -> None:
    fund_id = demo_fund_id(session)
    add_user(session, "admin", Role.ADMIN)
    session.commit()
    login(client, Role.ADMIN)
    pages = demo_pages(session, fund_id)
    set_unit(session, fund_id, "toman")
    in_tomans = {url: client.get(url).get_data(as_text=True) for url in pages}
    set_unit(session, fund_id, "rial")
    in_rials = {url: client.get(url).get_data(as_text=True) for url in pages}
    for url in pages:
        toman_numbers, rial_numbers = numbers(in_tomans[url]), numbers(in_rials[url])
        assert len(toman_numbers) == len(rial_numbers), url
        amounts = 0
        for (toman_text, tomans), (rial_text, rials) in zip(
            toman_numbers, rial_numbers, strict=True
        ):
            if toman_text == rial_text:
                assert "٬" not in rial_text, f"{url}: {rial_text} is the same in both units"
            else:
                whole, rest = divmod(rials, 10)
                assert tomans == whole + (rest >= 5), f"{url}: {rial_text} rials as {toman_text}"
                amounts += 1
        assert amounts > 0, url


@pytest.mark.parametrize("locale", ["fa", "en"])
def test_no_page_puts_a_middle_dot_beside_a_digit(
    app: Flask, web: Web, client: FlaskClient, locale: str
) -> None:
    login(client, Role.ADMIN)
    post(client, "/language", {"locale": locale})
    values: dict[str, Any] = url_values(web, other=False)
    read = 0
    for rule in rules(app):
        if "GET" not in (rule.methods or ()) or rule.endpoint == "auth.logout":
            continue
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        response = client.get(url)
        if response.status_code != 200 or not response.mimetype.startswith("text/html"):
            continue
        html = response.get_data(as_text=True)
        assert not DOT_BY_DIGIT.search(html), (url, DOT_BY_DIGIT.search(html))
        read += 1
    assert read > 20


def test_no_template_writes_a_middle_dot() -> None:
    left = [str(path) for path in TEMPLATES.rglob("*.html") if "·" in path.read_text("utf-8")]
    assert not left


def test_a_cash_shortfall_is_said_in_words(client: FlaskClient, session: Session) -> None:
    fund_id = demo_fund_id(session)
    add_user(session, "admin", Role.ADMIN)
    session.commit()
    login(client, Role.ADMIN)
    short = session.scalars(
        select(Meeting)
        .where(Meeting.fund_id == fund_id, Meeting.cash_counted < Meeting.cash_expected)
        .limit(1)
    ).first()
    assert short is not None and short.cash_counted is not None
    html = client.get(f"/funds/{fund_id}/meetings/{short.id}").get_data(as_text=True)
    gap = short.cash_expected - short.cash_counted
    assert re.search(r"[۰-۹٬]+ تومان کسری", html), "the shortfall in words"
    assert f"({gap:,})" not in latin_digits(html).replace("٬", ",")


#: Words a member should not meet on her own pages (issue 15, item 5).
JARGON = ("PAR", "تراز آزمایشی", "کمینه", "بیشینه", "Trial balance")


def test_a_members_home_shows_what_she_has_and_owes_in_the_first_person(
    web: Web, client: FlaskClient, session: Session
) -> None:
    from reports.statement import member_statement

    login(client, Role.MEMBER)
    html = client.get("/").get_data(as_text=True)
    statement = member_statement(session, web.fund_id, web.member.id)
    unit = session.get(SavingsFund, web.fund_id).display_unit  # type: ignore[union-attr]
    for words in ("پس‌انداز شما", "بدهی شما", "قسط بعدی شما", "سهم شما در تقسیم سود"):
        assert words in html
    assert locale.format_money(statement.closing_savings, unit) in html
    assert locale.format_money(statement.projected_share_out, unit) in html
    pdf = f"/funds/{web.fund_id}/members/{web.member.id}/statement.pdf"
    main = html[html.index("<main") :]  # the statement's PDF comes before the passbook
    assert main.index(pdf) < main.index(f'/funds/{web.fund_id}/members/{web.member.id}"')


def test_a_members_pages_have_no_jargon_and_no_english(web: Web, client: FlaskClient) -> None:
    login(client, Role.MEMBER)
    base = f"/funds/{web.fund_id}"
    for url in (
        "/",
        f"{base}/members/{web.member.id}",
        f"{base}/members/{web.member.id}/statement",
    ):
        html = client.get(url).get_data(as_text=True)
        body = re.sub(r"<[^>]+>", " ", html[html.index("<main") :])
        assert not [word for word in JARGON if word in body], url
        assert not re.search(r"/ [a-z]+ [a-z]+", body), url  # no "… / opening savings"


def test_destructive_actions_look_destructive_and_ask_first(
    client: FlaskClient, session: Session
) -> None:
    fund_id = demo_fund_id(session)
    add_user(session, "admin", Role.ADMIN)
    session.commit()
    login(client, Role.ADMIN)
    last = session.scalars(
        select(Meeting).where(Meeting.fund_id == fund_id).order_by(Meeting.number.desc())
    ).first()
    assert last is not None
    html = client.get(f"/funds/{fund_id}/meetings/{last.id}").get_data(as_text=True)
    reopen = re.search(r'<a class="([^"]+)" href="[^"]*/reopen"', html)
    minutes = re.search(r'<a class="([^"]+)" href="[^"]*/minutes"', html)
    assert reopen and minutes
    assert "danger" in reopen.group(1) and "danger" not in minutes.group(1)
    page = client.get(f"/funds/{fund_id}/meetings/{last.id}/reopen").get_data(as_text=True)
    assert 'class="danger"' in page  # the reopen page asks for a reason, in red
    merges = client.get("/register/merges").get_data(as_text=True)
    assert "confirm.js" in merges  # the pages with a data-confirm load the script
    script = client.get("/static/confirm.js").get_data(as_text=True)
    assert "window.confirm" in script and "data-confirm" in script.replace(
        "dataset.confirm", "data-confirm"
    )


def test_the_login_page_says_what_sandogh_is_and_lists_demo_users_only_in_demo_mode(
    app: Flask, client: FlaskClient
) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert "دفتر صندوق‌های پس‌انداز محلی" in html
    assert "کاربران نمایشی" not in html and "sandogh-demo" not in html
    app.config["SANDOGH_DEMO_USERS"] = ([("treasurer", "treasurer")], "sandogh-demo")
    demo = client.get("/login").get_data(as_text=True)
    assert "کاربران نمایشی" in demo and "<code>sandogh-demo</code>" in demo
    assert '<bdi dir="ltr">treasurer</bdi> — صندوق‌دار' in demo


def test_a_required_date_starts_as_today_and_an_error_names_its_field(app: Flask) -> None:
    from flask import render_template_string
    from flask_wtf import FlaskForm
    from wtforms.validators import InputRequired, Optional

    from web.fields import JalaliDateField

    class Form(FlaskForm):  # type: ignore[misc]
        held_on = JalaliDateField("Held on", validators=[InputRequired()])
        until = JalaliDateField("Until", validators=[Optional()])

    with app.test_request_context("/", method="POST", data={"held_on": "", "until": ""}):
        form = Form(meta={"csrf": False})
        assert not form.validate()
        page = render_template_string(
            '{% from "_form.html" import field %}{{ field(form.held_on) }}{{ field(form.until) }}',
            form=form,
        )
        assert '<p class="error">Held on: ' in page  # the message names the field
    with app.test_request_context("/"):
        fresh = Form(meta={"csrf": False})
        today = locale.to_jalali(locale.today_in_iran())
        assert f'value="{today}"' in str(fresh.held_on())  # required: today, to change
        assert 'value=""' in str(fresh.until())  # optional: empty
        assert "placeholder" not in str(fresh.held_on())  # no grey example that looks filled


def test_the_home_of_those_who_visit_ranks_funds_by_need_with_their_flags(
    app: Flask, web: Web, client: FlaskClient, session: Session
) -> None:
    from reports.flags import Thresholds
    from reports.monitoring import fund_statuses, ranked

    login(client, Role.ADMIN)
    html = client.get("/").get_data(as_text=True)
    with app.app_context():
        statuses = ranked(
            fund_statuses(session, [web.fund_id, web.other.fund_id], None, Thresholds())
        )
    positions = [html.index(f'href="/funds/{s.fund_id}"') for s in statuses]
    assert positions == sorted(positions)  # the dashboard's order, not the funds' ids
    assert 'class="flags"' in html or "بدون هشدار" in html
    assert "ثبت جلسه‌ی امروز" not in html  # no row of identical big buttons


def test_the_treasurers_home_leads_with_her_meeting(web: Web, client: FlaskClient) -> None:
    login(client, Role.TREASURER)
    main = client.get("/").get_data(as_text=True).split("<main", 1)[1]
    meeting = main.index(f"/funds/{web.fund_id}/meetings/new")
    assert meeting < main.index("/dashboard")


def test_english_pages_isolate_amounts_and_names_and_use_english_commas(
    web: Web, client: FlaskClient, session: Session
) -> None:
    login(client, Role.ADMIN)
    post(client, "/language", {"locale": "en"})
    html = client.get(f"/funds/{web.fund_id}/meetings/{web.loan.meeting_id}").get_data(as_text=True)
    body = html[html.index("<main") :]
    # every amount is its own run: "500,000 toman" never joins a Persian name beside it
    assert re.search(r"<bdi>[0-9,]+ (toman|rial)</bdi>", body)
    assert not re.search(r"(?<!<bdi>)\b[0-9][0-9,]* (toman|rial)\b(?!</bdi>)", body)
    assert "، " not in body  # no Persian comma in an English list


def test_the_dashboard_exports_csv_and_xlsx_and_labels_every_cell_for_phones(
    web: Web, client: FlaskClient
) -> None:
    login(client, Role.ADMIN)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "/dashboard.csv" in html and "/dashboard.xlsx" in html
    rows = re.findall(r"<tr class=\"(?:flagged)?\">(.*?)</tr>", html, re.S)
    assert rows
    for row in rows:  # a phone shows each cell as "label: value"
        cells = re.findall(r"<td([^>]*)>", row)
        assert all("data-label" in c for c in cells[1:]), cells
    csv_text = client.get("/dashboard.csv").get_data(as_text=True).lstrip("\ufeff")
    lines = csv_text.strip().splitlines()
    assert len(lines) == 2 + 2  # the title, the header and both funds the admin sees
    assert "صندوق / fund" in lines[1] and "PAR 30" in lines[1]
    assert client.get("/dashboard.xlsx").data[:2] == b"PK"
