"""Users and facilitator assignments, for administrators only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import delete, select
from werkzeug.wrappers import Response

from groups.savings.models import Member
from ledger.models import Fund
from web.access import Role, roles_required
from web.admin.forms import NewUserForm, ResetPasswordForm, UserForm
from web.auth import events
from web.auth.events import EventKind
from web.auth.models import FacilitatorAssignment, User
from web.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _(text: str, **values: object) -> str:
    return str(gettext(text, **values))


@bp.get("/users")
@roles_required(Role.ADMIN)
def users() -> str:
    """List the users with their role, fund and assignments."""
    people = db.session.scalars(select(User).order_by(User.username)).all()
    assigned: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(FacilitatorAssignment.user_id, Fund.name).join(
            Fund, Fund.id == FacilitatorAssignment.fund_id
        )
    )
    for user_id, name in rows:
        assigned.setdefault(user_id, []).append(name)
    return render_template(
        "admin/users.html", users=people, assigned=assigned, funds=dict(_fund_choices())
    )


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_user() -> str | Response:
    """Create a user."""
    form = NewUserForm()
    _prepare(form)
    if form.validate_on_submit() and _check(form, None):
        user = User(username=form.username.data.strip(), failed_logins=0)
        user.set_password(form.password.data)
        db.session.add(user)
        _apply(form, user)
        events.record(db.session(), EventKind.USER_CREATED, user, detail=f"role {user.role}")
        db.session.commit()
        flash(_("The user %(name)s was created.", name=user.username), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id: int) -> str | Response:
    """Change a user's role, language, fund, member link, assignments or activity."""
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    _prepare(form)
    if not form.is_submitted():
        form.assignments.data = _assigned_ids(user)
    if form.validate_on_submit() and _check(form, user):
        user.username = form.username.data.strip()
        before = (user.role, user.active)
        _apply(form, user)
        _record_changes(user, *before)
        db.session.commit()
        flash(_("The user %(name)s was saved.", name=user.username), "success")
        return redirect(url_for("admin.users"))
    return render_template(
        "admin/user_form.html", form=form, user=user, reset=ResetPasswordForm(prefix="reset")
    )


@bp.post("/users/<int:user_id>/password")
@roles_required(Role.ADMIN)
def reset_password(user_id: int) -> tuple[str, int] | Response:
    """Set a new password for a user and unlock her account."""
    user = db.session.get(User, user_id) or abort(404)
    reset = ResetPasswordForm(prefix="reset")
    if reset.validate_on_submit():
        user.set_password(reset.password.data)
        user.failed_logins, user.locked_until = 0, None
        user.end_sessions()
        events.record(db.session(), EventKind.PASSWORD_RESET, user)
        db.session.commit()
        flash(_("The password of %(name)s was reset.", name=user.username), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    form = UserForm(obj=user)
    _prepare(form)
    form.assignments.data = _assigned_ids(user)
    return render_template("admin/user_form.html", form=form, user=user, reset=reset), 400


def _record_changes(user: User, role: str, active: bool) -> None:
    """Record a role change or a (de)activation, and end the user's sessions on either."""
    if user.role != role:
        events.record(db.session(), EventKind.ROLE_CHANGED, user, detail=f"{role} → {user.role}")
    if user.active != active:
        kind = EventKind.USER_REACTIVATED if user.active else EventKind.USER_DEACTIVATED
        events.record(db.session(), kind, user)
    if user.role != role or not user.active:
        user.end_sessions()


def _fund_choices() -> list[tuple[int, str]]:
    return [
        (fund_id, name)
        for fund_id, name in db.session.execute(select(Fund.id, Fund.name).order_by(Fund.name))
    ]


def _prepare(form: UserForm) -> None:
    funds = _fund_choices()
    names = dict(funds)
    members = db.session.execute(
        select(Member.id, Member.fund_id, Member.name).order_by(Member.fund_id, Member.number)
    )
    form.set_choices(funds, [(mid, f"{names.get(fid, '')} — {name}") for mid, fid, name in members])


def _assigned_ids(user: User) -> list[int]:
    query = select(FacilitatorAssignment.fund_id).where(FacilitatorAssignment.user_id == user.id)
    return list(db.session.scalars(query))


def _check(form: UserForm, user: User | None) -> bool:
    """Check what the fields alone cannot: unique name, the role's fund or member, self-lockout."""
    ok = True
    taken = db.session.scalar(select(User.id).where(User.username == form.username.data.strip()))
    if taken is not None and (user is None or taken != user.id):
        form.username.errors.append(_("This username is taken."))
        ok = False
    role = form.role.data
    if role == Role.TREASURER and form.fund_id.data is None:
        form.fund_id.errors.append(_("A treasurer needs her fund."))
        ok = False
    if role == Role.MEMBER and form.member_id.data is None:
        form.member_id.errors.append(_("A member's account needs her member record."))
        ok = False
    myself = user is not None and user.id == current_user.id
    if myself and (role != Role.ADMIN or not form.active.data):
        form.role.errors.append(_("You cannot remove your own administrator access."))
        ok = False
    return ok


def _apply(form: UserForm, user: User) -> None:
    """Copy the form to the user; keep only the fund, member and assignments her role uses."""
    role = Role(form.role.data)
    user.role, user.locale, user.active = role.value, form.locale.data, bool(form.active.data)
    user.fund_id, user.member_id = None, None
    if role == Role.TREASURER:
        user.fund_id = form.fund_id.data
    if role == Role.MEMBER:
        member = db.session.get(Member, form.member_id.data)
        user.member_id = member.id if member else None
        user.fund_id = member.fund_id if member else None
    db.session.flush()
    db.session.execute(
        delete(FacilitatorAssignment).where(FacilitatorAssignment.user_id == user.id)
    )
    if role == Role.FACILITATOR:
        for fund_id in sorted(set(form.assignments.data or [])):
            db.session.add(FacilitatorAssignment(user_id=user.id, fund_id=fund_id))


from web.admin import events as _events  # noqa: E402,F401  (the security events page, on bp)
