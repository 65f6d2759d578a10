"""One writer per fund: ``lock_fund`` is the first thing every service that writes a fund does.

PostgreSQL: ``SELECT … FOR UPDATE`` on the fund's row; a second writer of the same
fund waits there until the first commits or rolls back, while writers of other funds
go on. SQLite has one writer at a time for the whole file: a writer's transaction
begins ``BEGIN IMMEDIATE`` (``ledger.db.writing``; the web app marks every POST), and
``lock_fund`` takes the write lock now (a no-op write of the fund's row) if the
transaction began without it, so that it waits for the other writer here, before it
has read anything.

After the lock the session's objects are expired, so what the service checks next
(the last meeting, the cash, a member's savings) is read again as the other writer
left it. Pending changes are flushed first: expiring never loses them.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

_FOR_UPDATE = text("SELECT id FROM funds WHERE id = :fund_id FOR UPDATE")
_TAKE_SQLITE_WRITE_LOCK = text("UPDATE funds SET id = id WHERE id = :fund_id")


def lock_fund(session: Session, fund_id: int) -> None:
    """Take the fund's write lock for the rest of the transaction, then forget what was read."""
    session.flush()
    dialect = session.connection().dialect.name
    statement = _FOR_UPDATE if dialect == "postgresql" else _TAKE_SQLITE_WRITE_LOCK
    session.execute(statement, {"fund_id": fund_id})
    session.expire_all()
