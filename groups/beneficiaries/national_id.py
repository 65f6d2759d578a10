"""The Iranian national ID (کد ملی): normalise and check it.

Pure. A national ID is stored as a 10-character string of Latin digits. Input may
use Persian or Arabic-Indic digits, spaces, dashes and ZWNJ; spreadsheets often drop
leading zeros, so 8 or 9 digits are padded with zeros on the left. With d1…d10,
S = Σ d_i × (11 − i) for i = 1…9 and r = S mod 11, the code is valid iff d10 = r
when r < 2, else d10 = 11 − r; ten equal digits are never valid. The checksum
catches typos, not fraud.
"""

from __future__ import annotations

import re

from groups.locale import latin_digits

_SEPARATORS = re.compile(r"[\s\-_.\u200c\u200e\u200f]+")


def normalise_national_id(text: str) -> str:
    """Return the code as Latin digits without separators, padded to 10 when it has 8–9 digits."""
    digits = _SEPARATORS.sub("", latin_digits(text.strip()))
    if digits.isdigit() and 8 <= len(digits) < 10:
        return digits.zfill(10)
    return digits


def national_id_problem(text: str) -> str | None:
    """Return what is wrong with a typed national ID (in English), or None if it is valid."""
    code = normalise_national_id(text)
    if not code.isdigit() or not code.isascii():
        return "must contain digits only"
    if len(code) != 10:
        return f"must have 10 digits (8–9 are padded), got {len(code)}"
    if len(set(code)) == 1:
        return "ten equal digits are not a national ID"
    if int(code[9]) != check_digit(code[:9]):
        return "check digit does not match (a typo?)"
    return None


def is_valid_national_id(text: str) -> bool:
    """Return whether the text is a valid national ID once normalised."""
    return national_id_problem(text) is None


def check_digit(first_nine: str) -> int:
    """Return the check digit of the first nine digits."""
    remainder = sum(int(d) * (10 - i) for i, d in enumerate(first_nine)) % 11
    return remainder if remainder < 2 else 11 - remainder
