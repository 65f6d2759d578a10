"""The Jalali date and money fields read what people type, in Persian or Latin digits."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from groups.locale import parse_amount
from web.fields import JalaliDateField, MoneyField


class Form(FlaskForm):  # type: ignore[misc]
    day = JalaliDateField("Day")
    amount = MoneyField("Amount")

    class Meta:
        csrf = False


def submit(app: Flask, unit: str = "rial", **data: str) -> Form:
    with app.test_request_context("/", method="POST"):
        form = Form(formdata=MultiDict(data))
        form.amount.unit = unit
        form.process(formdata=MultiDict(data))
        form.validate()
        return form


@pytest.mark.parametrize(
    "typed", ["1403/05/12", "۱۴۰۳/۰۵/۱۲", "١٤٠٣/٠٥/١٢", "1403-5-12", " 1403.05.12 "]
)
def test_a_jalali_date_in_any_digits_is_read(app: Flask, typed: str) -> None:
    form = submit(app, day=typed)
    assert form.day.data == date(2024, 8, 2)
    assert not form.day.errors


@pytest.mark.parametrize("typed", ["1403/13/01", "1403/12/31", "2024-08-02x", "فردا"])
def test_a_wrong_date_is_an_error_and_the_text_is_kept(app: Flask, typed: str) -> None:
    form = submit(app, day=typed)
    assert form.day.data is None
    assert form.day.errors
    with app.test_request_context("/"):
        assert form.day._value() == typed


def test_a_date_is_shown_back_in_jalali(app: Flask) -> None:
    with app.test_request_context("/"):
        form = Form(data={"day": date(2024, 8, 2)})
        assert form.day._value() == "۱۴۰۳/۰۵/۱۲"


@pytest.mark.parametrize(
    ("typed", "unit", "rials"),
    [
        ("125000", "rial", 125_000),
        ("125,000", "rial", 125_000),
        ("۱۲۵٬۰۰۰", "rial", 125_000),
        ("۱۲۵،۰۰۰", "rial", 125_000),
        ("12 500", "toman", 125_000),
        ("۱۲۵٫۵", "toman", 1_255),
        ("0", "rial", 0),
    ],
)
def test_an_amount_is_read_in_the_funds_unit(typed: str, unit: str, rials: int) -> None:
    assert parse_amount(typed, unit) == rials


@pytest.mark.parametrize(
    ("typed", "unit"),
    [("-5", "rial"), ("12.5", "rial"), ("1.25", "toman"), ("abc", "rial"), ("1e5", "rial")],
)
def test_a_wrong_amount_is_an_error_and_the_text_is_kept(app: Flask, typed: str, unit: str) -> None:
    form = submit(app, unit=unit, amount=typed)
    assert form.amount.data is None
    assert form.amount.errors
    with app.test_request_context("/"):
        assert form.amount._value() == typed


def test_an_amount_is_shown_back_in_the_unit_with_separators(app: Flask) -> None:
    with app.test_request_context("/"):
        form = Form(data={"amount": 1_255})
        form.amount.unit = "toman"
        assert form.amount._value() == "۱۲۵٫۵"
