"""One word per thing (docs/glossary.md): the catalog, the PDFs and the templates agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
GLOSSARY = ROOT / "docs" / "glossary.md"
CATALOG = ROOT / "web" / "translations" / "fa" / "LC_MESSAGES" / "messages.po"
#: msgids whose English word names something else (listed in docs/glossary.md).
EXCEPTIONS = {"Loan due", "Loan schedule to print", "Financial statements"}


def glossary() -> list[tuple[str, str, str]]:
    """Return (English, Persian, not) rows of the glossary table."""
    row = re.compile(r"^\| *([a-z][a-z -]*?) *\| *([^|\n]+?) *\| *([^|\n]*?) *\|$", re.M)
    rows = row.findall(GLOSSARY.read_text("utf-8"))
    return [row for row in rows if row[0] not in ("English", "---")]


def catalog() -> list[tuple[str, str]]:
    return re.findall(r'\nmsgid "(.*)"\nmsgstr "(.*)"', CATALOG.read_text("utf-8"))


def plain(text: str) -> str:
    return text.replace("\u200c", "")


def test_the_glossary_is_read() -> None:
    assert len(glossary()) >= 10


@pytest.mark.parametrize(("english", "persian", "never"), glossary())
def test_each_term_is_translated_by_its_word(english: str, persian: str, never: str) -> None:
    pattern = re.compile(rf"\b{re.escape(english)}(s|es)?\b", re.I)
    wrong = [
        (msgid, msgstr)
        for msgid, msgstr in catalog()
        if pattern.search(msgid)
        and msgid not in EXCEPTIONS
        and not any(plain(word.strip()) in plain(msgstr) for word in persian.split("،"))
    ]
    assert not wrong


@pytest.mark.parametrize(("english", "persian", "never"), [g for g in glossary() if g[2]])
def test_the_other_word_is_used_nowhere(english: str, persian: str, never: str) -> None:
    places = [CATALOG, *(ROOT / "reports").rglob("*.py"), *(ROOT / "reports").rglob("*.html")]
    places += list((ROOT / "web" / "templates").rglob("*.html"))
    used = [str(p) for p in places if plain(never) in plain(p.read_text("utf-8"))]
    assert not used, f"{never!r} for {english!r}"
