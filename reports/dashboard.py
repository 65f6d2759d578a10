"""The dashboard as a table: every fund shown, its flags and KPIs, for CSV and XLSX.

Pure over ``FundStatus`` values (``reports.monitoring``). Amounts are raw rials and
ratios raw fractions, as in every spreadsheet Sandogh writes (``reports.render``):
the spreadsheet carries exact figures; the screen rounds to each fund's unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from reports.document import Cell, Column, Table
from reports.monitoring import FundStatus
from reports.visit import KPI_ROWS

COLUMNS = (
    Column("fund", "صندوق", "fund"),
    Column("village", "محل", "village"),
    Column("facilitator", "تسهیلاتگر", "facilitator"),
    Column("last_meeting", "آخرین جلسه", "last meeting", "date"),
    Column("flags", "هشدارها", "flags"),
    Column("members", "اعضای فعال", "active members", "count"),
    *(
        Column(key, fa, en, "money" if kind == "money" else "ratio")
        for key, fa, en, kind in KPI_ROWS
    ),
)


def dashboard_table(statuses: Sequence[FundStatus]) -> Table:
    """Return a row per fund, in the order given (most in need of a visit first)."""
    return Table(
        "dashboard", "داشبورد صندوق‌ها", "funds dashboard", COLUMNS, tuple(map(_row, statuses))
    )


def _row(status: FundStatus) -> tuple[Cell, ...]:
    flags = "؛ ".join(flag.fa for flag in status.flags)
    kpis: list[Cell] = []
    for key, _fa, _en, kind in KPI_ROWS:
        value = getattr(status.kpis, key)
        if kind == "money" and isinstance(value, Fraction | int):
            value = round(value)
        kpis.append(value)
    return (
        status.name,
        status.village,
        status.facilitator,
        status.last_meeting,
        flags,
        status.components.active_members,
        *kpis,
    )
