"""The home page (every fund and its cash) and a fund's trial balance."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from groups.savings.models import SavingsFund
from ledger import balances
from ledger.models import Fund
from web.extensions import db

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    """List the funds with their trial-balance totals."""
    funds = db.session.scalars(db.select(Fund).order_by(Fund.id)).all()
    trial_balances = {fund.id: balances.trial_balance(db.session(), fund.id) for fund in funds}
    return render_template(
        "home.html", funds=funds, trial_balances=trial_balances, units=_display_units()
    )


@bp.get("/funds/<int:fund_id>/trial-balance")
def trial_balance(fund_id: int) -> str:
    """Show every account of a fund with its current balance."""
    fund = db.session.get(Fund, fund_id) or abort(404)
    report = balances.trial_balance(db.session(), fund_id)
    unit = _display_units().get(fund_id, "rial")
    return render_template("trial_balance.html", fund=fund, report=report, unit=unit)


def _display_units() -> dict[int, str]:
    """Return each savings fund's display unit (rial or toman)."""
    rows = db.session.execute(db.select(SavingsFund.fund_id, SavingsFund.display_unit))
    return {fund_id: unit for fund_id, unit in rows}
