"""Item 6 of issue 10: security headers on every response, no caching of data, no inline code.

Walks every endpoint of the URL map as anonymous visitors and as each role, for
the users' fund and for another one (tests/security/pages.py), and checks every
answer (pages, downloads, redirects, errors alike).
"""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from tests.security.pages import Visit, inline_code, walk
from tests.web.conftest import Web
from web.headers import CACHEABLE, QuietRequestHandler


@pytest.fixture
def visits(app: Flask, web: Web, client: FlaskClient) -> list[Visit]:
    """Every endpoint for every role, once per test."""
    return list(walk(app, web, client))


def directives(policy: str) -> dict[str, str]:
    """Return a Content-Security-Policy as {directive: sources}."""
    parts = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def test_every_response_carries_the_security_headers(visits: list[Visit]) -> None:
    assert len(visits) > 300
    for visit in visits:
        headers = visit.response.headers
        assert headers.get("X-Frame-Options") == "DENY", visit
        assert headers.get("X-Content-Type-Options") == "nosniff", visit
        assert headers.get("Referrer-Policy") == "same-origin", visit
        policy = directives(headers.get("Content-Security-Policy", ""))
        assert policy.get("frame-ancestors") == "'none'", visit
        for kind in ("default-src", "script-src", "style-src", "font-src"):
            assert policy.get(kind) == "'self'", (visit, kind, policy)
        assert "unsafe" not in headers["Content-Security-Policy"], visit
        assert "Server" not in headers, visit


def test_every_page_and_download_with_data_is_never_stored(visits: list[Visit]) -> None:
    downloads = 0
    for visit in visits:
        if visit.endpoint in CACHEABLE:
            continue
        assert visit.response.headers.get("Cache-Control") == "no-store", visit
        if visit.response.status_code == 200 and visit.response.mimetype != "text/html":
            downloads += 1
    assert downloads > 20  # PDFs, CSV, XLSX, fund books, problem reports were among them


def test_fonts_and_static_files_stay_cacheable(client: FlaskClient) -> None:
    font = client.get("/fonts/sandogh-regular.ttf")
    css = client.get("/static/sandogh.css")
    assert font.status_code == css.status_code == 200
    assert "no-store" not in font.headers.get("Cache-Control", "")
    assert "no-store" not in css.headers.get("Cache-Control", "")
    assert css.headers["X-Content-Type-Options"] == "nosniff"


def test_no_page_holds_inline_script_style_or_handler(visits: list[Visit]) -> None:
    """A page with an inline <script>, <style>, style= or on…= would break under the CSP."""
    pages = [
        v for v in visits if v.response.mimetype == "text/html" and v.response.status_code == 200
    ]
    assert len(pages) > 150
    for visit in pages:
        assert inline_code(visit.response.get_data(as_text=True)) == [], visit


def test_the_inline_check_finds_what_it_looks_for() -> None:
    page = (
        '<p style="color:red" onclick="x()">a</p><script>alert(1)</script>'
        '<script src="/static/meeting.js"></script><style>p{}</style><a href="javascript:x()">'
    )
    assert inline_code(page) == [
        "style= on <p>",
        "onclick= on <p>",
        "<script> without src",
        "code inside <script>",
        "<style> element",
        "javascript: URL in <a href>",
    ]


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app behind the development server of ``sandogh demo`` on a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def test_the_server_names_no_product_version(live_server: str) -> None:
    with urllib.request.urlopen(live_server + "/login") as response:
        assert response.status == 200
        assert response.headers["Server"] == "Sandogh"
        assert response.headers["Cache-Control"] == "no-store"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
