"""Durable jobs on RQ with the machine's Redis (127.0.0.1:6379): the web queues a batch print
and returns; the job outlives a web restart, a worker runs it with its progress in the
database, a retry is harmless, and old files are cleaned."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from redis import Redis
from rq import SimpleWorker

from tests.savings.conftest import START, make_fund
from tests.web.conftest import Browser, add_user, login, post
from web import create_app, jobqueue
from web.auth.models import Role
from web.extensions import db
from web.reports.models import ReportJob

REDIS_URL = os.environ.get("SANDOGH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of the web server and the worker: one database, queue and folder."""
    values = {
        "SANDOGH_DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        "SANDOGH_REPORT_JOBS": str(tmp_path / "files"),
        "SANDOGH_SECRET_KEY": "test",
        "SANDOGH_REDIS_URL": REDIS_URL,
        "SANDOGH_QUEUE": f"sandogh-test-{uuid.uuid4().hex[:8]}",  # runs may overlap
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def web_server() -> Flask:
    """A web process, made from the environment like ``sandogh serve`` makes it."""
    return create_app({"TESTING": True, "SANDOGH_JOBS_INLINE": False})


@pytest.fixture
def fund_id(settings: dict[str, str]) -> Iterator[int]:
    app = web_server()
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        fund = make_fund(db.session())
        fund.meet(START, *fund.everyone_buys(2))
        fund.meet(START + timedelta(weeks=1), *fund.everyone_buys(1))
        add_user(db.session(), "treasurer", Role.TREASURER, fund_id=fund.fund_id)
        db.session.commit()
        db.engine.dispose()
    yield fund.fund_id
    queue = jobqueue.queue(app)
    queue.empty()
    queue.delete(delete_jobs=True)


def job_row(app: Flask, job_id: int) -> ReportJob:
    with app.app_context():
        job = db.session.get(ReportJob, job_id)
        assert job is not None
        db.session.expunge(job)
        db.engine.dispose()
        return job


def test_a_queued_print_outlives_a_web_restart_and_a_worker_prints_it(
    settings: dict[str, str], fund_id: int
) -> None:
    app = web_server()
    client = Browser(app, app.response_class, use_cookies=True)
    login(client, Role.TREASURER)
    response = post(client, f"/funds/{fund_id}/statements/print")
    assert response.status_code == 303
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert job_row(app, job_id).status == "queued"  # the web did not run it
    assert jobqueue.queue(app).count == 1
    with app.app_context():
        db.engine.dispose()

    restarted = web_server()  # the web server restarts: the job is in Redis and the database
    assert job_row(restarted, job_id).status == "queued"
    queue = jobqueue.queue(restarted)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    job = job_row(restarted, job_id)
    assert (job.status, job.done, job.total) == ("done", 3, 3)
    files = Path(settings["SANDOGH_REPORT_JOBS"])
    assert job.file_name is not None and (files / job.file_name).read_bytes()[:4] == b"%PDF"
    client = Browser(restarted, restarted.response_class, use_cookies=True)
    login(client, Role.TREASURER)
    state = client.get(f"/funds/{fund_id}/jobs/{job_id}.json").get_json()
    assert state["status"] == "done" and state["percent"] == 100
    with restarted.app_context():
        db.engine.dispose()


def test_running_a_job_again_is_harmless_and_a_crashed_one_is_finished(
    settings: dict[str, str], fund_id: int
) -> None:
    app = web_server()
    with app.app_context():
        job = ReportJob(fund_id=fund_id, kind="statements", total=3, status="running", done=1)
        db.session.add(job)  # a worker died after the first statement
        db.session.commit()
        job_id = job.id
        db.engine.dispose()

    jobqueue.run_in_app(web_server(), job_id, retry=True)
    first = job_row(app, job_id)
    jobqueue.run_in_app(web_server(), job_id, retry=True)  # the queue retries it once more

    again = job_row(app, job_id)
    assert (first.status, first.done) == ("done", 3)
    assert (again.file_name, again.finished_at) == (first.file_name, first.finished_at)
    files = Path(settings["SANDOGH_REPORT_JOBS"])
    assert sorted(p.name for p in files.iterdir() if not p.name.startswith(".")) == [
        first.file_name
    ]


def test_finished_files_are_deleted_after_the_retention_period(tmp_path: Path) -> None:
    old, new = tmp_path / "statements-1-1-a.pdf", tmp_path / "statements-1-2-b.pdf"
    for path in (old, new):
        path.write_bytes(b"%PDF")
    eight_days_ago = time.time() - 8 * 86400
    os.utime(old, (eight_days_ago, eight_days_ago))

    assert jobqueue.clean_old_files(tmp_path, timedelta(days=7)) == 1
    assert not old.exists() and new.exists()


def test_the_machines_redis_answers() -> None:
    assert Redis.from_url(REDIS_URL).ping()
