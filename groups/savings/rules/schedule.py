"""Meeting dates and instalment due dates: Gregorian weeks and months, or Jalali months (pure)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, WEEKLY, rrule

from groups import calendar
from groups.savings.errors import (
    LoanTermTooShort,
    NegativeAmount,
)
from groups.savings.rules.constitution import ChargeMethod, Constitution, MeetingFrequency
from groups.savings.rules.loans import Instalment, loan_schedule

# -- meeting calendar ----------------------------------------------------------------------


def _next_weekday(weekday: int, day: date) -> date:
    """Return the first date on or after ``day`` that falls on ``weekday`` (0 = Monday)."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _gregorian_dates(
    frequency: MeetingFrequency, meeting_day: int, start: date, until: date
) -> list[date]:
    """Return the weekly, fortnightly or Gregorian-monthly meeting dates in [start, until]."""
    end = datetime.combine(until, datetime.min.time())
    if frequency == MeetingFrequency.MONTHLY:
        # The latest existing day among 28…meeting_day: day 31 is clamped to the month's end.
        days = tuple(range(min(meeting_day, 28), meeting_day + 1))
        first = datetime.combine(start, datetime.min.time())
        rule = rrule(MONTHLY, bymonthday=days, bysetpos=-1, dtstart=first, until=end)
    else:
        first = datetime.combine(_next_weekday(meeting_day, start), datetime.min.time())
        interval = 2 if frequency == MeetingFrequency.FORTNIGHTLY else 1
        rule = rrule(WEEKLY, interval=interval, dtstart=first, until=end)
    return [moment.date() for moment in rule]


def _jalali_monthly_dates(meeting_day: int, start: date, until: date) -> list[date]:
    """Return the Jalali-monthly meeting dates in [start, until], day clamped to month end."""
    year, month, _ = calendar.to_jalali(start)
    dates = []
    while (day := calendar.jalali_month_day(year, month, meeting_day)) <= until:
        if day >= start:
            dates.append(day)
        year, month = calendar.shift_jalali_month(year, month, 1)
    return dates


def meeting_dates(
    frequency: MeetingFrequency, meeting_day: int, start: date, until: date
) -> list[date]:
    """Return the scheduled meeting dates in [start, until]; fortnights count from the first."""
    if until < start:
        return []
    if frequency == MeetingFrequency.JALALI_MONTHLY:
        return _jalali_monthly_dates(meeting_day, start, until)
    return _gregorian_dates(MeetingFrequency(frequency), meeting_day, start, until)


