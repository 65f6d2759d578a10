"""The Persian font, served by the app from the fontpkg-noto-sans-arabic package (no CDN)."""

from __future__ import annotations

import fontpkg_noto_sans_arabic
from flask import Blueprint, abort, send_from_directory
from werkzeug.wrappers import Response

bp = Blueprint("fonts", __name__)

FONT_DIR = fontpkg_noto_sans_arabic.ROOT / "files"
#: Public name -> file in the package. Only these files are served.
FONTS = {"noto-sans-arabic.ttf": "NotoSansArabic[wdth,wght].ttf"}
ONE_YEAR = 365 * 24 * 3600


@bp.get("/fonts/<name>")
def font(name: str) -> Response:
    """Serve a font file of the package, cached for a year."""
    filename = FONTS.get(name) or abort(404)
    return send_from_directory(FONT_DIR, filename, mimetype="font/ttf", max_age=ONE_YEAR)
