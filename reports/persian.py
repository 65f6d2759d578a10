"""Persian digits, money and Jalali dates for people to read and type.

Pure. Stored dates are Gregorian; Jalali exists only at the edges, and the
calendar itself comes from ``groups.calendar`` (the one module that knows
persiantools, so the calendar library can be swapped).
Money is an int of rials; toman = rial ÷ 10 and is shown only for amounts
that are whole tomans, otherwise the rial amount is shown with its unit.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from groups import calendar as jalali

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
TO_PERSIAN = str.maketrans("0123456789", PERSIAN_DIGITS)
TO_LATIN = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, "0123456789" * 2)
PERSIAN_GROUP_SEPARATOR = "٬"
PERSIAN_DECIMAL_SEPARATOR = "٫"
UNITS = {"rial": ("ریال", "rial"), "toman": ("تومان", "toman")}
_JALALI_INPUT = re.compile(r"^\s*(\d{4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*$")


def persian_digits(value: object) -> str:
    """Return the value's text with Latin digits replaced by Persian ones."""
    return str(value).translate(TO_PERSIAN)


def latin_digits(text: str) -> str:
    """Return the text with Persian and Arabic-Indic digits replaced by Latin ones."""
    return text.translate(TO_LATIN)


def group_thousands(amount: int, persian: bool = True) -> str:
    """Return the amount with thousands separators; negatives in parentheses."""
    text = f"{abs(amount):,}"
    if persian:
        text = persian_digits(text.replace(",", PERSIAN_GROUP_SEPARATOR))
    return f"({text})" if amount < 0 else text


def format_money(rials: int, unit: str = "rial", persian: bool = True) -> str:
    """Return an amount of rials for display in the fund's unit (rial or toman).

    Tomans are exact: an amount that is not a whole number of tomans keeps its
    last rial as one decimal (۱٬۲۵۵ ریال = ۱۲۵٫۵ تومان), so a column never mixes units.
    """
    names = UNITS["toman" if unit == "toman" else "rial"]
    return f"{format_amount(rials, unit, persian)} {names[0] if persian else names[1]}"


def format_amount(rials: int, unit: str = "rial", persian: bool = True) -> str:
    """Return format_money() without the unit's name, for a column headed by the unit."""
    if unit != "toman":
        return group_thousands(rials, persian)
    whole, tenth = divmod(abs(rials), 10)
    text = group_thousands(whole, persian)
    if tenth:
        text += (PERSIAN_DECIMAL_SEPARATOR if persian else ".") + (
            persian_digits(tenth) if persian else str(tenth)
        )
    return f"({text})" if rials < 0 else text


def unit_name(unit: str, persian: bool = True) -> str:
    """Return the name of a display unit: ریال/تومان, or rial/toman."""
    names = UNITS["toman" if unit == "toman" else "rial"]
    return names[0] if persian else names[1]


def format_percent(value: Fraction | Decimal, places: int = 1, persian: bool = True) -> str:
    """Return a ratio (0.875) as a percentage (۸۷٫۵٪), rounded half up to ``places`` decimals."""
    percent = (
        (Decimal(value.numerator) / Decimal(value.denominator))
        if isinstance(value, Fraction)
        else value
    )
    text = str((percent * 100).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))
    if not persian:
        return f"{text}%"
    return (
        persian_digits(text.replace(".", PERSIAN_DECIMAL_SEPARATOR).replace("-", "\u200e\u2212"))
        + "٪"
    )


def to_jalali(day: date, persian: bool = True) -> str:
    """Return a Gregorian date written as a Jalali date, e.g. ۱۴۰۳/۰۵/۱۲."""
    year, month, day_of_month = jalali.to_jalali(day)
    text = f"{year:04d}/{month:02d}/{day_of_month:02d}"
    return persian_digits(text) if persian else text


def parse_jalali(text: str) -> date:
    """Return the Gregorian date of a typed Jalali date (Persian or Latin digits; / - . separators).

    Raises ValueError when the text is not a real Jalali date.
    """
    match = _JALALI_INPUT.match(latin_digits(text))
    if match is None:
        raise ValueError(f"Not a Jalali date: {text!r}")
    year, month, day = (int(part) for part in match.groups())
    return jalali.from_jalali(year, month, day)
