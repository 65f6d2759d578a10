"""A fund's page, a member's passbook and a loan's page: read only, for those who may see them."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from groups.savings.models import Loan
from web.access import Role, roles_required, visible_fund, visible_member
from web.extensions import db
from web.funds import labels, views

bp = Blueprint("funds", __name__)
bp.add_app_template_global(labels.label, "label")
bp.add_app_template_global(labels.endpoint_exists, "endpoint_exists")
bp.add_app_template_filter(labels.percent, "percent")

#: Who sees a whole fund (a member sees only her own pages).
FUND_READERS = (Role.ADMIN, Role.FACILITATOR, Role.TREASURER, Role.VIEWER)


@bp.get("/funds/<int:fund_id>")
@roles_required(*FUND_READERS)
def fund(fund_id: int) -> str:
    """Members, constitution, balances, loans and meetings of a fund."""
    page = views.fund_page(db.session(), visible_fund(fund_id))
    return render_template("funds/fund.html", page=page, unit=page.fund.display_unit)


@bp.get("/funds/<int:fund_id>/members/<int:member_id>")
@roles_required(*Role)
def member(fund_id: int, member_id: int) -> str:
    """A member's passbook: shares and savings per meeting, loans, guarantees."""
    fund = visible_fund(fund_id)
    book = views.passbook(db.session(), visible_member(fund_id, member_id))
    return render_template("funds/member.html", fund=fund, book=book, unit=fund.display_unit)


@bp.get("/funds/<int:fund_id>/loans/<int:loan_id>")
@roles_required(*Role)
def loan(fund_id: int, loan_id: int) -> str:
    """A loan: schedule, repayments, arrears, guarantors."""
    fund = visible_fund(fund_id)
    record = db.session.get(Loan, loan_id)
    if record is None or record.fund_id != fund_id:
        abort(404)
    if current_user.role == Role.MEMBER and record.member_id != current_user.member_id:
        abort(404)  # a member sees her own loans only
    page = views.loan_page(db.session(), record)
    return render_template("funds/loan.html", fund=fund, page=page, unit=fund.display_unit)
