"""The declarative base and metadata shared by every package's models.

The naming convention makes constraint names stable, so migrations can refer
to them on SQLite (batch mode) and PostgreSQL alike. On SQLite, foreign keys are
switched on for every connection.

SQLite writers: a transaction begun with plain ``BEGIN`` reads first and asks for the
write lock only at its first write; if another writer committed in between, SQLite
refuses at once ("database is locked") — the busy timeout does not help. So a
transaction that means to write begins with ``BEGIN IMMEDIATE``: it takes the write
lock first and waits for it (up to the busy timeout, ``timeout`` of the connection,
15 s in the app). ``writing()`` (or ``set_writer``) marks the transactions begun in
this thread as writers; the web app marks every POST.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The base of every mapped class in Sandogh."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _is_sqlite(dbapi_connection: Any) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Enforce foreign keys on SQLite, use its write-ahead log, and let SQLAlchemy own its
    transactions.

    pysqlite's own transaction handling breaks SAVEPOINT and transactional DDL;
    SQLAlchemy's documented fix is to switch it off and emit BEGIN ourselves. The
    write-ahead log lets pages be read while a meeting is written and makes a commit
    one synced write of the log (``synchronous=FULL`` keeps every commit durable);
    a writer waits for another instead of failing at once — for the connection's
    ``timeout`` (the driver's busy timeout: 5 s unless the engine passes another).
    """
    if _is_sqlite(dbapi_connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()


#: Whether transactions begun in this context mean to write (SQLite: BEGIN IMMEDIATE).
_WRITER: ContextVar[bool] = ContextVar("sandogh_writer", default=False)


def set_writer(writer: bool = True) -> Token[bool]:
    """Mark transactions begun from now on in this context as writers (or not)."""
    return _WRITER.set(writer)


def reset_writer(token: Token[bool]) -> None:
    """Undo ``set_writer``."""
    _WRITER.reset(token)


@contextmanager
def writing() -> Iterator[None]:
    """Begin the transactions opened inside as writers (SQLite: BEGIN IMMEDIATE)."""
    token = set_writer(True)
    try:
        yield
    finally:
        reset_writer(token)


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Any) -> None:
    """Start SQLite transactions explicitly (see _sqlite_connect); writers take the lock first."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _WRITER.get() else "BEGIN")


#: What ``analyze`` may name (a table name is not a bind parameter).
_TABLE_NAME = frozenset("abcdefghijklmnopqrstuvwxyz_0123456789")


def analyze(connection: Any, tables: Iterable[str] | None = None) -> None:
    """Refresh PostgreSQL's statistics of tables a bulk load just grew (no-op on SQLite).

    The planner picks its plans from these statistics; after thousands of rows
    arrive in one go they describe a table that no longer exists until autovacuum's
    next ANALYZE (and never, where autovacuum is off). ``connection`` is a SQLAlchemy
    Connection or Session; the ANALYZE runs in its transaction. ``tables`` defaults to
    every table of the models imported.
    """
    bind = connection.get_bind() if hasattr(connection, "get_bind") else connection
    if bind.dialect.name != "postgresql":
        return
    for table in tables if tables is not None else Base.metadata.tables:
        if not set(table) <= _TABLE_NAME:
            raise ValueError(f"Not a table name: {table!r}")
        connection.execute(text(f"ANALYZE {table}"))
