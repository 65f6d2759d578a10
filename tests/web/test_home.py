"""The home page lists the funds with their trial balance; the fund page shows every account."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.models import Fund
from web.demo import load_demo_if_empty


def test_the_home_page_shows_the_demo_fund_balanced_in_persian(
    app: Flask, session: Session
) -> None:
    assert load_demo_if_empty(session, today=date(2025, 4, 20))
    page = app.test_client().get("/")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert 'dir="rtl"' in html
    assert "صندوق زنان روستای قلعه‌نو" in html
    assert "۴٬۰۴۰٬۰۰۰ ریال" in html  # total debits of the demo fund, in Persian digits
    assert "تراز است" in html


def test_the_trial_balance_page_lists_each_account(app: Flask, session: Session) -> None:
    load_demo_if_empty(session, today=date(2025, 4, 20))
    fund_id = session.scalars(select(Fund.id)).one()
    page = app.test_client().get(f"/funds/{fund_id}/trial-balance")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "نقد صندوق وام" in html
    assert "۳٬۲۴۰٬۰۰۰ ریال" in html  # loan-fund cash after four meetings, a loan and a repayment


def test_the_demo_loads_only_into_an_empty_database(session: Session) -> None:
    assert load_demo_if_empty(session, today=date(2025, 4, 20))
    assert not load_demo_if_empty(session, today=date(2025, 4, 20))


def test_an_unknown_page_is_a_friendly_persian_404(app: Flask, session: Session) -> None:
    page = app.test_client().get("/funds/999999/trial-balance")
    assert page.status_code == 404
    assert "این صفحه پیدا نشد" in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)
