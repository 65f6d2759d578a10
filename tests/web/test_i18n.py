"""The catalogs are complete; numbers and dates follow the language; the font is served locally."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from reports import fonts
from tests.reports.pdf import require_vazirmatn
from tests.web.conftest import Web, login, post, text
from web import formatting
from web.auth.models import Role
from web.i18n import TRANSLATIONS

ROOT = Path(__file__).resolve().parents[2]


def catalog(language: str):  # type: ignore[no-untyped-def]
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


def extracted_ids() -> set[str]:
    """Extract the msgids of web/ with babel.cfg, as ``pybabel extract`` does."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = extract_from_dir(str(ROOT / "web"), method_map, options_map, keywords=keywords)
    return {message if isinstance(message, str) else message[0] for *_, message, _c, _x in found}


def test_the_persian_catalog_translates_every_message_and_nothing_is_fuzzy() -> None:
    fa = catalog("fa")
    assert not fa.fuzzy
    for message in fa:
        if message.id:
            assert message.string, f"untranslated: {message.id!r}"
            assert not message.fuzzy, f"fuzzy: {message.id!r}"


def test_every_string_of_the_templates_and_code_is_in_both_catalogs() -> None:
    wanted = extracted_ids()
    assert "Log in" in wanted  # the extraction found the templates
    for language in ("fa", "en"):
        missing = wanted - {message.id for message in catalog(language) if message.id}
        assert not missing, f"{language} lacks {sorted(missing)}"


@pytest.mark.parametrize(
    ("locale", "digits", "money", "day"),
    [
        ("fa", "۱۲۳", "۱۲٬۵۰۰ تومان", "۱۴۰۳/۰۵/۱۲"),
        ("en", "123", "12,500 toman", "1403/05/12"),
    ],
)
def test_numbers_money_and_dates_follow_the_language_and_dates_stay_jalali(
    app: Flask, web: Web, client: FlaskClient, locale: str, digits: str, money: str, day: str
) -> None:
    login(client, Role.VIEWER)
    post(client, "/language", {"locale": locale})
    with app.test_request_context("/"):
        from flask import session as browser

        browser["locale"] = locale
        assert formatting.current_locale() == locale
        assert formatting.persian_digits(123) == digits
        assert formatting.money(125_000, "toman") == f"<bdi>{money}</bdi>"  # isolated
        assert formatting.jalali(date(2024, 8, 2)) == day


def test_outside_a_request_the_filters_write_persian(app: Flask) -> None:
    assert formatting.money(1_000) == "<bdi>۱٬۰۰۰ ریال</bdi>"


@pytest.mark.parametrize("vazirmatn", [True, False], ids=["vazirmatn", "without-make-fonts"])
def test_the_font_is_served_by_the_app_and_named_in_the_stylesheet(
    client: FlaskClient, web: Web, vazirmatn: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if vazirmatn:
        require_vazirmatn()
    else:  # as on a machine where `make fonts` never ran: Noto Sans Arabic
        monkeypatch.setenv("SANDOGH_FONT_DIR", str(tmp_path))
    fonts.font_files.cache_clear()
    try:
        for name, weight in (("sandogh-regular.ttf", 400), ("sandogh-bold.ttf", 700)):
            font = client.get(f"/fonts/{name}")
            assert font.status_code == 200
            assert font.mimetype == "font/ttf"
            assert font.data[:4] == b"\x00\x01\x00\x00"  # a TrueType font
            assert font.data == fonts.font_files()[weight].read_bytes()  # what the PDFs embed
            assert ("Vazirmatn" in fonts.font_files()[weight].name) is vazirmatn
    finally:
        monkeypatch.undo()
        fonts.font_files.cache_clear()
    assert client.get("/fonts/other.ttf").status_code == 404
    css = text(client.get("/static/sandogh.css"))
    assert "@font-face" in css and "../fonts/sandogh-regular.ttf" in css
    assert "../fonts/sandogh-bold.ttf" in css


def test_no_page_loads_anything_from_another_site(client: FlaskClient, web: Web) -> None:
    login(client, Role.ADMIN)
    html = text(client.get("/"))
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    css = text(client.get("/static/sandogh.css"))
    assert "http" not in css
