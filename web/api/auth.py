"""Who is calling the API: a personal token (Bearer) or the browser's session with CSRF.

A request with ``Authorization: Bearer sandogh_…`` acts as the token's user for
that request only (no session is made); it needs no CSRF token, since no cookie
speaks for it. Any other write must carry the session's CSRF token in the
``X-CSRFToken`` header, as the offline client does. Role rules are the web's.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Request, request

from web.auth.models import User
from web.auth.tokens import user_of_token
from web.extensions import csrf, db, login_manager

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask, blueprints: list[Blueprint]) -> None:
    """Let Flask-Login find the user of a Bearer token; check CSRF on session writes."""
    login_manager.request_loader(user_of_request)
    names = {blueprint.name for blueprint in blueprints}
    for blueprint in blueprints:
        csrf.exempt(blueprint)

    @app.before_request
    def csrf_unless_bearer() -> None:
        if request.blueprint in names:
            _csrf_unless_bearer()


def bearer_token(req: Request) -> str | None:
    """Return the token of an ``Authorization: Bearer`` header, or None."""
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def user_of_request(req: Request) -> User | None:
    """Return the user whose live token the request carries (None: no token, or a dead one)."""
    if not req.path.startswith("/api/"):
        return None
    token = bearer_token(req)
    if token is None:
        return None
    return user_of_token(db.session(), token, writing=req.method not in SAFE_METHODS)


def _csrf_unless_bearer() -> None:
    if request.method in SAFE_METHODS or bearer_token(request) is not None:
        return
    csrf.protect()
