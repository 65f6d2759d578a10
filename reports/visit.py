"""A fund over time (savings, loans, PAR 30, attendance), its SVG charts, the visit report.

The series has a point per closed meeting of the cycle: members' savings and loans
outstanding from the ledger (the members' sub-accounts, summed by day), PAR 30
from the positions of the loans open that day, attendance from the meeting sheet.
Charts are SVG made on the server with pygal, so the same image shows on the
dashboard and prints in the visit report's PDF.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from groups import locale
from groups.savings import measures, queries, rules, visits
from groups.savings.chart import CODES
from groups.savings.models import MeetingLine
from reports import fundfacts, kpis
from reports.document import Column, Heading, Table
from reports.flags import Thresholds
from reports.monitoring import FundStatus, fund_statuses
from reports.render import FONT_FAMILY


@dataclass(frozen=True)
class Point:
    """A fund's figures after one meeting."""

    on: date
    savings: int
    loans_outstanding: int
    par30: Fraction | None
    attendance: Fraction | None


def time_series(session: Session, fund_id: int, end: date | None = None) -> list[Point]:
    """Return a point per closed meeting of the fund's cycle up to ``end`` (default: all)."""
    start, end = _period(session, fund_id, end)
    meetings = fundfacts.meetings_between(session, fund_id, start, end)
    savings = _sum_by_day(fundfacts.member_account_changes(session, fund_id, CODES["savings"], end))
    loans = _sum_by_day(fundfacts.member_account_changes(session, fund_id, CODES["loans"], end))
    all_loans = fundfacts.loans_until(session, fund_id, end)
    schedules, payments = measures.schedules_and_payments(session, [ln.id for ln in all_loans])
    written = fundfacts.statuses_on(session, [ln.id for ln in all_loans], end)
    attendance = _attendance(session, [m.id for m in meetings])
    points = []
    for meeting in meetings:
        late = outstanding = 0
        for loan in all_loans:
            if loan.disbursed_on > meeting.date or written[loan.id] == "written_off":
                continue
            position = rules.loan_position(
                tuple(schedules[loan.id]), payments[loan.id], 0, meeting.date
            )
            outstanding += position.principal_outstanding
            late += position.principal_outstanding if kpis.is_par30(position) else 0
        present, listed = attendance.get(meeting.id, (0, 0))
        points.append(
            Point(
                meeting.date,
                _running(savings, meeting.date),
                _running(loans, meeting.date),
                kpis.ratio(late, outstanding),
                kpis.ratio(present, listed),
            )
        )
    return points


def _period(session: Session, fund_id: int, end: date | None) -> tuple[date, date]:
    if end is None:
        last = queries.last_meeting(session, fund_id)
        end = last.date if last else date.today()
    info = fundfacts.fund_info(session, fund_id, end)
    return (info.cycle.started_on if info.cycle else info.founded_on), end


def _sum_by_day(changes: dict[int, list[tuple[date, int]]]) -> list[tuple[date, int]]:
    by_day: dict[date, int] = defaultdict(int)
    for member_changes in changes.values():
        for day, amount in member_changes:
            by_day[day] += amount
    return sorted(by_day.items())


def _running(changes: list[tuple[date, int]], day: date) -> int:
    return fundfacts.balance_on(changes, day)


def _attendance(session: Session, meeting_ids: list[int]) -> dict[int, tuple[int, int]]:
    present = func.sum(case((MeetingLine.attendance.in_(("present", "late")), 1), else_=0))
    query = (
        select(MeetingLine.meeting_id, present, func.count())
        .where(MeetingLine.meeting_id.in_(meeting_ids))
        .group_by(MeetingLine.meeting_id)
    )
    return {m: (int(p), int(n)) for m, p, n in session.execute(query)}


# -- charts --------------------------------------------------------------------------------


#: Axis label size inside the 520 px wide chart (≥ 12 px on a 360 px phone).
CHART_LABEL_PX = 20


