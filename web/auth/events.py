"""Security events: an append-only record of who logged in, failed, changed what, saw what.

One row per event, written in the transaction of what it records (a failed
login is committed with the failure count it raised). The table is never
updated or deleted: triggers refuse it on SQLite and PostgreSQL (migration
0007), as they do for posted ledger entries. Rows name the user by id and by
name (a failed login for an unknown name keeps the name typed, cut to 80
characters), who acted when it was someone else (an administrator), the
client's address and a short detail. No password, national ID or answer is
ever written here: a sensitive view names the record, not its values.

The administrator reads them at ``/admin/security-events`` (web/admin/events.py).
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from ledger.db import Base
from ledger.models import utc_now
from web.auth.models import User


class EventKind(enum.StrEnum):
    """What happened."""

    LOGIN_OK = "login_ok"
    LOGIN_FAILED = "login_failed"
    LOCKOUT = "lockout"
    LOGOUT = "logout"
    SESSION_EXPIRED = "session_expired"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    ROLE_CHANGED = "role_changed"
    USER_CREATED = "user_created"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    SENSITIVE_VIEWED = "sensitive_viewed"


class SecurityEvent(Base):
    """One security event; never changed or deleted."""

    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, index=True
    )
    #: An ``EventKind`` value.
    kind: Mapped[str] = mapped_column(String(24))
    #: The account the event is about (None: a login with an unknown name).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: The account's name, or the name typed at a failed login.
    username: Mapped[str] = mapped_column(String(80), default="")
    #: Who did it when it was not the user herself (an administrator's name).
    actor: Mapped[str] = mapped_column(String(80), default="")
    #: The client's address as the app saw it (the proxy's, unless it passes it on).
    ip: Mapped[str] = mapped_column(String(45), default="")
    #: e.g. "treasurer → admin", "beneficiary 12", "locked".
    detail: Mapped[str] = mapped_column(String(200), default="")


def record(
    session: Session,
    kind: EventKind,
    user: User | None = None,
    *,
    username: str | None = None,
    detail: str = "",
) -> SecurityEvent:
    """Add an event about ``user`` (or a typed ``username``) to the session; the caller commits."""
    name = user.username if user is not None else (username or "")
    event = SecurityEvent(
        kind=kind.value,
        user_id=user.id if user is not None else None,
        username=name[:80],
        actor=_actor(user),
        ip=(request.remote_addr or "")[:45] if has_request_context() else "",
        detail=detail[:200],
    )
    session.add(event)
    return event


def _actor(user: User | None) -> str:
    """Return the logged-in user's name when she acts on someone else's account."""
    if not has_request_context() or not current_user or not current_user.is_authenticated:
        return ""
    me = str(current_user.username)
    return me if user is None or user.id != current_user.id else ""
