"""Item 4 of issue 10: sessions can be ended, and idle ones end by themselves.

A session is a signed cookie naming ``"<user id>:<session version>"``
(web/auth/sessions.py). Each test copies a logged-in browser's cookie into a
second browser (a stolen or replayed cookie, or the user's other device) and
checks that it is refused after logout, a password change, an administrator's
reset, a role change or a deactivation, and after 8 idle hours.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.web.conftest import PASSWORD, Browser, Web, login, post, text
from web.auth.events import EventKind, SecurityEvent
from web.auth.models import Role
from web.auth.sessions import IDLE_TIMEOUT
from web.config import from_environment, idle_timeout


def browser(app: Flask) -> Browser:
    return Browser(app, app.response_class, use_cookies=True)


def copy_of(app: Flask, client: FlaskClient) -> Browser:
    """A second browser holding the very session cookie of ``client``."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = browser(app)
    other.set_cookie("session", cookie.value)
    return other


def sent_to_login(client: FlaskClient, path: str = "/") -> bool:
    response = client.get(path)
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_replayed_cookie_after_logout_gets_the_login_page(app: Flask, web: Web) -> None:
    phone = browser(app)
    login(phone, Role.TREASURER)
    stolen = copy_of(app, phone)
    laptop = browser(app)
    login(laptop, Role.TREASURER)
    assert not sent_to_login(stolen) and not sent_to_login(laptop)

    assert post(phone, "/logout").headers["Location"] == "/login"

    assert sent_to_login(stolen)  # the cookie copied before the logout
    assert sent_to_login(laptop)  # and her other sessions: logout ends them all
    assert sent_to_login(stolen, f"/funds/{web.fund_id}")
    assert "گذرواژه" in text(stolen.get("/login"))


def test_a_password_change_ends_every_other_session_and_keeps_this_one(
    app: Flask, web: Web
) -> None:
    here = browser(app)
    login(here, Role.MEMBER)
    elsewhere = copy_of(app, here)
    form = {"current": PASSWORD, "new": "a-new-long-secret-7", "confirm": "a-new-long-secret-7"}
    assert post(here, "/account/password", form).status_code == 302
    assert not sent_to_login(here)
    assert sent_to_login(elsewhere)


def test_an_administrators_reset_ends_the_users_sessions(app: Flask, web: Web) -> None:
    member = browser(app)
    login(member, Role.MEMBER)
    admin = browser(app)
    login(admin, Role.ADMIN)
    user_id = web.users[Role.MEMBER].id
    reset = {"reset-password": "fresh-secret-99x"}
    assert post(admin, f"/admin/users/{user_id}/password", reset).status_code == 302
    assert sent_to_login(member)
    assert not sent_to_login(admin)


def test_a_role_change_or_deactivation_ends_the_users_sessions(app: Flask, web: Web) -> None:
    viewer = browser(app)
    login(viewer, Role.VIEWER)
    before = copy_of(app, viewer)
    admin = browser(app)
    login(admin, Role.ADMIN)
    user_id = web.users[Role.VIEWER].id
    form = {"username": "viewer", "locale": "fa", "active": "y"}
    assert post(admin, f"/admin/users/{user_id}", form | {"role": "facilitator"}).status_code == 302
    assert sent_to_login(viewer)
    login(viewer, "viewer")
    assert not sent_to_login(viewer)
    deactivate = {"username": "viewer", "locale": "fa", "role": "facilitator"}  # "active" off
    assert post(admin, f"/admin/users/{user_id}", deactivate).status_code == 302
    assert post(admin, f"/admin/users/{user_id}", form | {"role": "viewer"}).status_code == 302
    assert sent_to_login(viewer)  # reactivated, but the sessions before stay ended
    assert sent_to_login(before)


def test_editing_nothing_that_matters_keeps_the_users_sessions(app: Flask, web: Web) -> None:
    treasurer = browser(app)
    login(treasurer, Role.TREASURER)
    admin = browser(app)
    login(admin, Role.ADMIN)
    user_id = web.users[Role.TREASURER].id
    form = {"username": "treasurer", "role": "treasurer", "locale": "en", "active": "y"}
    form |= {"fund_id": str(web.fund_id)}
    assert post(admin, f"/admin/users/{user_id}", form).status_code == 302
    assert not sent_to_login(treasurer)


def idle_for(client: FlaskClient, seconds: int) -> None:
    """Pretend the session's last request was ``seconds`` ago."""
    with client.session_transaction() as cookie_session:
        cookie_session["seen"] = int(time.time()) - seconds


def test_a_session_idle_for_eight_hours_ends(app: Flask, web: Web, session: Session) -> None:
    assert app.config["SANDOGH_IDLE_TIMEOUT"] == IDLE_TIMEOUT == 8 * 3600
    client = browser(app)
    login(client, Role.TREASURER)
    idle_for(client, IDLE_TIMEOUT - 60)
    assert not sent_to_login(client)  # used now: the clock starts again
    idle_for(client, IDLE_TIMEOUT + 1)
    assert sent_to_login(client)
    assert sent_to_login(client)  # and stays ended
    expired = session.scalars(
        select(SecurityEvent).where(SecurityEvent.kind == EventKind.SESSION_EXPIRED.value)
    ).all()
    assert [(e.username, e.detail) for e in expired] == [("treasurer", "idle")]


def test_a_session_from_before_the_idle_clock_ends(app: Flask, web: Web) -> None:
    client = browser(app)
    login(client, Role.TREASURER)
    with client.session_transaction() as cookie_session:
        del cookie_session["seen"]
    assert sent_to_login(client)


def test_the_session_cookie_expires_with_the_idle_timeout(app: Flask, web: Web) -> None:
    client = browser(app)
    response = post(client, "/login", {"username": "admin", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie
    assert app.permanent_session_lifetime.total_seconds() == IDLE_TIMEOUT


def test_the_idle_timeout_is_configurable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert idle_timeout("") == idle_timeout("0") == idle_timeout("soon") == 8 * 3600
    assert idle_timeout("30") == 1800
    monkeypatch.setenv("SANDOGH_IDLE_MINUTES", "45")
    assert from_environment(str(tmp_path))["SANDOGH_IDLE_TIMEOUT"] == 45 * 60


def test_a_session_naming_an_old_style_id_names_nobody(app: Flask, web: Web) -> None:
    client = browser(app)
    login(client, Role.ADMIN)
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = str(web.users[Role.ADMIN].id)  # no version: a forged one
    assert sent_to_login(client)


def test_session_versions_are_per_user(app: Flask, web: Web, session: Session) -> None:
    admin = browser(app)
    login(admin, Role.ADMIN)
    treasurer = browser(app)
    login(treasurer, Role.TREASURER)
    post(treasurer, "/logout")
    assert not sent_to_login(admin)
    session.refresh(web.users[Role.TREASURER])
    assert web.users[Role.TREASURER].session_version == 1
