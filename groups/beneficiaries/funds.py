"""A woman's funds, savings and loans, read through the savings queries (read-only).

Nothing here writes: savings come from her savings sub-account if she has one
(a member who never bought a share has none and has saved 0); loans and their
positions from ``groups.savings.queries``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.savings import queries
from groups.savings.chart import CODES
from groups.savings.models import Loan, Meeting, Member, SavingsFund
from ledger import balances
from ledger.accounts import member_account_code
from ledger.chart import account_by_code


def memberships(session: Session, beneficiary_id: int, on: date) -> list[dict[str, Any]]:
    """Return each fund she belongs to, her savings and her loans as of a date."""
    members = session.scalars(
        select(Member).where(Member.beneficiary_id == beneficiary_id).order_by(Member.id)
    ).all()
    return [_membership(session, member, on) for member in members]


def _membership(session: Session, member: Member, on: date) -> dict[str, Any]:
    fund = session.get(SavingsFund, member.fund_id)
    assert fund is not None
    return {
        "fund_id": member.fund_id,
        "fund": fund.fund.name,
        "village": fund.village,
        "member_number": member.number,
        "status": member.status,
        "joined_on": member.joined_on,
        "savings": _savings(session, member, on),
        "loans": _loans(session, member, on),
    }


def _savings(session: Session, member: Member, on: date) -> int:
    code = member_account_code(CODES["savings"], member.id)
    account = account_by_code(session, member.fund_id, code)
    return 0 if account is None else balances.balance_as_of(session, account.id, on)


def _loans(session: Session, member: Member, on: date) -> list[dict[str, Any]]:
    query = (
        select(Loan)
        .join(Meeting, Meeting.id == Loan.meeting_id)
        .where(Loan.member_id == member.id, queries.CLOSED, Loan.disbursed_on <= on)
        .order_by(Loan.disbursed_on, Loan.id)
    )
    loans = session.scalars(query).all()
    statuses = queries.loan_statuses(session, [loan.id for loan in loans])
    return [
        {
            "id": loan.id,
            "principal": loan.principal,
            "disbursed_on": loan.disbursed_on,
            "purpose": loan.purpose,
            "status": statuses.get(loan.id, "active"),
            "principal_outstanding": queries.position_of(session, loan, on).principal_outstanding,
        }
        for loan in loans
    ]
