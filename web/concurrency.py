"""Many users at once: writers take the lock first, readers never write, a lost race is a message.

- Every request that may write (POST, PUT, PATCH, DELETE) begins its transactions as a
  writer (``ledger.db.set_writer``: ``BEGIN IMMEDIATE`` on SQLite), so it waits for
  another writer — up to the busy timeout, ``SANDOGH_BUSY_TIMEOUT`` — instead of
  failing with "database is locked". A GET begins a plain read transaction.
- A page that needs something stored first (the dashboard's snapshots) stores it in a
  short writer transaction of its own (``apart``), never in the GET's transaction.
- What the database refuses when two writers raced (a unique index, the money check),
  or a lock still held when the busy timeout ran out, is answered with ``RACE_MESSAGE``
  in the user's language (409), never a server error; forms catch it to keep the input.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import Token
from typing import TypeVar

from flask import Flask, g, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ledger.db import reset_writer, set_writer, writing

T = TypeVar("T")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RACE_MESSAGE = _l(
    "Someone else changed this fund at the same moment, so nothing was saved. "
    "Check what is recorded now and send it again."
)
#: What a lost race looks like when the database refuses it.
RACE_ERRORS = (IntegrityError, OperationalError)


def is_lost_race(error: BaseException) -> bool:
    """Return whether the database refused a write because another writer came first."""
    if isinstance(error, IntegrityError):
        return True
    text = str(error).lower()
    return isinstance(error, OperationalError) and ("locked" in text or "busy" in text)


def init_app(app: Flask) -> None:
    """Begin the transactions of a request that may write as a writer's."""
    app.before_request(_mark_writer)
    app.teardown_request(_unmark_writer)


def _mark_writer() -> None:
    if request.method not in SAFE_METHODS:
        g.sandogh_writer = set_writer(True)


def _unmark_writer(_error: BaseException | None) -> None:
    token: Token[bool] | None = g.pop("sandogh_writer", None)
    if token is not None:
        reset_writer(token)


def apart(work: Callable[[Session], T]) -> T:
    """Run ``work`` in a short writer transaction of its own, committed before returning."""
    from web.extensions import db

    with writing(), Session(db.engine) as session, session.begin():
        return work(session)
