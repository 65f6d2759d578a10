"""``sandogh token``: personal API tokens (create prints the token once; list; revoke)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from web.cli.context import with_app

if TYPE_CHECKING:
    from web.auth.models import User


@click.group()
def token() -> None:
    """Personal API tokens (Authorization: Bearer …) for other systems."""


def _db() -> Any:
    """Return the app's Flask-SQLAlchemy handle (the commands run with ``with_app``)."""
    from web.extensions import db

    return db


def _user(username: str) -> User:
    from sqlalchemy import select

    from web.auth.models import User

    user: User | None = _db().session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        click.echo(f"No user named {username!r}.", err=True)
        sys.exit(1)
    return user


@token.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for.")
@with_app
def create_command(username: str, name: str) -> None:
    """Create a token acting as USERNAME (her role and funds) and print it once."""
    from web.auth.tokens import create_token

    db = _db()
    row, secret = create_token(db.session(), _user(username), name)
    db.session.commit()
    click.echo(secret)
    click.echo(f"Token {row.id} for {username}: keep it secret; it is not shown again.", err=True)


@token.command("list")
@click.argument("username")
@with_app
def list_command(username: str) -> None:
    """List USERNAME's tokens (id, name, created, last used, revoked)."""
    from web.auth.tokens import tokens_of

    db = _db()
    for row in tokens_of(db.session(), _user(username)):
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "live"
        used = f"wrote {row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never wrote"
        click.echo(f"{row.id}\t{row.name or '-'}\t{row.created_at:%Y-%m-%d}\t{used}\t{state}")


@token.command("revoke")
@click.argument("token_id", type=int)
@with_app
def revoke_command(token_id: int) -> None:
    """Revoke the token with this id: it stops working at once."""
    from web.auth.tokens import revoke_token

    db = _db()
    row = revoke_token(db.session(), token_id)
    if row is None:
        click.echo(f"No token {token_id}.", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Token {token_id} revoked.")
