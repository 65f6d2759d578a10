"""Bulk reads of one fund for its documents: a few queries for the whole fund, never one per member.

Only closed meetings count (``groups.savings.queries.CLOSED``). Savings and loan
balances come from the ledger (the members' sub-accounts); the savings tables
say who attended, bought, borrowed and paid.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from groups.savings import queries, rules
from groups.savings.chart import CODES
from groups.savings.models import (
    Cycle,
    Loan,
    LoanEvent,
    Meeting,
    Member,
    SavingsFund,
)
from ledger.entries import EntryStatus
from ledger.errors import UnknownFund
from ledger.models import Account, Entry, PostingRow

ROLE_NAMES_FA = {
    "chair": "رئیس",
    "treasurer": "منشی و خزانه‌دار",
    "box_keeper": "امین صندوق",
    "money_counter": "شمارشگر پول",
    "key_holder": "کلیددار",
}
ATTENDANCE_FA = {"present": "حاضر", "late": "با تأخیر", "absent": "غایب", "represented": "نماینده"}
STATUS_FA = {
    "active": "جاری",
    "in_arrears": "معوق",
    "repaid": "تسویه‌شده",
    "written_off": "سوخت‌شده",
}


@dataclass(frozen=True)
class FundInfo:
    """A fund's name, place, display unit and the cycle a document is about."""

    fund_id: int
    name: str
    village: str
    facilitator: str
    unit: str
    founded_on: date
    cycle: Cycle | None

    @property
    def constitution(self) -> rules.Constitution | None:
        """Return the cycle's constitution, if there is a cycle."""
        return queries.constitution_of(self.cycle) if self.cycle else None


def fund_info(session: Session, fund_id: int, on: date | None = None) -> FundInfo:
    """Return the fund's facts and its cycle running on a day (default: the latest cycle)."""
    savings_fund = session.get(SavingsFund, fund_id)
    if savings_fund is None:
        raise UnknownFund(f"No savings fund {fund_id}")
    query = select(Cycle).where(Cycle.fund_id == fund_id)
    if on is not None:
        query = query.where(Cycle.started_on <= on)
    cycle = session.scalars(query.order_by(Cycle.number.desc()).limit(1)).first()
    return FundInfo(
        fund_id,
        savings_fund.fund.name,
        savings_fund.village,
        savings_fund.facilitator,
        savings_fund.display_unit,
        savings_fund.founded_on,
        cycle,
    )


def members_of(session: Session, fund_id: int) -> list[Member]:
    """Return every member of the fund, in register order."""
    query = select(Member).where(Member.fund_id == fund_id).order_by(Member.number)
    return list(session.scalars(query))


def meetings_between(session: Session, fund_id: int, start: date, end: date) -> list[Meeting]:
    """Return the fund's closed meetings dated in [start, end], oldest first."""
    query = (
        select(Meeting)
        .where(Meeting.fund_id == fund_id, queries.CLOSED)
        .where(Meeting.date >= start, Meeting.date <= end)
        .order_by(Meeting.date, Meeting.number)
    )
    return list(session.scalars(query))


def _net_debit() -> object:
    return func.sum(case((PostingRow.side == "debit", PostingRow.amount), else_=-PostingRow.amount))


def member_account_changes(
    session: Session, fund_id: int, code: str, end: date
) -> dict[int, list[tuple[date, int]]]:
    """Return, per member, each day's change of her sub-account of ``code`` up to ``end``.

    Changes are read on the normal side of the account (credit for savings, debit
    for loans) and listed oldest first.
    """
    sign = -1 if code == CODES["savings"] else 1
    query = (
        select(Account.owner_id, Entry.date, _net_debit())  # type: ignore[call-overload]
        .join(PostingRow, PostingRow.account_id == Account.id)
        .join(Entry, Entry.id == PostingRow.entry_id)
        .where(
            Account.fund_id == fund_id,
            Account.code.startswith(f"{code}-"),
            Entry.status == EntryStatus.POSTED.value,
            Entry.date <= end,
        )
        .group_by(Account.owner_id, Entry.date)
        .order_by(Account.owner_id, Entry.date)
    )
    changes: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for owner, day, net in session.execute(query):
        if net:
            changes[owner].append((day, sign * int(net)))
    return changes


def balance_on(changes: Sequence[tuple[date, int]], day: date) -> int:
    """Return the balance at the end of a day from dated changes."""
    return sum(amount for on, amount in changes if on <= day)


def loans_until(session: Session, fund_id: int, end: date) -> list[Loan]:
    """Return the fund's loans granted at closed meetings on or before ``end``."""
    query = (
        select(Loan)
        .join(Meeting, Meeting.id == Loan.meeting_id)
        .where(Loan.fund_id == fund_id, queries.CLOSED, Loan.disbursed_on <= end)
        .options(selectinload(Loan.guarantees))
        .order_by(Loan.id)
    )
    return list(session.scalars(query))


def statuses_on(session: Session, loan_ids: Sequence[int], end: date) -> dict[int, str]:
    """Return each loan's latest status on ``end`` (events at closed meetings up to that day)."""
    if not loan_ids:
        return {}
    query = (
        select(LoanEvent.loan_id, LoanEvent.kind)
        .join(Meeting, Meeting.id == LoanEvent.meeting_id)
        .where(
            LoanEvent.loan_id.in_(loan_ids),
            LoanEvent.kind != "penalty",
            LoanEvent.on <= end,
            queries.CLOSED,
        )
        .order_by(LoanEvent.loan_id, LoanEvent.id)
    )
    statuses = dict.fromkeys(loan_ids, "active")
    for loan_id, kind in session.execute(query):
        statuses[loan_id] = kind
    return statuses


def value_per_share_now(session: Session, fund_id: int, info: FundInfo, on: date) -> Fraction:
    """Return today's value per share: (loan-fund cash + what borrowers owe) ÷ shares.

    Shares are the members' savings ÷ the share price, as at a share-out
    (``groups.savings.shareout.preview_share_out``), so opening savings count too.
    """
    constitution = info.constitution
    if constitution is None:
        return Fraction(0)
    codes = {CODES["cash"]: "cash", CODES["savings"]: "savings", CODES["loans"]: "loans"}
    totals = dict.fromkeys(codes.values(), 0)
    rows = session.execute(
        select(Account.code, Account.type, Account.balance).where(Account.fund_id == fund_id)
    )
    for code, _type, balance in rows:
        role = codes.get(code.split("-")[0])
        if role:
            totals[role] += -balance if role == "savings" else balance
    loans = queries.open_loans(session, fund_id)
    positions = queries.positions_of(session, loans, on)
    owed = sum(p.max_payment for p in positions.values())
    shares = Fraction(totals["savings"], constitution.share_price)
    return rules.value_per_share(totals["cash"] + owed, shares)
