"""A fund's monitoring sums as of a day: the integers its KPIs are made of, for many funds at once.

``measure(session, fund_ids, day)`` reads every fund asked about with one query
per kind of fact (balances, open loans and their positions, instalments due in
the period with their payments, the recent meetings' sheets, members, the cycle's
loans), never a query per fund, member or loan. It returns ``Measures``: plain
integers (rials, counts, days), so they can be stored per meeting
(``groups.savings.snapshots``) and added across funds. The ratios made of them
(PAR 30, repayment rate, …) are ``reports.kpis``; this module only sums.

Sign conventions: every amount is on its account's normal side (assets and
expenses debit, the rest credit), so savings, loans outstanding and cash are
positive. ``gain`` = retained surplus + income − expenses of the cycle (equity −
savings); ``profit`` = income − expenses. The period is [max(cycle start, day −
PERIOD_DAYS), day].
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from groups.savings import queries, rules
from groups.savings.chart import CODES
from groups.savings.models import (
    Cycle,
    Instalment,
    Loan,
    LoanEvent,
    Meeting,
    MeetingLine,
    Member,
    Repayment,
)
from ledger.accounts import AccountType
from ledger.entries import EntryStatus
from ledger.models import Account, Entry, PostingRow

#: The repayment rate, drop-out and cash checks look back this many days (within the cycle).
PERIOD_DAYS = 91
#: Enough days back to hold the last four meetings of a monthly fund.
RECENT_DAYS = 130
#: An instalment more than this many days late puts its loan's principal at risk (PAR 30).
LATE_DAYS = 30


@dataclass(frozen=True)
class Measures:
    """A fund's monitoring sums as of a day (the day of a meeting, when stored)."""

    active_members: int = 0
    savings: int = 0
    loans_outstanding: int = 0
    cash: int = 0
    par30_principal: int = 0
    due_in_period: int = 0
    paid_on_time: int = 0
    attendance_present: int = 0
    attendance_sheet: int = 0
    #: Retained surplus + income − expenses (equity − savings), not annualised.
    gain: int = 0
    #: Income − expenses of the cycle, not annualised.
    profit: int = 0
    #: Days since the cycle started (what gain and profit are annualised over).
    days: int = 0
    assets_start: int = 0
    assets: int = 0
    members_at_start: int = 0
    left_in_period: int = 0
    written_off: int = 0
    disbursed: int = 0
    cash_discrepancy: int = 0
    loans_over_cap: int = 0
    guarantors_over_pledged: int = 0


MEASURE_NAMES = tuple(f.name for f in fields(Measures))


def period_start(cycle_start: date | None, day: date, period_days: int = PERIOD_DAYS) -> date:
    """Return the start of the look-back period: its length back from the day, within the cycle."""
    back = day - timedelta(days=period_days)
    return max(back, cycle_start) if cycle_start else back


# -- formulas over loans and sheets (pure) ---------------------------------------------------


def is_par30(position: rules.LoanPosition) -> bool:
    """Return True when the loan has an instalment more than 30 days late."""
    return position.days_late > LATE_DAYS and position.principal_outstanding > 0


def paid_on_time(
    schedule: Sequence[rules.Instalment],
    payments: Sequence[rules.Payment],
    start: date,
    end: date,
) -> tuple[int, int]:
    """Return (due, paid on time) of the instalments due in [start, end].

    Payments (principal and charge) are applied oldest instalment first; the part of
    an instalment paid on time is what the payments made by its due date cover.
    """
    due_total = on_time = 0
    due_before = 0
    for instalment in schedule:
        amount = instalment.total
        if start <= instalment.due <= end:
            paid_by_due = sum(p.principal + p.charge for p in payments if p.on <= instalment.due)
            covered = min(max(paid_by_due - due_before, 0), amount)
            due_total += amount
            on_time += covered
        due_before += amount
    return due_total, on_time


def attendance_of(meetings: Sequence[tuple[int, int]], last: int = 4) -> tuple[int, int]:
    """Return (Σ present, Σ members) over the last ``last`` of (present, members) meetings."""
    recent = list(meetings)[-last:]
    return sum(p for p, _ in recent), sum(m for _, m in recent)


# -- the loader ------------------------------------------------------------------------------


@dataclass
class _Fund:
    cycle: Cycle | None = None
    sums: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    savings_of: dict[int, int] = field(default_factory=dict)

    @property
    def start(self) -> date | None:
        return self.cycle.started_on if self.cycle else None


