"""Loading the KPI components of many funds at once, flags, and the facilitator's dashboard.

Every read is one query for all the funds asked about (no query per fund, per
member or per loan): account balances, open loans with their schedules and
payments, the recent meetings and their sheets, members, loans of the cycle.
As of today, balances are the ledger's stored balances; as of another day they
are summed from the postings (slower, for reports of the past).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from groups.savings import queries, rules
from groups.savings.book import CODES
from groups.savings.models import (
    Cycle,
    Instalment,
    Loan,
    LoanEvent,
    Meeting,
    MeetingLine,
    Member,
    SavingsFund,
)
from ledger.accounts import AccountType
from ledger.entries import EntryStatus
from ledger.models import Account, Entry, Fund, PostingRow
from reports import fundfacts, kpis
from reports.flags import Flag, Thresholds, flags_of
from reports.kpis import Components, Kpis

#: Enough days back to hold the last four meetings of a monthly fund.
RECENT_DAYS = 130


@dataclass(frozen=True)
class FundStatus:
    """A fund's monitoring row: its KPIs, the sums behind them, and its flags."""

    fund_id: int
    name: str
    village: str
    facilitator: str
    unit: str
    as_of: date
    last_meeting: date | None
    components: Components
    kpis: Kpis
    flags: tuple[Flag, ...] = field(default=())


@dataclass
class _Fund:
    fund_id: int
    name: str
    village: str
    facilitator: str
    unit: str
    cycle: Cycle | None = None
    sums: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    savings_of: dict[int, int] = field(default_factory=dict)
    parts: dict[str, Any] = field(default_factory=dict)

    @property
    def start(self) -> date | None:
        return self.cycle.started_on if self.cycle else None


def fund_statuses(
    session: Session,
    fund_ids: Sequence[int] | None = None,
    as_of: date | None = None,
    thresholds: Thresholds | None = None,
) -> list[FundStatus]:
    """Return the KPIs and flags of the funds (default: all), as of a day (default: today)."""
    thresholds = thresholds or Thresholds()
    day = as_of or date.today()
    funds = _funds(session, fund_ids, day)
    if not funds:
        return []
    ids = list(funds)
    now = as_of is None or _nothing_posted_after(session, ids, as_of)
    _balances(session, funds, None if now else as_of)
    _assets_at_start(session, funds)
    _loans(session, funds, day, now)
    _repayment_rate(session, funds, day, thresholds.period_days)
    last_meetings = _meetings(session, funds, day, thresholds)
    _members(session, funds, day, thresholds.period_days)
    _cycle_loans(session, funds, day)
    statuses = []
    for fund_id in ids:
        fund = funds[fund_id]
        components = _components(fund, day)
        figures = kpis.kpis_of(components)
        statuses.append(
            FundStatus(
                fund_id,
                fund.name,
                fund.village,
                fund.facilitator,
                fund.unit,
                day,
                last_meetings.get(fund_id),
                components,
                figures,
                tuple(flags_of(components, figures, thresholds)),
            )
        )
    return statuses


def ranked(statuses: Sequence[FundStatus]) -> list[FundStatus]:
    """Return the funds most in need of a visit first: most flags, then highest PAR 30."""
    return sorted(statuses, key=lambda s: (-len(s.flags), -(s.kpis.par30 or 0), s.name, s.fund_id))


def period_start(cycle_start: date | None, day: date, period_days: int) -> date:
    """Return the start of the look-back period: its length back from the day, within the cycle."""
    back = day - timedelta(days=period_days)
    return max(back, cycle_start) if cycle_start else back


# -- the reads -----------------------------------------------------------------------------


def _nothing_posted_after(session: Session, fund_ids: list[int], day: date) -> bool:
    """Return True when no entry of the funds is dated after the day: stored balances hold."""
    query = select(func.max(Entry.date)).where(Entry.fund_id.in_(fund_ids))
    latest = session.scalar(query)
    return latest is None or latest <= day


def _funds(session: Session, fund_ids: Sequence[int] | None, day: date) -> dict[int, _Fund]:
    query = select(
        SavingsFund.fund_id,
        Fund.name,
        SavingsFund.village,
        SavingsFund.facilitator,
        SavingsFund.display_unit,
    ).join(Fund, Fund.id == SavingsFund.fund_id)
    if fund_ids is not None:
        query = query.where(SavingsFund.fund_id.in_(list(fund_ids)))
    funds = {row[0]: _Fund(*row) for row in session.execute(query.order_by(SavingsFund.fund_id))}
    cycles = select(Cycle).where(Cycle.fund_id.in_(list(funds)), Cycle.started_on <= day)
    for cycle in session.scalars(cycles.order_by(Cycle.fund_id, Cycle.number)):
        funds[cycle.fund_id].cycle = cycle  # the latest started on or before the day
    return funds


