"""Log in, log out, change the password, switch the language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

from ledger.models import utc_now
from web.access import user as access_user
from web.auth import events, sessions, throttle
from web.auth.events import EventKind
from web.auth.forms import ChangePasswordForm, LanguageForm, LoginForm
from web.auth.models import PASSWORD_METHOD, User
from web.extensions import db

bp = Blueprint("auth", __name__)


def _(text: str) -> str:
    """Translate (Flask-Babel's gettext, typed)."""
    return str(gettext(text))


_dummy_hash: list[str] = []


def _spend_hash_time(password: str) -> None:
    """Check against a dummy hash, so an unknown username takes as long as a wrong password."""
    if not _dummy_hash:
        _dummy_hash.append(generate_password_hash("not-a-password", method=PASSWORD_METHOD))
    check_password_hash(_dummy_hash[0], password)


def safe_next(target: str | None) -> str | None:
    """Return the target if it is a path on this site (never another host), else None."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Show the login form; log in, counting failures (web/auth/throttle.py)."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        error = _authenticate(form.username.data or "", form.password.data or "")
        if error is None:
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        form.form_errors.append(error)
    demo = current_app.config.get("SANDOGH_DEMO_USERS")
    return render_template("auth/login.html", form=form, demo=demo)


def _authenticate(username: str, password: str) -> str | None:
    """Log the user in and return None, or return why not (and count and record the failure).

    A locked account gets the very message of a wrong password, after the same
    scrypt check, so a lockout tells a guesser nothing about the account.
    """
    now = utc_now()
    ip = request.remote_addr or "unknown"
    if throttle.ip_failures().blocked(ip, now):
        _failed(None, username, "address blocked")
        return _("Too many failed logins from this device. Try again in 15 minutes.")
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None or user.is_locked(now):
        _spend_hash_time(password)
        throttle.record_failure(None, ip, now)  # the address's count; a locked account's stays
        _failed(user, username, "locked" if user is not None else "unknown username")
        return _("Wrong username or password.")
    if not user.check_password(password):
        throttle.record_failure(user, ip, now)
        _failed(user, username, "wrong password")
        if user.is_locked(now):
            events.record(db.session(), EventKind.LOCKOUT, user, detail="5 wrong passwords")
        db.session.commit()
        return _("Wrong username or password.")
    if not user.active:
        _failed(user, username, "deactivated")
        return _("This account is deactivated. Ask the administrator.")
    throttle.record_success(user)
    session.clear()  # a fresh session for the logged-in user
    login_user(user)
    sessions.start(user)
    events.record(db.session(), EventKind.LOGIN_OK, user)
    db.session.commit()
    return None


def _failed(user: User | None, typed: str, why: str) -> None:
    """Record a failed login (committed now: the failure must stay even if nothing else does)."""
    events.record(db.session(), EventKind.LOGIN_FAILED, user, username=typed.strip(), detail=why)
    db.session.commit()


@bp.post("/logout")
def logout() -> Response:
    """Log out, ending every session of the user, and go back to the login page."""
    if current_user.is_authenticated:
        me = access_user()
        me.end_sessions()
        events.record(db.session(), EventKind.LOGOUT, me)
        db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required  # type: ignore[untyped-decorator]
def change_password() -> str | Response:
    """Change one's own password after typing the current one."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        me = access_user()
        if me.check_password(form.current.data or ""):
            me.set_password(form.new.data or "")
            me.end_sessions()  # every other session ends; this one goes on, logged in again
            events.record(db.session(), EventKind.PASSWORD_CHANGED, me)
            db.session.commit()
            login_user(me)
            sessions.start(me)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("home.index"))
        form.current.errors = [_("The current password is wrong.")]
    return render_template("auth/change_password.html", form=form)


@bp.post("/language")
def language() -> Response:
    """Switch the language: for this session, and for the user when she is logged in."""
    form = LanguageForm()
    chosen = form.chosen() if form.validate_on_submit() else None
    if chosen is not None:
        session["locale"] = chosen
        if current_user.is_authenticated:
            current_user.locale = chosen
            db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("home.index"))
