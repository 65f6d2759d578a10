"""The facilitator's dashboard and a fund's monitoring page (charts, KPIs, flags, visit report).

The dashboard ranks the funds the user may see (admin/viewer: all; facilitator:
hers; treasurer: her fund) by their flags, with every KPI, as of a day (Jalali,
default today), and rolls the KPIs up per facilitator and for all the funds shown.
Thresholds come from the app's ``SANDOGH_FLAGS`` configuration.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from flask import current_app, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from groups.savings.snapshots import refresh_snapshots
from reports import kpis, render
from reports.flags import Thresholds
from reports.kpis import Kpis
from reports.monitoring import FundStatus, fund_statuses, ranked
from reports.persian import to_jalali
from web import formatting
from web.access import roles_required, visible_fund, visible_fund_ids
from web.concurrency import apart
from web.extensions import db
from web.funds.routes import FUND_READERS
from web.reports.blueprint import bp
from web.reports.cells import percent
from web.reports.documents import FORMAT, typed_day
from web.reports.download import FORMATS, attachment

#: The KPI columns: (Kpis field, label, kind).
KPI_COLUMNS = (
    ("savings_per_member", _l("Savings per member"), "money"),
    ("utilisation", _l("Loan fund in use"), "ratio"),
    ("par30", _l("PAR 30"), "ratio"),
    ("repayment_rate", _l("Repaid on time"), "ratio"),
    ("attendance", _l("Attendance"), "ratio"),
    ("return_on_savings", _l("Return on savings (yearly)"), "ratio"),
    ("return_on_assets", _l("Return on assets (yearly)"), "ratio"),
    ("dropout", _l("Drop-out"), "ratio"),
    ("write_off_ratio", _l("Written off"), "ratio"),
    ("cash_discrepancy", _l("Cash difference"), "money"),
)
#: Chart titles, in the order of ``reports.visit.charts``.
CHART_TITLES = (
    _l("Members' savings"),
    _l("Loans outstanding"),
    _l("PAR 30 (%)"),
    _l("Attendance (%)"),
)


@dataclass(frozen=True)
class RollUp:
    """KPIs of several funds together: a facilitator's, or all those shown."""

    name: str
    funds: int
    members: int
    kpis: Kpis


def thresholds() -> Thresholds:
    """Return the flag thresholds of the app's configuration (``SANDOGH_FLAGS``)."""
    return Thresholds.from_mapping(current_app.config.get("SANDOGH_FLAGS", {}))


def kpi_text(value: Fraction | int | None, kind: str, unit: str = "rial") -> str:
    """Return a KPI in the UI's language: a percentage, or an amount in the unit; — for none."""
    if value is None:
        return "—"
    if kind == "ratio":
        return percent(Fraction(value))
    return formatting.money(round(value), unit)


def roll_ups(statuses: Sequence[FundStatus], everyone: str) -> list[RollUp]:
    """Return the roll-up of all the funds, then one per facilitator (by name)."""
    groups: dict[str, list[kpis.Components]] = defaultdict(list)
    for status in statuses:
        groups[status.facilitator].append(status.components)
    rows = [(everyone, [s.components for s in statuses])]
    rows += sorted(groups.items()) if len(groups) > 1 else []
    result = []
    for name, parts in rows:
        total = kpis.roll_up(parts)
        result.append(RollUp(name, total.funds, total.active_members, kpis.kpis_of(total)))
    return result


def as_of_day() -> tuple[date, list[str]]:
    """Return the day asked for (``as_of``, Jalali), default today, and what is wrong with it."""
    day, error = typed_day("as_of")
    return day or today(), [error] if error else []


def today() -> date:
    """Return the day monitoring looks at by default: today (the demo's own day in the demo)."""
    configured: date | None = current_app.config.get("SANDOGH_TODAY")
    return configured or date.today()


def store_snapshots(fund_ids: Sequence[int] | None, day: date) -> None:
    """Measure the meetings not measured yet, in a short writer transaction of their own.

    The page then only reads (its own ``refresh_snapshots`` finds nothing left to store):
    a GET never writes in its own transaction, so it never collides with a meeting.
    Tests run every request on one connection: there the snapshots go in that one.
    """
    if current_app.testing:
        refresh_snapshots(db.session(), fund_ids, day)
        return
    apart(lambda session: refresh_snapshots(session, fund_ids, day))
    db.session.rollback()  # end the page's read transaction: the next one sees them (SQLite)


@bp.get("/dashboard")
@roles_required(*FUND_READERS)
def dashboard() -> ResponseReturnValue:
    """The funds the user looks after, those most in need of a visit first, with their KPIs."""
    day, errors = as_of_day()
    fund_ids = visible_fund_ids()
    store_snapshots(fund_ids, day)
    statuses = ranked(fund_statuses(db.session(), fund_ids, day, thresholds()))
    return render_template(
        "reports/dashboard.html",
        statuses=statuses,
        roll_ups=roll_ups(statuses, str(_l("All funds shown"))),
        columns=KPI_COLUMNS,
        kpi_text=kpi_text,
        as_of=day,
        errors=errors,
        flagged=sum(1 for s in statuses if s.flags),
        # Roll-ups show amounts in the funds' unit when they all share one.
        roll_up_unit=statuses[0].unit if len({s.unit for s in statuses}) == 1 else "rial",
    )


@bp.get("/funds/<int:fund_id>/monitoring")
@bp.get(f"/funds/<int:fund_id>/monitoring.{FORMAT}")
@roles_required(*FUND_READERS)
def monitoring(fund_id: int, fmt: str | None = None) -> ResponseReturnValue:
    """A fund's KPIs, flags and charts over time; as a file, its visit report."""
    from reports.visit import visit_report

    fund = visible_fund(fund_id)
    day, errors = as_of_day()
    store_snapshots([fund_id], day)
    report = visit_report(db.session(), fund_id, day, thresholds())
    if fmt is not None:
        name = f"گزارش بازدید - {fund.fund.name} - {to_jalali(day, persian=False)}"
        return attachment(render.render(report, fmt), fmt, name, f"visit-{fund_id}-{day}")
    day_text = to_jalali(day, persian=False)
    return render_template(
        "reports/monitoring.html",
        fund=fund,
        report=report,
        status=report.status,
        charts=list(zip(CHART_TITLES, (uri for _title, uri in report.chart_uris), strict=True)),
        columns=KPI_COLUMNS,
        kpi_text=kpi_text,
        as_of=day,
        errors=errors,
        links={f: url_for(".monitoring", fund_id=fund_id, fmt=f, as_of=day_text) for f in FORMATS},
    )
