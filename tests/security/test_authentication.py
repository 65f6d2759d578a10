"""Item 5 of issue 10: lockout tells nothing, weak passwords are refused, security events are kept.

Security events go to ``security_events`` (web/auth/events.py), which the
database itself keeps append-only (triggers of migration 0007, on SQLite and
PostgreSQL), and the administrator reads them at /admin/security-events.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy import text as sql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests.web.conftest import PASSWORD, Web, login, post, text
from tests.web.register_data import ZAHRA_ID, make_register
from web.admin.events import PER_PAGE
from web.auth import throttle
from web.auth.events import EventKind, SecurityEvent, record
from web.auth.models import Role
from web.auth.passwords import common_passwords, is_common

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def login_error(html: str) -> str:
    """The message shown above the login form."""
    found = re.search(r'<p class="error">([^<]+)</p>', html)
    assert found, html
    return found.group(1).strip()


def events(session: Session, kind: EventKind | None = None) -> list[SecurityEvent]:
    query = select(SecurityEvent).order_by(SecurityEvent.id)
    if kind is not None:
        query = query.where(SecurityEvent.kind == kind.value)
    return list(session.scalars(query))


# -- the lockout says what a wrong password says --------------------------------------------


def test_a_locked_account_gets_the_message_of_a_wrong_password(
    web: Web, client: FlaskClient, session: Session
) -> None:
    wrong = text(post(client, "/login", {"username": "treasurer", "password": "wrong"}))
    unknown = text(post(client, "/login", {"username": "nobody", "password": "wrong"}))
    for _ in range(throttle.MAX_FAILED_LOGINS - 1):
        post(client, "/login", {"username": "treasurer", "password": "wrong"})
    session.refresh(web.users[Role.TREASURER])
    assert web.users[Role.TREASURER].locked_until is not None
    locked = text(post(client, "/login", {"username": "treasurer", "password": PASSWORD}))
    assert login_error(locked) == login_error(wrong) == login_error(unknown)
    assert login_error(locked) == "نام کاربری یا گذرواژه نادرست است."
    assert "قفل" not in locked


# -- weak passwords ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("short-pw1", "دست‌کم ۱۰ نویسه."),
        ("password123", "بسیار رایج"),
        ("QwertyUiop", "بسیار رایج"),
        ("1234567890", "بسیار رایج"),
    ],
)
def test_a_short_or_common_password_is_refused_everywhere(
    web: Web, client: FlaskClient, session: Session, password: str, refused: str
) -> None:
    login(client, Role.MEMBER)
    change = {"current": PASSWORD, "new": password, "confirm": password}
    response = post(client, "/account/password", change)
    assert response.status_code == 200 and refused in text(response)

    login(client, Role.ADMIN)
    new = {"username": "newcomer", "password": password, "role": "viewer", "locale": "fa"}
    response = post(client, "/admin/users/new", new | {"active": "y"})
    assert response.status_code == 200 and refused in text(response)
    member_id = web.users[Role.MEMBER].id
    response = post(client, f"/admin/users/{member_id}/password", {"reset-password": password})
    assert response.status_code == 400 and refused in text(response)
    session.refresh(web.users[Role.MEMBER])
    assert web.users[Role.MEMBER].check_password(PASSWORD)  # nothing changed
    assert not events(session, EventKind.USER_CREATED)


def test_the_password_named_after_the_user_is_refused(web: Web, client: FlaskClient) -> None:
    login(client, Role.ADMIN)
    new = {"username": "khadijeh-rahimi", "password": "Khadijeh-Rahimi", "role": "viewer"}
    response = post(client, "/admin/users/new", new | {"locale": "en", "active": "y"})
    assert "بسیار رایج" in text(response)


def test_the_common_list_is_the_packaged_one_and_a_good_password_passes() -> None:
    assert len(common_passwords()) > 25_000  # zxcvbn's list, not a hand-typed one
    assert is_common("Password123 ") and is_common("iloveyou")
    assert not is_common("sandogh-demo") and not is_common("tavana-1405-qaleh")


# -- security events --------------------------------------------------------------------------


def test_logins_lockout_logout_and_password_change_are_recorded(
    web: Web, client: FlaskClient, session: Session
) -> None:
    post(client, "/login", {"username": "ghost", "password": "wrong"})
    for _ in range(throttle.MAX_FAILED_LOGINS):
        post(client, "/login", {"username": "member", "password": "wrong"})
    login(client, Role.TREASURER)
    change = {"current": PASSWORD, "new": "a-new-long-secret-7", "confirm": "a-new-long-secret-7"}
    post(client, "/account/password", change)
    post(client, "/logout")

    kinds = [(e.kind, e.username, e.detail) for e in events(session)]
    assert kinds[0] == ("login_failed", "ghost", "unknown username")
    assert kinds[1:6] == [("login_failed", "member", "wrong password")] * 5
    assert kinds[6] == ("lockout", "member", "5 wrong passwords")
    assert [k[:2] for k in kinds[7:]] == [
        ("login_ok", "treasurer"),
        ("password_changed", "treasurer"),
        ("logout", "treasurer"),
    ]
    every = events(session)
    assert all(e.ip == "127.0.0.1" and e.occurred_at is not None for e in every)
    assert every[6].user_id == web.users[Role.MEMBER].id


def test_administrators_changes_are_recorded_with_who_made_them(
    web: Web, client: FlaskClient, session: Session
) -> None:
    login(client, Role.ADMIN)
    new = {"username": "soraya", "password": "long-password-1", "role": "viewer", "locale": "fa"}
    assert post(client, "/admin/users/new", new | {"active": "y"}).status_code == 302
    viewer = web.users[Role.VIEWER]
    form = {"username": "viewer", "locale": "fa", "role": "facilitator"}  # and deactivated
    assert post(client, f"/admin/users/{viewer.id}", form).status_code == 302
    reset = {"reset-password": "fresh-secret-99x"}
    assert post(client, f"/admin/users/{viewer.id}/password", reset).status_code == 302

    made = [(e.kind, e.username, e.actor, e.detail) for e in events(session)][1:]  # after login
    assert made == [
        ("user_created", "soraya", "admin", "role viewer"),
        ("role_changed", "viewer", "admin", "viewer → facilitator"),
        ("user_deactivated", "viewer", "admin", ""),
        ("password_reset", "viewer", "admin", ""),
    ]


def test_viewing_sensitive_fields_is_recorded(
    web: Web, client: FlaskClient, session: Session
) -> None:
    register = make_register(session, web)
    login(client, Role.VIEWER)
    page = client.get(f"/register/{register.zahra}?sensitive=1")
    assert page.status_code == 200 and ZAHRA_ID.translate(PERSIAN) in text(page)
    assert client.get(f"/register/{register.zahra}/edit").status_code == 200
    seen = events(session, EventKind.SENSITIVE_VIEWED)
    assert [(e.username, e.detail) for e in seen] == [
        ("viewer", f"beneficiary {register.zahra}"),
        ("viewer", f"beneficiary {register.zahra}"),
    ]
    assert client.get(f"/register/{register.zahra}").status_code == 200  # not revealed
    assert len(events(session, EventKind.SENSITIVE_VIEWED)) == 2


def test_the_events_are_never_changed_or_deleted(web: Web, session: Session) -> None:
    record(session, EventKind.LOGIN_OK, web.users[Role.ADMIN])
    session.flush()
    for statement in ("UPDATE security_events SET username = 'x'", "DELETE FROM security_events"):
        with pytest.raises(DBAPIError, match="security_events"), session.begin_nested():
            session.execute(sql(statement))
    assert [e.username for e in events(session)] == ["admin"]


def test_the_administrator_reads_the_events_a_page_at_a_time_in_either_language(
    web: Web, client: FlaskClient, session: Session
) -> None:
    for number in range(PER_PAGE + 5):
        record(session, EventKind.LOGIN_FAILED, username=f"guess-{number}", detail="wrong password")
    session.flush()
    login(client, Role.ADMIN)
    first = text(client.get("/admin/security-events"))
    assert "رویدادهای امنیتی" in first and "ورود ناموفق" in first
    assert "گذرواژهٔ نادرست" in first and "wrong password" not in first  # details in Persian
    assert first.index("<bdi>admin</bdi>") < first.index("guess-54<")  # newest first
    assert "guess-5<" not in first  # 51st from the top: the next page's
    second = text(client.get("/admin/security-events?page=2"))
    assert "guess-0<" in second and "guess-5<" in second and "guess-54" not in second
    login(client, Role.ADMIN)
    post(client, "/language", {"locale": "en"})
    english = text(client.get("/admin/security-events?page=2"))
    assert "Security events" in english and "failed login" in english and "guess-0<" in english
    assert "wrong password" in english
    assert client.get("/admin/security-events?page=999").status_code == 200


def test_details_are_said_in_the_pages_language(app: Flask) -> None:
    from web.admin.events import describe

    with app.test_request_context():
        assert describe("beneficiary 12") == "پرونده ۱۲"
        assert describe("viewer → facilitator") == "ناظر → تسهیلگر"
        assert describe("role treasurer") == "صندوق‌دار"
        assert describe("wrong password") == "گذرواژهٔ نادرست"
        assert describe("something new") == "something new"


def test_only_the_administrator_reads_the_events(web: Web, client: FlaskClient) -> None:
    for role in (Role.VIEWER, Role.FACILITATOR, Role.TREASURER, Role.MEMBER):
        login(client, role)
        assert client.get("/admin/security-events").status_code == 403


def test_the_events_hold_no_password(web: Web, client: FlaskClient, session: Session) -> None:
    post(client, "/login", {"username": "member", "password": "my-secret-guess"})
    login(client, Role.MEMBER)
    everything = " ".join(f"{e.username} {e.actor} {e.detail}" for e in events(session))
    assert "my-secret-guess" not in everything and PASSWORD not in everything


def test_events_do_not_depend_on_a_request(app: Flask, web: Web, session: Session) -> None:
    event = record(session, EventKind.USER_CREATED, web.users[Role.VIEWER], detail="cli")
    session.flush()
    assert (event.ip, event.actor, event.username) == ("", "", "viewer")
