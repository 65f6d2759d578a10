"""Fixtures: one migrated database per run (SQLite by default, or SANDOGH_TEST_DATABASE_URL),
and a session per test inside a transaction that is rolled back afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from web import create_app
from web.config import normalise_database_url
from web.extensions import db


def database_url(tmp_dir: Path) -> str:
    """Return the test database URL: SANDOGH_TEST_DATABASE_URL, or a fresh SQLite file."""
    return os.environ.get("SANDOGH_TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.sqlite3'}"


@contextmanager
def private_schema(url: str) -> Iterator[dict[str, Any]]:
    """On PostgreSQL, give this run a schema of its own (dropped afterwards): runs can overlap."""
    if not url.startswith(("postgresql", "postgres")):
        yield {}
        return
    schema = f"sandogh_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_database_url(url))
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield {"connect_args": {"options": f"-csearch_path={schema}"}, "pool_pre_ping": True}
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@contextmanager
def migrated_app(
    tmp_path_factory: pytest.TempPathFactory, name: str, sqlite_timeout: float | None = None
) -> Iterator[Flask]:
    """Yield the app, in its context, on a freshly migrated database of its own."""
    url = database_url(tmp_path_factory.mktemp(name))
    with private_schema(url) as engine_options:
        if sqlite_timeout is not None and url.startswith("sqlite"):
            engine_options = {**engine_options, "connect_args": {"timeout": sqlite_timeout}}
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
                "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
                "SECRET_KEY": "test",
                # Files printed by report jobs (run in the request under TESTING).
                "SANDOGH_REPORT_JOBS": str(tmp_path_factory.mktemp("report-jobs")),
            }
        )
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            yield app
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on a freshly migrated test database."""
    with migrated_app(tmp_path_factory, "db") as app:
        yield app


class ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's session, but every query goes to the test's connection.

    Flask-SQLAlchemy picks an engine per table and would ignore ``bind``; a test
    must run on the one connection whose transaction it rolls back.
    """

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        return self.bind


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session in a transaction rolled back after the test; db.session is the same one."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {
                "class_": ConnectionBoundSession,
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
            }
        )
        try:
            yield db.session()
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def dialect(app: Flask) -> str:
    """The name of the test database's dialect: sqlite or postgresql."""
    with app.app_context():
        return db.engine.dialect.name
