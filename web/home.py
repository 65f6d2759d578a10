"""The home page (the funds this user may see) and a fund's trial balance."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from groups.savings.models import SavingsFund
from ledger import balances
from ledger.models import Fund
from web.access import Role, visible_fund, visible_fund_ids
from web.extensions import db

bp = Blueprint("home", __name__)

#: The menu of each role: (endpoint, label).
NAVIGATION: dict[str, list[tuple[str, object]]] = {
    Role.ADMIN: [("home.index", _l("Home"))],
    Role.FACILITATOR: [("home.index", _l("My funds"))],
    Role.TREASURER: [("home.index", _l("My fund"))],
    Role.MEMBER: [("home.index", _l("My passbook"))],
    Role.VIEWER: [("home.index", _l("Funds"))],
}


def navigation() -> list[tuple[str, object]]:
    """Return the logged-in user's menu."""
    if not current_user.is_authenticated:
        return []
    return NAVIGATION.get(current_user.role, [])


@bp.get("/")
def index() -> str:
    """List the funds this user may see with their trial-balance totals."""
    query = select(Fund, SavingsFund.display_unit).join(SavingsFund, SavingsFund.fund_id == Fund.id)
    ids = visible_fund_ids()
    if ids is not None:
        query = query.where(Fund.id.in_(ids))
    rows = db.session.execute(query.order_by(Fund.id)).all()
    trial_balances = {fund.id: balances.trial_balance(db.session(), fund.id) for fund, _ in rows}
    return render_template("home.html", rows=rows, trial_balances=trial_balances)


@bp.get("/funds/<int:fund_id>/trial-balance")
def trial_balance(fund_id: int) -> str:
    """Show every account of a fund with its current balance."""
    fund = visible_fund(fund_id)
    report = balances.trial_balance(db.session(), fund_id)
    return render_template(
        "trial_balance.html", fund=fund.fund, report=report, unit=fund.display_unit
    )