def measure(
    session: Session, fund_ids: Sequence[int], day: date, now: bool | None = None
) -> dict[int, Measures]:
    """Return the measures of the funds as of the end of a day, by fund id.

    ``now`` says whether the ledger's stored balances hold on that day (nothing of
    these funds is dated after it); None finds out.
    """
    funds = _funds(session, fund_ids, day)
    if not funds:
        return {}
    if now is None:
        now = nothing_posted_after(session, list(funds), day)
    _balances(session, funds, None if now else day)
    _assets_at_start(session, funds)
    _loans(session, funds, day, now)
    _repayment_rate(session, funds, day)
    _recent_meetings(session, funds, day)
    _members(session, funds, day)
    _cycle_loans(session, funds, day)
    return {fund_id: _measures_of(fund, day) for fund_id, fund in funds.items()}


def nothing_posted_after(session: Session, fund_ids: list[int], day: date) -> bool:
    """Return True when no entry of the funds is dated after the day: stored balances hold."""
    latest = session.scalar(select(func.max(Entry.date)).where(Entry.fund_id.in_(fund_ids)))
    return latest is None or latest <= day


def _funds(session: Session, fund_ids: Sequence[int], day: date) -> dict[int, _Fund]:
    funds = {fund_id: _Fund() for fund_id in fund_ids}
    cycles = select(Cycle).where(Cycle.fund_id.in_(list(funds)), Cycle.started_on <= day)
    for cycle in session.scalars(cycles.order_by(Cycle.fund_id, Cycle.number)):
        funds[cycle.fund_id].cycle = cycle  # the latest started on or before the day
    return funds


_ROLES = {CODES["cash"]: "cash", CODES["savings"]: "savings", CODES["loans"]: "loans"}
_ROLES |= {CODES["surplus"]: "surplus"}
_NET_DEBIT = func.sum(
    case((PostingRow.side == "debit", PostingRow.amount), else_=-PostingRow.amount)
)


def _balances(session: Session, funds: dict[int, _Fund], as_of: date | None) -> None:
    """Sum each fund's balances by role (on the normal side) and each member's savings."""
    columns = (Account.fund_id, Account.code, Account.type, Account.owner_id)
    if as_of is None:
        query = select(*columns, Account.balance).where(Account.fund_id.in_(list(funds)))
    else:
        query = (
            select(*columns, _NET_DEBIT)
            .join(PostingRow, PostingRow.account_id == Account.id)
            .join(Entry, Entry.id == PostingRow.entry_id)
            .where(Account.fund_id.in_(list(funds)), Entry.date <= as_of)
            .where(Entry.status == EntryStatus.POSTED.value)
            .group_by(*columns)
        )
    for fund_id, code, kind, owner, net_debit in session.execute(query):
        fund, account_type = funds[fund_id], AccountType(kind)
        amount = account_type.normal_balance(int(net_debit or 0))
        role = _ROLES.get(code.split("-")[0])
        if role:
            fund.sums[role] += amount
        if role == "savings" and owner is not None:
            fund.savings_of[owner] = amount
        fund.sums[account_type.value] += amount


def _assets_at_start(session: Session, funds: dict[int, _Fund]) -> None:
    """Total assets at the end of the day before each fund's cycle started (0 for a new fund)."""
    cycle_ids = [f.cycle.id for f in funds.values() if f.cycle]
    query = (
        select(Entry.fund_id, _NET_DEBIT)
        .join(Cycle, Cycle.fund_id == Entry.fund_id)
        .join(PostingRow, PostingRow.entry_id == Entry.id)
        .join(Account, Account.id == PostingRow.account_id)
        .where(Cycle.id.in_(cycle_ids), Entry.date < Cycle.started_on)
        .where(Entry.status == EntryStatus.POSTED.value, Account.type == AccountType.ASSET.value)
        .group_by(Entry.fund_id)
    )
    for fund_id, amount in session.execute(query):
        funds[fund_id].sums["assets_start"] = int(amount or 0)


