"""The translation catalogs: compiled from the .po files in web/translations (.mo are not in git).

``make`` compiles them with ``pybabel compile -d web/translations``; the tests and
``sandogh demo`` call ``compile_catalogs`` so a clean clone works without it.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def compile_catalogs(force: bool = False) -> list[Path]:
    """Compile each .po whose .mo is missing or older; return the .mo files written."""
    written = []
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        with mo.open("wb") as target:
            write_mo(target, catalog)
        written.append(mo)
    return written
