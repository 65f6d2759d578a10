"""Persian and English as people read and type them: digits, amounts and Jalali days.

The one module that turns values into text for people and text typed by people
back into values; web pages, PDFs, spreadsheets, the register's imports, the
fund book and the CLI all go through it. Pure (no Flask, no database); the
digits come from ``persiantools.digits`` and the calendar from
``groups.calendar`` (persiantools' ``JalaliDate``), so nothing here is a
hand-written calendar or digit table.

Conventions:
- Stored dates are Gregorian ``date``; a Jalali date is text at the edges only.
  Typed days accept Persian, Arabic-Indic or Latin digits, ``/``, ``-`` or ``.``
  between the parts and one- or two-digit months and days. A year 1200–1599 is
  Jalali, a year from 1700 on is Gregorian (ISO order).
- Money is an ``int`` of rials. A fund shows it in its display unit (rial or
  toman = 10 rials). **Display rounds to the unit** (half away from zero:
  ``1,255`` rials → ``126`` tomans); the exact figure is the same amount shown
  in rials (``unit="rial"``), which pages offer on demand and spreadsheets always
  carry. Typed amounts are never rounded: ``parse_amount`` refuses what is not a
  whole number of rials.
- Negative amounts are written in parentheses (accounting style) in tables; a
  counted-versus-expected difference is written in words (``difference_words``).
- Persian text uses Persian digits (U+06F0–U+06F9, never Arabic-Indic), ``٬``
  between thousands and ``٫`` as the decimal point; English text uses Latin ones.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from zoneinfo import ZoneInfo

from persiantools import digits as _digits

from groups import calendar

PERSIAN_GROUP_SEPARATOR = "٬"
PERSIAN_DECIMAL_SEPARATOR = "٫"
#: Rials in one display unit.
RIALS_PER_UNIT = {"rial": 1, "toman": 10}
UNITS = {"rial": ("ریال", "rial"), "toman": ("تومان", "toman")}
#: What a count that differs from what was expected is called: (Persian, English).
DIFFERENCE_WORDS = {
    "short": ("کسری", "shortfall"),
    "over": ("اضافه", "surplus"),
    "even": ("بدون اختلاف", "no difference"),
}

#: Iran's clock (no daylight saving since 2022: never a fixed offset).
TEHRAN = ZoneInfo("Asia/Tehran")
_DAY = re.compile(r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})$")
_SPACES_AND_MARKS = re.compile(r"[\s\u200c\u200e\u200f]")
#: Characters people put between digit groups: comma, Persian/Arabic separators, quote, spaces.
_GROUP_SEPARATORS = re.compile(r"[,\u066c\u060c'\s\u200c\u200f\u200e]")
_DECIMAL_POINTS = str.maketrans({"\u066b": ".", "/": "."})
_AMOUNT = re.compile(r"^\d+(\.\d+)?$")


# -- digits -----------------------------------------------------------------------------------


def persian_digits(value: object) -> str:
    """Return the value's text with Latin digits replaced by Persian ones."""
    return _digits.en_to_fa(str(value))


def latin_digits(text: str) -> str:
    """Return the text with Persian and Arabic-Indic digits replaced by Latin ones."""
    return _digits.fa_to_en(_digits.ar_to_fa(text))


def digits_for(value: object, persian: bool) -> str:
    """Return the value's text in Persian digits, or as it is for English text."""
    return persian_digits(value) if persian else str(value)


# -- numbers and money ------------------------------------------------------------------------


def group_thousands(amount: int, persian: bool = True) -> str:
    """Return the amount with thousands separators; negatives in parentheses."""
    text = f"{abs(amount):,}"
    if persian:
        text = persian_digits(text.replace(",", PERSIAN_GROUP_SEPARATOR))
    return f"({text})" if amount < 0 else text


def in_unit(rials: int, unit: str) -> int:
    """Return rials as a whole number of the display unit, rounded half away from zero."""
    per_unit = RIALS_PER_UNIT.get(unit, 1)
    whole, rest = divmod(abs(rials), per_unit)
    whole += 2 * rest >= per_unit
    return -whole if rials < 0 else whole


def is_rounded(rials: int, unit: str) -> bool:
    """Return whether showing rials in the unit loses something (1,255 rials in tomans)."""
    return rials % RIALS_PER_UNIT.get(unit, 1) != 0


def format_amount(rials: int, unit: str = "rial", persian: bool = True) -> str:
    """Return an amount in the unit, rounded to it, without the unit's name (for a column)."""
    return group_thousands(in_unit(rials, unit), persian)


def format_money(rials: int, unit: str = "rial", persian: bool = True) -> str:
    """Return an amount in the fund's unit (rounded to it) followed by the unit's name."""
    return f"{format_amount(rials, unit, persian)} {unit_name(unit, persian)}"


