"""Backups that restore: a consistent copy of the live database, and its restore into an empty one.

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies the database
  page by page while the app goes on writing; the copy is one consistent moment (a
  plain ``cp`` of a live database with its write-ahead log is not). The backup file is
  itself a SQLite database, checked with ``PRAGMA integrity_check``.
- PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot, compressed), restored
  with ``pg_restore --no-owner --exit-on-error --single-transaction``.

``restore`` refuses a database that already has tables: a restore never mixes with, or
overwrites, books that are there.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url


class BackupError(Exception):
    """Raised when a backup or a restore cannot be done; the message says why."""


def backup(url: str, target: Path) -> None:
    """Write a consistent copy of the database at ``url`` to ``target``."""
    if _is_sqlite(url):
        _sqlite_backup(_sqlite_path(url), target)
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq(url)])


def restore(source: Path, url: str) -> None:
    """Restore a backup made by ``backup`` into the empty database at ``url``."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    if not is_empty(url):
        raise BackupError("the database already has tables: restore only into an empty one")
    if _is_sqlite(url):
        _check_sqlite_file(source)
        _sqlite_backup(source, _sqlite_path(url))
    else:
        command = ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction"]
        _run([*command, f"--dbname={_libpq(url)}", str(source)])


def is_empty(url: str) -> bool:
    """Return whether the database has no table yet (a missing SQLite file is empty)."""
    if _is_sqlite(url) and not Path(_sqlite_path(url)).exists():
        return True
    engine = create_engine(url)
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _sqlite_backup(source: str | Path, target: str | Path) -> None:
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        # In one step: a read of one moment, which in WAL mode holds no writer up (a copy
        # in steps starts again whenever the app writes in between, maybe for ever).
        origin.backup(copy)
    _check_sqlite_file(Path(target))


def _check_sqlite_file(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            result = connection.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite backup: {error}") from error
    if result is None or result[0] != "ok":
        raise BackupError(f"{path} failed its integrity check: {result}")


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)") from error
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{command[0]} failed: {error.stderr.strip()}") from error


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> str:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return database


def _libpq(url: str) -> str:
    """Return the URL as libpq reads it (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
