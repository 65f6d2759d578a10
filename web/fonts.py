"""The app's font, served by the app itself (no CDN): the very files the PDFs embed.

Vazirmatn regular and bold from ``reports/fonts/`` (``make fonts``), or static
instances of Noto Sans Arabic when those are missing (``reports.fonts``). The
stylesheet declares them as the family ``Sandogh`` at weights 400 and 700.
"""

from __future__ import annotations

from flask import Blueprint, abort, send_file
from werkzeug.wrappers import Response

from reports import fonts

bp = Blueprint("fonts", __name__)

#: Public name -> weight. Only these files are served.
FONTS = {"sandogh-regular.ttf": fonts.REGULAR, "sandogh-bold.ttf": fonts.BOLD}
ONE_YEAR = 365 * 24 * 3600


@bp.get("/fonts/<name>")
def font(name: str) -> Response:
    """Serve the regular or bold font file, cached for a year."""
    weight = FONTS.get(name) or abort(404)
    path = fonts.font_files()[weight]
    return send_file(path, mimetype="font/ttf", max_age=ONE_YEAR, conditional=True, etag=True)
