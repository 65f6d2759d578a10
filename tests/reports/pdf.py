"""Reading a PDF back as a member reads it: pdftotext, with the text normalised for comparison.

Persian is checked in PDFs laid out in Vazirmatn, whose glyphs map back to their
letters (Noto Sans Arabic's do not): without ``reports/fonts/Vazirmatn-*.ttf`` these
tests fail and say to run ``make fonts``.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from reports import fonts

#: What pdftotext drops, moves or adds around Persian text, left out on both sides of a
#: comparison: ZWNJ (U+200C, dropped), the hamza above (U+0654, put before its letter:
#: «صفحهٔ» comes out «صفحٔه»), and the direction marks and embeddings it writes around
#: runs (U+200E/F, U+202A-U+202E, U+2066-U+2069).
INVISIBLE = re.compile("[\u200c\u0654\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def require_vazirmatn() -> None:
    """Fail (not skip) when Vazirmatn is missing: CI runs `make test`, which fetches it."""
    if fonts.vazirmatn_files() is None:
        pytest.fail(f"Vazirmatn is not in {fonts.font_dir()}: run `make fonts`")


def compact(text: str) -> str:
    """Return text without ZWNJ, hamza above, direction marks and any blank.

    Blanks go too: pdftotext moves spaces and colons next to digits and at the edges
    of left-to-right runs («صفحهٔ ۱ از ۱» comes out «صفحه ۱از ۱», «محل: قلعه‌نو» comes
    out «محل :قلعهنو»), while the letters and their order are what a member reads. And
    the lam-alef ligature (one glyph, as Persian requires) comes out as alef, lam
    («لیلا» reads «لیال»): "لا" is written "ال" on both sides.
    """
    return re.sub(r"\s+", "", INVISIBLE.sub("", text)).replace("لا", "ال")


def pdf_text(pdf: bytes, tmp_path: Path, layout: bool = False) -> str:
    """Return the text of a PDF (pdftotext; ``layout`` keeps the columns), pages split by \\f."""
    path = tmp_path / "read-back.pdf"
    path.write_bytes(pdf)
    options = ["-layout"] if layout else []
    result = subprocess.run(
        ["pdftotext", *options, str(path), "-"], check=True, capture_output=True, text=True
    )
    return result.stdout


def reads(text: str, part: str) -> bool:
    """Return True when the part is in the text, compared compact (see ``compact``)."""
    return compact(part) in compact(text)


def assert_in_order(text: str, *parts: str) -> None:
    """Assert that each part is in the text, each after the one before (compared compact)."""
    haystack, position = compact(text), 0
    for part in parts:
        found = haystack.find(compact(part), position)
        assert found >= 0, f"{part!r} not found after position {position} in:\n{text}"
        position = found + len(compact(part))
