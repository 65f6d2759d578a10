"""HTTP security headers on every response, and no caching of pages that carry data.

flask-talisman sets, on every response:

- ``Content-Security-Policy`` (``CSP``): scripts, styles, fonts, forms and
  fetches only from the app itself; images also as ``data:`` URIs (the
  monitoring charts are SVGs in ``<img src="data:…">``, which cannot run
  script); no plugins, no ``<base>``, and ``frame-ancestors 'none'``. No
  ``'unsafe-inline'``: a template never holds an inline ``<script>``, an
  ``on…=`` handler or a ``style=`` attribute (docs/web.md; a test walks every
  page of every role and fails on one);
- ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: same-origin``; HSTS when the request came over HTTPS
  (directly or through a proxy that says ``X-Forwarded-Proto: https``).

Talisman's HTTPS redirect and its session-cookie override are off: TLS ends at
the reverse proxy in front (docs/security.md), and ``SESSION_COOKIE_SECURE``
comes from ``SANDOGH_SECURE_COOKIES`` (web/config.py).

Every response except the app's static files and fonts carries
``Cache-Control: no-store``: pages and downloads hold members' money and
women's personal data, and must not stay in a shared or browser cache.

``QuietRequestHandler`` is the development server's request handler without
the ``Server: Werkzeug/x Python/y`` banner (``sandogh demo`` uses it).
"""

from __future__ import annotations

from flask import Flask, request
from flask_talisman import DENY, Talisman
from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Response

#: The Content-Security-Policy of every response.
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "font-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "form-action": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}
#: Endpoints whose responses may be cached: the app's own static files and fonts.
CACHEABLE = frozenset({"static", "fonts.font"})
#: What the development server says it is (no product versions).
SERVER_NAME = "Sandogh"


def init_app(app: Flask) -> None:
    """Set the security headers on every response of the app."""
    Talisman(
        app,
        force_https=False,
        session_cookie_secure=False,
        session_cookie_http_only=True,
        frame_options=DENY,
        content_security_policy=CSP,
        referrer_policy="same-origin",
    )
    app.after_request(no_store)


def no_store(response: Response) -> Response:
    """Forbid caching every response but the static files and fonts."""
    if request.endpoint not in CACHEABLE:
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler, naming no product or version in its ``Server`` header."""

    def version_string(self) -> str:
        return SERVER_NAME
