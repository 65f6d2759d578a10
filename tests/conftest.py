"""Fixtures: one migrated database per run (SQLite by default, or SANDOGH_TEST_DATABASE_URL),
and a session per test inside a transaction that is rolled back afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.orm import Session

from web import create_app
from web.extensions import db


def database_url(tmp_dir: Path) -> str:
    """Return the test database URL: SANDOGH_TEST_DATABASE_URL, or a fresh SQLite file."""
    return os.environ.get("SANDOGH_TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on a freshly migrated test database."""
    tmp_dir = tmp_path_factory.mktemp("db")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_dir),
            "SECRET_KEY": "test",
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade(directory=app.extensions["migrate"].directory)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session in a transaction rolled back after the test; db.session is the same one."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint"}
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