def chart_svg(title: str, points: list[Point], values: list[float | None], percent: bool) -> str:
    """Return a line chart of one series over the meeting dates, as SVG text (pygal).

    The title stays out of the SVG (the page prints it): SVG text is not shaped
    right to left by PDF renderers, so Persian inside it would come out unjoined.
    """
    import pygal
    from pygal.style import Style

    style = Style(
        font_family=f"'{FONT_FAMILY}', sans-serif",
        background="white",
        plot_background="white",
        colors=("#2a6f97",),
        # The SVG is drawn 520 px wide and shown ~320 px wide on a phone: 20 px labels
        # read as ~12 px there (11 px ones were ~6 px).
        label_font_size=CHART_LABEL_PX,
        major_label_font_size=CHART_LABEL_PX,
    )
    chart = pygal.Line(
        style=style,
        width=520,
        height=300,
        show_legend=False,
        x_label_rotation=0,
        show_minor_x_labels=False,
        x_labels_major_every=max(1, -(-len(points) // 3)),
        dots_size=2,
        max_scale=6,
        range=(0, 100) if percent else None,
        value_formatter=(lambda v: locale.persian_digits(f"{v:.0f}٪"))
        if percent
        else (lambda v: locale.group_thousands(int(v))),
        truncate_label=-1,
    )
    chart.x_labels = [locale.to_jalali(p.on) for p in points]  # four-digit Jalali years
    chart.add(title, values)
    svg: bytes = chart.render()
    return svg.decode("utf-8")


def _percent(value: Fraction | None) -> float | None:
    return None if value is None else float(value) * 100


def charts(points: list[Point], unit: str) -> dict[str, str]:
    """Return the four charts of a fund (savings, loans, PAR 30, attendance) by Persian title."""
    scale = 10 if unit == "toman" else 1
    name = locale.unit_name(unit)
    return {
        f"پس‌انداز اعضا ({name})": chart_svg(
            "savings", points, [p.savings / scale for p in points], False
        ),
        f"مانده وام‌ها ({name})": chart_svg(
            "loans", points, [p.loans_outstanding / scale for p in points], False
        ),
        "PAR 30 (٪)": chart_svg("par30", points, [_percent(p.par30) for p in points], True),
        "حضور در جلسه (٪)": chart_svg(
            "attendance", points, [_percent(p.attendance) for p in points], True
        ),
    }


def data_uri(svg: str) -> str:
    """Return an SVG as a data: URI for an <img> (HTML and PDF alike)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# -- the visit report ----------------------------------------------------------------------

KPI_ROWS = (
    ("savings_per_member", "پس‌انداز سرانه", "savings per member", "money"),
    ("utilisation", "بهره‌برداری از صندوق وام", "loan-fund utilisation", "ratio"),
    ("par30", "PAR 30", "portfolio at risk > 30 days", "ratio"),
    ("repayment_rate", "نرخ بازپرداخت به‌موقع", "repayment rate", "ratio"),
    ("attendance", "حضور (۴ جلسهٔ آخر)", "attendance (last 4 meetings)", "ratio"),
    ("return_on_savings", "بازده پس‌انداز (سالانه)", "return on savings (annualised)", "ratio"),
    ("return_on_assets", "بازده دارایی (سالانه)", "return on assets (annualised)", "ratio"),
    ("dropout", "ترک عضویت", "drop-out", "ratio"),
    ("write_off_ratio", "نسبت وام سوخت‌شده", "write-off ratio", "ratio"),
    ("cash_discrepancy", "اختلاف صندوق (آخرین جلسه)", "cash discrepancy (last meeting)", "money"),
)


@dataclass(frozen=True)
class VisitReport:
    """A fund's KPIs, charts and flags, for the facilitator's visit."""

    heading: Heading
    status: FundStatus
    points: tuple[Point, ...]
    #: (title, data URI) of each chart.
    chart_uris: tuple[tuple[str, str], ...]
    #: The last visit recorded on or before the day: (day, by whom, notes), if any.
    last_visit: tuple[date, str, str] | None = None
    #: Actions agreed at visits and still open: (agreed on, action, who, due on).
    open_actions: tuple[tuple[date, str, str, date | None], ...] = ()
    #: Who signs the report: the facilitator and the fund's committee.
    signatures: tuple[str, ...] = ("تسهیلاتگر", "رئیس صندوق", "خزانه‌دار")
    template: str = "visit.html"

    def kpi_table(self) -> Table:
        """Return the monitoring table of the fund."""
        rows = []
        for key, fa, en, kind in KPI_ROWS:
            value = getattr(self.status.kpis, key)
            if kind == "money":
                value = self._money_text(key, round(value))
            rows.append((fa, en, value))
        columns = (
            Column("kpi", "شاخص", "indicator"),
            Column("en", "Indicator", "indicator (en)"),
            Column("value", "مقدار", "value", "ratio"),
        )
        return Table("kpis", "شاخص‌ها", "indicators", columns, tuple(rows))

    def _money_text(self, key: str, rials: int) -> str:
        """Return an amount of the indicator column in the fund's unit (a difference in words)."""
        if key == "cash_discrepancy":
            return locale.format_difference(rials, self.heading.unit)
        return locale.format_money(rials, self.heading.unit)

    def series_table(self) -> Table:
        """Return the series behind the charts, a row per meeting."""
        columns = (
            Column("on", "جلسه", "meeting", "date"),
            Column("savings", "پس‌انداز اعضا", "savings", "money"),
            Column("loans", "مانده وام‌ها", "loans outstanding", "money"),
            Column("par30", "PAR 30", "PAR 30", "ratio"),
            Column("attendance", "حضور", "attendance", "ratio"),
        )
        rows = tuple(
            (p.on, p.savings, p.loans_outstanding, p.par30, p.attendance) for p in self.points
        )
        return Table("series", "روند", "over time", columns, rows)

    def action_table(self) -> Table:
        """Return the actions agreed at earlier visits and still open."""
        columns = (
            Column("agreed_on", "تاریخ توافق", "agreed on", "date"),
            Column("action", "اقدام", "action"),
            Column("who", "مسئول", "who"),
            Column("due_on", "تا تاریخ", "due on", "date"),
        )
        return Table("actions", "اقدام‌های باز", "open actions", columns, self.open_actions)

    def tables(self) -> list[Table]:
        """Return the KPIs, the series and the open actions."""
        return [self.kpi_table(), self.series_table(), self.action_table()]


def visit_report(
    session: Session, fund_id: int, as_of: date | None = None, thresholds: Thresholds | None = None
) -> VisitReport:
    """Return the visit report of a fund as of a day (default: today)."""
    status = fund_statuses(session, [fund_id], as_of, thresholds)[0]
    points = time_series(session, fund_id, as_of)
    svgs = charts(points, status.unit)
    heading = Heading(
        "گزارش بازدید صندوق",
        "visit report",
        status.name,
        status.village,
        None,
        status.as_of,
        status.unit,
        facts=(("تسهیلاتگر", status.facilitator),) if status.facilitator else (),
    )
    day = status.as_of
    earlier = visits.visits_of(session, fund_id, day)
    last = (earlier[0].visited_on, earlier[0].visited_by, earlier[0].notes) if earlier else None
    actions = tuple(
        (a.visit.visited_on, a.action, a.who, a.due_on)
        for a in visits.open_actions(session, [fund_id]).get(fund_id, [])
        if a.visit.visited_on <= day
    )
    return VisitReport(
        heading,
        status,
        tuple(points),
        tuple((k, data_uri(v)) for k, v in svgs.items()),
        last,
        actions,
    )
