"""The facilitator's dashboard: every fund's KPIs and flags as of a day, read from stored sums.

Fast by design: each fund's monitoring sums (``groups.savings.measures.Measures``) are
stored at each of its meetings (``groups.savings.snapshots``), so the dashboard reads
the latest snapshot on or before the day of every fund in one indexed query,
instead of recomputing a year of loans, payments and sheets. The KPIs are those of
the fund's last meeting on or before the day (the books change only at meetings);
what can change without a meeting is worked out live from stored dates, in one
more query: a scheduled meeting that did not happen, and cash differences left
unexplained in the period (their tolerance is configuration).

``computed_statuses`` computes the same from the books (``measures.measure``); it is
used when the configured look-back period differs from the stored one, and by the
tests that hold the stored path equal to a from-scratch computation.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups.savings import queries, rules
from groups.savings.measures import PERIOD_DAYS, Measures, measure, period_start
from groups.savings.models import Cycle, Meeting, SavingsFund
from groups.savings.snapshots import FundSnapshot, refresh_snapshots
from ledger.models import Fund
from reports import kpis
from reports.flags import Flag, Thresholds, flags_of
from reports.kpis import Components, Kpis


@dataclass(frozen=True)
class FundStatus:
    """A fund's monitoring row: its KPIs, the sums behind them, and its flags."""

    fund_id: int
    name: str
    village: str
    facilitator: str
    unit: str
    as_of: date
    #: The day of the fund's last meeting on or before ``as_of``: its KPIs hold as of then.
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


def fund_statuses(
    session: Session,
    fund_ids: Sequence[int] | None = None,
    as_of: date | None = None,
    thresholds: Thresholds | None = None,
) -> list[FundStatus]:
    """Return the KPIs and flags of the funds (default: all), as of a day (default: today).

    Stores the snapshots its funds' meetings still lack (``refresh_snapshots``: the
    caller commits them), then reads the latest of each fund in one query; with a
    look-back period other than the stored one, computes from the books instead.
    """
    thresholds = thresholds or Thresholds()
    if thresholds.period_days != PERIOD_DAYS:
        return computed_statuses(session, fund_ids, as_of, thresholds)
    day = as_of or date.today()
    funds = _funds(session, fund_ids, day)
    refresh_snapshots(session, list(funds), day)
    return _statuses(session, funds, stored_measures(session, list(funds), day), day, thresholds)


def computed_statuses(
    session: Session,
    fund_ids: Sequence[int] | None = None,
    as_of: date | None = None,
    thresholds: Thresholds | None = None,
) -> list[FundStatus]:
    """Return what ``fund_statuses`` does, computed from the books as of each last meeting."""
    thresholds = thresholds or Thresholds()
    day = as_of or date.today()
    funds = _funds(session, fund_ids, day)
    last = _last_meeting_days(session, list(funds), day)
    by_day: dict[date, list[int]] = defaultdict(list)
    for fund_id, on in last.items():
        by_day[on].append(fund_id)
    measured: dict[int, tuple[date, Measures]] = {}
    for on, ids in by_day.items():
        for fund_id, measures in measure(session, ids, on).items():
            measured[fund_id] = (on, measures)
    return _statuses(session, funds, measured, day, thresholds)


def ranked(statuses: Sequence[FundStatus]) -> list[FundStatus]:
    """Return the funds most in need of a visit first: most flags, then highest PAR 30."""
    return sorted(statuses, key=lambda s: (-len(s.flags), -(s.kpis.par30 or 0), s.name, s.fund_id))


def components_of(measures: Measures, unexplained: int = 0, missed: int = 0) -> Components:
    """Return the KPI components of stored (or computed) sums and the live counts."""
    m = measures
    return Components(
        funds=1,
        active_members=m.active_members,
        savings=m.savings,
        loans_outstanding=m.loans_outstanding,
        cash=m.cash,
        par30_principal=m.par30_principal,
        due_in_period=m.due_in_period,
        paid_on_time=m.paid_on_time,
        attendance_present=m.attendance_present,
        attendance_sheet=m.attendance_sheet,
        annual_gain=kpis.annualised(m.gain, m.days),
        annual_profit=kpis.annualised(m.profit, m.days),
        average_assets=Fraction(m.assets_start + m.assets, 2),
        members_at_start=m.members_at_start,
        left_in_period=m.left_in_period,
        written_off=m.written_off,
        disbursed=m.disbursed,
        cash_discrepancy=m.cash_discrepancy,
        unexplained_discrepancies=unexplained,
        missed_meetings=missed,
        loans_over_cap=m.loans_over_cap,
        guarantors_over_pledged=m.guarantors_over_pledged,
    )


