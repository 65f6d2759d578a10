"""Early-warning flags: which funds need a visit, by thresholds set in configuration.

``Thresholds`` has the defaults of DOMAIN.md; the web app passes its config
(``Thresholds.from_mapping(app.config.get("SANDOGH_FLAGS", {}))``). A flag is raised
when PAR 30 is above its threshold, a cash discrepancy is left unexplained,
attendance is below its threshold, a scheduled meeting was missed, an open loan
is beyond the cap (principal outstanding above k × the borrower's savings), or a
guarantor has pledged more savings than she has.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from reports.kpis import Components, Kpis


@dataclass(frozen=True)
class Thresholds:
    """When a flag is raised; ratios as fractions (0.1 = 10 %)."""

    par30: Fraction = Fraction(1, 10)
    attendance: Fraction = Fraction(7, 10)
    #: A cash difference (rials, either way) up to this is not a discrepancy.
    cash_tolerance: int = 0
    #: A meeting held this many days from its scheduled day still counts as held.
    meeting_grace_days: int = 3
    #: The repayment rate and drop-out look back this many days (within the cycle).
    period_days: int = 91

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> Thresholds:
        """Return thresholds from configuration (numbers or strings like "0.1").

        Unknown keys raise ValueError.
        """
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = set(values) - set(fields)
        if unknown:
            raise ValueError(f"Unknown flag thresholds: {', '.join(sorted(unknown))}")
        parsed: dict[str, object] = {}
        for name, value in values.items():
            default = getattr(cls(), name)
            parsed[name] = (
                Fraction(str(value)) if isinstance(default, Fraction) else int(str(value))
            )
        return cls(**parsed)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Flag:
    """A reason to visit a fund."""

    code: str
    fa: str
    en: str


def flags_of(c: Components, k: Kpis, t: Thresholds) -> list[Flag]:
    """Return the flags a fund (its components and KPIs) raises under the thresholds."""
    flags = []
    if k.par30 is not None and k.par30 > t.par30:
        flags.append(Flag("par30", "وام‌های معوق بیش از حد (PAR 30)", "PAR 30 above threshold"))
    if c.unexplained_discrepancies:
        flags.append(Flag("cash", "اختلاف صندوق بی‌توضیح", "unexplained cash discrepancy"))
    if k.attendance is not None and k.attendance < t.attendance:
        flags.append(Flag("attendance", "حضور کم در جلسه‌ها", "low attendance"))
    if c.missed_meetings:
        flags.append(Flag("missed_meeting", "جلسهٔ برگزارنشده", "missed scheduled meeting"))
    if c.loans_over_cap:
        flags.append(Flag("loan_cap", "وام بیش از سقف", "loan beyond the cap"))
    if c.guarantors_over_pledged:
        flags.append(Flag("over_pledged", "ضامن با تعهد بیش از پس‌انداز", "guarantor over-pledged"))
    return flags
