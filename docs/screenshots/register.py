"""Screenshots of the programme register's screens, at 360 and 1280 px, in Debian's Chromium.

Run the demo (``make demo`` or ``.venv/bin/sandogh demo --port 5055``), then:

    .venv/bin/python docs/screenshots/register.py http://127.0.0.1:5055 docs/screenshots

It logs in as the demo's programme staff (``viewer``), searches the register,
opens the record of the demo fund's first member, uploads a small agency file
with mistakes to reach the import's dry run, and shows the programme report for
the pilot's first two years. The file is generated here: its people are not real.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from take import log_in  # the same login as the other screenshots (this folder)

WIDTHS = (360, 1280)
AGENCY_FILE = (
    "کد ملی,نام,نام خانوادگی,نام پدر,تاریخ تولد,تلفن,روستا/محله\n"
    "0013542419,زهرا,کريمي,علی,۱۳۶۰/۵/۱۲,09121234567,قلعه‌نو\n"
    ",مریم,احمدی,حسن,1365/01/20,,کهریزک\n"
    "0013542410,سکینه,رضایی,,,,\n"
    ",,موسوی,,1362/13/01,,\n"
)


def dry_run(page: Page, base: str, folder: Path) -> None:
    """Upload the agency file and go through the mapping to the dry run."""
    path = folder / "agency.csv"
    path.write_text(AGENCY_FILE, encoding="utf-8")
    page.goto(f"{base}/register/import")
    page.fill("#agency", "بهزیستی نمونه")
    page.set_input_files("#file", str(path))
    page.fill("#received_on", "۱۳۹۴/۰۱/۱۵")
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    page.click("button.primary")  # the suggested mapping
    page.wait_for_load_state("networkidle")


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p, tempfile.TemporaryDirectory() as folder:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for width in WIDTHS:
            page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
            log_in(page, base, "viewer")
            shots = {
                "register-search": "/register?q=زهرا+کریمی",
                "register-record": "/register/1",
                "programme-report": "/register/report?start=1393/01/01&end=1394/12/29",
            }
            for name, path in shots.items():
                page.goto(base + path)
                page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
            dry_run(page, base, Path(folder))
            page.screenshot(path=str(out / f"register-dry-run-{width}.png"), full_page=True)
            page.context.close()
        browser.close()


if __name__ == "__main__":
    main(re.sub("/$", "", sys.argv[1]), Path(sys.argv[2]))
