"""Read models of the API: a fund, a member, a loan (the web's access rules: 404 when unseen)."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_smorest import Blueprint
from sqlalchemy import func, select

from groups.savings import queries
from groups.savings.models import Cycle, Loan, Meeting, Member
from web.access import Role, roles_required, user, visible_fund, visible_member
from web.api.schemas import ErrorOut, FundOut, LoanOut, MemberOut
from web.extensions import db
from web.funds.views import balances_by_role

blp = Blueprint("api_reads", __name__, description="Funds, members and loans as they stand now")

FUND_READERS = (Role.ADMIN, Role.FACILITATOR, Role.TREASURER, Role.VIEWER)


def meeting_data(meeting: Meeting) -> dict[str, Any]:
    """Return a meeting as ``MeetingOut`` dumps it."""
    return {
        "id": meeting.id,
        "fund_id": meeting.fund_id,
        "number": meeting.number,
        "date": meeting.date,
        "status": meeting.status,
        "idempotency_key": meeting.idempotency_key,
        "cash_expected": meeting.cash_expected,
        "cash_counted": meeting.cash_counted,
        "recorded_by": meeting.recorded_by,
    }


@blp.route("/funds/<int(max=2147483647):fund_id>")
@blp.response(200, FundOut)
@blp.alt_response(404, schema=ErrorOut)
@roles_required(*FUND_READERS)
def fund(fund_id: int) -> dict[str, Any]:
    """A fund: its cycle, active members, balances and last meeting."""
    savings_fund = visible_fund(fund_id)
    session = db.session()
    money = balances_by_role(session, [fund_id])[fund_id]["roles"]
    last = queries.last_meeting(session, fund_id)
    return {
        "id": fund_id,
        "name": savings_fund.fund.name,
        "currency": savings_fund.fund.currency,
        "unit": savings_fund.display_unit,
        "active_members": len(queries.active_members(session, fund_id)),
        "cycle_number": _cycle_number(fund_id),
        "last_meeting": meeting_data(last) if last is not None else None,
        "balances": {
            "cash": money["cash"],
            "social_cash": money["social_cash"],
            "savings": money["savings"],
            "loans_outstanding": money["loans"],
        },
    }


def _cycle_number(fund_id: int) -> int | None:
    return db.session.scalar(select(func.max(Cycle.number)).where(Cycle.fund_id == fund_id))


@blp.route("/members/<int(max=2147483647):member_id>")
@blp.response(200, MemberOut)
@blp.alt_response(404, schema=ErrorOut)
@roles_required(*Role)
def member(member_id: int) -> dict[str, Any]:
    """A member: her savings and open loans (a member sees only herself)."""
    row = db.session.get(Member, member_id)
    if row is None:
        abort(404)
    visible_member(row.fund_id, member_id)
    session = db.session()
    savings = balances_by_role(session, [row.fund_id])[row.fund_id]["savings"][member_id]
    return {
        "id": row.id,
        "fund_id": row.fund_id,
        "number": row.number,
        "name": row.name,
        "status": row.status,
        "savings": savings,
        "open_loans": [loan.id for loan in queries.open_loans(session, row.fund_id, member_id)],
    }


@blp.route("/loans/<int(max=2147483647):loan_id>")
@blp.response(200, LoanOut)
@blp.alt_response(404, schema=ErrorOut)
@roles_required(*Role)
def loan(loan_id: int) -> dict[str, Any]:
    """A loan: its terms, status and principal still owed (a member sees only her own)."""
    row = db.session.get(Loan, loan_id)
    if row is None:
        abort(404)
    visible_fund(row.fund_id)
    me = user()
    if me.role == Role.MEMBER and row.member_id != me.member_id:
        abort(404)
    session = db.session()
    return {
        "id": row.id,
        "fund_id": row.fund_id,
        "member_id": row.member_id,
        "principal": row.principal,
        "fee": row.fee,
        "term_months": row.term_months,
        "status": queries.loan_status(session, row.id),
        "principal_outstanding": queries.principal_outstanding(session, row),
        "meeting_id": row.meeting_id,
    }