def _open_loans(session: Session, funds: dict[int, _Fund], day: date, now: bool) -> list[Loan]:
    """Return the funds' loans open on the day (granted by then, not repaid or written off)."""
    meeting = aliased(Meeting)
    latest = (
        select(LoanEvent.kind)
        .join(meeting, meeting.id == LoanEvent.meeting_id)
        .where(LoanEvent.loan_id == Loan.id, LoanEvent.kind != "penalty", LoanEvent.on <= day)
        .where(meeting.status == "closed")
        .order_by(LoanEvent.id.desc())
        .limit(1)
        .correlate(Loan)
        .scalar_subquery()
    )
    query = (
        select(Loan)
        .join(Meeting, Meeting.id == Loan.meeting_id)
        .where(Loan.fund_id.in_(list(funds)), queries.CLOSED, Loan.disbursed_on <= day)
        .where(func.coalesce(latest, "active").not_in(queries.FINISHED))
        .options(selectinload(Loan.guarantees))
    )
    if now:  # only borrowers whose loan account is not settled can have an open loan
        owing = select(Account.owner_id).where(
            Account.fund_id.in_(list(funds)),
            Account.code.startswith(f"{CODES['loans']}-"),
            Account.balance != 0,
        )
        query = query.where(Loan.member_id.in_(owing))
    return list(session.scalars(query))


def _loans(session: Session, funds: dict[int, _Fund], day: date, now: bool) -> None:
    """PAR 30, loans beyond the cap and over-pledged guarantors, from the open loans."""
    loans = _open_loans(session, funds, day, now)
    positions = queries.positions_of(session, loans, day)
    pledged = queries.held_by_guarantee(session, loans, positions, day)
    held: dict[tuple[int, int], int] = defaultdict(int)
    for loan in loans:
        fund, position = funds[loan.fund_id], positions[loan.id]
        if is_par30(position):
            fund.sums["par30"] += position.principal_outstanding
        multiple = fund.cycle.constitution.get("loan_multiple", 3) if fund.cycle else 3
        if position.principal_outstanding > int(multiple) * fund.savings_of.get(loan.member_id, 0):
            fund.sums["over_cap"] += 1
        for g in loan.guarantees:
            held[(loan.fund_id, g.guarantor_id)] += pledged[(loan.id, g.guarantor_id)]
    for (fund_id, guarantor), amount in held.items():
        if amount > funds[fund_id].savings_of.get(guarantor, 0):
            funds[fund_id].sums["over_pledged"] += 1


def _repayment_rate(session: Session, funds: dict[int, _Fund], day: date) -> None:
    """Sum what fell due in each fund's period and what was paid by each due date."""
    starts = {f: period_start(fund.start, day) for f, fund in funds.items()}
    due_loans = (
        select(Instalment.loan_id)
        .join(Loan, Loan.id == Instalment.loan_id)
        .join(Meeting, Meeting.id == Loan.meeting_id)
        .where(Loan.fund_id.in_(list(funds)), queries.CLOSED)
        .where(Instalment.due_on >= min(starts.values()), Instalment.due_on <= day)
        .distinct()
    )
    loan_fund = dict(
        session.execute(select(Loan.id, Loan.fund_id).where(Loan.id.in_(due_loans))).all()
    )
    schedules, payments = schedules_and_payments(session, list(loan_fund))
    for loan_id, fund_id in loan_fund.items():
        amount_due, on_time = paid_on_time(
            schedules[loan_id], payments[loan_id], starts[fund_id], day
        )
        funds[fund_id].sums["due"] += amount_due
        funds[fund_id].sums["on_time"] += on_time


def schedules_and_payments(
    session: Session, loan_ids: Sequence[int]
) -> tuple[dict[int, list[rules.Instalment]], dict[int, list[rules.Payment]]]:
    """Return the schedules and the payments (closed meetings) of many loans, in two queries."""
    schedules: dict[int, list[rules.Instalment]] = defaultdict(list)
    payments: dict[int, list[rules.Payment]] = defaultdict(list)
    if not loan_ids:
        return schedules, payments
    instalments = (
        select(Instalment.loan_id, Instalment.number, Instalment.due_on)
        .add_columns(Instalment.principal, Instalment.charge)
        .where(Instalment.loan_id.in_(loan_ids))
        .order_by(Instalment.loan_id, Instalment.number)
    )
    for loan_id, number, due, principal, charge in session.execute(instalments):
        schedules[loan_id].append(rules.Instalment(number, due, principal, charge))
    paid = (
        select(Repayment.loan_id, Repayment.paid_on, Repayment.penalty)
        .add_columns(Repayment.charge, Repayment.principal)
        .join(Meeting, Meeting.id == Repayment.meeting_id)
        .where(Repayment.loan_id.in_(loan_ids), queries.CLOSED)
        .order_by(Repayment.loan_id, Repayment.paid_on, Repayment.id)
    )
    for loan_id, on, penalty, charge, principal in session.execute(paid):
        payments[loan_id].append(rules.Payment(on, penalty, charge, principal))
    return schedules, payments


