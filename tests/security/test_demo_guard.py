"""Item 8 of issue 10: no known-password accounts outside the demo.

``sandogh demo`` runs the real command (web/cli/demo.py → web/demo_serve.py) on a
database of its own (a SQLite file, or a schema of its own on PostgreSQL when
SANDOGH_TEST_DATABASE_URL is set); only the final ``serve_forever`` is replaced,
so the test sees the bound server and returns.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from werkzeug.security import generate_password_hash

from groups.beneficiaries.models import Beneficiary
from ledger.models import Fund
from web.auth.models import User
from web.config import normalise_database_url
from web.demo import DEMO_USERS
from web.marks import InstanceMark

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An empty database for the command (SANDOGH_DATABASE_URL), and an engine to look at it."""
    base = os.environ.get("SANDOGH_TEST_DATABASE_URL")
    if not base:
        url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
        monkeypatch.setenv("SANDOGH_DATABASE_URL", url)
        engine = create_engine(url)
        yield engine
        engine.dispose()
        return
    schema = f"sandogh_demo_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_database_url(base))
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    monkeypatch.setenv("SANDOGH_DATABASE_URL", f"{base}{separator}options=-csearch_path%3D{schema}")
    engine = create_engine(
        normalise_database_url(base), connect_args={"options": f"-csearch_path={schema}"}
    )
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@dataclass
class Result:
    """How ``sandogh demo`` ended."""

    exit_code: int
    output: str

    @property
    def served(self) -> bool:
        return "SERVED " in self.output


def run(*args: str, port: int = 0) -> Result:
    """Run ``sandogh demo`` in a process of its own (tests/security/demo_runner.py)."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.security.demo_runner", "--port", str(port), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "SANDOGH_SECRET_KEY": "demo-test"},
    )
    return Result(done.returncode, done.stdout + done.stderr)


def count(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(model)) or 0)


def usernames(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.scalars(select(User.username)))


def test_the_demo_loads_an_empty_database_marks_it_and_runs_again(database: Engine) -> None:
    first = run()
    assert first.exit_code == 0, first.output
    assert "sandogh-demo" in first.output and first.served
    assert usernames(database) == sorted(DEMO_USERS)
    assert count(database, InstanceMark) == 1 and count(database, Fund) >= 1
    second = run()
    assert second.exit_code == 0, second.output  # its own database: fine
    assert second.served and usernames(database) == sorted(DEMO_USERS)


def a_real_programme(engine: Engine) -> None:
    """A database used for real: the migrations, then a fund and a user of its own."""
    from web import create_app
    from web.extensions import db

    app = create_app()  # SANDOGH_DATABASE_URL: the test's database
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    with engine.begin() as connection:
        connection.execute(
            User.__table__.insert().values(
                username="manager",
                password_hash="scrypt:1:1:1$x$y",
                role="admin",
                locale="fa",
                active=True,
                failed_logins=0,
                created_at=func.now(),
            )
        )
    with app.app_context():
        db.engine.dispose()


def test_the_demo_refuses_a_database_holding_data_it_did_not_create(database: Engine) -> None:
    a_real_programme(database)
    refused = run()
    assert refused.exit_code != 0
    assert "did not create" in refused.output and "--on-existing-data" in refused.output
    assert not refused.served
    assert usernames(database) == ["manager"]  # no known-password account added
    assert count(database, Beneficiary) == 0 and count(database, InstanceMark) == 0

    told = run("--on-existing-data")
    assert told.exit_code == 0, told.output
    assert usernames(database) == sorted([*DEMO_USERS, "manager"])
    assert count(database, InstanceMark) == 0  # still not a demo database


def test_the_demo_refuses_any_non_demo_database_on_either_engine(database: Engine) -> None:
    assert run().exit_code == 0  # the demo's own database, then used for real:
    changed = generate_password_hash("a-real-password-now", method="pbkdf2:sha256:1000")
    with database.begin() as connection:
        connection.execute(InstanceMark.__table__.delete())
        connection.execute(
            User.__table__.update().where(User.username == "admin").values(password_hash=changed)
        )
    refused = run()
    assert refused.exit_code != 0 and "did not create" in refused.output
    assert not refused.served


def test_a_demo_database_made_before_the_mark_is_recognised(database: Engine) -> None:
    assert run().exit_code == 0
    with database.begin() as connection:
        connection.execute(InstanceMark.__table__.delete())  # as before migration 0007
    again = run()
    assert again.exit_code == 0, again.output
    assert count(database, InstanceMark) == 1


def test_no_user_is_created_when_the_port_is_taken(database: Engine) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(port=port)
    assert result.exit_code != 0
    assert f"Cannot serve at 127.0.0.1:{port}" in result.output
    assert "nothing was created" in result.output
    assert not result.served
    assert usernames(database) == [] and count(database, Fund) == 0
