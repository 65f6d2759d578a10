"""What the read screens show, gathered in a few queries per page (never one per row).

Amounts are rials; templates format them in the fund's unit. Balances come
from the ledger's stored account balances (one query per fund or per list of
funds); loan positions from ``queries.positions_of`` (three queries for all
loans of a page).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups.savings import queries, reads, rules
from groups.savings.chart import CODES
from groups.savings.models import (
    Cycle,
    Fine,
    Guarantee,
    Instalment,
    Loan,
    LoanEvent,
    Meeting,
    MeetingLine,
    Member,
    Repayment,
    SavingsFund,
)
from ledger.accounts import AccountType
from ledger.models import Account, Fund, utc_now

#: Balances shown on a fund's page, by the book's role names.
BALANCE_ROLES = ("cash", "social_cash", "loans", "savings", "social")


def today() -> date:
    """Return today's date (UTC)."""
    return utc_now().date()


def balances_by_role(session: Session, fund_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Return, per fund, each role's balance (sub-accounts summed) and each member's savings."""
    codes = {code: role for role, code in CODES.items()}
    rows = session.execute(
        select(
            Account.fund_id, Account.code, Account.owner_id, Account.type, Account.balance
        ).where(Account.fund_id.in_(list(fund_ids)))
    )
    result: dict[int, dict[str, Any]] = {
        fund_id: {"roles": defaultdict(int), "savings": defaultdict(int), "loans": defaultdict(int)}
        for fund_id in fund_ids
    }
    for fund_id, code, owner_id, account_type, stored in rows:
        role = codes.get(code.split("-")[0])
        if role is None:
            continue
        amount = AccountType(account_type).normal_balance(stored)
        result[fund_id]["roles"][role] += amount
        if owner_id is not None and role in ("savings", "loans"):
            result[fund_id][role][owner_id] += amount
    return result


@dataclass
class FundSummary:
    """One line of a list of funds: last meeting, cash, discrepancy, arrears."""

    fund: SavingsFund
    name: str
    last_meeting: Meeting | None
    cash: int
    social_cash: int
    loans_late: int = 0
    overdue: int = 0

    @property
    def discrepancy(self) -> int | None:
        """Cash counted minus cash expected at the last meeting (None when not counted)."""
        meeting = self.last_meeting
        if meeting is None or meeting.cash_counted is None:
            return None
        return meeting.cash_counted - meeting.cash_expected


def fund_summaries(session: Session, fund_ids: Sequence[int] | None) -> list[FundSummary]:
    """Return a summary of each fund (all funds when fund_ids is None), in a handful of queries."""
    query = select(SavingsFund, Fund.name).join(Fund, Fund.id == SavingsFund.fund_id)
    if fund_ids is not None:
        query = query.where(SavingsFund.fund_id.in_(list(fund_ids)))
    funds = session.execute(query.order_by(Fund.id)).all()
    ids = [fund.fund_id for fund, _ in funds]
    if not ids:
        return []
    last = _last_meetings(session, ids)
    money = balances_by_role(session, ids)
    summaries = {
        fund.fund_id: FundSummary(
            fund,
            name,
            last.get(fund.fund_id),
            money[fund.fund_id]["roles"]["cash"],
            money[fund.fund_id]["roles"]["social_cash"],
        )
        for fund, name in funds
    }
    loans = _open_loans(session, ids)
    fund_of = {loan.id: loan.fund_id for loan in loans}
    for loan_id, position in queries.positions_of(session, loans, today()).items():
        if position.days_late:
            summary = summaries[fund_of[loan_id]]
            summary.loans_late += 1
            summary.overdue += position.overdue_principal + position.overdue_charge
    return list(summaries.values())


def _last_meetings(session: Session, fund_ids: Sequence[int]) -> dict[int, Meeting]:
    latest = (
        select(Meeting.fund_id, func.max(Meeting.number).label("number"))
        .where(Meeting.fund_id.in_(list(fund_ids)), reads.COUNTED)
        .group_by(Meeting.fund_id)
        .subquery()
    )
    query = select(Meeting).join(
        latest, (Meeting.fund_id == latest.c.fund_id) & (Meeting.number == latest.c.number)
    )
    return {m.fund_id: m for m in session.scalars(query.where(reads.COUNTED))}


def _open_loans(session: Session, fund_ids: Sequence[int]) -> list[Loan]:
    query = reads.counted(select(Loan), Loan.meeting_id).where(Loan.fund_id.in_(list(fund_ids)))
    loans = list(session.scalars(query.order_by(Loan.id)))
    statuses = queries.loan_statuses(session, [loan.id for loan in loans])
    return [loan for loan in loans if statuses.get(loan.id) not in queries.FINISHED]


@dataclass
class LoanRow:
    """A loan with its borrower, status and position today."""

    loan: Loan
    borrower: Member
    status: str
    position: rules.LoanPosition

    @property
    def shown_status(self) -> str:
        """Return the status a reader sees: an active loan with a late instalment is in arrears.

        The same test as the home page's "loans in arrears" (a day late, today), so one
        loan is never "in arrears" on one page and "active" on another.
        """
        if self.status == "active" and self.position.days_late:
            return "in_arrears"
        return self.status

    @property
    def owed(self) -> int:
        """Principal outstanding plus charges and penalties due."""
        if self.status in queries.FINISHED:
            return 0
        p = self.position
        return p.principal_outstanding + p.charge_due + p.penalty_due


def loan_rows(session: Session, loans: Sequence[Loan]) -> list[LoanRow]:
    """Return each loan with its borrower, status and position today (five queries)."""
    if not loans:
        return []
    members = _members_by_id(session, {loan.member_id for loan in loans})
    statuses = queries.loan_statuses(session, [loan.id for loan in loans])
    positions = queries.positions_of(session, loans, today())
    return [
        LoanRow(loan, members[loan.member_id], statuses.get(loan.id, "active"), positions[loan.id])
        for loan in loans
    ]


def _members_by_id(session: Session, ids: set[int]) -> dict[int, Member]:
    if not ids:
        return {}
    return {m.id: m for m in session.scalars(select(Member).where(Member.id.in_(list(ids))))}


def fund_loans(session: Session, fund_id: int) -> list[Loan]:
    """Return the fund's loans granted at closed meetings, newest first."""
    query = reads.counted(select(Loan), Loan.meeting_id).where(Loan.fund_id == fund_id)
    return list(session.scalars(query.order_by(Loan.disbursed_on.desc(), Loan.id.desc())))


@dataclass
class FundPage:
    """Everything on a fund's page."""

    fund: SavingsFund
    cycle: Cycle | None
    constitution: dict[str, Any]
    balances: dict[str, int]
    members: list[tuple[Member, int, int, int]]
    loans: list[LoanRow]
    meetings: list[Meeting]
    summary: FundSummary | None


def fund_page(session: Session, fund: SavingsFund) -> FundPage:
    """Gather the fund's page."""
    fund_id = fund.fund_id
    cycle = session.scalars(
        select(Cycle).where(Cycle.fund_id == fund_id).order_by(Cycle.number.desc()).limit(1)
    ).first()
    money = balances_by_role(session, [fund_id])[fund_id]
    members = list(
        session.scalars(select(Member).where(Member.fund_id == fund_id).order_by(Member.number))
    )
    shares = _shares_by_member(session, cycle.id) if cycle else {}
    loans = loan_rows(session, fund_loans(session, fund_id))
    owed: dict[int, int] = defaultdict(int)
    for row in loans:
        owed[row.loan.member_id] += row.owed
    meetings = list(
        session.scalars(
            select(Meeting).where(Meeting.fund_id == fund_id).order_by(Meeting.number.desc())
        )
    )
    return FundPage(
        fund,
        cycle,
        dict(cycle.constitution) if cycle else {},
        {role: money["roles"][role] for role in BALANCE_ROLES},
        [(m, shares.get(m.id, 0), money["savings"][m.id], owed[m.id]) for m in members],
        loans,
        meetings,
        next(iter(fund_summaries(session, [fund_id])), None),
    )


def _shares_by_member(session: Session, cycle_id: int) -> dict[int, int]:
    query = (
        reads.counted(
            select(MeetingLine.member_id, func.coalesce(func.sum(MeetingLine.shares), 0)),
            MeetingLine.meeting_id,
        )
        .where(Meeting.cycle_id == cycle_id)
        .group_by(MeetingLine.member_id)
    )
    return {member_id: int(total) for member_id, total in session.execute(query)}


@dataclass
class PassbookLine:
    """A member's line at one meeting, with running totals."""

    meeting: Meeting
    line: MeetingLine
    total_shares: int
    total_savings: int


@dataclass
class Passbook:
    """A member's page: her meetings, loans and guarantees."""

    member: Member
    savings: int
    lines: list[PassbookLine]
    loans: list[LoanRow]
    schedules: dict[int, list[Instalment]]
    guarantees_given: list[tuple[Guarantee, LoanRow]]
    guarantees_received: list[tuple[Guarantee, Member]]
    fines: list[tuple[Fine, Meeting]] = field(default_factory=list)


def passbook(session: Session, member: Member) -> Passbook:
    """Gather a member's passbook."""
    recorded = reads.member_rows(session, member.id)
    lines, shares, saved, cycle = [], 0, 0, None
    for line, meeting in recorded.lines:
        if meeting.cycle_id != cycle:
            cycle, shares, saved = meeting.cycle_id, 0, 0
        shares, saved = shares + line.shares, saved + line.savings
        lines.append(PassbookLine(meeting, line, shares, saved))
    own = [loan for loan in fund_loans(session, member.fund_id) if loan.member_id == member.id]
    given = recorded.pledges
    loan_info = {row.loan.id: row for row in loan_rows(session, own + [loan for _, loan in given])}
    received = _guarantees_on(session, [loan.id for loan in own])
    fines = recorded.fines
    money = balances_by_role(session, [member.fund_id])[member.fund_id]
    return Passbook(
        member,
        money["savings"][member.id],
        lines,
        [loan_info[loan.id] for loan in own],
        schedules_of(session, [loan.id for loan in own]),
        [(g, loan_info[loan.id]) for g, loan in given],
        received,
        [(fine, meeting) for fine, meeting in fines],
    )


def _guarantees_on(session: Session, loan_ids: list[int]) -> list[tuple[Guarantee, Member]]:
    if not loan_ids:
        return []
    rows = session.execute(
        select(Guarantee, Member)
        .join(Member, Member.id == Guarantee.guarantor_id)
        .where(Guarantee.loan_id.in_(loan_ids))
        .order_by(Guarantee.loan_id, Guarantee.id)
    ).all()
    return [(g, m) for g, m in rows]


def schedules_of(session: Session, loan_ids: list[int]) -> dict[int, list[Instalment]]:
    """Return each loan's instalments, by loan id, in one query."""
    result: dict[int, list[Instalment]] = {loan_id: [] for loan_id in loan_ids}
    if loan_ids:
        query = (
            select(Instalment)
            .where(Instalment.loan_id.in_(loan_ids))
            .order_by(Instalment.loan_id, Instalment.number)
        )
        for instalment in session.scalars(query):
            result[instalment.loan_id].append(instalment)
    return result


@dataclass
class LoanPage:
    """A loan's page: schedule, repayments, events, guarantors, arrears."""

    row: LoanRow
    schedule: list[Instalment]
    repayments: list[tuple[Repayment, Member]]
    events: list[LoanEvent]
    guarantors: list[tuple[Guarantee, Member]]


def loan_page(session: Session, loan: Loan) -> LoanPage:
    """Gather a loan's page."""
    recorded = reads.loan_rows(session, loan.id)
    payer_ids = {r.payer_id for r in recorded.repayments}
    payers = {m.id: m for m in session.scalars(select(Member).where(Member.id.in_(payer_ids)))}
    repayments = [(r, payers[r.payer_id]) for r in recorded.repayments]
    events = recorded.events
    return LoanPage(
        loan_rows(session, [loan])[0],
        schedules_of(session, [loan.id])[loan.id],
        repayments,
        list(events),
        _guarantees_on(session, [loan.id]),
    )
