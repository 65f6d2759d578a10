"""A backup taken while meetings are being written restores into an empty database with the
same books: ledger verify OK, and every fund's report equal to the live one's as of the
backup's moment (SQLite: online backup API; PostgreSQL: pg_dump -Fc / pg_restore)."""

from __future__ import annotations

import json
import os
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from groups.savings.commands import MeetingInput
from groups.savings.meetings import record_meeting
from groups.savings.models import Meeting
from groups.savings.report import fund_report
from ledger.db import writing
from ledger.models import Fund
from ledger.verify import verify
from tests.concurrency.conftest import as_fund, committed_fund, fund_start
from web import create_app
from web.backup import BackupError, backup, restore
from web.extensions import db

PG = os.environ.get("SANDOGH_TEST_DATABASE_URL", "")


def migrated_engine(url: str) -> Engine:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t", "TESTING": True})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()
    return create_engine(url, connect_args={"timeout": 15} if url.startswith("sqlite") else {})


def keep_meeting(engine: Engine, fund_id: int, stop: threading.Event) -> None:
    """Record a meeting a week after the last one, until told to stop."""
    week = 1
    while not stop.is_set() or week < 3:
        with writing(), Session(engine) as session:
            fund = as_fund(session, fund_id)
            on = fund_start() + timedelta(days=7 * week)
            command = MeetingInput(on, f"live-{fund_id}-{week}", fund.everyone_buys(1))
            record_meeting(session, fund_id, command, "treasurer")
            session.commit()
        week += 1


def reports(engine: Engine, as_of_last_meeting_of: Engine | None = None) -> dict[int, str]:
    """Every fund's report as JSON text, as of its last meeting in ``as_of_last_meeting_of``."""
    days_from = as_of_last_meeting_of or engine
    with Session(days_from) as session:
        last = dict(
            session.execute(
                select(Meeting.fund_id, func.max(Meeting.date)).group_by(Meeting.fund_id)
            ).all()
        )
    with Session(engine) as session:
        funds = session.scalars(select(Fund.id).order_by(Fund.id)).all()
        return {f: _as_text(fund_report(session, f, last[f])) for f in funds}


def _as_text(report: dict[str, Any]) -> str:
    # The report's "last meeting" is the fund's latest whatever the day asked (not as of):
    # the day itself is the as-of date, and everything else is compared.
    report.pop("last_meeting")
    return json.dumps(report, default=str, sort_keys=True)


def test_a_backup_taken_while_meetings_are_written_restores_the_same_books(
    fresh_urls: tuple[str, str], tmp_path: Path
) -> None:
    live_url, restored_url = fresh_urls
    live = migrated_engine(live_url)
    funds = [committed_fund(live) for _ in range(3)]
    stop = threading.Event()
    writer = threading.Thread(target=keep_meeting, args=(live, funds[0], stop))
    writer.start()
    try:
        backup(live_url, tmp_path / "sandogh.backup")
    finally:
        stop.set()
        writer.join()

    restore(tmp_path / "sandogh.backup", restored_url)

    restored = create_engine(restored_url)
    with Session(restored) as session:
        assert verify(session) == []
    assert reports(restored) == reports(live, as_of_last_meeting_of=restored)
    with pytest.raises(BackupError, match="empty"):
        restore(tmp_path / "sandogh.backup", restored_url)
    live.dispose()
    restored.dispose()
