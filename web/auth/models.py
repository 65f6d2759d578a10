"""Users of the web app and the funds assigned to facilitators.

A user has exactly one role. A treasurer has a ``fund_id`` (her fund); a member
has a ``member_id`` (her row in ``members``) and the ``fund_id`` of that member;
a facilitator sees the funds of her ``FacilitatorAssignment`` rows; admin and
viewer see every fund. Passwords are stored only as werkzeug scrypt hashes.

Login throttling (see web/auth/throttle.py): ``failed_logins`` counts the
failures since the last success; after ``MAX_FAILED_LOGINS`` the account is
locked until ``locked_until``.

Sessions (see web/auth/sessions.py): the id Flask-Login keeps in the session
cookie is ``"<id>:<session_version>"``. Raising ``session_version``
(``end_sessions``) makes every cookie issued before it name no user, so every
session of that user ends at its next request, in every process.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ledger.db import Base
from ledger.models import utc_now

PASSWORD_METHOD = "scrypt"
LOCALES = ("fa", "en")


class Role(enum.StrEnum):
    """What a user may do; one role per user."""

    ADMIN = "admin"
    FACILITATOR = "facilitator"
    TREASURER = "treasurer"
    MEMBER = "member"
    VIEWER = "viewer"


_ROLE_VALUES = ", ".join(f"'{role.value}'" for role in Role)


class User(UserMixin, Base):  # type: ignore[misc]
    """A person who logs in to the web app."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({_ROLE_VALUES})", name="role"),
        CheckConstraint("locale IN ('fa', 'en')", name="locale"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    #: werkzeug's "scrypt:N:r:p$salt$hash"; never the password itself.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(12))
    #: The language of her pages: 'fa' (Persian, the default) or 'en'.
    locale: Mapped[str] = mapped_column(String(2), default="fa")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The treasurer's fund, or the member's fund.
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id"), index=True)
    #: The member's row in ``members`` (members only).
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    #: Raised to end every session of the user (part of the id in the session cookie).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def get_id(self) -> str:
        """The id kept in the session: the user's id and her session version."""
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        """End every session of this user (at their next request); the caller commits."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses inactive users."""
        return self.active

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of the password."""
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        """Return whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def is_locked(self, now: datetime) -> bool:
        """Return whether the account is locked after too many failed logins."""
        return self.locked_until is not None and as_utc(self.locked_until) > now


class FacilitatorAssignment(Base):
    """A fund a facilitator looks after (reads and corrects)."""

    __tablename__ = "facilitator_assignments"
    __table_args__ = (UniqueConstraint("user_id", "fund_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)


def as_utc(moment: datetime) -> datetime:
    """Return the moment as an aware UTC datetime (SQLite gives naive ones back)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
