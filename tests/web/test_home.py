"""The home page lists the funds with their trial balance; the fund page shows every account."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import balances
from ledger.models import Fund
from ledger.verify import verify
from tests.web.conftest import add_user, login
from web.auth.models import Role
from web.demo import SMALLEST_REGISTER, load_demo_if_empty

#: The demo fund's loan-fund cash after its seventeen meetings (web/demo/demo-fund.json).
DEMO_LOAN_FUND_CASH = "۴٬۴۱۹٬۶۰۰ تومان"  # the demo fund shows tomans, rounded to the toman
DEMO_LOAN_FUND_CASH_EXACT = "۴۴٬۱۹۵٬۹۹۸ ریال"  # and exactly, in rials, on demand


def demo_fund_id(session: Session) -> int:
    # The book's fund alone: the generated funds (test_demo_dashboard.py) add ~3 s a load.
    assert load_demo_if_empty(session, SMALLEST_REGISTER, generated_funds=False)
    return session.scalars(select(Fund.id)).one()


def test_the_demo_fund_loads_from_its_fund_book_and_its_books_verify(session: Session) -> None:
    fund_id = demo_fund_id(session)
    assert verify(session, fund_id) == []
    assert balances.trial_balance(session, fund_id).is_balanced


def test_the_home_page_shows_the_demo_fund_and_its_cash_in_persian(
    client: FlaskClient, session: Session
) -> None:
    demo_fund_id(session)
    add_user(session, "viewer", Role.VIEWER)
    login(client, Role.VIEWER)
    page = client.get("/")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert 'dir="rtl"' in html
    assert "صندوق زنان روستای قلعه‌نو" in html
    assert DEMO_LOAN_FUND_CASH in html  # the demo fund shows tomans, rounded


def test_the_trial_balance_page_lists_each_account(client: FlaskClient, session: Session) -> None:
    fund_id = demo_fund_id(session)
    add_user(session, "treasurer", Role.TREASURER, fund_id=fund_id)
    login(client, Role.TREASURER)
    page = client.get(f"/funds/{fund_id}/trial-balance")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "نقد صندوق وام" in html
    assert DEMO_LOAN_FUND_CASH in html
    assert "?exact=1" in html  # the exact figures are one tap away
    exact = client.get(f"/funds/{fund_id}/trial-balance?exact=1").get_data(as_text=True)
    assert DEMO_LOAN_FUND_CASH_EXACT in exact
    assert DEMO_LOAN_FUND_CASH not in exact


def test_the_demo_loads_only_into_an_empty_database(session: Session) -> None:
    assert load_demo_if_empty(session, SMALLEST_REGISTER, generated_funds=False)
    assert not load_demo_if_empty(session, SMALLEST_REGISTER)


def test_an_unknown_page_is_a_friendly_persian_404(client: FlaskClient, session: Session) -> None:
    add_user(session, "admin", Role.ADMIN)
    login(client, Role.ADMIN)
    page = client.get("/funds/999999/trial-balance")
    assert page.status_code == 404
    assert "این صفحه پیدا نشد" in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)


def test_an_unexpected_error_is_a_friendly_page_without_a_stack_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from web import access, create_app

    monkeypatch.setattr(access, "PUBLIC_ENDPOINTS", access.PUBLIC_ENDPOINTS | {"boom"})
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "x"}
    )

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    page = app.test_client().get("/boom")
    html = page.get_data(as_text=True)
    assert page.status_code == 500
    assert "خطایی پیش آمد" in html
    assert "secret internals" not in html and "Traceback" not in html
