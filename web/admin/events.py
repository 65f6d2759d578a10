"""The administrator's list of security events, newest first, a page at a time."""

from __future__ import annotations

from math import ceil
from zoneinfo import ZoneInfo

from flask import render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from web.access import Role, roles_required
from web.admin.routes import bp
from web.auth.events import EventKind, SecurityEvent
from web.auth.models import as_utc
from web.extensions import db
from web.formatting import jalali, persian_digits
from web.funds.labels import label

#: Events a page.
PER_PAGE = 50
#: The times are shown in Iran's time.
TEHRAN = ZoneInfo("Asia/Tehran")
#: What each kind is called on the page.
KIND_LABELS = {
    EventKind.LOGIN_OK: _l("logged in"),
    EventKind.LOGIN_FAILED: _l("failed login"),
    EventKind.LOCKOUT: _l("account locked"),
    EventKind.LOGOUT: _l("logged out"),
    EventKind.SESSION_EXPIRED: _l("session expired"),
    EventKind.PASSWORD_CHANGED: _l("password changed"),
    EventKind.PASSWORD_RESET: _l("password reset by an administrator"),
    EventKind.ROLE_CHANGED: _l("role changed"),
    EventKind.USER_CREATED: _l("user created"),
    EventKind.USER_DEACTIVATED: _l("user deactivated"),
    EventKind.USER_REACTIVATED: _l("user reactivated"),
    EventKind.SENSITIVE_VIEWED: _l("sensitive fields viewed"),
}


#: The details the app writes, as the page says them.
DETAIL_LABELS = {
    "unknown username": _l("unknown username"),
    "wrong password": _l("wrong password"),
    "locked": _l("account locked"),
    "deactivated": _l("account deactivated"),
    "address blocked": _l("too many failures from this address"),
    "5 wrong passwords": _l("5 wrong passwords in a row"),
    "idle": _l("unused for too long"),
    "demo": _l("by sandogh demo"),
}


def describe(detail: str) -> str:
    """Return an event's detail in the page's language (a record number, a role, a phrase)."""
    if detail in DETAIL_LABELS:
        return str(DETAIL_LABELS[detail])
    kind, _, rest = detail.partition(" ")
    if kind == "beneficiary" and rest.isdigit():
        return str(gettext("record %(n)s", n=persian_digits(rest)))
    if kind == "role":
        return str(label("role", rest))
    before, arrow, after = detail.partition(" → ")
    if arrow:
        return f"{label('role', before)} → {label('role', after)}"
    return detail


def when(event: SecurityEvent) -> str:
    """Return the event's Jalali day and time in Tehran."""
    moment = as_utc(event.occurred_at).astimezone(TEHRAN)
    return f"{jalali(moment.date())} {persian_digits(moment.strftime('%H:%M:%S'))}"


@bp.get("/security-events")
@roles_required(Role.ADMIN)
def security_events() -> str:
    """List the security events, newest first."""
    total = db.session.scalar(select(func.count()).select_from(SecurityEvent)) or 0
    pages = max(1, ceil(total / PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    rows = db.session.scalars(
        select(SecurityEvent)
        .order_by(SecurityEvent.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return render_template(
        "admin/security_events.html",
        events=rows,
        page=page,
        pages=pages,
        total=total,
        when=when,
        kinds=KIND_LABELS,
        describe=describe,
    )
