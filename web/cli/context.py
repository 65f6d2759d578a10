"""What a command runs in: the whole web app, or just the database.

Commands of the books (``ledger verify``, ``fund report`` …) need a database
connection and nothing of the web: building the Flask app (its blueprints,
Babel, Alembic) costs more than the check itself. ``database_session()`` and
``database_connection()`` open the configured database directly; ``with_app``
builds the app for the commands that need it (``demo``, the documents, the
register). Both use the app of a Flask test runner when one is given (``obj``
is Flask's ``ScriptInfo``), so tests run commands against their own database.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import Session

_F = TypeVar("_F", bound=Callable[..., Any])


def given_app() -> Flask | None:
    """Return the app a Flask test runner (or an outer app context) gives the command."""
    obj = click.get_current_context().obj
    if obj is not None and hasattr(obj, "load_app"):
        app: Flask = obj.load_app()
        return app
    return None


def active_app() -> Flask | None:
    """Return the app whose context is pushed already (a test's, or a caller's), if any."""
    flask = sys.modules.get("flask")  # no app context can exist before Flask is imported
    if flask is None or not flask.has_app_context():
        return None
    app: Flask = flask.current_app._get_current_object()
    return app


@contextmanager
def app_context() -> Iterator[Flask]:
    """Run inside an app context: the active one, the given app's, or a new app's."""
    active = active_app()
    if active is not None:
        yield active  # as Flask's with_appcontext: commands share the caller's db.session
        return
    app = given_app()
    if app is None:
        from web import create_app

        app = create_app()
    with app.app_context():
        yield app


def with_app(command: _F) -> _F:
    """Decorate a command that needs the web app (its config, ``db.session``, Babel)."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        with app_context():
            return command(*args, **kwargs)

    return run  # type: ignore[return-value]


def database_url() -> str:
    """Return the database URL the app would use, read from the environment without Flask."""
    from web.config import default_instance_path, normalise_database_url, sqlite_in_instance

    url = os.environ.get("SANDOGH_DATABASE_URL") or sqlite_in_instance(default_instance_path())
    return normalise_database_url(url)


@contextmanager
def database_engine() -> Iterator[Engine]:
    """Yield the engine of the given app, or a short-lived one on the configured database."""
    if active_app() is not None or given_app() is not None:
        from web.extensions import db

        with app_context():
            yield db.engine
        return
    from sqlalchemy import create_engine

    import ledger.db  # noqa: F401  (SQLite: foreign keys, WAL, explicit BEGIN on every connection)

    engine = create_engine(database_url())
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def database_connection() -> Iterator[Connection]:
    """Yield a connection in a transaction that is rolled back at the end (for readers)."""
    with database_engine() as engine, engine.connect() as connection:
        try:
            yield connection
        finally:
            connection.rollback()


@contextmanager
def database_session() -> Iterator[Session]:
    """Yield an ORM session on the database; the command commits what it keeps."""
    if active_app() is not None or given_app() is not None:
        from web.extensions import db

        with app_context():
            yield db.session()
        return
    from sqlalchemy.orm import Session

    with database_engine() as engine, Session(engine) as session:
        yield session


def command_session() -> Session:
    """Return the command's ORM session (``database_session``), closed when the command ends."""
    return click.get_current_context().with_resource(database_session())
