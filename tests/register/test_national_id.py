"""The national ID validator: DOMAIN.md's examples, Persian digits, lost leading zeros."""

from __future__ import annotations

import pytest

from groups.beneficiaries.national_id import (
    check_digit,
    is_valid_national_id,
    national_id_problem,
    normalise_national_id,
)


@pytest.mark.parametrize("code", ["0013542419", "0499370899", "1234567891"])
def test_the_valid_examples_pass(code: str) -> None:
    assert is_valid_national_id(code)


@pytest.mark.parametrize("code", ["0013542410", "1111111111", "0000000000"])
def test_the_invalid_examples_fail(code: str) -> None:
    assert not is_valid_national_id(code)


def test_persian_and_arabic_digits_and_separators_are_read() -> None:
    assert normalise_national_id("۰۰۱۳۵۴۲۴۱۹") == "0013542419"
    assert normalise_national_id("٠٤٩٩٣٧٠٨٩٩") == "0499370899"
    assert normalise_national_id(" 001-354\u200c2419 ") == "0013542419"
    assert is_valid_national_id("۱۲۳-۴۵۶۷۸۹-۱")


def test_eight_and_nine_digits_are_padded_as_excel_drops_zeros() -> None:
    assert normalise_national_id("13542419") == "0013542419"
    assert normalise_national_id("499370899") == "0499370899"
    assert is_valid_national_id("13542419")


def test_problems_say_what_is_wrong() -> None:
    assert national_id_problem("12345") == "must have 10 digits (8–9 are padded), got 5"
    assert national_id_problem("00135424x9") == "must contain digits only"
    assert national_id_problem("1111111111") == "ten equal digits are not a national ID"
    assert national_id_problem("0013542410") == "check digit does not match (a typo?)"


def test_check_digit_follows_the_rule_for_small_and_large_remainders() -> None:
    # 001354241: S = 0*10+0*9+1*8+3*7+5*6+4*5+2*4+4*3+1*2 = 101, r = 2 -> 11 - 2 = 9
    assert check_digit("001354241") == 9
    # 123456789: S = 10+18+24+28+30+30+28+24+18 = 210, r = 1 -> 1
    assert check_digit("123456789") == 1
