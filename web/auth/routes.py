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
from web.auth import throttle
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
    """Log the user in and return None, or return why not (and count the failure)."""
    now = utc_now()
    ip = request.remote_addr or "unknown"
    if throttle.ip_failures().blocked(ip, now):
        return _("Too many failed logins from this device. Try again in 15 minutes.")
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is not None and user.is_locked(now):
        return _("This account is locked after too many failed logins. Try again later.")
    if user is None:
        _spend_hash_time(password)
    if user is None or not user.check_password(password):
        throttle.record_failure(user, ip, now)
        db.session.commit()
        return _("Wrong username or password.")
    if not user.active:
        return _("This account is deactivated. Ask the administrator.")
    throttle.record_success(user)
    session.clear()  # a fresh session for the logged-in user
    login_user(user)
    db.session.commit()
    return None


@bp.post("/logout")
def logout() -> Response:
    """Log out and go back to the login page."""
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required  # type: ignore[untyped-decorator]
def change_password() -> str | Response:
    """Change one's own password after typing the current one."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if current_user.check_password(form.current.data or ""):
            current_user.set_password(form.new.data or "")
            db.session.commit()
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
