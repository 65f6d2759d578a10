"""Normalising Persian names, digits and phones; the pure modules stay pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from groups.beneficiaries.fields import BY_NAME, parse_date, parse_value
from groups.beneficiaries.normalise import (
    display_text,
    joined_key,
    latin_digits,
    name_key,
    name_similarity,
    phone_key,
)

ROOT = Path(__file__).resolve().parents[2]


def test_display_text_turns_arabic_letters_persian_and_keeps_zwnj() -> None:
    assert display_text("علي  كريمي") == "علی کریمی"
    assert display_text("فاطمه\u200cزهرا") == "فاطمه\u200cزهرا"
    assert display_text("۱۲۳ ٤٥٦") == "123 456"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("زهرا كريمي", "زهرا کریمی"),
        ("فاطمه‌زهرا", "فاطمه زهرا"),
        ("آمنه", "امنه"),
        ("رقیّه", "رقیه"),
        ("مؤمنی", "مومنی"),
        ("فاطمة", "فاطمه"),
        ("  مریم   احمدی ", "مریم احمدی"),
    ],
)
def test_spelling_variants_share_a_key(a: str, b: str) -> None:
    assert joined_key(a) == joined_key(b)


def test_the_key_keeps_words_apart_and_the_joined_key_does_not() -> None:
    assert name_key("محمد رضا") == "محمد رضا"
    assert joined_key("محمد رضا") == joined_key("محمدرضا") == "محمدرضا"


def test_similarity_ignores_word_order_and_spacing_but_not_other_names() -> None:
    assert name_similarity(name_key("کریمی زهرا"), name_key("زهرا کریمی")) == 100
    assert name_similarity(name_key("فاطمه زهرا"), name_key("فاطمهزهرا")) == 100
    assert name_similarity(name_key("زهرا کریمی"), name_key("زهرا کاظمی")) < 85


def test_digits_and_phones() -> None:
    assert latin_digits("۰۹۱۲٣٤٥") == "0912345"
    assert phone_key("۰۹۱۲ ۳۴۵ ۶۷۸۹") == phone_key("+98 912 345 6789") == "9123456789"


def test_typed_values_are_read_or_refused_with_a_reason() -> None:
    assert parse_value(BY_NAME["birth_date"], "۱۳۶۰/۵/۱۲") == ("1981-08-03", None)
    assert parse_value(BY_NAME["birth_date"], "1981-08-03") == ("1981-08-03", None)
    assert parse_value(BY_NAME["birth_date"], "1404/12/30") == (None, "no such day")
    assert parse_value(BY_NAME["marital_status"], "بيوه") == ("widowed", None)
    assert parse_value(BY_NAME["settlement"], "عشایری") == ("nomadic", None)
    assert parse_value(BY_NAME["consent_to_share"], "بله") == ("1", None)
    assert parse_value(BY_NAME["monthly_income"], "۱۲٬۰۰۰٬۰۰۰") == ("12000000", None)
    assert parse_value(BY_NAME["household_size"], "چهار")[1] == "must be a whole number"
    assert parse_value(BY_NAME["first_name"], "  ") == (None, "is required")
    assert parse_value(BY_NAME["phone"], "۰۹۱۲۳۴۵۶۷۸۹") == ("09123456789", None)
    assert parse_value(BY_NAME["skills"], "خیاطی، قالی‌بافی") == ("خیاطی;قالی‌بافی", None)
    assert parse_date("1399/12/30").isoformat() == "2021-03-20"


@pytest.mark.parametrize(
    "module", ["national_id.py", "normalise.py", "fields.py", "matching.py", "tables.py"]
)
def test_the_rule_modules_import_neither_flask_nor_sqlalchemy(module: str) -> None:
    tree = ast.parse((ROOT / "groups/beneficiaries" / module).read_text(encoding="utf-8"))
    roots = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not roots & {"flask", "sqlalchemy", "werkzeug"}