_ROLES = {CODES["cash"]: "cash", CODES["savings"]: "savings", CODES["loans"]: "loans"}
_ROLES |= {CODES["surplus"]: "surplus"}


def _balances(session: Session, funds: dict[int, _Fund], as_of: date | None) -> None:
    """Sum each fund's balances by role (on the normal side) and each member's savings."""
    columns = (Account.fund_id, Account.code, Account.type, Account.owner_id)
    if as_of is None:
        query = select(*columns, Account.balance).where(Account.fund_id.in_(list(funds)))
    else:
        net = func.sum(
            case((PostingRow.side == "debit", PostingRow.amount), else_=-PostingRow.amount)
        )
        query = (
            select(*columns, net)
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
    net = func.sum(case((PostingRow.side == "debit", PostingRow.amount), else_=-PostingRow.amount))
    query = (
        select(Entry.fund_id, net)
        .join(Cycle, Cycle.fund_id == Entry.fund_id)
        .join(PostingRow, PostingRow.entry_id == Entry.id)
        .join(Account, Account.id == PostingRow.account_id)
        .where(Cycle.id.in_(cycle_ids), Entry.date < Cycle.started_on)
        .where(Entry.status == EntryStatus.POSTED.value, Account.type == AccountType.ASSET.value)
        .group_by(Entry.fund_id)
    )
    for fund_id, amount in session.execute(query):
        funds[fund_id].parts["assets_start"] = int(amount or 0)


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
    held: dict[tuple[int, int], int] = defaultdict(int)
    for loan in loans:
        fund, position = funds[loan.fund_id], positions[loan.id]
        if kpis.is_par30(position):
            fund.sums["par30"] += position.principal_outstanding
        multiple = fund.cycle.constitution.get("loan_multiple", 3) if fund.cycle else 3
        if position.principal_outstanding > int(multiple) * fund.savings_of.get(loan.member_id, 0):
            fund.sums["over_cap"] += 1
        for g in loan.guarantees:
            pledge = rules.pledge_held(g.pledge, loan.principal, position.principal_outstanding)
            held[(loan.fund_id, g.guarantor_id)] += pledge
    for (fund_id, guarantor), amount in held.items():
        if amount > funds[fund_id].savings_of.get(guarantor, 0):
            funds[fund_id].sums["over_pledged"] += 1


def _repayment_rate(session: Session, funds: dict[int, _Fund], day: date, days: int) -> None:
    """Sum what fell due in each fund's period and what was paid by each due date."""
    starts = {f: period_start(fund.start, day, days) for f, fund in funds.items()}
    earliest = min(starts.values())
    due_loans = (
        select(Instalment.loan_id)
        .join(Loan, Loan.id == Instalment.loan_id)
        .join(Meeting, Meeting.id == Loan.meeting_id)
        .where(Loan.fund_id.in_(list(funds)), queries.CLOSED)
        .where(Instalment.due_on >= earliest, Instalment.due_on <= day)
        .distinct()
    )
    loan_fund = dict(
        session.execute(select(Loan.id, Loan.fund_id).where(Loan.id.in_(due_loans))).all()
    )
    if not loan_fund:
        return
    schedules, payments = fundfacts.schedules_and_payments(session, list(loan_fund))
    for loan_id, fund_id in loan_fund.items():
        amount_due, on_time = kpis.paid_on_time(
            schedules[loan_id], payments[loan_id], starts[fund_id], day
        )
        funds[fund_id].sums["due"] += amount_due
        funds[fund_id].sums["on_time"] += on_time


def _meetings(
    session: Session, funds: dict[int, _Fund], day: date, t: Thresholds
) -> dict[int, date]:
    """Attendance of the last 4 meetings, cash discrepancies, missed meetings; last meeting days."""
    since = min(
        day - timedelta(days=RECENT_DAYS),
        *(period_start(f.start, day, t.period_days) for f in funds.values()),
    )
    present = func.sum(case((MeetingLine.attendance.in_(("present", "late")), 1), else_=0))
    sheet = (
        select(MeetingLine.meeting_id, present, func.count())
        .group_by(MeetingLine.meeting_id)
        .subquery()
    )
    query = (
        select(Meeting, sheet.c[1], sheet.c[2])
        .outerjoin(sheet, sheet.c.meeting_id == Meeting.id)
        .where(Meeting.fund_id.in_(list(funds)), queries.CLOSED)
        .where(Meeting.date >= since, Meeting.date <= day)
        .order_by(Meeting.fund_id, Meeting.date)
    )
    by_fund: dict[int, list[tuple[Meeting, int, int]]] = defaultdict(list)
    for meeting, came, listed in session.execute(query):
        by_fund[meeting.fund_id].append((meeting, int(came or 0), int(listed or 0)))
    firsts = _first_meetings(session, funds)
    last_days = {}
    for fund_id, fund in funds.items():
        rows = by_fund.get(fund_id, [])
        regular = [(c, n) for m, c, n in rows if m.kind == "regular"]
        fund.parts["attendance"] = kpis.attendance_of(regular)
        start = period_start(fund.start, day, t.period_days)
        in_period = [m for m, _, _ in rows if m.date >= start]
        fund.sums["unexplained"] = sum(
            1
            for m in in_period
            if m.cash_difference is not None
            and abs(m.cash_difference) > t.cash_tolerance
            and not m.cash_explanation.strip()
        )
        if rows:
            last_days[fund_id] = rows[-1][0].date
            fund.sums["discrepancy"] = rows[-1][0].cash_difference or 0
        fund.sums["missed"] = _missed(fund, firsts.get(fund_id), start, day, in_period, t)
    return last_days


def _first_meetings(session: Session, funds: dict[int, _Fund]) -> dict[int, date]:
    cycle_ids = [f.cycle.id for f in funds.values() if f.cycle]
    query = (
        select(Meeting.fund_id, func.min(Meeting.date))
        .where(Meeting.cycle_id.in_(cycle_ids), queries.CLOSED)
        .group_by(Meeting.fund_id)
    )
    return {fund_id: first for fund_id, first in session.execute(query)}


def _missed(
    fund: _Fund,
    first: date | None,
    start: date,
    day: date,
    held: Sequence[Meeting],
    t: Thresholds,
) -> int:
    """Count the scheduled days from the cycle's first meeting on that had no meeting."""
    if fund.cycle is None or first is None:
        return 0
    c = queries.constitution_of(fund.cycle)
    scheduled = rules.meeting_dates(
        c.frequency, c.meeting_day, max(start, first), day - timedelta(days=t.meeting_grace_days)
    )
    return kpis.missed_meetings(scheduled, [m.date for m in held], t.meeting_grace_days)


def _members(session: Session, funds: dict[int, _Fund], day: date, days: int) -> None:
    query = select(Member.fund_id, Member.joined_on, Member.left_on).where(
        Member.fund_id.in_(list(funds))
    )
    for fund_id, joined, left in session.execute(query):
        fund = funds[fund_id]
        start = period_start(fund.start, day, days)
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


def _components(fund: _Fund, day: date) -> Components:
    s = fund.sums
    days = (day - fund.start).days if fund.start else 0
    profit = s["income"] - s["expense"]
    present, listed = fund.parts.get("attendance", (0, 0))
    # Total assets at the cycle's start: what a later cycle carried over (reinvested
    # savings, social fund); a first cycle starts empty or from its paper opening.
    assets_start = fund.parts.get("assets_start", 0)
    return Components(
        funds=1,
        active_members=s["active"],
        savings=s["savings"],
        loans_outstanding=s["loans"],
        cash=s["cash"],
        par30_principal=s["par30"],
        due_in_period=s["due"],
        paid_on_time=s["on_time"],
        attendance_present=present,
        attendance_sheet=listed,
        annual_gain=kpis.annualised(s["surplus"] + profit, days),
        annual_profit=kpis.annualised(profit, days),
        average_assets=Fraction(assets_start + s["asset"], 2),
        members_at_start=s["at_start"],
        left_in_period=s["left"],
        written_off=s["written_off"],
        disbursed=s["disbursed"],
        cash_discrepancy=s["discrepancy"],
        unexplained_discrepancies=s["unexplained"],
        missed_meetings=s["missed"],
        loans_over_cap=s["over_cap"],
        guarantors_over_pledged=s["over_pledged"],
    )


def kpis_document(
    session: Session,
    fund_ids: Sequence[int] | None = None,
    as_of: date | None = None,
    thresholds: Thresholds | None = None,
) -> dict[str, Any]:
    """Return the KPIs per fund (ranked), per facilitator and for the programme, as plain data.

    Ratios stay Fractions and days dates: the caller chooses how to write them (JSON).
    """
    statuses = ranked(fund_statuses(session, fund_ids, as_of, thresholds))
    by_facilitator: dict[str, list[Components]] = defaultdict(list)
    for status in statuses:
        by_facilitator[status.facilitator].append(status.components)
    programme = kpis.roll_up(s.components for s in statuses)
    return {
        "as_of": statuses[0].as_of if statuses else as_of or date.today(),
        "programme": _rolled(programme),
        "facilitators": {
            name: _rolled(kpis.roll_up(parts)) for name, parts in sorted(by_facilitator.items())
        },
        "funds": [
            {
                "fund_id": s.fund_id,
                "name": s.name,
                "facilitator": s.facilitator,
                "last_meeting": s.last_meeting,
                "flags": [f.code for f in s.flags],
                "kpis": dataclasses.asdict(s.kpis),
            }
            for s in statuses
        ],
    }


def _rolled(components: Components) -> dict[str, Any]:
    return {
        "funds": components.funds,
        "active_members": components.active_members,
        "kpis": dataclasses.asdict(kpis.kpis_of(components)),
    }
