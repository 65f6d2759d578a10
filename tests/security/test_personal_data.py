"""Item 7 of issue 10: personal data stays out of addresses and logs; long answers are form errors.

- The register's search posts its query: a national ID is never in a URL, so
  never in an access log (checked in the development server's own log).
- Database errors carry no bound values (``hide_parameters``): a failed insert
  of a woman's national ID does not print it.
- A value longer than its column is a problem next to its field (web form) or in
  the import's report, on SQLite as on PostgreSQL (which refused it with a 500).
- Neither the wizard nor a refused form writes a woman's answers to the logs.
"""

from __future__ import annotations

import http.cookiejar
import io
import logging
import re
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from groups.beneficiaries.imports import validate
from groups.beneficiaries.lengths import MAX_LENGTHS
from groups.beneficiaries.models import Beneficiary
from groups.beneficiaries.tables import read_table
from groups.savings.models import SavingsFund
from tests.register.conftest import csv_bytes
from tests.web.conftest import PASSWORD, Web, login, post, text
from tests.web.register_data import ZAHRA_ID, make_register
from web import create_app
from web.auth.models import Role, User
from web.extensions import db
from web.headers import QuietRequestHandler
from web.logsafe import log_unexpected, redacted

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
LONG_VILLAGE = "روستای" + "ی" * 144  # 150 characters; the column holds 100
HEALTH = "دیابت نوع دو و فشار خون بالا"


def addresses(html: str) -> list[str]:
    """Every URL a page links to, posts to or loads."""
    return re.findall(r'(?:href|action|src)="([^"]*)"', html)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Beneficiary)) or 0


# -- search by national ID --------------------------------------------------------------------


def test_the_search_form_posts_and_a_national_id_never_reaches_an_address(
    web: Web, client: FlaskClient, session: Session
) -> None:
    register = make_register(session, web)
    login(client, Role.ADMIN)
    form = text(client.get("/register"))
    assert re.search(r'<form method="post" class="search"', form)

    found = post(client, "/register", {"q": ZAHRA_ID})

    assert found.status_code == 200
    page = text(found)
    assert f"/register/{register.zahra}" in page
    assert not [url for url in addresses(page) if ZAHRA_ID in url or "q=" in url]


def test_a_national_id_in_an_address_is_not_searched(
    web: Web, client: FlaskClient, session: Session
) -> None:
    register = make_register(session, web)
    login(client, Role.ADMIN)
    page = text(client.get(f"/register?q={ZAHRA_ID}"))
    assert f"/register/{register.zahra}" not in page
    assert f'value="{ZAHRA_ID}"' not in page.replace('name="next" value', "")  # not in the form
    assert "با فرم جست‌وجو کنید" in page


def test_names_still_page_by_post(web: Web, client: FlaskClient, session: Session) -> None:
    make_register(session, web)
    login(client, Role.VIEWER)
    page = text(post(client, "/register", {"q": "زهرا"}))
    assert "زهرا" in page
    assert not [url for url in addresses(page) if "q=" in url]


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    """A fresh app on its own SQLite file with a viewer ``searcher``, behind the demo's server."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.sqlite3'}",
            "SECRET_KEY": "live",
            "SESSION_COOKIE_SECURE": False,
        }
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        user = User(username="searcher", role="viewer", locale="fa", failed_logins=0)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        with app.app_context():
            db.engine.dispose()


def test_the_access_log_never_holds_a_searched_national_id(
    live_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A browser's session through the development server; its access log is captured."""
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )

    def send(path: str, data: dict[str, str] | None = None) -> str:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        with browser.open(live_server + path, body) as response:
            return str(response.read().decode("utf-8"))

    def token(html: str) -> str:
        found = re.search(r'name="csrf-token" content="([^"]+)"', html)
        assert found
        return found.group(1)

    with caplog.at_level(logging.INFO, logger="werkzeug"):
        login_page = send("/login")
        credentials = {"username": "searcher", "password": PASSWORD}
        send("/login", credentials | {"csrf_token": token(login_page)})
        search = send("/register")
        result = send("/register", {"q": ZAHRA_ID, "csrf_token": token(search)})
    assert "searcher" in result and "۰ بانو" in result  # logged in; the search ran
    access_log = caplog.text
    assert "POST /register " in access_log
    assert ZAHRA_ID not in access_log


