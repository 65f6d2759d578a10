"""In real Chromium, under the app's Content-Security-Policy: nothing on the screens is refused.

Issue 10, item 6. The policy allows only the app's own scripts, styles and fonts
(web/headers.py); a page that still needed an inline script or style, or a file
from elsewhere, would be refused by the browser and say so in its console. The
treasurer and the viewer open their screens (the meeting sheet runs its script,
the monitoring page shows its charts) and the console holds no refusal.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from groups.savings.models import SavingsFund
from web.demo import DEMO_PASSWORD
from web.extensions import db


def fund_id_of(app: Flask) -> int:
    with app.app_context():
        fund_id = db.session.scalars(select(SavingsFund.fund_id).limit(1)).one()
        db.session.remove()
    return int(fund_id)


def refusals(page: Any) -> list[str]:
    """Collect the console's Content-Security-Policy refusals of this page."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def test_the_screens_run_under_the_policy(live_app: tuple[Flask, str], browser: Any) -> None:
    app, base = live_app
    fund_id = fund_id_of(app)
    for username, paths in (
        ("treasurer", ["/", f"/funds/{fund_id}", f"/funds/{fund_id}/meetings/new"]),
        ("viewer", [f"/funds/{fund_id}/monitoring", "/register"]),
    ):
        context = browser.new_context()
        page = context.new_page()
        found = refusals(page)
        page.goto(f"{base}/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button.primary")
        for path in paths:
            response = page.goto(base + path)
            assert response.status == 200, path
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
        family = page.evaluate("getComputedStyle(document.body).fontFamily")
        context.close()
        assert found == [], (username, found)
        assert "Sandogh" in family  # the stylesheet applied
