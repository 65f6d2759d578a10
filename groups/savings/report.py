"""The state of a fund as of a date, as plain data: members, loans, guarantees, pots, books.

Used by ``sandogh fund report`` and by tests of whole cycles. Amounts are rials.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.savings import queries
from groups.savings.book import CODES, FundBook
from groups.savings.models import Cycle, Loan, Meeting, Member, SavingsFund, ShareOut
from ledger import balances
from ledger.errors import UnknownFund


def fund_report(session: Session, fund_id: int, as_of: date | None = None) -> dict[str, Any]:
    """Return the fund's state as of a date (default: its last meeting)."""
    savings_fund = session.get(SavingsFund, fund_id)
    if savings_fund is None:
        raise UnknownFund(f"No savings fund {fund_id}")
    last = queries.last_meeting(session, fund_id)
    on = as_of or (last.date if last else savings_fund.founded_on)
    book = FundBook.load(session, fund_id)
    members = session.scalars(
        select(Member).where(Member.fund_id == fund_id).order_by(Member.number)
    ).all()
    loans = _loans(session, fund_id, on)
    return {
        "fund": {"id": fund_id, "name": savings_fund.fund.name, "village": savings_fund.village},
        "as_of": on,
        "last_meeting": {"number": last.number, "date": last.date} if last else None,
        "members": [_member(session, book, m, loans, on) for m in members],
        "loans": loans,
        "cash": {
            "loan_fund": _balance_on(session, book.ids["cash"], on),
            "social_fund": _balance_on(session, book.ids["social_cash"], on),
        },
        "trial_balance": _trial_balance(session, fund_id, on),
        "share_outs": _share_outs(session, fund_id),
    }


def _balance_on(session: Session, account_id: int, on: date) -> int:
    return balances.balance_as_of(session, account_id, on)


def _loans(session: Session, fund_id: int, on: date) -> list[dict[str, Any]]:
    query = (
        select(Loan)
        .join(Meeting, Meeting.id == Loan.meeting_id)
        .where(Loan.fund_id == fund_id, queries.CLOSED, Loan.disbursed_on <= on)
        .order_by(Loan.id)
    )
    rows = []
    for loan in session.scalars(query):
        position = queries.position_of(session, loan, on)
        rows.append(
            {
                "id": loan.id,
                "borrower": loan.member_id,
                "principal": loan.principal,
                "disbursed_on": loan.disbursed_on,
                "status": queries.loan_status(session, loan.id),
                "principal_outstanding": position.principal_outstanding,
                "charge_due": position.charge_due,
                "penalty_due": position.penalty_due,
                "days_late": position.days_late,
                "next_due": _next_due(position.next_due),
                "guarantors": [
                    {"member": g.guarantor_id, "pledge": g.pledge} for g in loan.guarantees
                ],
            }
        )
    return rows


def _next_due(instalment: Any) -> dict[str, Any] | None:
    if instalment is None:
        return None
    return {"date": instalment.due, "amount": instalment.principal + instalment.charge}


def _member(
    session: Session, book: FundBook, member: Member, loans: list[dict[str, Any]], on: date
) -> dict[str, Any]:
    open_loans = [
        loan
        for loan in loans
        if loan["borrower"] == member.id and loan["status"] not in ("repaid", "written_off")
    ]
    return {
        "id": member.id,
        "number": member.number,
        "name": member.name,
        "status": member.status,
        "roles": member.role_list,
        "shares": _shares(session, member.id, on),
        "savings": _balance_on(session, book.savings_of(member), on),
        "open_loans": [loan["id"] for loan in open_loans],
        "owes": sum(
            loan["principal_outstanding"] + loan["charge_due"] + loan["penalty_due"]
            for loan in open_loans
        ),
        "guarantees": [
            {"loan": loan["id"], "pledge": g["pledge"]}
            for loan in loans
            if loan["status"] not in ("repaid", "written_off")
            for g in loan["guarantors"]
            if g["member"] == member.id
        ],
    }


def _shares(session: Session, member_id: int, on: date) -> int:
    from sqlalchemy import func

    from groups.savings.models import MeetingLine

    cycle_ids = select(Cycle.id).where(Cycle.status == "open")
    query = (
        select(func.coalesce(func.sum(MeetingLine.shares), 0))
        .join(Meeting, Meeting.id == MeetingLine.meeting_id)
        .where(
            MeetingLine.member_id == member_id,
            queries.CLOSED,
            Meeting.date <= on,
            Meeting.cycle_id.in_(cycle_ids),
        )
    )
    return int(session.scalar(query) or 0)


def _trial_balance(session: Session, fund_id: int, on: date) -> dict[str, Any]:
    report = balances.trial_balance(session, fund_id, as_of=on)
    return {
        "lines": [
            {
                "code": line.code,
                "name_fa": line.name_fa,
                "name_en": line.name_en,
                "debit": line.debit,
                "credit": line.credit,
            }
            for line in report.lines
            if line.net_debit or line.code in CODES.values()
        ],
        "total_debit": report.total_debit,
        "total_credit": report.total_credit,
        "balanced": report.is_balanced,
    }


def _share_outs(session: Session, fund_id: int) -> list[dict[str, Any]]:
    query = (
        select(ShareOut).join(Cycle, Cycle.id == ShareOut.cycle_id).where(Cycle.fund_id == fund_id)
    )
    return [
        {
            "cycle": s.cycle_id,
            "method": s.method,
            "distributable": s.distributable,
            "value_per_share": s.value_per_share,
            "social_fund_carried": s.social_fund_carried,
            "payouts": [
                {
                    "member": p.member_id,
                    "shares": p.shares,
                    "savings": p.savings,
                    "profit": p.profit,
                    "deduction": p.deduction,
                    "payout": p.payout,
                    "reinvested": p.reinvested,
                }
                for p in s.payouts
            ],
        }
        for s in session.scalars(query.order_by(ShareOut.id))
    ]
