"""Who may see and change what: roles, and the funds and members each user may reach.

Rules (docs/web.md):
- admin and viewer see every fund; a facilitator the funds assigned to her; a
  treasurer and a member their own fund; a member sees only her own passbook.
- Writers of a fund: admin, a facilitator assigned to it, its treasurer.
- A fund the user may not see is a 404 (its existence is not revealed); a fund
  she may see but not change is a 403.
- Every page needs a logged-in user except the login page, the language switch
  and static files (``require_login`` runs before every request).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, abort, request
from flask_login import current_user
from sqlalchemy import select

from groups.savings.models import Member, SavingsFund
from web.auth.models import FacilitatorAssignment, Role, User
from web.extensions import db, login_manager

__all__ = [
    "READ_ALL",
    "Role",
    "can_write",
    "current_role",
    "roles_required",
    "visible_fund",
    "visible_fund_ids",
    "visible_member",
    "writable_fund",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Roles that read every fund.
READ_ALL = frozenset({Role.ADMIN, Role.VIEWER})
#: Endpoints open to anonymous visitors.
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.login",
        "auth.language",
        "static",
        "fonts.font",
        "api-docs.openapi_json",
        "api_docs.page",
        "pwa.manifest",
        "pwa.service_worker",
    }
)


def init_app(app: Flask) -> None:
    """Require a login before every request except the public endpoints."""
    app.before_request(require_login)


def require_login() -> Any:
    """Send anonymous visitors to the login page (Flask-Login's ``unauthorized``)."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        if request.path.startswith("/api/"):
            abort(401)  # the API answers JSON, it does not send to the login page
        return login_manager.unauthorized()
    return None


def user() -> User:
    """Return the logged-in user."""
    return cast(User, current_user._get_current_object())


def current_role() -> Role | None:
    """Return the logged-in user's role, or None for an anonymous visitor."""
    return Role(current_user.role) if current_user.is_authenticated else None


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Let only these roles in: anonymous visitors go to the login page, other roles get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def visible_fund_ids() -> list[int] | None:
    """Return the ids of the funds the user may see, or None when she may see all of them."""
    me = user()
    if me.role in READ_ALL:
        return None
    if me.role == Role.FACILITATOR:
        query = select(FacilitatorAssignment.fund_id).where(FacilitatorAssignment.user_id == me.id)
        return sorted(db.session.scalars(query))
    return [me.fund_id] if me.fund_id is not None else []


def _may_see(fund_id: int) -> bool:
    ids = visible_fund_ids()
    return ids is None or fund_id in ids


def _may_write(fund_id: int) -> bool:
    me = user()
    if me.role == Role.ADMIN:
        return True
    if me.role == Role.TREASURER:
        return me.fund_id == fund_id
    return me.role == Role.FACILITATOR and _may_see(fund_id)


def visible_fund(fund_id: int) -> SavingsFund:
    """Return the savings fund, or abort with 404 when this user may not see it."""
    fund = db.session.get(SavingsFund, fund_id)
    if fund is None or not _may_see(fund_id):
        abort(404)
    return fund


def writable_fund(fund_id: int) -> SavingsFund:
    """Return the savings fund the user may change: 404 if she may not see it, else 403."""
    fund = visible_fund(fund_id)
    if not _may_write(fund_id):
        abort(403)
    return fund


def can_write(fund: SavingsFund | int) -> bool:
    """Return whether the logged-in user may change this fund (for templates)."""
    if not current_user.is_authenticated:
        return False
    fund_id = fund if isinstance(fund, int) else fund.fund_id
    return _may_see(fund_id) and _may_write(fund_id)


def visible_member(fund_id: int, member_id: int) -> Member:
    """Return the fund's member, or 404 when she is not in it or the user may not see her."""
    visible_fund(fund_id)
    member = db.session.get(Member, member_id)
    if member is None or member.fund_id != fund_id:
        abort(404)
    me = user()
    if me.role == Role.MEMBER and me.member_id != member_id:
        abort(404)
    return member
