"""Meeting dates and instalment due dates: Gregorian weeks and months, or Jalali months (pure)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, WEEKLY, rrule

from groups import calendar
from groups.savings.errors import (
    LoanTermTooShort,
)
from groups.savings.rules.constitution import MeetingFrequency

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


def instalment_due_dates(
    disbursed_on: date, term_months: int, frequency: MeetingFrequency, meeting_day: int
) -> list[date]:
    """Return one due date a month: the first meeting on or after disbursement + i months.

    The dates are strictly increasing; fortnights count from the disbursement.
    """
    if term_months < 1:
        raise LoanTermTooShort(f"A loan needs a term of at least one month, got {term_months}")
    dues: list[date] = []
    for i in range(1, term_months + 1):
        target = months_after(disbursed_on, i, frequency)
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
