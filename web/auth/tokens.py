"""Personal API tokens: how other systems call the JSON API as a user.

A token is ``sandogh_`` followed by 32 random bytes in URL-safe base64. It is
printed once, when created (``sandogh token create USERNAME``); only its SHA-256
is stored, so a stolen database gives no working token. A token acts with its
user's role and funds (the same rules as the web); revoking it, or deactivating
its user, stops it at once. Requests carry it as ``Authorization: Bearer …``.
``last_used_at`` is the last time it was used to write (reads never write).
SHA-256 rather than scrypt: the token is 256 random bits, so it needs no slow
hash against guessing, and every API call looks it up.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ledger.db import Base
from ledger.models import utc_now
from web.auth.models import User

PREFIX = "sandogh_"


class ApiToken(Base):
    """A personal API token of a user (its hash only)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: What the token is for ("the county's dashboard"), shown by ``token list``.
    name: Mapped[str] = mapped_column(String(80), default="")
    #: SHA-256 of the token, hex; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def digest(token: str) -> str:
    """Return the stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for the user; return its row and the token (shown once)."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=digest(token))
    session.add(row)
    session.flush()
    return row, token


def user_of_token(session: Session, token: str, *, writing: bool = False) -> User | None:
    """Return the active user a live token belongs to (None for an unknown or revoked one).

    A request that writes also notes when the token was last used (in its own
    transaction, committed with its work); a read writes nothing.
    """
    if not token.startswith(PREFIX):
        return None
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if writing:
        row.last_used_at = utc_now()
    return user


def revoke_token(session: Session, token_id: int) -> ApiToken | None:
    """Revoke a token by its id; return it (None when there is no such token)."""
    row = session.get(ApiToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utc_now()
        session.flush()
    return row


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """Return the user's tokens, newest first."""
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(session.scalars(query))
