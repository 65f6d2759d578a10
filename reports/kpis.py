"""Monitoring KPIs (DOMAIN.md's table): pure formulas over the sums that make them.

A fund's KPIs are computed from its ``Components`` — plain sums (rials, counts,
days) — so a roll-up per facilitator or for the programme adds the components
first and then divides: a programme's PAR 30 is Σ late principal ÷ Σ outstanding
principal, never an average of ratios. Ratios are ``Fraction`` (0.15 = 15 %), or
None when there is nothing to divide by (no loans, no meeting yet).

Definitions (period = [max(cycle start, as of − period days), as of]):
- savings per member = members' savings ÷ active members;
- loan-fund utilisation = loans outstanding ÷ (loans outstanding + loan-fund cash);
- PAR 30 = principal outstanding of loans with an instalment more than 30 days
  late ÷ all principal outstanding;
- repayment rate = principal and charges paid by each instalment's due date ÷
  principal and charges falling due in the period;
- attendance = Σ present (or late) ÷ Σ members on the sheet, over the last 4 meetings;
- return on savings = (equity − savings) ÷ savings × 365 ÷ days since the cycle
  started, where equity − savings = the retained surplus + income − expenses;
- return on assets = (income − expenses) ÷ average total assets × 365 ÷ days, the
  average being that of total assets at the cycle's start and as of the day;
- drop-out = members who left in the period ÷ members at its start;
- write-off ratio = principal written off ÷ principal disbursed, in the cycle;
- cash discrepancy = counted − expected cash at the last meeting.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

# The sums over loans and sheets are made in groups (stored per meeting); re-exported here.
from groups.savings.measures import LATE_DAYS, attendance_of, is_par30, paid_on_time

__all__ = ["LATE_DAYS", "attendance_of", "is_par30", "paid_on_time"]

DAYS_PER_YEAR = 365


@dataclass(frozen=True)
class Components:
    """The sums a fund's KPIs are made of; add them to roll funds up."""

    funds: int = 1
    active_members: int = 0
    savings: int = 0
    loans_outstanding: int = 0
    cash: int = 0
    par30_principal: int = 0
    due_in_period: int = 0
    paid_on_time: int = 0
    attendance_present: int = 0
    attendance_sheet: int = 0
    #: Equity − savings: retained surplus + income − expenses, annualised (× 365 ÷ days).
    annual_gain: Fraction = Fraction(0)
    #: Income − expenses of the cycle, annualised.
    annual_profit: Fraction = Fraction(0)
    average_assets: Fraction = Fraction(0)
    members_at_start: int = 0
    left_in_period: int = 0
    written_off: int = 0
    disbursed: int = 0
    cash_discrepancy: int = 0
    unexplained_discrepancies: int = 0
    missed_meetings: int = 0
    loans_over_cap: int = 0
    guarantors_over_pledged: int = 0

    def __add__(self, other: Components) -> Components:
        return Components(
            *(
                getattr(self, f.name) + getattr(other, f.name)
                for f in dataclasses.fields(Components)
            )
        )


def ratio(numerator: int | Fraction, denominator: int | Fraction) -> Fraction | None:
    """Return numerator ÷ denominator, or None when the denominator is zero."""
    return Fraction(numerator) / Fraction(denominator) if denominator else None


def annualised(amount: int, days: int) -> Fraction:
    """Return an amount earned over ``days`` scaled to a year (365 days); 0 for no days."""
    return Fraction(amount * DAYS_PER_YEAR, days) if days > 0 else Fraction(0)


@dataclass(frozen=True)
class Kpis:
    """The monitoring table of one fund, a facilitator's funds, or the programme."""

    savings_per_member: Fraction | None
    utilisation: Fraction | None
    par30: Fraction | None
    repayment_rate: Fraction | None
    attendance: Fraction | None
    return_on_savings: Fraction | None
    return_on_assets: Fraction | None
    dropout: Fraction | None
    write_off_ratio: Fraction | None
    cash_discrepancy: int


def kpis_of(c: Components) -> Kpis:
    """Return the KPIs of a fund (or of funds rolled up) from its components."""
    return Kpis(
        savings_per_member=ratio(c.savings, c.active_members),
        utilisation=ratio(c.loans_outstanding, c.loans_outstanding + c.cash),
        par30=ratio(c.par30_principal, c.loans_outstanding),
        repayment_rate=ratio(c.paid_on_time, c.due_in_period),
        attendance=ratio(c.attendance_present, c.attendance_sheet),
        return_on_savings=ratio(c.annual_gain, c.savings),
        return_on_assets=ratio(c.annual_profit, c.average_assets),
        dropout=ratio(c.left_in_period, c.members_at_start),
        write_off_ratio=ratio(c.written_off, c.disbursed),
        cash_discrepancy=c.cash_discrepancy,
    )


def roll_up(components: Iterable[Components]) -> Components:
    """Return the sum of funds' components (an empty roll-up has no fund)."""
    total = Components(funds=0)
    for c in components:
        total = total + c
    return total


# -- formulas over loans and meetings ------------------------------------------------------


def missed_meetings(scheduled: Sequence[date], held: Sequence[date], grace_days: int) -> int:
    """Return how many scheduled days had no meeting within ``grace_days`` either side."""
    return sum(1 for day in scheduled if not any(abs((h - day).days) <= grace_days for h in held))
