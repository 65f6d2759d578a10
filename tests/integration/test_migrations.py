"""Upgrading a SQLite database that already holds a fund's history works (batch migrations
rebuild tables that other rows refer to: migrations/env.py switches foreign keys off for
the rebuild and checks them before committing)."""

from __future__ import annotations

from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import text

from web import create_app
from web.extensions import db

#: Rows as the 0003 schema has them: a fund's ledger, a member and her first meeting line.
HISTORY = """
INSERT INTO funds (id, name, currency, created_at) VALUES (1, 'صندوق', 'IRR', '2025-01-01');
INSERT INTO savings_funds (fund_id, village, facilitator, display_unit, founded_on)
  VALUES (1, '', '', 'toman', '2025-01-01');
INSERT INTO members (id, fund_id, number, name, phone, joined_on, status, roles)
  VALUES (1, 1, 1, 'فاطمه', '', '2025-01-01', 'active', '');
INSERT INTO cycles (id, fund_id, number, started_on, constitution, status)
  VALUES (1, 1, 1, '2025-01-01', '{}', 'open');
INSERT INTO meetings (id, fund_id, cycle_id, number, kind, date, status, idempotency_key,
  cash_expected, cash_explanation, reopen_reason, recorded_by, created_at)
  VALUES (1, 1, 1, 1, 'regular', '2025-01-01', 'closed', 'k', 0, '', '', 't', '2025-01-01');
INSERT INTO meeting_lines (meeting_id, member_id, attendance, shares, savings, social)
  VALUES (1, 1, 'present', 0, 0, 0);
"""


def test_a_sqlite_database_with_members_upgrades_from_0003_to_the_last_revision(
    tmp_path: Path,
) -> None:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}", "SECRET_KEY": "t"}
    )
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0003")
        with db.engine.begin() as connection:
            for statement in filter(str.strip, HISTORY.split(";")):
                connection.exec_driver_sql(statement)

        upgrade(directory=directory)

        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT name FROM members")).scalar() == "فاطمه"
            assert connection.execute(text("SELECT count(*) FROM meeting_lines")).scalar() == 1
            book_id = connection.execute(text("SELECT book_id FROM savings_funds")).scalar()
            assert str(book_id).startswith("urn:uuid:")  # 0010 names every existing fund's book
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()
