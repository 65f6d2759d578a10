"""``sandogh token``: personal API tokens (create prints the token once; list; revoke)."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from web.auth.models import User
from web.auth.tokens import create_token, revoke_token, tokens_of
from web.extensions import db


@click.group()
def token() -> None:
    """Personal API tokens (Authorization: Bearer …) for other systems."""


def _user(username: str) -> User:
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        click.echo(f"No user named {username!r}.", err=True)
        sys.exit(1)
    return user


@token.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for.")
@with_appcontext
def create_command(username: str, name: str) -> None:
    """Create a token acting as USERNAME (her role and funds) and print it once."""
    row, secret = create_token(db.session(), _user(username), name)
    db.session.commit()
    click.echo(secret)
    click.echo(f"Token {row.id} for {username}: keep it secret; it is not shown again.", err=True)


@token.command("list")
@click.argument("username")
@with_appcontext
def list_command(username: str) -> None:
    """List USERNAME's tokens (id, name, created, last used, revoked)."""
    for row in tokens_of(db.session(), _user(username)):
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "live"
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never used"
        click.echo(f"{row.id}\t{row.name or '-'}\t{row.created_at:%Y-%m-%d}\t{used}\t{state}")


@token.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def revoke_command(token_id: int) -> None:
    """Revoke the token with this id: it stops working at once."""
    row = revoke_token(db.session(), token_id)
    if row is None:
        click.echo(f"No token {token_id}.", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Token {token_id} revoked.")
