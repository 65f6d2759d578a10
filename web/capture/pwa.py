"""The installable app: its manifest and its service worker, served from the site's root.

The service worker must be served from ``/sw.js`` so its scope is the whole site;
both files are static (web/static/pwa/) and public, like the login page.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

bp = Blueprint("pwa", __name__)
FILES = Path(__file__).resolve().parent.parent / "static" / "pwa"


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest (name, icons, start page)."""
    answer = send_from_directory(
        FILES, "manifest.webmanifest", mimetype="application/manifest+json"
    )
    return answer


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker: caches the app's files and the capture pages for use offline."""
    answer = send_from_directory(FILES, "sw.js", mimetype="text/javascript", max_age=0)
    answer.headers["Service-Worker-Allowed"] = "/"
    answer.headers["Cache-Control"] = "no-cache"
    return answer
