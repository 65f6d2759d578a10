"""A generated programme register for the demo and the benchmark — never real people.

Every name, national ID, phone and date here is drawn from a seeded random
generator: national IDs carry a valid check digit, but belong to no one we know.
The register is shaped like the pilot's: women heads of household of Rey county,
sent by three agencies whose files overlap (the same woman in two files) and
disagree in the ways real files do — Arabic ي/ك, a space for a ZWNJ, a homophone
letter (ث/س, ذ/ز, ح/ه…), a national ID that lost its leading zeros or is missing,
Persian digits, ISO instead of Jalali dates, a changed phone. Each agency has its
own headers, hence its own column mapping.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

from groups import calendar, locale
from groups.beneficiaries.matching import Person
from groups.beneficiaries.national_id import check_digit
from groups.beneficiaries.normalise import name_key, phone_key


def _words(text: str) -> tuple[str, ...]:
    """Return the words of a text (lists of names read better as one string)."""
    return tuple(text.split())


FIRST = _words(
    "زهرا فاطمه مریم معصومه سکینه کبری صغری رقیه طاهره اعظم اشرف ملیحه مهری پروین شهین "
    "زینب کلثوم حلیمه طیبه صدیقه عصمت عفت فرشته منیژه نرگس لیلا ناهید سمیه اکرم آمنه بتول "
    "خدیجه راضیه سمانه فریبا گلاب محبوبه نسرین هاجر وجیهه ثریا ژاله شکوه صفورا عذرا غزاله"
)
LAST = _words(
    "احمدی محمدی حسینی رضایی کریمی کاظمی موسوی جعفری صالحی قاسمی رحیمی عباسی حیدری نوری "
    "یوسفی مرادی صادقی طاهری ابراهیمی اکبری امیری باقری بهرامی پورمحمدی ثابتی حسنی خلیلی "
    "دهقانی ذوالفقاری رستمی زارعی سلیمانی شریفی صفری ضیایی طالبی ظهیری عزیزی غلامی فتحی "
    "قربانی کامرانی گودرزی لطفی مختاری نجفی وحیدی هاشمی یزدانی عسگری فرهادی میرزایی"
)
FATHERS = _words(
    "علی حسن حسین محمد رضا جواد مهدی عباس قاسم ابراهیم اسماعیل یعقوب یوسف احمد محمود "
    "غلامرضا محمدرضا علی‌اکبر حمید مجید ناصر صادق تقی نقی کاظم مرتضی مصطفی جعفر"
)
VILLAGES = (
    "قلعه‌نو", "کهریزک", "حسن‌آباد", "خاورشهر", "قمصر", "باقرآباد", "فشافویه", "عباس‌آباد",
    "ده‌خیر", "شهرک ولیعصر", "جعفرآباد", "قاسم‌آباد", "دولت‌آباد", "ابن‌بابویه",
)  # fmt: skip
HOMOPHONES = {
    "س": "ث",
    "ص": "س",
    "ز": "ذ",
    "ذ": "ز",
    "ت": "ط",
    "ط": "ت",
    "ح": "ه",
    "ه": "ح",
    "ق": "غ",
}
MARITAL = ("بیوه", "مطلقه", "همسر غایب", "همسر از کار افتاده", "همسر زندانی")
EDUCATION = ("بی‌سواد", "ابتدایی", "سیکل", "دیپلم", "دانشگاهی")
SKILLS = ("خیاطی", "قالی‌بافی", "آشپزی", "گلدوزی", "جوراب‌بافی", "بسته‌بندی", "")
AGENCIES = ("کمیته امداد امام خمینی", "سازمان بهزیستی", "شهرداری منطقه ۲۰")
#: Each agency's headers -> questionnaire fields (saved as its mapping on first import).
MAPPINGS: dict[str, dict[str, str]] = {
    AGENCIES[0]: {
        "کد ملی": "national_id",
        "نام": "first_name",
        "نام خانوادگی": "last_name",
        "نام پدر": "father_name",
        "تاریخ تولد": "birth_date",
        "تلفن": "phone",
        "روستا/محله": "village",
        "وضعیت تأهل": "marital_status",
        "بعد خانوار": "household_size",
        "درآمد ماهانه (ریال)": "monthly_income",
    },
    AGENCIES[1]: {
        "NationalCode": "national_id",
        "Name": "first_name",
        "Family": "last_name",
        "Father": "father_name",
        "BirthDate": "birth_date",
        "Mobile": "phone",
        "Village": "village",
        "Education": "education",
        "Skills": "skills",
    },
    AGENCIES[2]: {
        "کدملی": "national_id",
        "نام بانو": "first_name",
        "فامیلی": "last_name",
        "پدر": "father_name",
        "تولد": "birth_date",
        "همراه": "phone",
        "محله": "village",
        "نوع سکونت": "settlement",
        "افراد تحت تکفل": "dependants",
    },
}
FILE_NAMES = {AGENCIES[0]: "emdad.csv", AGENCIES[1]: "behzisti.xlsx", AGENCIES[2]: "shahrdari.csv"}


@dataclass(frozen=True)
class Woman:
    """A generated woman: her true values, before any agency misspells them."""

    national_id: str
    first: str
    last: str
    father: str
    birth: date
    phone: str
    village: str
    marital: str
    education: str
    skills: str
    household: int
    income: int


def national_id(rng: random.Random) -> str:
    """Return a random national ID with a valid check digit (never ten equal digits)."""
    first_nine = f"{rng.randrange(10**9):09d}"
    return first_nine + str(check_digit(first_nine))


def generate_women(count: int, seed: int = 1393) -> list[Woman]:
    """Return ``count`` generated women with distinct national IDs."""
    rng = random.Random(seed)
    women: list[Woman] = []
    ids: set[str] = set()
    while len(women) < count:
        code = national_id(rng)
        if code in ids or len(set(code)) == 1:
            continue
        ids.add(code)
        women.append(
            Woman(
                national_id=code,
                first=rng.choice(FIRST),
                last=rng.choice(LAST),
                father=rng.choice(FATHERS),
                birth=date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 50)),
                phone=f"09{rng.choice((12, 13, 19, 35, 36, 37))}{rng.randrange(10**7):07d}",
                village=rng.choice(VILLAGES),
                marital=rng.choice(MARITAL),
                education=rng.choice(EDUCATION),
                skills=rng.choice(SKILLS),
                household=rng.randint(1, 7),
                income=rng.randrange(0, 150) * 100_000,
            )
        )
    return women


def misspell(text: str, rng: random.Random) -> str:
    """Return the name as another agency might type it."""
    roll = rng.random()
    if roll < 0.3:
        return text.replace("ی", "ي").replace("ک", "ك")
    if roll < 0.45:
        return text.replace("\u200c", " ")
    if roll < 0.7:
        spots = [i for i, ch in enumerate(text) if ch in HOMOPHONES]
        if spots:
            i = rng.choice(spots)
            return text[:i] + HOMOPHONES[text[i]] + text[i + 1 :]
    return text


def agency_rows(
    women: list[Woman], seed: int = 20, overlap: float = 0.2
) -> dict[str, list[dict[str, str]]]:
    """Split the women among the three agencies; ``overlap`` of all rows repeat a woman.

    With n women the files hold n ÷ (1 − overlap) rows: each woman once at a first
    agency, and a share of them again, misspelt, at another one.
    """
    files: dict[str, list[dict[str, str]]] = {agency: [] for agency in AGENCIES}
    for agency, _, row in labelled_rows(women, seed, overlap):
        files[agency].append(row)
    return files


def labelled_rows(
    women: list[Woman], seed: int = 20, overlap: float = 0.2
) -> Iterator[tuple[str, int, dict[str, str]]]:
    """Yield (agency, index of the woman, row) — the truth the matching is tested against."""
    rng = random.Random(seed)
    repeats = round(len(women) * overlap / (1 - overlap))
    repeated = set(rng.sample(range(len(women)), repeats))
    for index, woman in enumerate(women):
        first = rng.randrange(3)
        yield AGENCIES[first], index, _row(AGENCIES[first], woman, rng, exact=True)
        if index in repeated:
            second = (first + rng.randint(1, 2)) % 3
            yield AGENCIES[second], index, _row(AGENCIES[second], woman, rng, exact=False)


def _row(agency: str, woman: Woman, rng: random.Random, exact: bool) -> dict[str, str]:
    """Return the woman as the agency's file has her (a second agency's copy is less exact)."""
    code = woman.national_id
    if not exact and rng.random() < 0.35:
        code = ""  # the second agency never asked for it
    elif rng.random() < 0.3:
        code = code.lstrip("0")  # Excel dropped the zeros
    year, month, day = calendar.to_jalali(woman.birth)
    birth = woman.birth.isoformat() if agency == AGENCIES[1] else f"{year}/{month}/{day}"
    phone = woman.phone
    if not exact and rng.random() < 0.3:
        phone = f"09{rng.choice((12, 35))}{rng.randrange(10**7):07d}"  # a new number
    values = {
        "national_id": code,
        "first_name": woman.first if exact else misspell(woman.first, rng),
        "last_name": woman.last if exact else misspell(woman.last, rng),
        "father_name": woman.father if exact else misspell(woman.father, rng),
        "birth_date": locale.persian_digits(birth) if rng.random() < 0.3 else birth,
        "phone": phone,
        "village": woman.village,
        "marital_status": woman.marital,
        "household_size": str(woman.household),
        "monthly_income": str(woman.income),
        "education": woman.education,
        "skills": woman.skills,
        "settlement": "شهری" if woman.village.startswith("شهرک") else "روستایی",
        "dependants": str(max(woman.household - 1, 0)),
    }
    return {column: values[field] for column, field in MAPPINGS[agency].items()}


def file_bytes(agency: str, rows: list[dict[str, str]]) -> bytes:
    """Return the agency's rows as its file: CSV (UTF-8 with BOM) or XLSX."""
    header = list(MAPPINGS[agency])
    if FILE_NAMES[agency].endswith(".xlsx"):
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(header)
        for row in rows:
            sheet.append([row[column] for column in header])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = io.StringIO()
    writer = csv.DictWriter(text, header)
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")


