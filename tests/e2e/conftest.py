"""A live app for the browser: a fresh migrated SQLite database with the demo's book fund and users.

The app is served by werkzeug in a thread on a free port; the browser is Debian's
Chromium (``/usr/bin/chromium``) driven by Playwright, never a downloaded one.
When Chromium is missing the e2e tests fail, unless SANDOGH_SKIP_E2E=1 says to
skip them (a machine without a browser); CI installs it (Makefile TEST_DEBS).
Screenshots go to build/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from web import create_app
from web.demo import create_demo_users, load_demo_if_empty
from web.extensions import db
from web.i18n import compile_catalogs

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test here e2e; skip them only when Chromium is missing and that is allowed."""
    skip = not CHROMIUM.exists() and os.environ.get("SANDOGH_SKIP_E2E") == "1"
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if skip:
                item.add_marker(
                    pytest.mark.skip(reason="no /usr/bin/chromium (SANDOGH_SKIP_E2E=1)")
                )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    """The demo app served on a free port; yields (app, base URL)."""
    compile_catalogs()
    folder = tmp_path_factory.mktemp("e2e")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'e2e.sqlite3'}",
            "SECRET_KEY": "e2e",
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
        }
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        load_demo_if_empty(db.session(), generated_funds=False)  # the book's fund is enough
        create_demo_users(db.session())
        db.session.commit()
        db.session.remove()
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium."""
    if not CHROMIUM.exists():
        pytest.fail("e2e needs /usr/bin/chromium (apt install chromium), or SANDOGH_SKIP_E2E=1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def screenshots() -> Path:
    """The folder the run saves its screenshots in."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
