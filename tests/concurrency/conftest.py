"""A database of its own for tests that commit from several threads at once.

The usual ``session`` fixture runs a test on one connection inside a transaction that
is rolled back; two writers racing need two real connections whose work is committed.
So these tests get a freshly migrated database of their own (a SQLite file, or a
private schema of SANDOGH_TEST_DATABASE_URL), dropped afterwards.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.db import writing
from tests.conftest import migrated_app
from tests.savings.conftest import Fund, make_fund
from web.config import normalise_database_url
from web.extensions import db

PG = os.environ.get("SANDOGH_TEST_DATABASE_URL", "")


@pytest.fixture
def fresh_urls(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty databases of the test's kind: the live one and the one restored into."""
    if not PG.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'live.db'}", f"sqlite:///{tmp_path / 'restored.db'}"
        return
    admin = create_engine(normalise_database_url(PG), isolation_level="AUTOCOMMIT")
    names = [f"sandogh_backup_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f"CREATE DATABASE {name}"))
    base = normalise_database_url(PG).rsplit("/", 1)[0]
    try:
        yield f"{base}/{names[0]}", f"{base}/{names[1]}"
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(scope="module")
def racing_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on a database of its own, with a 15 s busy timeout on SQLite."""
    with migrated_app(tmp_path_factory, "race", sqlite_timeout=15.0) as app:
        yield app


@pytest.fixture
def engine(racing_app: Flask) -> Engine:
    """The racing database's engine."""
    return db.engine


def committed_fund(engine: Engine, **overrides: object) -> int:
    """Create a fund with three members whose savings are in the box; return its id."""
    with writing(), Session(engine) as session:
        fund = make_fund(session, **overrides)
        fund.meet(fund_start(), *fund.everyone_buys(5))
        session.commit()
        return fund.fund_id


def fund_start() -> Any:
    from tests.savings.conftest import START

    return START


def as_fund(session: Session, fund_id: int) -> Fund:
    """The test helper around a fund already in the database."""
    from groups.savings import queries

    return Fund(session, fund_id, list(queries.active_members(session, fund_id)))


def race(*writers: Callable[[], object]) -> list[object]:
    """Run the writers in threads released at the same moment; return each result or error."""
    barrier = threading.Barrier(len(writers))
    results: list[object] = [None] * len(writers)

    def run(index: int, writer: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[index] = writer()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
