"""Marks a database carries about itself: ``demo`` when ``sandogh demo`` created its data.

``sandogh demo`` creates users with a known password; it runs only on an empty
database (which it then marks) or on one it marked before, unless told
otherwise (web/cli/demo.py), so a real programme's database never gets them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ledger.db import Base
from ledger.models import Fund, utc_now

DEMO = "demo"


class InstanceMark(Base):
    """A named fact about this database, with when it was set."""

    __tablename__ = "instance_marks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


def is_marked(session: Session, name: str) -> bool:
    """Return whether the database carries this mark."""
    return session.get(InstanceMark, name) is not None


def mark(session: Session, name: str) -> None:
    """Set the mark (once); the caller commits."""
    if not is_marked(session, name):
        session.add(InstanceMark(name=name))
        session.flush()


def holds_data(session: Session) -> bool:
    """Return whether the database holds any fund, user or woman of the register."""
    from groups.beneficiaries.models import Beneficiary
    from web.auth.models import User

    return any(
        session.scalar(select(func.count()).select_from(model))
        for model in (Fund, User, Beneficiary)
    )
