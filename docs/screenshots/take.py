"""Screenshots of the demo's pages behind the login, at 360 and 1280 px, in Debian's Chromium.

Run the demo (``make demo`` or ``.venv/bin/sandogh demo --port 5055``), then:

    .venv/bin/python docs/screenshots/take.py http://127.0.0.1:5055 docs/screenshots

It logs in as each demo user (password ``sandogh-demo``) through the login form and
saves one PNG per page and width. Playwright drives /usr/bin/chromium; it never
downloads a browser.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

WIDTHS = (360, 1280)
PASSWORD = "sandogh-demo"


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_load_state("networkidle")


def pages_of(page: Page, base: str) -> dict[str, str]:
    """The pages to shoot, found from the treasurer's home (fund, a member, a loan)."""
    page.goto(f"{base}/")
    fund = page.locator("a[href^='/funds/']").first.get_attribute("href") or "/"
    page.goto(base + fund)
    member = page.locator("a[href*='/members/']").first.get_attribute("href") or fund
    loan = page.locator("a[href*='/loans/']").first.get_attribute("href") or fund
    return {"home": "/", "fund": fund, "member": member, "loan": loan}


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            page.goto(f"{base}/login")
            page.screenshot(path=str(out / f"login-{width}.png"), full_page=True)
            log_in(page, base, "treasurer")
            for name, path in pages_of(page, base).items():
                page.goto(base + path)
                page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
            log_in_as_other(page, base, out, width)
            context.close()
        browser.close()


def log_in_as_other(page: Page, base: str, out: Path, width: int) -> None:
    """The facilitator's home and the administrator's users page."""
    for username, path, name in (
        ("facilitator", "/", "facilitator-home"),
        ("admin", "/admin/users", "admin-users"),
    ):
        page.context.clear_cookies()
        log_in(page, base, username)
        page.goto(base + path)
        page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)


if __name__ == "__main__":
    main(re.sub("/$", "", sys.argv[1]), Path(sys.argv[2]))
