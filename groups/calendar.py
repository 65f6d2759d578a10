"""The Jalali (Persian solar) calendar: the one module that knows persiantools.

Invariants:
- Stored dates are Gregorian ``datetime.date``; a Jalali date is a plain
  ``(year, month, day)`` tuple of ints and exists only at the edges.
- ``from_jalali`` refuses dates that do not exist (1404/12/30 raises ValueError);
  ``jalali_month_day`` and ``add_jalali_months`` clamp the day to the month's
  last day instead (day 31 in months 7–12 becomes 30; Esfand 30 becomes 29 in
  a common year), so "the 31st of every month" is always a real date.
- Months 1–6 have 31 days, 7–11 have 30, Esfand (12) has 29, or 30 in a leap year.
"""

from __future__ import annotations

from datetime import date, timedelta

from persiantools.jdatetime import JalaliDate

JalaliTuple = tuple[int, int, int]


def to_jalali(day: date) -> JalaliTuple:
    """Return the Jalali (year, month, day) of a Gregorian date."""
    jalali = JalaliDate(day)  # type: ignore[no-untyped-call]
    return jalali.year, jalali.month, jalali.day


def from_jalali(year: int, month: int, day: int) -> date:
    """Return the Gregorian date of a Jalali date; raise ValueError if it does not exist."""
    gregorian: date = JalaliDate(year, month, day).to_gregorian()  # type: ignore[no-untyped-call]
    return gregorian


def is_jalali_leap(year: int) -> bool:
    """Return whether a Jalali year has 30 days in Esfand."""
    return bool(JalaliDate.is_leap(year))


def jalali_month_length(year: int, month: int) -> int:
    """Return the number of days of a Jalali month (29–31)."""
    _check_month(month)
    return int(JalaliDate.days_in_month(month, year))


def jalali_month_day(year: int, month: int, day: int) -> date:
    """Return the Gregorian date of a Jalali day of a month, clamped to the month's last day."""
    if day < 1:
        raise ValueError(f"Day of month must be at least 1, got {day}")
    return from_jalali(year, month, min(day, jalali_month_length(year, month)))


def shift_jalali_month(year: int, month: int, months: int) -> tuple[int, int]:
    """Return the Jalali (year, month) ``months`` months after (or before) the given one."""
    _check_month(month)
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def add_jalali_months(day: date, months: int) -> date:
    """Return the date ``months`` Jalali months later (or earlier) on the same day, clamped."""
    year, month, jday = to_jalali(day)
    new_year, new_month = shift_jalali_month(year, month, months)
    return jalali_month_day(new_year, new_month, jday)


def jalali_month_bounds(year: int, month: int) -> tuple[date, date]:
    """Return the Gregorian first and last days of a Jalali month."""
    first = from_jalali(year, month, 1)
    return first, first + timedelta(days=jalali_month_length(year, month) - 1)


def _check_month(month: int) -> None:
    """Raise ValueError unless the month is 1–12."""
    if not 1 <= month <= 12:
        raise ValueError(f"Month must be in 1..12, got {month}")
