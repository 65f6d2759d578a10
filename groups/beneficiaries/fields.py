"""The questionnaire's fields: what each means, how a typed value is read, which are sensitive.

Pure. ``parse_value`` turns an agency's cell (any digits, Jalali or ISO dates,
Persian or English choice words) into the stored value, or says what is wrong.
Stored values: text as ``display_text``; dates ISO (Gregorian); integers; lists
as ``;``-joined text; choices as their English code; booleans as ``"1"``/``"0"``.
Every stored value is a string in the facts table, so a fact's value is always
exactly what the register shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from groups import locale
from groups.beneficiaries.national_id import national_id_problem, normalise_national_id
from groups.beneficiaries.normalise import display_text, name_key, phone_key

_LIST_SEPARATORS = re.compile(r"\s*[;,،؛]\s*")


@dataclass(frozen=True)
class Field:
    """One question of the questionnaire."""

    name: str
    label_fa: str
    label_en: str
    kind: str = "text"  # text, national_id, date, int, money, phone, choice, bool, list
    sensitive: bool = False
    required: bool = False
    #: For choices: code -> accepted words (Persian and English), matched by name key.
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)


#: Other headers agencies give a question's column (matched like names: spelling folded,
#: spaces and ZWNJ ignored, a trailing unit in brackets dropped).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "national_id": ("کدملی", "شماره ملی", "کد ملی سرپرست", "کد ملی سرپرست خانوار", "national code"),
    "first_name": ("نام سرپرست", "نام سرپرست خانوار", "name"),
    "last_name": ("فامیل", "نام فامیل", "شهرت", "surname", "family name"),
    "father_name": ("نام پدر", "father"),
    "birth_date": ("تولد", "تاریخ تولد سرپرست", "date of birth", "birthday"),
    "phone": ("تلفن همراه", "موبایل", "شماره همراه", "شماره تماس", "تلفن تماس", "mobile"),
    "village": ("روستا", "محله", "نام روستا", "روستا یا محله", "محل سکونت", "village"),
    "address": ("آدرس", "نشانی محل سکونت"),
    "household_size": (
        "تعداد خانوار",
        "تعداد اعضای خانوار",
        "تعداد افراد خانوار",
        "بعد خانواده",
        "household",
    ),
    "dependants": ("تعداد افراد تحت تکفل", "تحت تکفل", "تعداد فرزندان تحت تکفل"),
    "marital_status": ("وضعیت تاهل", "تاهل"),
    "education": ("میزان تحصیلات", "مدرک تحصیلی", "سواد"),
    "skills": ("مهارت", "مهارت ها"),
    "income_sources": ("منبع درآمد",),
    "monthly_income": ("درآمد ماهانه", "درآمد", "درآمد ماهیانه"),
    "housing": ("مسکن", "نوع مسکن"),
    "support_received": ("حمایت دریافتی", "حمایت ها"),
    "referral": ("معرفی کننده", "ارجاع"),
}


FIELDS: tuple[Field, ...] = (
    Field("national_id", "کد ملی", "National ID", "national_id", sensitive=True),
    Field("first_name", "نام", "First name", required=True),
    Field("last_name", "نام خانوادگی", "Last name", required=True),
    Field("father_name", "نام پدر", "Father's name"),
    Field("birth_date", "تاریخ تولد", "Birth date", "date"),
    Field("phone", "تلفن", "Phone", "phone"),
    Field("county", "شهرستان", "County"),
    Field("district", "بخش", "District"),
    Field("village", "روستا/محله", "Village or neighbourhood"),
    Field("address", "نشانی", "Address"),
    Field(
        "settlement",
        "نوع سکونت",
        "Settlement",
        "choice",
        choices={
            "urban": ("شهری", "شهر", "urban"),
            "rural": ("روستایی", "روستا", "rural"),
            "nomadic": ("عشایری", "عشایر", "nomadic"),
        },
    ),
    Field("household_size", "بعد خانوار", "Household size", "int"),
    Field("dependants", "افراد تحت تکفل", "Dependants", "int"),
    Field(
        "marital_status",
        "وضعیت تأهل",
        "Marital status",
        "choice",
        choices={
            "widowed": ("بیوه", "همسر فوت شده", "همسرفوت‌شده", "widowed"),
            "divorced": ("مطلقه", "طلاق گرفته", "divorced"),
            "spouse_absent": ("همسر غایب", "همسر مفقود", "spouse absent"),
            "spouse_disabled": ("همسر از کار افتاده", "همسر معلول", "spouse disabled"),
            "spouse_imprisoned": ("همسر زندانی", "spouse imprisoned"),
            "unmarried": ("مجرد", "unmarried", "single"),
            "other": ("سایر", "other"),
        },
    ),
    Field(
        "education",
        "تحصیلات",
        "Education",
        "choice",
        choices={
            "none": ("بی‌سواد", "بیسواد", "none", "illiterate"),
            "literacy": ("نهضت", "سواد خواندن و نوشتن", "literacy"),
            "primary": ("ابتدایی", "primary"),
            "lower_secondary": ("سیکل", "راهنمایی", "lower secondary"),
            "diploma": ("دیپلم", "diploma"),
            "university": ("دانشگاهی", "کاردانی", "کارشناسی", "university"),
        },
    ),
    Field("skills", "مهارت‌ها", "Skills", "list"),
    Field("health", "وضعیت سلامت", "Health", sensitive=True),
    Field("disability", "معلولیت", "Disability", sensitive=True),
    Field("income_sources", "منابع درآمد", "Income sources", "list"),
    Field("monthly_income", "درآمد ماهانه (ریال)", "Monthly income (rials)", "money", True),
    Field(
        "housing",
        "وضعیت مسکن",
        "Housing",
        "choice",
        choices={
            "owned": ("ملکی", "شخصی", "owned"),
            "rented": ("استیجاری", "اجاره", "rented"),
            "with_family": ("منزل اقوام", "با خانواده", "with family"),
            "other": ("سایر", "other"),
        },
    ),
    Field("support_received", "حمایت‌های دریافتی", "Support received", "list"),
    Field("referral", "معرف", "Referral (self or agency)"),
    Field("consent_to_share", "رضایت به اشتراک اطلاعات", "Consent to share data", "bool"),
)
BY_NAME = {f.name: f for f in FIELDS}
SENSITIVE = frozenset(f.name for f in FIELDS if f.sensitive)
_TRUE = {"1", "بله", "آری", "دارد", "yes", "y", "true", "x", "✓"}
_FALSE = {"0", "خیر", "نه", "ندارد", "no", "n", "false"}


def parse_value(spec: Field, raw: str) -> tuple[str | None, str | None]:
    """Return (stored value or None if empty, problem or None) for a typed cell."""
    text = display_text(raw)
    if not text:
        return None, ("is required" if spec.required else None)
    reader = _READERS[spec.kind]
    return reader(spec, text)


def _text(_spec: Field, text: str) -> tuple[str | None, str | None]:
    return text, None


def _national_id(_spec: Field, text: str) -> tuple[str | None, str | None]:
    problem = national_id_problem(text)
    return (None, problem) if problem else (normalise_national_id(text), None)


def _date(_spec: Field, text: str) -> tuple[str | None, str | None]:
    try:
        return parse_date(text).isoformat(), None
    except ValueError as error:
        return None, str(error)


def parse_date(text: str) -> date:
    """Return the date of a Jalali (1403/05/12) or ISO (2024-08-02) text; raise ValueError."""
    try:
        return locale.parse_day(text)
    except ValueError as error:
        if str(error).startswith("No such day"):
            raise ValueError("no such day") from None
        raise ValueError("not a date (Jalali 1360/05/12 or ISO 1981-08-03)") from None


def _int(_spec: Field, text: str) -> tuple[str | None, str | None]:
    try:
        return str(locale.parse_count(text)), None
    except ValueError:
        return None, "must be a whole number"


def _phone(_spec: Field, text: str) -> tuple[str | None, str | None]:
    key = phone_key(text)
    if not 7 <= len(key) <= 10:
        return None, "phone number must have 7–11 digits"
    return ("0" + key if len(key) == 10 else key), None


def _choice(spec: Field, text: str) -> tuple[str | None, str | None]:
    key = name_key(text).replace(" ", "")
    for code, words in spec.choices.items():
        if key in {name_key(w).replace(" ", "") for w in words}:
            return code, None
    return None, "is not one of: " + ", ".join(spec.choices)


def _bool(_spec: Field, text: str) -> tuple[str | None, str | None]:
    word = name_key(text)
    if word in _TRUE:
        return "1", None
    if word in _FALSE:
        return "0", None
    return None, "must be yes or no (بله/خیر)"


def _list(_spec: Field, text: str) -> tuple[str | None, str | None]:
    items = [item for item in _LIST_SEPARATORS.split(text) if item]
    return ";".join(items), None


_READERS = {
    "text": _text,
    "national_id": _national_id,
    "date": _date,
    "int": _int,
    "money": _int,
    "phone": _phone,
    "choice": _choice,
    "bool": _bool,
    "list": _list,
}
