"""The home page of each role, the menu, and a fund's trial balance."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from groups.savings.models import Member
from ledger import balances
from reports.flags import Flag
from reports.monitoring import fund_statuses, ranked
from reports.statement import MemberStatement, member_statement
from web.access import Role, visible_fund, visible_fund_ids
from web.extensions import db
from web.funds.routes import FUND_READERS
from web.funds.views import FundSummary, fund_summaries
from web.reports.dashboard import store_snapshots, thresholds
from web.reports.dashboard import today as monitoring_day

bp = Blueprint("home", __name__)


def navigation() -> list[tuple[str, object, bool]]:
    """Return the logged-in user's menu: (url, label, is the current page)."""
    if not current_user.is_authenticated:
        return []
    role = current_user.role
    items: list[tuple[str, object]] = [(url_for("home.index"), _l("Home"))]
    if role == Role.TREASURER and current_user.fund_id:
        items.append((url_for("funds.fund", fund_id=current_user.fund_id), _l("My fund")))
    if role == Role.MEMBER and current_user.member_id and current_user.fund_id:
        passbook = url_for(
            "funds.member", fund_id=current_user.fund_id, member_id=current_user.member_id
        )
        items.append((passbook, _l("My passbook")))
    if role in (Role.ADMIN, Role.VIEWER, Role.FACILITATOR):
        items.append((url_for("register.search_page"), _l("Programme register")))
    if role in (Role.ADMIN, Role.VIEWER):
        items.append((url_for("register.report"), _l("Programme report")))
    if role == Role.ADMIN:
        items.append((url_for("admin.users"), _l("Users")))
    return [(url, label, url == request.path) for url, label in items]


@bp.get("/")
def index() -> str:
    """Show each role its start: funds at a glance, or her own passbook."""
    if current_user.role == Role.MEMBER:
        return member_home()
    summaries = fund_summaries(db.session(), visible_fund_ids())
    flags: dict[int, tuple[Flag, ...]] = {}
    if current_user.role != Role.TREASURER and summaries:
        summaries, flags = by_need(summaries)
    return render_template("home.html", summaries=summaries, flags=flags)


def by_need(summaries: list[FundSummary]) -> tuple[list[FundSummary], dict[int, tuple[Flag, ...]]]:
    """Return the funds most in need of a visit first (as the dashboard ranks them), with flags."""
    ids = [s.fund.fund_id for s in summaries]
    day = monitoring_day()
    store_snapshots(ids, day)  # in a short transaction of its own: this page only reads
    statuses = ranked(fund_statuses(db.session(), ids, day, thresholds()))
    order = {status.fund_id: rank for rank, status in enumerate(statuses)}
    ordered = sorted(summaries, key=lambda s: order.get(s.fund.fund_id, len(order)))
    return ordered, {status.fund_id: status.flags for status in statuses}


def member_home() -> str:
    """Show a member what she has and owes, in the first person: her statement's figures."""
    member = db.session.get(Member, current_user.member_id) if current_user.member_id else None
    if member is None:
        return render_template("home_member.html", member=None)
    fund = visible_fund(member.fund_id)
    statement = member_statement(db.session(), member.fund_id, member.id)
    return render_template(
        "home_member.html",
        member=member,
        fund=fund,
        statement=statement,
        next_due=next_instalment(statement),
        unit=fund.display_unit,
    )


def next_instalment(statement: MemberStatement) -> tuple[date, int] | None:
    """Return the day and amount of her next instalment over all her loans, if any."""
    due = [(line.next_due_on, line.next_due_amount) for line in statement.loans if line.next_due_on]
    return min(due) if due else None


@bp.get("/funds/<int:fund_id>/trial-balance")
def trial_balance(fund_id: int) -> str:
    """Show every account of a fund with its current balance."""
    if current_user.role not in FUND_READERS:
        abort(403)
    fund = visible_fund(fund_id)
    report = balances.trial_balance(db.session(), fund_id)
    return render_template(
        "trial_balance.html", fund=fund.fund, report=report, unit=fund.display_unit
    )
