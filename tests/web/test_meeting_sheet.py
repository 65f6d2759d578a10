"""The meeting sheet: sheet → confirmation → posted; every refused rule shown on its field.

The fund (tests/web/conftest.py): آمنه, بتول and کبری have 7,000 rials of savings
each (share price 1,000; 1–5 shares a meeting; loans up to 3 × savings; fines
"late" 500 and "absent" 1,000); آمنه owes a 10,000 loan guaranteed by بتول for
3,000. The loan-fund cash is 11,500 and the social fund 2,400; meetings are
weekly on Mondays from 2025-03-24 (four held).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups import locale
from groups.savings.models import Loan, Meeting
from ledger.models import Entry
from tests.savings.conftest import START
from tests.web.conftest import Web, login, post, text
from web.auth.models import Role

NEXT = START + timedelta(weeks=4)  # the next scheduled meeting (a Monday)


def sheet_url(web: Web) -> str:
    return f"/funds/{web.fund_id}/meetings/new"


def open_sheet(client: FlaskClient, web: Web, role: Role = Role.TREASURER) -> str:
    login(client, role)
    page = client.get(sheet_url(web))
    assert page.status_code == 200
    return text(page)


def key_of(html: str) -> str:
    found = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html)
    assert found, "the sheet carries an idempotency key"
    return found.group(1)


def typed(web: Web, key: str, **extra: Any) -> dict[str, Any]:
    """A sheet where everyone is present and buys 2 shares, and pays 200 to the social fund."""
    values: dict[str, Any] = {"date": locale.to_jalali(NEXT), "idempotency_key": key}
    for m in web.fund.members:
        values[f"m-{m.id}-attendance"] = "present"
        values[f"m-{m.id}-shares"] = "۲"
        values[f"m-{m.id}-social"] = "۲۰۰"
    values.update(extra)
    return values


def counts(session: Session, web: Web) -> tuple[int, int]:
    meetings = session.scalar(select(func.count(Meeting.id)).where(Meeting.fund_id == web.fund_id))
    entries = session.scalar(select(func.count(Entry.id)).where(Entry.fund_id == web.fund_id))
    return int(meetings or 0), int(entries or 0)


def review(client: FlaskClient, web: Web, values: dict[str, Any]) -> Any:
    return post(client, sheet_url(web), {**values, "step": "review"})


def test_the_sheet_offers_every_active_member_with_the_next_meeting_date(
    client: FlaskClient, web: Web
) -> None:
    html = open_sheet(client, web)
    for member in web.fund.members:
        assert member.name in html
        assert f'name="m-{member.id}-shares"' in html
    assert f'value="{locale.to_jalali(NEXT)}"' in html  # 1404/01/25 in Persian digits
    assert f'name="m-{web.member.id}-repay-{web.loan.id}"' in html  # her loan's repayment
    assert 'inputmode="numeric"' in html
    assert "meeting.js" in html


def test_the_loan_page_s_write_off_link_opens_the_sheet_with_the_write_off_filled(
    client: FlaskClient, web: Web
) -> None:
    login(client, Role.FACILITATOR)
    loan_page = text(client.get(f"/funds/{web.fund_id}/loans/{web.loan.id}"))
    link = f"{sheet_url(web)}?write_off={web.loan.id}"
    assert link in loan_page.replace("&amp;", "&")

    html = text(client.get(link))
    field = f'name="writeoff-{web.loan.id}" value="به تصمیم جلسه سوخت شد"'
    assert field in html
    assert 'value="به تصمیم جلسه سوخت شد"' not in text(
        client.get(f"{sheet_url(web)}?write_off=999")
    )


def test_a_full_meeting_is_confirmed_then_posted_and_shown(
    client: FlaskClient, web: Web, session: Session
) -> None:
    amena, batool, kobra = web.fund.members
    key = key_of(open_sheet(client, web))
    values = typed(
        web,
        key,
        **{
            f"m-{amena.id}-repay-{web.loan.id}": "5,500",
            f"m-{kobra.id}-attendance": "late",
            f"m-{kobra.id}-fine_type": "late",  # amount from the constitution
            "loan-0-borrower": str(batool.id),
            "loan-0-amount": "۶٬۰۰۰",
            "loan-0-term": "2",
            "loan-0-purpose": "مرغداری",
            "loan-0-g-0": str(kobra.id),
            "loan-0-p-0": "3000",
            "expense-0-amount": "100",
            "expense-0-memo": "دفتر",
            "cash_counted": "18,500",
            "cash_explanation": "",
        },
    )
    before = counts(session, web)
    confirm = review(client, web, values)
    html = text(confirm)
    assert confirm.status_code == 200, html
    assert "مرغداری" in html
    # 11,500 + 2,400 + shares 6,000 + social 600 + repayment 5,500 + fine 500 - loan 6,000 - 100
    assert locale.format_money(20_400, "rial") in html
    assert counts(session, web) == before, "the confirmation posts nothing"

    posted = post(client, sheet_url(web), {**values, "step": "post"})
    assert posted.status_code == 302
    meeting = session.scalars(select(Meeting).where(Meeting.idempotency_key == key)).one()
    assert posted.headers["Location"].endswith(f"/funds/{web.fund_id}/meetings/{meeting.id}")
    assert meeting.cash_expected == 20_400 and meeting.cash_counted == 18_500
    assert web.fund.savings(batool) == 9_000
    new_loan = session.scalars(select(Loan).where(Loan.meeting_id == meeting.id)).one()
    assert (new_loan.member_id, new_loan.principal, new_loan.purpose) == (
        batool.id,
        6_000,
        "مرغداری",
    )
    assert [(g.guarantor_id, g.pledge) for g in new_loan.guarantees] == [(kobra.id, 3_000)]

    shown = text(client.get(posted.headers["Location"]))
    assert "مرغداری" in shown and "دفتر" in shown
    assert locale.format_difference(-1_900, "rial") in shown  # counted − expected, in words
    assert "۱٬۹۰۰ ریال کسری" in shown


def test_a_second_submit_of_the_same_sheet_posts_nothing_new(
    client: FlaskClient, web: Web, session: Session
) -> None:
    values = typed(web, key_of(open_sheet(client, web)), step="post")
    first = post(client, sheet_url(web), values)
    after_first = counts(session, web)
    second = post(client, sheet_url(web), values)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert counts(session, web) == after_first


RULES = [
    # (what is typed, the field whose error shows, a word of the Persian message)
    pytest.param({"m-{a}-shares": "9"}, "m-{a}-shares", "کمینه و بیشینه", id="share limit"),
    pytest.param({"m-{a}-shares": "0"}, "m-{a}-shares", "کمینه و بیشینه", id="below min"),
    pytest.param(
        {"m-{a}-fine_type": "singing", "m-{a}-fine": "100"},
        "m-{a}-fine_type",
        "جریمه",
        id="unknown fine",
    ),
    pytest.param(
        {"m-{a}-repay-{loan}": "99,000"}, "m-{a}-repay-{loan}", "بیشتر از کل بدهی", id="overpay"
    ),
    pytest.param(
        {"loan-0-borrower": "{c}", "loan-0-amount": "50000", "loan-0-term": "2"},
        "loan-0-amount",
        "سقف",
        id="loan cap",
    ),
    pytest.param(
        {"loan-0-borrower": "{c}", "loan-0-amount": "1000", "loan-0-term": "12"},
        "loan-0-term",
        "طولانی",
        id="term too long",
    ),
    pytest.param(
        {"loan-0-borrower": "{a}", "loan-0-amount": "1000", "loan-0-term": "1"},
        "loan-0-borrower",
        "وام تسویه‌نشده",
        id="second loan",
    ),
    pytest.param(
        {
            "loan-0-borrower": "{c}",
            "loan-0-amount": "3000",
            "loan-0-term": "1",
            "loan-0-g-0": "{b}",
            "loan-0-p-0": "8000",
        },
        "loan-0-g-0",
        "پس‌انداز آزاد",
        id="guarantor lacks savings",
    ),
    pytest.param(
        {
            "loan-0-borrower": "{c}",
            "loan-0-amount": "3000",
            "loan-0-term": "1",
            "loan-0-g-0": "{c}",
            "loan-0-p-0": "1000",
        },
        "loan-0-g-0",
        "ضامن وام خودش",
        id="guarantor is borrower",
    ),
    pytest.param(
        {"grant-0-member": "{c}", "grant-0-amount": "90000"},
        "grant-0-amount",
        "همبستگی",
        id="social fund short",
    ),
    pytest.param({"expense-0-amount": "900,000"}, "section:cash_items", "موجودی نقد", id="no cash"),
    pytest.param({"leave-{b}": "1"}, "leave-{b}", "ضامن", id="leaver guarantees"),
    pytest.param({"recover-{loan}": "1"}, "section:decisions", "عقب‌افتاده", id="nothing late"),
    pytest.param({"date": "1404/01/01"}, "date", "بعد از تاریخ", id="date before last"),
    pytest.param({"date": "1404/13/40"}, "date", "", id="not a date"),
    pytest.param({"m-{a}-social": "abc"}, "m-{a}-social", "", id="not an amount"),
    pytest.param({"loan-0-amount": "1000"}, "loan-0-borrower", "", id="loan without borrower"),
]


@pytest.mark.parametrize(("typed_in", "field", "words"), RULES)
def test_each_refused_rule_shows_on_its_field_keeps_the_input_and_posts_nothing(
    client: FlaskClient,
    web: Web,
    session: Session,
    typed_in: dict[str, str],
    field: str,
    words: str,
) -> None:
    amena, batool, kobra = web.fund.members
    ids = {"a": amena.id, "b": batool.id, "c": kobra.id, "loan": web.loan.id}
    extra = {k.format(**ids): v.format(**ids) for k, v in typed_in.items()}
    values = typed(web, key_of(open_sheet(client, web)), **extra)
    before = counts(session, web)
    for step in ("review", "post"):
        page = post(client, sheet_url(web), {**values, "step": step})
        html = text(page)
        assert page.status_code == 422, html
        assert counts(session, web) == before, "nothing is posted"
        assert words in html
        name = field.format(**ids)
        if name.startswith("section:"):
            assert html.index(words) > html.index(f'id="{name[8:]}"')
        else:
            assert f'id="{name}-error"' in html, name
        for key, value in extra.items():  # everything typed is kept
            if key.startswith(("leave-", "recover-")):
                assert (
                    f'name="{key}" value="1" checked' in html or f'name="{key}" value="1"' in html
                )
            elif not key.endswith(("-borrower", "-member", "-fine_type")) and "-g-" not in key:
                assert f'value="{value}"' in html, key


def test_an_error_in_english_names_the_rule_in_english(
    client: FlaskClient, web: Web, session: Session
) -> None:
    key = key_of(open_sheet(client, web))
    post(client, "/language", {"locale": "en"})
    page = review(client, web, typed(web, key, **{f"m-{web.member.id}-shares": "9"}))
    assert page.status_code == 422
    assert "buys 9 shares; allowed 1–5" in text(page)


def test_the_confirmation_can_go_back_to_the_sheet_with_everything_kept(
    client: FlaskClient, web: Web
) -> None:
    values = typed(web, key_of(open_sheet(client, web)), cash_explanation="یک اسکناس کم")
    page = post(client, sheet_url(web), {**values, "step": "edit"})
    assert page.status_code == 200
    assert "یک اسکناس کم" in text(page) and 'value="۲"' in text(page)


def test_the_sheet_needs_a_csrf_token(
    app: Flask, client: FlaskClient, web: Web, session: Session
) -> None:
    values = typed(web, key_of(open_sheet(client, web)), step="post")
    before = counts(session, web)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.post(sheet_url(web), data=values)  # no csrf_token
    assert page.status_code == 400
    assert counts(session, web) == before


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_readers_cannot_record_a_meeting(client: FlaskClient, web: Web, role: Role) -> None:
    login(client, role)
    assert client.get(sheet_url(web)).status_code == 403
    assert post(client, sheet_url(web), typed(web, "abc", step="post")).status_code == 403


def test_the_facilitator_and_admin_record_meetings_too(client: FlaskClient, web: Web) -> None:
    for role in (Role.FACILITATOR, Role.ADMIN):
        open_sheet(client, web, role)


def test_reopen_the_last_meeting_then_record_it_again(
    client: FlaskClient, web: Web, session: Session
) -> None:
    values = typed(web, key_of(open_sheet(client, web)), step="post")
    location = post(client, sheet_url(web), values).headers["Location"]
    meeting_id = int(location.rsplit("/", 1)[1])
    savings = web.fund.savings(web.member)
    assert "reopen" in text(client.get(location))

    refused = post(client, f"{location}/reopen", {"reason": ""})
    assert refused.status_code == 422
    older = post(
        client, f"/funds/{web.fund_id}/meetings/{web.loan.meeting_id}/reopen", {"reason": "x"}
    )
    assert older.status_code == 422 and "فقط آخرین جلسه" in text(older)

    reopened = post(client, f"{location}/reopen", {"reason": "سهم‌ها اشتباه نوشته شد"})
    assert reopened.status_code == 302
    assert reopened.headers["Location"].endswith(sheet_url(web))
    meeting = session.get(Meeting, meeting_id)
    session.refresh(meeting)
    assert meeting is not None and meeting.status == "reopened"
    assert web.fund.savings(web.member) == savings - 2_000
    again = typed(web, key_of(text(client.get(sheet_url(web)))), step="post")
    assert post(client, sheet_url(web), again).status_code == 302
    assert web.fund.savings(web.member) == savings
