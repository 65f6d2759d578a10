"""The one font of the app and of its PDFs: Vazirmatn, or Noto Sans Arabic when it is missing.

``make fonts`` puts Vazirmatn Regular and Bold (npm package ``vazirmatn``, SIL OFL)
in ``reports/fonts/`` (or ``$SANDOGH_FONT_DIR``). Vazirmatn has Latin letters too, so
English is set in it as well, and its glyphs map back to their letters: ``pdftotext``
reads a PDF's Persian words exactly. Without those files the app still works, on
static instances of Noto Sans Arabic (pip package ``fontpkg-noto-sans-arabic``), and
says so once in the log: Noto builds letters from a dotless skeleton and dot glyphs,
so text extracted from its PDFs is wrong ("زنان" comes out "نرنان").

The web app (``web/fonts.py``) serves the same files the PDFs embed.
"""

from __future__ import annotations

import logging
import os
import tempfile
from functools import cache
from pathlib import Path

import fontpkg_noto_sans_arabic

log = logging.getLogger(__name__)

#: The CSS family name under which the PDFs and the web pages declare the font files.
FAMILY = "Sandogh"
REGULAR, BOLD = 400, 700
WEIGHTS = (REGULAR, BOLD)
#: Where ``make fonts`` puts Vazirmatn.
DEFAULT_DIR = Path(__file__).parent / "fonts"
VAZIRMATN = {REGULAR: "Vazirmatn-Regular.ttf", BOLD: "Vazirmatn-Bold.ttf"}


def font_dir() -> Path:
    """Return the folder of the Vazirmatn files: ``$SANDOGH_FONT_DIR`` or ``reports/fonts``."""
    return Path(os.environ.get("SANDOGH_FONT_DIR") or DEFAULT_DIR)


def vazirmatn_files() -> dict[int, Path] | None:
    """Return Vazirmatn's regular and bold files by weight, or None when one is missing."""
    files = {weight: font_dir() / name for weight, name in VAZIRMATN.items()}
    return files if all(path.is_file() for path in files.values()) else None


@cache
def font_files() -> dict[int, Path]:
    """Return the font files by weight (400, 700): Vazirmatn, else static Noto Sans Arabic."""
    files = vazirmatn_files()
    if files is not None:
        return files
    log.warning(
        "Vazirmatn is not in %s (run `make fonts`): using Noto Sans Arabic, whose Persian "
        "letters text extraction from PDFs (pdftotext, screen readers) gets wrong.",
        font_dir(),
    )
    return noto_files()


def font_name() -> str:
    """Return the name of the font in use: "Vazirmatn" or "Noto Sans Arabic"."""
    return "Vazirmatn" if font_files() == vazirmatn_files() else "Noto Sans Arabic"


# -- the fallback: static instances of Noto Sans Arabic ---------------------------------------

#: Where the static instances of the variable Noto font are kept between runs.
FONT_CACHE = Path(
    os.environ.get("SANDOGH_FONT_CACHE") or Path(tempfile.gettempdir()) / "sandogh-fonts"
)


def noto_path() -> Path:
    """Return Noto Sans Arabic's variable font file (from the fontpkg_noto_sans_arabic package)."""
    files = Path(fontpkg_noto_sans_arabic.ROOT) / "files"
    return next(files.glob("*.ttf"))


@cache
def noto_files() -> dict[int, Path]:
    """Return static regular and bold instances of Noto Sans Arabic's variable font, by weight.

    WeasyPrint would instantiate the variable font anew for every PDF (about 0.2 s
    per weight); the instances are made once (fontTools) and cached in FONT_CACHE.
    """
    from fontTools.ttLib import TTFont
    from fontTools.varLib.instancer import instantiateVariableFont

    source = noto_path()
    stamp = f"{source.stat().st_size}-{int(source.stat().st_mtime)}"
    files = {}
    for weight in WEIGHTS:
        target = FONT_CACHE / f"NotoSansArabic-{weight}-{stamp}.ttf"
        if not target.exists():
            FONT_CACHE.mkdir(parents=True, exist_ok=True)
            static = instantiateVariableFont(TTFont(source), {"wght": weight, "wdth": 100})
            partial = target.with_suffix(f".{os.getpid()}.tmp")
            static.save(partial)
            partial.replace(target)  # atomic: a concurrent run never reads half a font
        files[weight] = target
    return files
