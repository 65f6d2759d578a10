"""Sessions that can be ended: a version per user, and an idle timeout.

Why a session version rather than server-side sessions: the app keeps its
session in Flask's signed cookie and runs as several processes; ending every
session of one user needs only one integer on her row (``users.session_version``),
read with the user on every request anyway, where a server-side store would add
a table read and write on every request and a clean-up job. The id Flask-Login
keeps in the cookie is ``"<id>:<version>"`` (``User.get_id``); the loader
below accepts it only while the version is current. Logout, a password change,
an administrator's reset, a role change and a deactivation raise the version, so
a cookie copied before any of them — a replayed one too — names nobody and gets
the login page. (A password change logs the changing session in again with the
new version, so only her other sessions end.)

Idle timeout: a session unused for ``SANDOGH_IDLE_TIMEOUT`` seconds (default 8
hours, ``SANDOGH_IDLE_MINUTES`` in the environment) ends. The last request's
time is kept in the session (``seen``), and the cookie itself is permanent with
the same lifetime, so its signature also expires server-side (itsdangerous
``max_age``) even if ``seen`` were somehow kept.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, session
from flask_login import logout_user

from web.auth import events
from web.auth.events import EventKind
from web.auth.models import User
from web.extensions import db

#: Default idle timeout: 8 hours.
IDLE_TIMEOUT = 8 * 3600
_SEEN = "seen"


def init_app(app: Flask) -> None:
    """Use versioned ids for logins and end idle sessions before every request."""
    from web.extensions import login_manager

    login_manager.user_loader(load_user)
    app.config.setdefault("SANDOGH_IDLE_TIMEOUT", IDLE_TIMEOUT)
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config["SANDOGH_IDLE_TIMEOUT"]
    app.before_request(end_idle_session)


def load_user(session_id: str) -> User | None:
    """Return the user the session names, or None when its version is stale or it is malformed."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or (user.session_version or 0) != int(version):
        return None
    return user


def start(user: User) -> None:
    """Mark the session as used now and let it last as long as the idle timeout."""
    session.permanent = True
    session[_SEEN] = int(time.time())


def end_idle_session() -> None:
    """Log out a session unused for longer than the idle timeout; note the use of others."""
    if "_user_id" not in session:
        return
    now = int(time.time())
    seen = session.get(_SEEN)
    if not isinstance(seen, int) or now - seen > current_app.config["SANDOGH_IDLE_TIMEOUT"]:
        expired = load_user(str(session["_user_id"]))
        if expired is not None:
            events.record(db.session(), EventKind.SESSION_EXPIRED, expired, detail="idle")
            db.session.commit()
        logout_user()
        session.clear()
        return
    session[_SEEN] = now