def write_agency_files(folder: Path, women: int = 4_800, seed: int = 1393) -> list[Path]:
    """Write the three agencies' files for ``women`` generated women; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = agency_rows(generate_women(women, seed), seed)
    paths = []
    for agency in AGENCIES:
        path = folder / FILE_NAMES[agency]
        path.write_bytes(file_bytes(agency, rows[agency]))
        paths.append(path)
    return paths


def bench_people(count: int, duplicates: float = 0.1, seed: int = 7) -> Iterator[Person]:
    """Yield ``count`` matching records, ``duplicates`` of them misspelt copies of earlier ones.

    For the de-duplication benchmark at a million records, in memory.
    """
    rng = random.Random(seed)
    originals = round(count * (1 - duplicates))
    women = generate_women(originals, seed)
    for index, woman in enumerate(women):
        yield _person(index, woman, woman.national_id)
    for index in range(originals, count):
        woman = women[rng.randrange(originals)]
        copy = Woman(
            "",
            misspell(woman.first, rng),
            misspell(woman.last, rng),
            misspell(woman.father, rng),
            woman.birth,
            woman.phone if rng.random() < 0.7 else "",
            woman.village,
            woman.marital,
            woman.education,
            woman.skills,
            woman.household,
            woman.income,
        )
        yield _person(index, copy, None)


def _person(index: int, woman: Woman, code: str | None) -> Person:
    return Person(
        index,
        code or None,
        name_key(woman.first),
        name_key(woman.last),
        name_key(woman.father),
        woman.birth.isoformat(),
        phone_key(woman.phone) or None,
        name_key(woman.village),
    )