# -- database errors --------------------------------------------------------------------------


def refused_insert(session: Session, **values: str) -> IntegrityError:
    """Insert a user the database refuses; return its error."""
    row = {"password_hash": "x", "locale": "fa", "role": "viewer", **values}
    with pytest.raises(IntegrityError) as raised, session.begin_nested():
        session.execute(insert(User).values(**row))
    return raised.value


def test_a_database_error_is_logged_without_its_values(
    web: Web, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    """Bound values are hidden (hide_parameters); PostgreSQL's own DETAIL is not logged."""
    secret = "0013542419-" + HEALTH
    session.execute(insert(User).values(username=secret, password_hash="x", role="viewer"))
    errors = [
        refused_insert(session, username=secret + "!", role="nobody"),  # CHECK
        refused_insert(session, username=secret),  # UNIQUE: "Key (username)=(…) exists"
    ]
    logger = logging.getLogger("sandogh-test")
    with caplog.at_level(logging.ERROR, logger="sandogh-test"):
        for error in errors:
            assert "hidden due to hide_parameters" in str(error)
            assert "users" in redacted(error)  # the statement is there, to find the bug
            log_unexpected(logger, error)
    assert "INSERT INTO users" in caplog.text and "Traceback" in caplog.text
    assert secret not in caplog.text and "0013542419" not in caplog.text
    assert HEALTH not in caplog.text


def test_a_quoted_value_in_the_servers_message_is_blanked() -> None:
    class Refused(Exception):
        pass

    error = DBAPIError(
        "SELECT 1", None, Refused('invalid input syntax for type integer: "0013542419"')
    )
    assert "0013542419" not in redacted(error)
    assert 'invalid input syntax for type integer: "…"' in redacted(error)
    assert redacted(ValueError("plain")) == "ValueError: plain"


# -- fields longer than their column ----------------------------------------------------------


def questionnaire(**answers: str) -> dict[str, str]:
    base = {"source": "دفتر برنامه", "first_name": "گلنار", "last_name": "کریمی"}
    return base | answers


def test_a_village_longer_than_its_column_is_a_form_error(
    web: Web, client: FlaskClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    login(client, Role.VIEWER)
    before = count(session)
    answers = questionnaire(village=LONG_VILLAGE, national_id=ZAHRA_ID, health=HEALTH)
    with caplog.at_level(logging.DEBUG):
        response = post(client, "/register/new", answers)
    assert response.status_code == 422
    page = text(response)
    assert "حداکثر ۱۰۰ نویسه." in page
    assert LONG_VILLAGE in page and HEALTH in page  # what she typed is kept
    assert count(session) == before  # nothing half-saved
    assert ZAHRA_ID not in caplog.text and HEALTH not in caplog.text


@pytest.mark.parametrize(
    ("field", "limit"),
    [("first_name", 100), ("father_name", 100), ("county", 100), ("referral", 200)],
)
def test_every_answer_is_held_to_its_columns_length(
    web: Web, client: FlaskClient, session: Session, field: str, limit: int
) -> None:
    assert MAX_LENGTHS[field] == limit
    login(client, Role.ADMIN)
    too_long = post(client, "/register/new", questionnaire(**{field: "ن" * (limit + 1)}))
    assert too_long.status_code == 422
    assert f"حداکثر {str(limit).translate(PERSIAN)} نویسه." in text(too_long)
    just_fits = post(client, "/register/new", questionnaire(**{field: "ن" * limit}))
    assert just_fits.status_code == 302


def test_editing_a_record_is_held_to_the_same_lengths(
    web: Web, client: FlaskClient, session: Session
) -> None:
    register = make_register(session, web)
    login(client, Role.ADMIN)
    response = post(client, f"/register/{register.zahra}/edit", questionnaire(village=LONG_VILLAGE))
    assert response.status_code == 422 and "حداکثر ۱۰۰ نویسه." in text(response)


def test_an_imported_cell_longer_than_its_column_is_a_problem_of_its_row() -> None:
    header = ("نام", "نام خانوادگی", "روستا")
    content = csv_bytes([["زهرا", "کریمی", "قلعه‌نو"], ["مریم", "احمدی", LONG_VILLAGE]], header)
    table = read_table("relief.csv", content)
    mapping = {"نام": "first_name", "نام خانوادگی": "last_name", "روستا": "village"}
    valid, problems = validate(table, mapping)
    assert [row.row for row in valid] == [1]
    assert [(p.row, p.column, p.problem) for p in problems] == [
        (2, "روستا", "is longer than 100 characters")
    ]


def test_the_import_wizard_logs_no_cell(
    app: Flask,
    web: Web,
    client: FlaskClient,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "REGISTER_UPLOADS", str(tmp_path))
    login(client, Role.VIEWER)
    header = ("کد ملی", "نام", "نام خانوادگی", "روستا", "سلامت")
    rows = [[ZAHRA_ID, "زهرا", "کریمی", LONG_VILLAGE, HEALTH], ["", "مریم", "احمدی", "قلعه‌نو", ""]]
    with caplog.at_level(logging.DEBUG):
        uploaded = post(
            client,
            "/register/import",
            {
                "agency": "کمیته امداد",
                "received_on": "۱۴۰۳/۰۴/۱۱",
                "file": (io.BytesIO(csv_bytes(rows, header)), "relief.csv"),
            },
            content_type="multipart/form-data",
        )
        assert uploaded.status_code == 302, text(uploaded)
        mapping = {"col-0": "national_id", "col-1": "first_name", "col-2": "last_name"}
        mapping |= {"col-3": "village", "col-4": "health"}
        mapped = post(client, uploaded.headers["Location"], mapping)
        assert mapped.status_code == 302, text(mapped)
        dry_run = client.get(mapped.headers["Location"])
        assert dry_run.status_code == 200
        assert "حداکثر ۱۰۰ نویسه." in text(dry_run)
        applied = post(client, mapped.headers["Location"] + "/apply")
        assert applied.status_code == 302
    logged = caplog.text
    for value in (ZAHRA_ID, HEALTH, LONG_VILLAGE, "مریم", "احمدی"):
        assert value not in logged


def test_a_member_name_longer_than_its_column_is_a_form_error(
    web: Web, client: FlaskClient, session: Session
) -> None:
    from tests.web.test_fund_setup import CONSTITUTION

    login(client, Role.FACILITATOR)
    funds = session.scalar(select(func.count()).select_from(SavingsFund))
    data = {**CONSTITUTION, "name": "صندوق بلند", "display_unit": "rial"}
    response = post(client, "/funds/new", data | {"members": "نرگس\n" + "پ" * 201 + "\n"})
    assert response.status_code == 422
    assert "سطر ۲ بیش از ۲۰۰ نویسه است." in text(response)
    assert session.scalar(select(func.count()).select_from(SavingsFund)) == funds
    fits = post(client, "/funds/new", data | {"members": "نرگس\n" + "پ" * 200 + "\n"})
    assert fits.status_code == 302


def test_a_trainee_name_longer_than_its_column_is_a_form_error(
    web: Web, client: FlaskClient, session: Session
) -> None:
    from groups.training.services import create_course

    course = create_course(session, "خیاطی", "vocational")
    login(client, Role.VIEWER)
    typed = {"held_on": "۱۴۰۳/۰۴/۰۱", "place": "فرمانداری", "trainer": "خانم مربی"}
    url = f"/training/courses/{course.id}/sessions/new"
    response = post(client, url, typed | {"others": "م" * 201})
    assert response.status_code == 422 and "سطر ۱ بیش از ۲۰۰ نویسه است." in text(response)


def test_a_long_file_name_is_kept_to_its_column() -> None:
    from groups.beneficiaries.imports import FILE_NAME_LENGTH
    from groups.beneficiaries.models import Source

    assert FILE_NAME_LENGTH == Source.__table__.c.file_name.type.length == 300
