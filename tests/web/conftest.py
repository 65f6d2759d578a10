"""The web app around a fund with history: one user per role, a second fund, and logins.

``web`` gives the fund, the other fund and the users; ``login(client, role)``
logs a test client in as that role (password ``sandogh-demo``); ``post(client,
url, data)`` sends a form with its CSRF token, like a browser would.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import refresh
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash
from werkzeug.test import TestResponse

from groups.savings.commands import FinePaid, MemberLine, NewLoan, Pledge
from groups.savings.models import Loan, Member
from groups.savings.rules import Attendance
from tests.savings.conftest import START, Fund, make_fund
from web.auth.models import PASSWORD_METHOD, FacilitatorAssignment, Role, User
from web.i18n import compile_catalogs

PASSWORD = "sandogh-demo"
ROLES = tuple(Role)
_password_hash: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Compile the .po catalogs when their .mo files are missing or stale (a clean clone)."""
    compile_catalogs()


@pytest.fixture(autouse=True)
def no_ip_failures(app: Flask) -> None:
    """Each test starts with no failed logins counted against 127.0.0.1."""
    from web.auth import throttle

    with app.app_context():
        throttle.ip_failures().clear()
    refresh()  # forget the locale Flask-Babel caches in the run's shared app context


def password_hash() -> str:
    """The scrypt hash of PASSWORD, computed once per run (scrypt is slow on purpose)."""
    if not _password_hash:
        _password_hash.append(generate_password_hash(PASSWORD, method=PASSWORD_METHOD))
    return _password_hash[0]


@dataclass
class Web:
    """A fund with history and its people, and a fund none of them except admin/viewer sees."""

    fund: Fund
    other: Fund
    loan: Loan
    other_loan: Loan
    users: dict[str, User] = field(default_factory=dict)

    @property
    def fund_id(self) -> int:
        return self.fund.fund_id

    @property
    def member(self) -> Member:
        """The member who has an account (the first member, آمنه)."""
        return self.fund.members[0]


def add_user(session: Session, username: str, role: Role, **values: Any) -> User:
    """Create an active user with PASSWORD."""
    user = User(username=username, role=role.value, password_hash=password_hash(), **values)
    session.add(user)
    session.flush()
    return user


def with_history(fund: Fund) -> Loan:
    """Three meetings of savings, then a guaranteed loan to the first member and a fine."""
    for week in range(3):
        fund.meet(START + timedelta(weeks=week), *fund.everyone_buys(2, social=200))
    borrower, guarantor = fund.members[0], fund.members[1]
    late = MemberLine(
        borrower.id, Attendance.LATE, shares=1, social=200, fines=(FinePaid("late", 500),)
    )
    others = [MemberLine(m.id, shares=1, social=200) for m in fund.members[1:]]
    loan = NewLoan(borrower.id, 10_000, 2, "goats", (Pledge(guarantor.id, 3_000),))
    fund.meet(START + timedelta(weeks=3), late, *others, new_loans=(loan,))
    return fund.session.scalars(select(Loan).where(Loan.fund_id == fund.fund_id)).one()


def make_web(session: Session) -> Web:
    """Two funds with history (a loan each); one user of every role around the first."""
    fund = make_fund(session)
    other = make_fund(session, names=("زهرا", "مریم"))
    web = Web(fund, other, with_history(fund), with_history(other))
    member = fund.members[0]
    web.users = {
        Role.ADMIN: add_user(session, "admin", Role.ADMIN),
        Role.FACILITATOR: add_user(session, "facilitator", Role.FACILITATOR),
        Role.TREASURER: add_user(session, "treasurer", Role.TREASURER, fund_id=fund.fund_id),
        Role.MEMBER: add_user(
            session, "member", Role.MEMBER, fund_id=fund.fund_id, member_id=member.id
        ),
        Role.VIEWER: add_user(session, "viewer", Role.VIEWER),
    }
    facilitator = web.users[Role.FACILITATOR]
    session.add(FacilitatorAssignment(user_id=facilitator.id, fund_id=fund.fund_id))
    session.flush()
    return web


@pytest.fixture
def web(session: Session) -> Web:
    """A fund with history and one user of each role (see make_web)."""
    return make_web(session)


class Browser(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The test fixtures keep an app context pushed; without this, Flask's ``g``
    (Flask-Login's current user, Flask-Babel's locale) and the database session
    would carry over from one request to the next. Objects the test holds must be
    refreshed (``session.refresh``) to see what a request changed.
    """

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> Browser:
    """A fresh browser."""
    return Browser(app, app.response_class, use_cookies=True)


def csrf_token(client: FlaskClient) -> str:
    """Return a valid CSRF token for this client's session, as a rendered form would hold."""
    app = client.application
    with client.session_transaction() as browser_session:
        raw = browser_session.get("csrf_token")
        if raw is None:
            raw = hashlib.sha1(os.urandom(64)).hexdigest()
            browser_session["csrf_token"] = raw
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    return str(serializer.dumps(raw))


def post(
    client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any
) -> TestResponse:
    """Post a form with its CSRF token."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client)}, **kwargs)


def login(client: FlaskClient, role: Role | str, password: str = PASSWORD) -> TestResponse:
    """Log the client in as the user of that role (username = role name), after logging out."""
    post(client, "/logout")
    response = post(client, "/login", {"username": str(role), "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def text(response: TestResponse) -> str:
    """The response's HTML."""
    return response.get_data(as_text=True)