def unit_name(unit: str, persian: bool = True) -> str:
    """Return the name of a display unit: ریال/تومان, or rial/toman."""
    names = UNITS["toman" if unit == "toman" else "rial"]
    return names[0] if persian else names[1]


def difference_words(counted_minus_expected: int, persian: bool = True) -> str:
    """Return the word for a counted-minus-expected difference: shortfall, surplus or none."""
    if counted_minus_expected < 0:
        words = DIFFERENCE_WORDS["short"]
    elif counted_minus_expected > 0:
        words = DIFFERENCE_WORDS["over"]
    else:
        words = DIFFERENCE_WORDS["even"]
    return words[0] if persian else words[1]


def format_difference(counted_minus_expected: int, unit: str, persian: bool = True) -> str:
    """Return a cash difference as its size and a word: ``۱۲٬۰۰۰ تومان کسری``, never brackets.

    A difference that rounds to nothing in the unit (4 rials in tomans) reads "no difference";
    in rials (the exact view) it is shown as it is.
    """
    if in_unit(counted_minus_expected, unit) == 0:  # nothing a counter could see
        return difference_words(0, persian)
    size = format_money(abs(counted_minus_expected), unit, persian)
    return f"{size} {difference_words(counted_minus_expected, persian)}"


def amount_text(rials: int, unit: str, persian: bool = True) -> str:
    """Return rials in the unit without its name and without rounding (an input's value)."""
    whole, rest = divmod(rials, RIALS_PER_UNIT.get(unit, 1))
    text = group_thousands(whole, persian)
    if rest:
        point = PERSIAN_DECIMAL_SEPARATOR if persian else "."
        text += point + digits_for(rest, persian)
    return text


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


def parse_amount(text: str, unit: str = "rial") -> int:
    """Return the rials of an amount typed in the unit (any digits, any group separator).

    A toman amount may have one decimal (۱۲۵٫۵ تومان = ۱٬۲۵۵ ریال). Raises ValueError
    when the text is not a non-negative whole number of rials.
    """
    cleaned = _GROUP_SEPARATORS.sub("", latin_digits(text)).translate(_DECIMAL_POINTS)
    if not _AMOUNT.match(cleaned):
        raise ValueError(f"Not an amount: {text!r}")
    try:
        rials = Decimal(cleaned) * RIALS_PER_UNIT.get(unit, 1)
    except InvalidOperation as error:
        raise ValueError(f"Not an amount: {text!r}") from error
    if rials != rials.to_integral_value():
        raise ValueError(f"Not a whole number of rials: {text!r}")
    return int(rials)


def parse_count(text: str) -> int:
    """Return a typed whole number (any digits, thousands separators allowed); raise ValueError."""
    cleaned = _GROUP_SEPARATORS.sub("", latin_digits(text)).replace(PERSIAN_GROUP_SEPARATOR, "")
    if not cleaned.isascii() or not cleaned.isdigit():
        raise ValueError(f"Not a whole number: {text!r}")
    return int(cleaned)


# -- days -------------------------------------------------------------------------------------


def today_in_iran() -> date:
    """Return today's date on Iran's clock (the day a form means by "today")."""
    return datetime.now(TEHRAN).date()


def to_jalali(day: date, persian: bool = True) -> str:
    """Return a Gregorian date written as a Jalali date, e.g. ۱۴۰۳/۰۵/۱۲."""
    year, month, day_of_month = calendar.to_jalali(day)
    return digits_for(f"{year:04d}/{month:02d}/{day_of_month:02d}", persian)


def _day_parts(text: str) -> tuple[int, int, int]:
    """Return the (year, month, day) numbers of a typed day; raise ValueError if not one."""
    match = _DAY.match(_SPACES_AND_MARKS.sub("", latin_digits(text)))
    if match is None:
        raise ValueError(f"Not a date: {text!r}")
    year, month, day = (int(part) for part in match.groups())
    return year, month, day


def parse_jalali(text: str) -> date:
    """Return the Gregorian date of a typed Jalali date (1403/05/12, any digits and separator).

    Raises ValueError when the text is not a real Jalali date.
    """
    year, month, day = _day_parts(text)
    if not 1200 <= year < 1600:
        raise ValueError(f"Not a Jalali year: {text!r}")
    return calendar.from_jalali(year, month, day)


def parse_day(text: str) -> date:
    """Return the date of a typed Jalali (1403/05/12) or Gregorian ISO (2024-08-02) day.

    A year 1200–1599 is Jalali, one from 1700 on Gregorian. Raises ValueError
    (its message says whether the text is not a date or not a real day).
    """
    year, month, day = _day_parts(text)
    try:
        if 1200 <= year < 1600:
            return calendar.from_jalali(year, month, day)
        if year >= 1700:
            return date(year, month, day)
    except ValueError:
        raise ValueError(f"No such day: {text!r}") from None
    raise ValueError(f"Not a date: {text!r}")
