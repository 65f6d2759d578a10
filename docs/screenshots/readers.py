"""Before/after screenshots of the pages issue 15 changed, at 360 and 1280 px.

Run the demo (``.venv/bin/sandogh demo --port 5062``), then:

    .venv/bin/python docs/screenshots/readers.py http://127.0.0.1:5062 docs/screenshots after

which saves ``readers/<page>-<width>-after.png`` for each page below (``before`` for
a server running the code before the change). Pages are found from the demo's own
links, so the script needs no ids. Playwright drives /usr/bin/chromium.
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


def switch_language(page: Page, locale: str) -> None:
    """Show the user's pages in that language (a user keeps the language she chose last)."""
    button = page.locator(f"button[name=locale][value={locale}]")
    if button.count():
        with page.expect_navigation():
            button.first.click()


def first_link(page: Page, base: str, path: str, pattern: str) -> str:
    page.goto(base + path)
    return page.locator(f"a[href*='{pattern}']").first.get_attribute("href") or path


def shots(page: Page, base: str) -> list[tuple[str, str, str]]:
    """Return (user, name, path) of the pages to shoot."""
    log_in(page, base, "treasurer")
    fund = first_link(page, base, "/", "/funds/")
    fund = re.sub(r"^(/funds/\d+).*$", r"\1", fund)
    page.goto(base + fund)
    meeting = (
        page.locator("a[href*='/meetings/']:not([href$='/new'])").first.get_attribute("href")
        or fund
    )
    page.goto(base + fund)
    member = (
        page.locator("a[href*='/members/']:not([href$='/new'])").first.get_attribute("href") or fund
    )
    return [
        ("anonymous", "login", "/login"),
        ("treasurer", "treasurer-home", "/"),
        ("treasurer", "fund", fund),
        ("treasurer", "meeting", meeting),
        ("treasurer", "meeting-sheet", f"{fund}/meetings/new"),
        ("treasurer", "trial-balance-exact", f"{fund}/trial-balance?exact=1"),
        ("member", "member-home", "/"),
        ("member", "member-page", member),
        ("facilitator", "facilitator-home", "/"),
        ("facilitator", "dashboard", "/dashboard"),
        ("facilitator", "monitoring", f"{fund}/monitoring"),
        ("facilitator", "visit-form", f"{fund}/visits/new"),
        ("admin", "duplicates", "/register/duplicates"),
        ("admin", "import-upload", "/register/import"),
        ("admin-en", "english-meeting", meeting),
        ("admin-en", "english-member", member),
    ]


def main(base: str, out: Path, label: str, only: set[str]) -> None:
    out = out / "readers"
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        finder = browser.new_context()
        pages = shots(finder.new_page(), base)
        finder.close()
        for width in WIDTHS:
            for who in dict.fromkeys(user for user, _, _ in pages):
                context = browser.new_context(viewport={"width": width, "height": 900})
                page = context.new_page()
                if who != "anonymous":
                    log_in(page, base, who.removesuffix("-en"))
                if who != "anonymous":
                    switch_language(page, "en" if who.endswith("-en") else "fa")
                for user, name, path in pages:
                    if user == who and (not only or name in only):
                        page.goto(base + path)
                        shot = out / f"{name}-{width}-{label}.png"
                        page.screenshot(path=str(shot), full_page=True)
                context.close()
        browser.close()


if __name__ == "__main__":
    main(re.sub("/$", "", sys.argv[1]), Path(sys.argv[2]), sys.argv[3], set(sys.argv[4:]))
