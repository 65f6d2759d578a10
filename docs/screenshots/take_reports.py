"""Screenshots of the reports' pages (dashboard, monitoring, a statement) at 360 and 1280 px.

Run the demo, then:

    .venv/bin/python docs/screenshots/take_reports.py http://127.0.0.1:5055 docs/screenshots

Logs in as the demo's facilitator (see take.py) and saves one PNG per page and width.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from take import WIDTHS, log_in


def pages_of(page: Page, base: str) -> dict[str, str]:
    """The dashboard, the first fund's monitoring page and its first member's statement."""
    page.goto(f"{base}/dashboard")
    monitoring = page.locator("a[href*='/monitoring']").first.get_attribute("href") or "/"
    fund = monitoring.split("/monitoring")[0]
    page.goto(base + fund)
    links = page.locator("a[href*='/members/']").evaluate_all(
        "(links) => links.map(a => a.getAttribute('href'))"
    )
    member = next((h for h in links if re.search(r"/members/\d+$", h)), fund)
    return {
        "dashboard": "/dashboard",
        "monitoring": monitoring,
        "statement": member + "/statement",
    }


def main(base: str, out: Path) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            log_in(page, base, "facilitator")
            for name, path in pages_of(page, base).items():
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
            context.close()
        browser.close()


if __name__ == "__main__":
    main(re.sub("/$", "", sys.argv[1]), Path(sys.argv[2]))