def next_meeting_on_or_after(
    frequency: MeetingFrequency, meeting_day: int, day: date, anchor: date | None = None
) -> date:
    """Return the first scheduled meeting on or after ``day``.

    Fortnightly meetings fall every 14 days from the first meeting on or after
    ``anchor`` (default: ``day`` itself, i.e. the next meeting weekday).
    """
    if frequency == MeetingFrequency.FORTNIGHTLY:
        first = _next_weekday(meeting_day, anchor or day)
        fortnights = -(-(day - first).days // 14)
        return first + timedelta(days=14 * fortnights)
    if frequency == MeetingFrequency.WEEKLY:
        return _next_weekday(meeting_day, day)
    return meeting_dates(frequency, meeting_day, day, day + timedelta(days=62))[0]


def months_after(day: date, months: int, frequency: MeetingFrequency) -> date:
    """Return the same day ``months`` months later: Jalali months for Jalali-monthly funds."""
    if frequency == MeetingFrequency.JALALI_MONTHLY:
        return calendar.add_jalali_months(day, months)
    moved: date = day + relativedelta(months=months)
    return moved


def grace_end(
    disbursed_on: date, grace_meetings: int, frequency: MeetingFrequency, meeting_day: int
) -> date:
    """Return the day a loan's grace ends: the ``grace_meetings``-th meeting after it was
    made (the day it was made when there is no grace)."""
    day = disbursed_on
    for _ in range(grace_meetings):
        day = next_meeting_on_or_after(
            frequency, meeting_day, day + timedelta(days=1), disbursed_on
        )
    return day


def instalment_due_dates(
    disbursed_on: date,
    term_months: int,
    frequency: MeetingFrequency,
    meeting_day: int,
    grace_meetings: int = 0,
) -> list[date]:
    """Return one due date a month: the first meeting on or after the start + i months.

    The schedule starts when the loan is made, or after ``grace_meetings`` meetings of
    grace (``grace_end``). The dates are strictly increasing; fortnights count from the
    disbursement.
    """
    if term_months < 1:
        raise LoanTermTooShort(f"A loan needs a term of at least one month, got {term_months}")
    start = grace_end(disbursed_on, grace_meetings, frequency, meeting_day)
    dues: list[date] = []
    for i in range(1, term_months + 1):
        target = months_after(start, i, frequency)
        if dues:
            target = max(target, dues[-1] + timedelta(days=1))
        dues.append(next_meeting_on_or_after(frequency, meeting_day, target, disbursed_on))
    return dues


def voiding_day(meeting_day: date, closed_through: date | None) -> date:
    """Return the day a reopened meeting's reversals are dated: the meeting's own day.

    Dated so, the meeting and its reversal cancel on one day and no reading of any day
    counts the voided version. Only when the books are closed through that day (a
    closed period takes no entry) is it the first open day after.
    """
    if closed_through is None or closed_through < meeting_day:
        return meeting_day
    return closed_through + timedelta(days=1)


def loan_instalments(
    constitution: Constitution,
    principal: int,
    made_on: date,
    term_months: int,
    *,
    method: ChargeMethod | None = None,
    grace_meetings: int | None = None,
    rate: Decimal | None = None,
    flat_base: int | None = None,
) -> tuple[Instalment, ...]:
    """Return a loan's schedule under a constitution: due dates after its grace, charges
    of its method (or ``method``) at its rate (or ``rate``), instalments in multiples of
    its unit."""
    c = constitution
    grace = c.grace_meetings if grace_meetings is None else grace_meetings
    due = instalment_due_dates(made_on, term_months, c.frequency, c.meeting_day, grace)
    charge_rate = c.charge_rate if rate is None else rate
    method = method or c.charge_method
    return loan_schedule(principal, method, charge_rate, due, c.instalment_unit, flat_base)


def paper_loan_instalments(
    constitution: Constitution, loan: PaperLoan, opening_day: date
) -> tuple[Instalment, ...]:
    """Return the schedule of a loan from paper, from the fund's opening day.

    What was overdue on paper (principal in arrears, charges unpaid) is one instalment
    due on the opening day; the rest of the principal runs over the remaining months
    from the opening (its grace long past) at the loan's own rate, a flat charge on the
    principal as lent; an upfront fee was paid when the loan was made, so none is due.
    """
    loan.check()
    behind: tuple[Instalment, ...] = ()
    if loan.arrears or loan.charges_unpaid:
        behind = (Instalment(1, opening_day, loan.arrears, loan.charges_unpaid),)
    if loan.remaining == loan.arrears:
        return behind
    method = constitution.charge_method
    if method is ChargeMethod.UPFRONT_FEE:
        method = ChargeMethod.NONE
    rest = loan_instalments(
        constitution,
        loan.remaining - loan.arrears,
        opening_day,
        loan.term_remaining,
        method=method,
        grace_meetings=0,
        rate=loan.rate,
        flat_base=loan.principal,
    )
    return behind + tuple(replace(i, number=i.number + len(behind)) for i in rest)


@dataclass(frozen=True)
class PaperLoan:
    """An open loan as the paper notebook has it when the fund comes into the books."""

    #: Principal not yet repaid (arrears included).
    remaining: int
    term_remaining: int
    #: The principal as it was lent (None: the notebook does not say; what remains).
    principal: int | None = None
    #: The loan's own monthly rate (None: the constitution's).
    rate: Decimal | None = None
    arrears: int = 0
    charges_unpaid: int = 0
    penalties: int = 0

    def check(self) -> None:
        """Raise NegativeAmount (or LoanTermTooShort) unless the figures fit together."""
        if self.remaining <= 0:
            raise NegativeAmount("An open loan's remaining principal must be positive")
        if min(self.arrears, self.charges_unpaid, self.penalties) < 0:
            raise NegativeAmount(
                "A loan's arrears, unpaid charges and penalties are never negative"
            )
        if self.arrears > self.remaining:
            raise NegativeAmount(
                f"Arrears of {self.arrears} exceed the {self.remaining} that remains of the loan"
            )
        if self.principal is not None and self.principal < self.remaining:
            raise NegativeAmount(
                f"A loan lent {self.principal} cannot have {self.remaining} of it remaining"
            )
        if self.rate is not None and not 0 <= self.rate < 1:
            raise NegativeAmount(f"A loan's monthly rate must be in [0, 1), got {self.rate}")
        if self.term_remaining < 1 and self.remaining > self.arrears:
            raise LoanTermTooShort("What remains of a loan needs at least one month to run")
