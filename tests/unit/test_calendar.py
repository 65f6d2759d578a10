"""The Jalali calendar: exact conversions, refused non-dates, and clamped month arithmetic."""

from __future__ import annotations

from datetime import date, timedelta

import jdatetime
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groups.calendar import (
    add_jalali_months,
    from_jalali,
    is_jalali_leap,
    jalali_month_bounds,
    jalali_month_day,
    jalali_month_length,
    shift_jalali_month,
    to_jalali,
)

PROPERTY = settings(deadline=None)

#: The test dates of PERSIAN.md, checked against more than one library there.
KNOWN_DATES = [
    ((1399, 12, 30), date(2021, 3, 20)),
    ((1403, 12, 30), date(2025, 3, 20)),
    ((1404, 1, 1), date(2025, 3, 21)),
    ((1408, 12, 30), date(2030, 3, 20)),
    ((1393, 4, 11), date(2014, 7, 2)),
]

#: Gregorian days of Jalali years 1300–1499, where persiantools is exact.
gregorian_days = st.dates(min_value=date(1921, 3, 21), max_value=date(2121, 3, 20))


@pytest.mark.parametrize(("jalali", "gregorian"), KNOWN_DATES)
def test_known_dates_convert_both_ways(jalali: tuple[int, int, int], gregorian: date) -> None:
    assert to_jalali(gregorian) == jalali
    assert from_jalali(*jalali) == gregorian


@pytest.mark.parametrize("jalali", [(1404, 12, 30), (1404, 7, 31), (1404, 13, 1), (1404, 0, 1)])
def test_a_day_that_does_not_exist_is_refused(jalali: tuple[int, int, int]) -> None:
    with pytest.raises(ValueError):
        from_jalali(*jalali)


def test_month_lengths_follow_the_calendar() -> None:
    assert [jalali_month_length(1404, m) for m in range(1, 13)] == [31] * 6 + [30] * 5 + [29]
    assert jalali_month_length(1403, 12) == 30
    assert is_jalali_leap(1403) and not is_jalali_leap(1404)


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ((1404, 1, 31), (1404, 1, 31)),
        ((1404, 7, 31), (1404, 7, 30)),
        ((1404, 12, 30), (1404, 12, 29)),
        ((1404, 12, 31), (1404, 12, 29)),
        ((1403, 12, 31), (1403, 12, 30)),
        ((1404, 5, 15), (1404, 5, 15)),
    ],
)
def test_a_day_of_the_month_is_clamped_to_its_last_day(
    asked: tuple[int, int, int], expected: tuple[int, int, int]
) -> None:
    assert jalali_month_day(*asked) == from_jalali(*expected)


@pytest.mark.parametrize("asked", [(1404, 1, 0), (1404, 13, 1), (1404, 0, 10)])
def test_a_day_of_the_month_outside_any_month_is_refused(asked: tuple[int, int, int]) -> None:
    with pytest.raises(ValueError):
        jalali_month_day(*asked)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ((1403, 6, 31), 1, (1403, 7, 30)),
        ((1403, 11, 30), 1, (1403, 12, 30)),
        ((1403, 12, 30), 12, (1404, 12, 29)),
        ((1404, 1, 15), -1, (1403, 12, 15)),
        ((1404, 10, 10), 3, (1405, 1, 10)),
        ((1404, 2, 5), 0, (1404, 2, 5)),
    ],
)
def test_adding_jalali_months_keeps_the_day_or_clamps_it(
    start: tuple[int, int, int], months: int, expected: tuple[int, int, int]
) -> None:
    assert add_jalali_months(from_jalali(*start), months) == from_jalali(*expected)


def test_shifting_months_crosses_years_both_ways() -> None:
    assert shift_jalali_month(1404, 12, 1) == (1405, 1)
    assert shift_jalali_month(1404, 1, -1) == (1403, 12)
    assert shift_jalali_month(1404, 6, -18) == (1402, 12)


def test_month_bounds_span_the_whole_month() -> None:
    first, last = jalali_month_bounds(1403, 12)
    assert (first, last) == (from_jalali(1403, 12, 1), date(2025, 3, 20))
    assert last + timedelta(days=1) == from_jalali(1404, 1, 1)


@PROPERTY
@given(gregorian_days)
def test_conversion_agrees_with_jdatetime_and_round_trips(day: date) -> None:
    oracle = jdatetime.date.fromgregorian(date=day)
    assert to_jalali(day) == (oracle.year, oracle.month, oracle.day)
    assert from_jalali(*to_jalali(day)) == day


@PROPERTY
@given(st.dates(min_value=date(1926, 3, 21), max_value=date(2116, 3, 20)), st.integers(-60, 60))
def test_adding_months_moves_the_month_and_keeps_the_day_when_it_exists(
    day: date, months: int
) -> None:
    year, month, jday = to_jalali(day)
    moved_year, moved_month, moved_day = to_jalali(add_jalali_months(day, months))
    assert (moved_year, moved_month) == shift_jalali_month(year, month, months)
    assert moved_day == min(jday, jalali_month_length(moved_year, moved_month))