# -- the reads -----------------------------------------------------------------------------


def stored_measures(
    session: Session, fund_ids: list[int], day: date
) -> dict[int, tuple[date, Measures]]:
    """Return each fund's latest snapshot on or before the day (its date and sums), one query."""
    rank = (
        func.row_number()
        .over(
            partition_by=FundSnapshot.fund_id,
            order_by=(FundSnapshot.date.desc(), FundSnapshot.meeting_id.desc()),
        )
        .label("rank")
    )
    latest = (
        select(FundSnapshot.id, rank)
        .where(FundSnapshot.fund_id.in_(fund_ids), FundSnapshot.date <= day)
        .subquery()
    )
    query = select(FundSnapshot).join(latest, latest.c.id == FundSnapshot.id)
    snapshots = session.scalars(query.where(latest.c.rank == 1))
    return {s.fund_id: (s.date, s.measures()) for s in snapshots}


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


def _last_meeting_days(session: Session, fund_ids: list[int], day: date) -> dict[int, date]:
    query = (
        select(Meeting.fund_id, func.max(Meeting.date))
        .where(Meeting.fund_id.in_(fund_ids), queries.CLOSED, Meeting.date <= day)
        .group_by(Meeting.fund_id)
    )
    return {fund_id: on for fund_id, on in session.execute(query)}


def _statuses(
    session: Session,
    funds: Mapping[int, _Fund],
    measured: Mapping[int, tuple[date, Measures]],
    day: date,
    t: Thresholds,
) -> list[FundStatus]:
    live = _live_counts(session, funds, day, t)
    statuses = []
    for fund_id, fund in funds.items():
        last, measures = measured.get(fund_id, (None, Measures()))
        components = components_of(measures, *live.get(fund_id, (0, 0)))
        figures = kpis.kpis_of(components)
        flags = tuple(flags_of(components, figures, t))
        statuses.append(
            FundStatus(
                fund_id,
                fund.name,
                fund.village,
                fund.facilitator,
                fund.unit,
                day,
                last,
                components,
                figures,
                flags,
            )
        )
    return statuses


def _live_counts(
    session: Session, funds: Mapping[int, _Fund], day: date, t: Thresholds
) -> dict[int, tuple[int, int]]:
    """Return (unexplained cash differences in the period, missed meetings) of each fund.

    One query for the closed meetings of every fund's cycle in its period; a meeting
    missed is a scheduled day since the cycle's first meeting with no meeting near it.
    """
    cycles = {f.cycle.id: f for f in funds.values() if f.cycle}
    if not cycles:
        return {}
    starts = {
        f.fund_id: period_start(f.cycle.started_on, day, t.period_days)
        for f in cycles.values()
        if f.cycle
    }
    query = (
        select(Meeting.fund_id, Meeting.date, Meeting.cash_counted, Meeting.cash_expected)
        .add_columns(Meeting.cash_explanation, Meeting.cycle_id)
        .where(Meeting.cycle_id.in_(list(cycles)), queries.CLOSED, Meeting.date <= day)
        .order_by(Meeting.fund_id, Meeting.date)
    )
    held: dict[int, list[date]] = defaultdict(list)
    first: dict[int, date] = {}
    unexplained: dict[int, int] = defaultdict(int)
    for fund_id, on, counted, expected, explanation, _ in session.execute(query):
        first.setdefault(fund_id, on)
        if on < starts[fund_id]:
            continue
        held[fund_id].append(on)
        difference = 0 if counted is None else counted - expected
        if abs(difference) > t.cash_tolerance and not explanation.strip():
            unexplained[fund_id] += 1
    counts = {}
    for fund in cycles.values():
        fund_id = fund.fund_id
        missed = _missed(fund, first.get(fund_id), starts[fund_id], day, held[fund_id], t)
        counts[fund_id] = (unexplained[fund_id], missed)
    return counts


def _missed(
    fund: _Fund, first: date | None, start: date, day: date, held: Sequence[date], t: Thresholds
) -> int:
    """Count the scheduled days from the cycle's first meeting on that had no meeting."""
    if fund.cycle is None or first is None:
        return 0
    c = queries.constitution_of(fund.cycle)
    until = day - timedelta(days=t.meeting_grace_days)
    # The schedule counts from the first meeting (fortnights fall on its weeks), then only
    # the days of the look-back period are asked about.
    scheduled = [
        d for d in rules.meeting_dates(c.frequency, c.meeting_day, first, until) if d >= start
    ]
    return kpis.missed_meetings(scheduled, held, t.meeting_grace_days)


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
