"""The state of a fund as of a date, as plain data: members, loans, guarantees, pots, books.

Used by ``sandogh fund report`` and by tests of whole cycles. Amounts are rials.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from groups.savings import queries, rules
from groups.savings.chart import CODES
from groups.savings.models import Cycle, Loan, Meeting, MeetingLine, Member, SavingsFund, ShareOut
from ledger import balances
from ledger.accounts import member_account_code
from ledger.errors import UnknownFund
from ledger.statements import TrialBalance


def fund_report(session: Session, fund_id: int, as_of: date | None = None) -> dict[str, Any]:
    """Return the fund's state as it stood on a date (default: its last meeting).

    Everything is as of that day, even inside a cycle since shared out: members who had
    joined (and whether they had left), shares bought in the cycle open that day, savings
    and cash from the ledger as of the day, each loan's status and what was owed that
    day, the guarantees of loans then open (and what they still held), the share-outs
    done by then and a preview of the share-out had it been held that day.
    It reads in bulk and never writes.
    """
    savings_fund = session.get(SavingsFund, fund_id)
    if savings_fund is None:
        raise UnknownFund(f"No savings fund {fund_id}")
    last = queries.last_meeting(session, fund_id)
    on = as_of or (last.date if last else savings_fund.founded_on)
    members = session.scalars(
        select(Member)
        .where(Member.fund_id == fund_id, Member.joined_on <= on)
        .order_by(Member.number)
    ).all()
    trial = balances.trial_balance(session, fund_id, as_of=on)
    by_code = {line.code: line.normal for line in trial.lines}
    cycle = _cycle_open_on(session, fund_id, on)
    loans = _loans(session, fund_id, on)
    shares = _shares(session, cycle, on)
    member_rows = [_member(m, loans, shares, by_code, on) for m in members]
    return {
        "fund": {"id": fund_id, "name": savings_fund.fund.name, "village": savings_fund.village},
        "as_of": on,
        "last_meeting": _meeting_held_by(session, fund_id, on),
        "cycle": {"number": cycle.number, "started_on": cycle.started_on} if cycle else None,
        "members": member_rows,
        "loans": loans,
        "cash": {
            "loan_fund": by_code.get(CODES["cash"], 0),
            "social_fund": by_code.get(CODES["social_cash"], 0),
        },
        "trial_balance": _trial_balance(trial),
        "share_outs": _share_outs(session, fund_id, on),
        "share_out_preview": _share_out_preview(session, cycle, member_rows, by_code, on),
    }


def _cycle_open_on(session: Session, fund_id: int, on: date) -> Cycle | None:
    """Return the cycle that was open on a day: started by then, not yet shared out."""
    query = (
        select(Cycle)
        .where(
            Cycle.fund_id == fund_id,
            Cycle.started_on <= on,
            or_(Cycle.ended_on.is_(None), Cycle.ended_on > on),
        )
        .order_by(Cycle.number.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def _loans(session: Session, fund_id: int, on: date) -> list[dict[str, Any]]:
    """Return the loans granted by a day (at meetings held by then), as they stood that day."""
    query = (
        select(Loan)
        .join(Meeting, Meeting.id == Loan.meeting_id)
        .where(Loan.fund_id == fund_id, queries.CLOSED, Loan.disbursed_on <= on)
        .where(Meeting.date <= on)
        .options(selectinload(Loan.guarantees))
        .order_by(Loan.id)
    )
    loans = list(session.scalars(query))
    positions = queries.positions_of(session, loans, on)
    statuses = queries.loan_statuses(session, [loan.id for loan in loans], as_of=on)
    held = queries.held_by_guarantee(session, loans, positions, as_of=on)
    return [_loan(loan, positions[loan.id], statuses[loan.id], held) for loan in loans]


def _loan(
    loan: Loan,
    position: rules.LoanPosition,
    status: str,
    held: dict[tuple[int, int], int],
) -> dict[str, Any]:
    return {
        "id": loan.id,
        "borrower": loan.member_id,
        "principal": loan.principal,
        "disbursed_on": loan.disbursed_on,
        "status": status,
        "principal_outstanding": position.principal_outstanding,
        "charge_due": position.charge_due,
        "penalty_due": position.penalty_due,
        "days_late": position.days_late,
        "next_due": _next_due(position.next_due),
        "guarantors": [
            {
                "member": g.guarantor_id,
                "pledge": g.pledge,
                "held": held[(loan.id, g.guarantor_id)] if status not in queries.FINISHED else 0,
            }
            for g in loan.guarantees
        ],
    }


def _next_due(instalment: rules.Instalment | None) -> dict[str, Any] | None:
    if instalment is None:
        return None
    return {"date": instalment.due, "amount": instalment.principal + instalment.charge}


def _member(
    member: Member,
    loans: list[dict[str, Any]],
    shares: dict[int, int],
    by_code: dict[str, int],
    on: date,
) -> dict[str, Any]:
    open_loans = [
        loan
        for loan in loans
        if loan["borrower"] == member.id and loan["status"] not in queries.FINISHED
    ]
    return {
        "id": member.id,
        "number": member.number,
        "name": member.name,
        "status": "left" if member.left_on is not None and member.left_on <= on else "active",
        "roles": member.role_list,
        "shares": shares.get(member.id, 0),
        "savings": by_code.get(member_account_code(CODES["savings"], member.id), 0),
        "open_loans": [loan["id"] for loan in open_loans],
        "owes": sum(
            loan["principal_outstanding"] + loan["charge_due"] + loan["penalty_due"]
            for loan in open_loans
        ),
        "guarantees": [
            {"loan": loan["id"], "pledge": g["pledge"], "held": g["held"]}
            for loan in loans
            if loan["status"] not in queries.FINISHED
            for g in loan["guarantors"]
            if g["member"] == member.id
        ],
    }


def _shares(session: Session, cycle: Cycle | None, on: date) -> dict[int, int]:
    """Return each member's shares bought in the cycle open on a day, up to that day."""
    if cycle is None:
        return {}
    query = (
        select(MeetingLine.member_id, func.sum(MeetingLine.shares))
        .join(Meeting, Meeting.id == MeetingLine.meeting_id)
        .where(Meeting.cycle_id == cycle.id, queries.CLOSED, Meeting.date <= on)
        .group_by(MeetingLine.member_id)
    )
    return {member_id: int(total) for member_id, total in session.execute(query)}


