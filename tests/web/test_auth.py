"""Logging in and out, the password change, throttling, CSRF, cookies and the language switch."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from ledger.models import utc_now
from tests.web.conftest import PASSWORD, Web, login, post, text
from web.auth import throttle
from web.auth.models import Role, as_utc


def test_anonymous_visitors_are_sent_to_the_login_page_in_persian(
    web: Web, client: FlaskClient
) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    page = client.get(response.headers["Location"])
    html = text(page)
    assert page.status_code == 200
    assert '<html lang="fa" dir="rtl">' in html
    assert "نام کاربری" in html and "گذرواژه" in html
    assert "برای دیدن این صفحه وارد شوید." in html


def test_a_user_logs_in_goes_where_she_was_going_and_logs_out(
    web: Web, client: FlaskClient
) -> None:
    response = post(
        client, "/login?next=/account/password", {"username": "treasurer", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/account/password"
    assert client.get("/").status_code == 200
    assert post(client, "/logout").headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_next_never_leads_to_another_site(web: Web, client: FlaskClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = post(
            client, f"/login?next={target}", {"username": "viewer", "password": PASSWORD}
        )
        assert response.headers["Location"] == "/"
        post(client, "/logout")


def test_logout_is_a_post_only(web: Web, client: FlaskClient) -> None:
    login(client, Role.VIEWER)
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_with_the_username_kept(
    web: Web, client: FlaskClient, session: Session
) -> None:
    response = post(client, "/login", {"username": "member", "password": "wrong"})
    html = text(response)
    assert response.status_code == 200
    assert "نام کاربری یا گذرواژه نادرست است." in html
    assert 'value="member"' in html
    session.refresh(web.users[Role.MEMBER])
    assert web.users[Role.MEMBER].failed_logins == 1


def test_an_unknown_user_gets_the_same_message(web: Web, client: FlaskClient) -> None:
    response = post(client, "/login", {"username": "nobody", "password": "x"})
    assert "نام کاربری یا گذرواژه نادرست است." in text(response)


def test_empty_fields_are_shown_next_to_the_field(web: Web, client: FlaskClient) -> None:
    html = text(post(client, "/login", {"username": "", "password": ""}))
    assert html.count('aria-invalid="true"') == 2


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    web: Web, client: FlaskClient, session: Session
) -> None:
    for _ in range(throttle.MAX_FAILED_LOGINS):
        post(client, "/login", {"username": "treasurer", "password": "wrong"})
    user = web.users[Role.TREASURER]
    session.refresh(user)
    assert user.locked_until is not None
    assert as_utc(user.locked_until) > utc_now() + throttle.LOCKOUT - timedelta(minutes=1)
    response = post(client, "/login", {"username": "treasurer", "password": PASSWORD})
    assert response.status_code == 200
    assert "نام کاربری یا گذرواژه نادرست است" in text(response)  # as a wrong password: issue 10
    assert "قفل" not in text(response)


def test_the_lock_ends_after_its_window_and_a_success_resets_the_count(
    web: Web, client: FlaskClient, session: Session
) -> None:
    user = web.users[Role.TREASURER]
    user.locked_until = utc_now() - timedelta(seconds=1)
    user.failed_logins = 3
    session.flush()
    login(client, Role.TREASURER)
    session.refresh(user)
    assert user.failed_logins == 0 and user.locked_until is None


def test_many_failures_from_one_address_block_it_for_every_username(
    web: Web, client: FlaskClient
) -> None:
    for number in range(throttle.MAX_IP_FAILURES):
        post(client, "/login", {"username": f"guess{number}", "password": "x"})
    response = post(client, "/login", {"username": "viewer", "password": PASSWORD})
    assert response.status_code == 200
    assert "ورودهای ناموفق از این دستگاه زیاد بوده است" in text(response)


def test_a_deactivated_user_cannot_log_in(web: Web, client: FlaskClient, session: Session) -> None:
    web.users[Role.VIEWER].active = False
    session.flush()
    response = post(client, "/login", {"username": "viewer", "password": PASSWORD})
    assert "غیرفعال" in text(response)
    assert client.get("/").status_code == 302


def test_a_user_deactivated_while_logged_in_is_logged_out(
    web: Web, client: FlaskClient, session: Session
) -> None:
    login(client, Role.VIEWER)
    web.users[Role.VIEWER].active = False
    session.flush()
    assert client.get("/").status_code == 302


def test_a_form_without_its_csrf_token_is_refused(web: Web, client: FlaskClient) -> None:
    response = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 400
    assert "این فرم منقضی شده" in text(response)
    assert client.get("/").status_code == 302


def test_the_password_hash_is_scrypt_and_checks(web: Web, session: Session) -> None:
    user = web.users[Role.ADMIN]
    user.set_password("a new long password")
    assert user.password_hash.startswith("scrypt:")
    assert "a new long password" not in user.password_hash
    assert user.check_password("a new long password")
    assert not user.check_password(PASSWORD)


def test_changing_the_password(web: Web, client: FlaskClient, session: Session) -> None:
    login(client, Role.MEMBER)
    response = post(
        client,
        "/account/password",
        {"current": PASSWORD, "new": "another-secret", "confirm": "another-secret"},
    )
    assert response.status_code == 302
    session.refresh(web.users[Role.MEMBER])
    assert web.users[Role.MEMBER].check_password("another-secret")


def test_a_password_change_with_mistakes_shows_each_next_to_its_field(
    web: Web, client: FlaskClient
) -> None:
    login(client, Role.MEMBER)
    html = text(
        post(client, "/account/password", {"current": "wrong", "new": "short", "confirm": "x"})
    )
    assert "دست‌کم ۱۰ نویسه." in html
    assert "دو گذرواژه یکسان نیستند." in html
    html = text(
        post(
            client,
            "/account/password",
            {"current": "wrong", "new": "long enough!", "confirm": "long enough!"},
        )
    )
    assert "گذرواژه‌ی کنونی نادرست است." in html
    assert web.users[Role.MEMBER].check_password(PASSWORD)


def test_session_cookies_are_httponly_and_samesite_lax(web: Web, client: FlaskClient) -> None:
    response = login(client, Role.ADMIN)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_secure_outside_debug_and_tests(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from web import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_the_language_switch_sets_english_for_the_user_and_rtl_goes_ltr(
    web: Web, client: FlaskClient, session: Session
) -> None:
    login(client, Role.VIEWER)
    response = post(client, "/language", {"locale": "en", "next": "/"})
    assert response.headers["Location"] == "/"
    session.refresh(web.users[Role.VIEWER])
    assert web.users[Role.VIEWER].locale == "en"
    html = text(client.get("/"))
    assert '<html lang="en" dir="ltr">' in html
    assert "Log out" in html
    assert re.search(r"\d{1,3}(,\d{3})+ rial", html)  # Latin digits and separators in English
    assert not re.search("[۰-۹]", html)


def test_an_anonymous_visitor_can_switch_the_login_page_to_english(
    app: Flask, web: Web, client: FlaskClient
) -> None:
    post(client, "/language", {"locale": "en", "next": "/login"})
    html = text(client.get("/login"))
    assert '<html lang="en" dir="ltr">' in html and "Username" in html
    assert post(client, "/language", {"locale": "xx"}).status_code == 302
    assert '<html lang="en"' in text(client.get("/login"))
