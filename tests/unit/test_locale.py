"""groups.locale: Persian digits, amounts and Jalali days as people read and type them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groups.locale import (
    amount_text,
    format_difference,
    format_money,
    group_thousands,
    in_unit,
    latin_digits,
    parse_amount,
    parse_count,
    parse_day,
    parse_jalali,
    persian_digits,
    to_jalali,
)

PROPERTY = settings(deadline=None)


def test_latin_digits_become_persian_ones() -> None:
    assert persian_digits(1404) == "۱۴۰۴"
    assert persian_digits("ساعت 10:05") == "ساعت ۱۰:۰۵"


def test_persian_and_arabic_indic_digits_become_latin_ones() -> None:
    assert latin_digits("۱۴۰۴") == "1404"
    assert latin_digits("٤٥٦") == "456"
    assert latin_digits("۱٢3") == "123"


def test_persian_digits_are_not_arabic_indic_ones() -> None:
    assert persian_digits(456) == "\u06f4\u06f5\u06f6"


@pytest.mark.parametrize(
    ("amount", "persian", "expected"),
    [
        (0, False, "0"),
        (999, False, "999"),
        (1_000, False, "1,000"),
        (1_234_567, False, "1,234,567"),
        (-1_234_567, False, "(1,234,567)"),
        (1_234_567, True, "۱٬۲۳۴٬۵۶۷"),
        (-5_000, True, "(۵٬۰۰۰)"),
    ],
)
def test_thousands_are_grouped_and_negatives_parenthesised(
    amount: int, persian: bool, expected: str
) -> None:
    assert group_thousands(amount, persian) == expected


def test_money_in_rials() -> None:
    assert format_money(1_250_000) == "۱٬۲۵۰٬۰۰۰ ریال"
    assert format_money(1_250_000, persian=False) == "1,250,000 rial"


def test_money_in_tomans() -> None:
    assert format_money(1_250_000, unit="toman") == "۱۲۵٬۰۰۰ تومان"
    assert format_money(-50, unit="toman", persian=False) == "(5) toman"


def test_money_in_tomans_is_rounded_to_the_toman_half_away_from_zero() -> None:
    assert format_money(1_255, unit="toman") == "۱۲۶ تومان"
    assert format_money(1_254, unit="toman") == "۱۲۵ تومان"
    assert format_money(-44_195_995, unit="toman", persian=False) == "(4,419,600) toman"
    assert format_money(-44_195_994, unit="toman", persian=False) == "(4,419,599) toman"


def test_the_exact_figure_is_the_same_amount_in_rials() -> None:
    assert format_money(44_195_998, unit="rial") == "۴۴٬۱۹۵٬۹۹۸ ریال"


@PROPERTY
@given(st.integers(-(10**15), 10**15))
def test_rounding_to_the_toman_is_never_off_by_more_than_half(rials: int) -> None:
    assert abs(in_unit(rials, "toman") * 10 - rials) <= 5
    assert in_unit(rials, "rial") == rials
    assert in_unit(-rials, "toman") == -in_unit(rials, "toman")


def test_an_input_keeps_the_exact_amount_so_a_resubmission_changes_nothing() -> None:
    assert amount_text(1_255, "toman") == "۱۲۵٫۵"
    assert parse_amount(amount_text(1_255, "toman"), "toman") == 1_255


@pytest.mark.parametrize(
    ("typed", "unit", "rials"),
    [("۱۲۵٬۰۰۰", "toman", 1_250_000), ("12,500.5", "toman", 125_005), ("٤٥٦", "rial", 456)],
)
def test_typed_amounts_are_read_in_any_digits(typed: str, unit: str, rials: int) -> None:
    assert parse_amount(typed, unit) == rials


@pytest.mark.parametrize("typed", ["-5", "12.55", "ده", "", "1.2.3"])
def test_what_is_not_a_whole_number_of_rials_is_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(typed, "toman")


def test_counts_accept_separators_and_any_digits() -> None:
    assert parse_count("۱٬۲۰۰") == 1200
    with pytest.raises(ValueError):
        parse_count("12a")


def test_a_cash_difference_is_said_in_words_not_brackets() -> None:
    assert format_difference(-120_000, "toman") == "۱۲٬۰۰۰ تومان کسری"
    assert format_difference(50, "rial", persian=False) == "50 rial surplus"
    assert format_difference(0, "toman") == "بدون اختلاف"
    assert format_difference(4, "toman") == "بدون اختلاف"  # less than half a toman
    assert format_difference(4, "rial", persian=False) == "4 rial surplus"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("1403/05/12", date(2024, 8, 2)),
        ("۱۴۰۳-۵-۱۲", date(2024, 8, 2)),
        ("2024-08-02", date(2024, 8, 2)),
        ("1399/12/30", date(2021, 3, 20)),
        ("1408/12/30", date(2030, 3, 20)),
    ],
)
def test_a_typed_day_is_jalali_or_iso(text: str, day: date) -> None:
    assert parse_day(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [("1404/12/30", "No such day"), ("2025-02-30", "No such day"), ("1650/01/01", "Not a date")],
)
def test_a_day_that_does_not_exist_says_so(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_day(text)


def test_a_date_is_written_in_jalali_with_persian_or_latin_digits() -> None:
    assert to_jalali(date(2025, 3, 21)) == "۱۴۰۴/۰۱/۰۱"
    assert to_jalali(date(2014, 7, 2), persian=False) == "1393/04/11"
    assert to_jalali(date(2025, 3, 20), persian=False) == "1403/12/30"


@pytest.mark.parametrize(
    "text",
    [
        "1404/01/01",
        "۱۴۰۴/۰۱/۰۱",
        "١٤٠٤/٠١/٠١",
        "1404-1-1",
        "۱۴۰۴.۱.۱",
        " 1404 / 01 / 1 ",
    ],
)
def test_typed_jalali_dates_are_parsed(text: str) -> None:
    assert parse_jalali(text) == date(2025, 3, 21)


def test_the_leap_day_of_1403_is_parsed() -> None:
    assert parse_jalali("۱۴۰۳/۱۲/۳۰") == date(2025, 3, 20)


@pytest.mark.parametrize(
    "text", ["1404/12/30", "۱۴۰۴/۰۷/۳۱", "1404/13/01", "04/01/01", "1404/01", "", "فردا"]
)
def test_text_that_is_not_a_jalali_date_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_jalali(text)


@PROPERTY
@given(st.dates(min_value=date(1922, 1, 1), max_value=date(2120, 12, 31)), st.booleans())
def test_a_written_date_parses_back_to_itself(day: date, persian: bool) -> None:
    assert parse_jalali(to_jalali(day, persian)) == day


@PROPERTY
@given(st.integers(-(10**15), 10**15))
def test_grouped_digits_read_back_to_the_amount(amount: int) -> None:
    text = latin_digits(group_thousands(amount)).replace("٬", "")
    assert int(text.strip("()")) == abs(amount)
    assert text.startswith("(") == (amount < 0)