def _share_out_preview(
    session: Session,
    cycle: Cycle | None,
    members: list[dict[str, Any]],
    by_code: dict[str, int],
    on: date,
) -> dict[str, Any] | None:
    """Return what a share-out held on the day would have paid (as ``preview_share_out``
    computes it on the day of a meeting: loans netted, the social fund carried over)."""
    if cycle is None:
        return None
    method = queries.constitution_of(cycle).share_out_method
    charges = queries.charges_paid_by_member(session, cycle.id, as_of=on)
    stakes = [
        rules.MemberStake(m["id"], m["savings"], charges.get(m["id"], 0), m["owes"])
        for m in members
        if m["status"] == "active" or m["savings"]
    ]
    distributable = by_code.get(CODES["cash"], 0) + sum(s.owes for s in stakes)
    payouts = rules.share_out(method, stakes, distributable)
    return {
        "method": method,
        "distributable": distributable,
        "payouts": [
            {
                "member": p.member_id,
                "savings": p.savings,
                "charges_paid": charges.get(p.member_id, 0),
                "profit": p.profit,
                "deduction": p.deduction,
                "payout": p.payout,
            }
            for p in payouts
        ],
    }


def _trial_balance(report: TrialBalance) -> dict[str, Any]:
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


def _share_outs(session: Session, fund_id: int, on: date) -> list[dict[str, Any]]:
    """Return the share-outs held by a day."""
    query = (
        select(ShareOut)
        .join(Cycle, Cycle.id == ShareOut.cycle_id)
        .join(Meeting, Meeting.id == ShareOut.meeting_id)
        .where(Cycle.fund_id == fund_id, Meeting.date <= on)
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


def _meeting_held_by(session: Session, fund_id: int, on: date) -> dict[str, Any] | None:
    """The fund's last closed meeting held on or before the report's day."""
    last = queries.last_meeting(session, fund_id, on)
    return {"number": last.number, "date": last.date} if last else None