def _recent_meetings(session: Session, funds: dict[int, _Fund], day: date) -> None:
    """Attendance of the last 4 regular meetings and the last meeting's cash difference."""
    recent = (
        select(Meeting.id, Meeting.fund_id, Meeting.kind, Meeting.cash_counted)
        .add_columns(Meeting.cash_expected)
        .where(Meeting.fund_id.in_(list(funds)), queries.CLOSED)
        .where(Meeting.date >= day - timedelta(days=RECENT_DAYS), Meeting.date <= day)
        .order_by(Meeting.fund_id, Meeting.date, Meeting.number)
    )
    rows = session.execute(recent).all()
    present = func.sum(case((MeetingLine.attendance.in_(("present", "late")), 1), else_=0))
    sheets = select(MeetingLine.meeting_id, present, func.count()).group_by(MeetingLine.meeting_id)
    regular = [row[0] for row in rows if row[2] == "regular"]
    sheet = {
        m: (int(p or 0), int(n))
        for m, p, n in session.execute(sheets.where(MeetingLine.meeting_id.in_(regular)))
    }
    by_fund: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for meeting_id, fund_id, kind, counted, expected in rows:
        if kind == "regular":
            by_fund[fund_id].append(sheet.get(meeting_id, (0, 0)))
        funds[fund_id].sums["discrepancy"] = 0 if counted is None else counted - expected
    for fund_id, sheets_of_fund in by_fund.items():
        came, listed = attendance_of(sheets_of_fund)
        funds[fund_id].sums["present"], funds[fund_id].sums["sheet"] = came, listed


def _members(session: Session, funds: dict[int, _Fund], day: date) -> None:
    query = select(Member.fund_id, Member.joined_on, Member.left_on).where(
        Member.fund_id.in_(list(funds))
    )
    for fund_id, joined, left in session.execute(query):
        fund = funds[fund_id]
        start = period_start(fund.start, day)
        if joined <= day and (left is None or left > day):
            fund.sums["active"] += 1
        if joined <= start and (left is None or left > start):
            fund.sums["at_start"] += 1
        if left is not None and start < left <= day:
            fund.sums["left"] += 1


def _cycle_loans(session: Session, funds: dict[int, _Fund], day: date) -> None:
    """Principal disbursed and written off in each fund's cycle, up to the day."""
    cycle_ids = [f.cycle.id for f in funds.values() if f.cycle]
    disbursed = (
        select(Loan.fund_id, func.sum(Loan.principal))
        .join(Meeting, Meeting.id == Loan.meeting_id)
        .where(Loan.cycle_id.in_(cycle_ids), queries.CLOSED, Loan.disbursed_on <= day)
        .group_by(Loan.fund_id)
    )
    for fund_id, amount in session.execute(disbursed):
        funds[fund_id].sums["disbursed"] = int(amount or 0)
    written = (
        select(Loan.fund_id, func.sum(LoanEvent.amount))
        .join(Loan, Loan.id == LoanEvent.loan_id)
        .join(Meeting, Meeting.id == LoanEvent.meeting_id)
        .where(Loan.cycle_id.in_(cycle_ids), queries.CLOSED, LoanEvent.on <= day)
        .where(LoanEvent.kind == "written_off")
        .group_by(Loan.fund_id)
    )
    for fund_id, amount in session.execute(written):
        funds[fund_id].sums["written_off"] = int(amount or 0)


def _measures_of(fund: _Fund, day: date) -> Measures:
    s = fund.sums
    profit = s["income"] - s["expense"]
    return Measures(
        active_members=s["active"],
        savings=s["savings"],
        loans_outstanding=s["loans"],
        cash=s["cash"],
        par30_principal=s["par30"],
        due_in_period=s["due"],
        paid_on_time=s["on_time"],
        attendance_present=s["present"],
        attendance_sheet=s["sheet"],
        gain=s["surplus"] + profit,
        profit=profit,
        days=(day - fund.start).days if fund.start else 0,
        # Total assets at the cycle's start: what a later cycle carried over; a first
        # cycle starts empty or from its paper opening.
        assets_start=s["assets_start"],
        assets=s["asset"],
        members_at_start=s["at_start"],
        left_in_period=s["left"],
        written_off=s["written_off"],
        disbursed=s["disbursed"],
        cash_discrepancy=s["discrepancy"],
        loans_over_cap=s["over_cap"],
        guarantors_over_pledged=s["over_pledged"],
    )


def as_mapping(measures: Measures) -> dict[str, Any]:
    """Return the measures by name (the columns of a stored snapshot)."""
    return {name: getattr(measures, name) for name in MEASURE_NAMES}
