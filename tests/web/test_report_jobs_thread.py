"""A batch print in a real background thread, on a first-run SQLite database of its own.

The other web tests run jobs in the request (their session is bound to one
connection); this one starts the app as in production: the job runs in a thread
with its own app context and session while the request returns at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from tests.savings.conftest import START, make_fund
from tests.web.conftest import Browser, add_user, login, post
from tests.web.report_jobs import pdf_pages
from web import create_app
from web.auth.models import Role
from web.extensions import db
from web.reports import jobs


@pytest.fixture
def fresh_app(tmp_path: Path) -> Iterator[Flask]:
    """The app on a new SQLite file, jobs in threads, files in tmp_path."""
    app = create_app(
        {
            "TESTING": True,
            "SANDOGH_JOBS_INLINE": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'first-run.sqlite3'}",
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            "SECRET_KEY": "test",
            "SANDOGH_REPORT_JOBS": str(tmp_path / "jobs"),
        }
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        fund = make_fund(db.session())
        fund.meet(START, *fund.everyone_buys(2))
        fund.meet(START + timedelta(weeks=1), *fund.everyone_buys(1))
        add_user(db.session(), "treasurer", Role.TREASURER, fund_id=fund.fund_id)
        db.session.commit()
        app.config["FUND_ID"] = fund.fund_id
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_request_returns_while_a_thread_prints_the_statements(
    fresh_app: Flask, tmp_path: Path
) -> None:
    client = Browser(fresh_app, fresh_app.response_class, use_cookies=True)
    login(client, Role.TREASURER)
    fund_id = fresh_app.config["FUND_ID"]
    response = post(client, f"/funds/{fund_id}/statements/print")
    assert response.status_code == 303
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    thread = jobs.THREADS.get(job_id)
    if thread is not None:  # not finished yet: wait for it
        thread.join(timeout=120)
        assert not thread.is_alive()
    state = client.get(f"/funds/{fund_id}/jobs/{job_id}.json").get_json()
    assert state["status"] == "done", state
    assert (state["done"], state["total"]) == (3, 3)
    pdf = client.get(state["download"])
    assert pdf.data[:4] == b"%PDF"
    assert pdf_pages(pdf.data, tmp_path) == 3
    assert list((tmp_path / "jobs").glob("*.part")) == []  # written whole, then renamed
