"""In real Chromium: the treasurer records a whole meeting on a phone; the member sees it.

The demo fund (web/demo/demo-fund.json, tomans): the treasurer opens the sheet
from her home page, gives every member one share, fines the first member for
coming late, grants a new loan guaranteed by the first member, types the cash
the running total expects, checks the confirmation and posts it. The fund's
balances change; the first member (user ``member``) finds the meeting and her
guarantee in her passbook. Screenshots at 360 and 1280 px go to build/screenshots/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from groups import locale
from groups.savings import queries
from groups.savings.book import FundBook
from groups.savings.models import Guarantee, Loan, Meeting
from web.demo import DEMO_PASSWORD
from web.extensions import db

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}


def plan(app: Flask) -> dict[str, Any]:
    """Choose, from the demo fund's state, a borrower, a loan she may have, and its guarantor."""
    with app.app_context():
        session = db.session()
        fund_id = session.scalars(select(Loan.fund_id).order_by(Loan.id).limit(1)).one()
        book = FundBook.load(session, fund_id)
        members = queries.active_members(session, fund_id)
        borrowing = {loan.member_id for loan in queries.open_loans(session, fund_id)}
        guarantor = members[0]  # the demo user "member"
        borrower = next(m for m in members[1:] if m.id not in borrowing)
        free = book.member_savings(guarantor) - queries.pledges_held(session, fund_id, guarantor.id)
        amount = min(book.member_savings(borrower), book.balance("cash") // 2) // 100_000 * 100_000
        pledge = min(amount, free) // 100_000 * 100_000
        meetings = session.scalar(select(func.count(Meeting.id)).where(Meeting.fund_id == fund_id))
        db.session.remove()
    assert amount > 0 and pledge > 0, "the demo fund can grant a guaranteed loan"
    return {
        "fund_id": fund_id,
        "borrower": borrower,
        "guarantor": guarantor,
        "amount": amount,
        "pledge": pledge,
        "meetings": meetings,
    }


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")


def toman(rials: int) -> str:
    """An amount as a treasurer types it: tomans, Persian digits, separators."""
    return locale.group_thousands(rials // 10)


def balance_shown(page: Any, base: str, fund_id: int, label: str) -> str:
    page.goto(f"{base}/funds/{fund_id}")
    return str(page.locator(f"dt:has-text('{label}') + dd").first.inner_text())


def test_the_treasurer_records_a_meeting_and_the_member_sees_it(
    live_app: tuple[Flask, str], browser: Any, screenshots: Path
) -> None:
    app, base = live_app
    chosen = plan(app)
    fund_id, borrower, guarantor = chosen["fund_id"], chosen["borrower"], chosen["guarantor"]
    phone = browser.new_context(viewport=PHONE, locale="fa-IR")
    page = phone.new_page()
    log_in(page, base, "treasurer")
    loans_before = balance_shown(page, base, fund_id, "مانده‌ی وام‌ها")
    page.goto(f"{base}/")
    page.click("a.button[href$='/meetings/new']")  # "record today's meeting" on her home page
    page.wait_for_selector("#sheet")
    page.screenshot(path=str(screenshots / "meeting-sheet-360.png"), full_page=True)

    for shares in page.locator("input[name$='-shares']").all():
        shares.fill("۱")
    page.select_option(f"select[name='m-{guarantor.id}-attendance']", "late")
    page.select_option(f"select[name='m-{guarantor.id}-fine_type']", "late")
    assert page.input_value(f"input[name='m-{guarantor.id}-fine']") == "۱٬۰۰۰"  # filled by JS
    page.select_option("select[name='loan-0-borrower']", str(borrower.id))
    page.fill("input[name='loan-0-amount']", toman(chosen["amount"]))
    page.fill("input[name='loan-0-term']", "2")
    page.fill("input[name='loan-0-purpose']", "خرید چرخ خیاطی")
    page.select_option("select[name='loan-0-g-0']", str(guarantor.id))
    page.fill("input[name='loan-0-p-0']", toman(chosen["pledge"]))
    expected = page.locator("#totals output[data-total='expected']").inner_text()
    page.fill("input[name='cash_counted']", expected)
    # the counted cash typed as shown, in whole tomans: no difference (never "(۰)" or "۰٫۲")
    assert page.locator("output[data-total='difference']").inner_text() == "بدون اختلاف"
    page.screenshot(path=str(screenshots / "meeting-sheet-filled-360.png"), full_page=True)

    page.click("button[value='review']")
    page.wait_for_load_state()
    errors = page.locator(".error").all_inner_texts()
    assert not errors, errors
    page.wait_for_selector("text=تأیید جلسه")
    assert expected in page.locator("#expected").inner_text()  # the JS total is the exact one
    page.screenshot(path=str(screenshots / "meeting-confirm-360.png"), full_page=True)
    page.click("button[value='post']")
    page.wait_for_selector("text=جلسه ثبت شد.")
    assert "خرید چرخ خیاطی" in page.content()
    page.screenshot(path=str(screenshots / "meeting-recorded-360.png"), full_page=True)
    meeting_url = page.url

    loans_after = balance_shown(page, base, fund_id, "مانده‌ی وام‌ها")
    assert loans_after != loans_before  # the new loan is on the fund's books
    with app.app_context():
        loan = db.session.scalars(select(Loan).order_by(Loan.id.desc()).limit(1)).one()
        pledges = db.session.scalars(select(Guarantee).where(Guarantee.loan_id == loan.id)).all()
        assert (loan.member_id, loan.principal) == (borrower.id, chosen["amount"])
        assert [(g.guarantor_id, g.pledge) for g in pledges] == [(guarantor.id, chosen["pledge"])]
        db.session.remove()
    phone.close()

    desktop = browser.new_context(viewport=DESKTOP, locale="fa-IR")
    page = desktop.new_page()
    log_in(page, base, "treasurer")
    page.goto(meeting_url)
    page.screenshot(path=str(screenshots / "meeting-recorded-1280.png"), full_page=True)
    page.goto(f"{base}/funds/{fund_id}/meetings/new")
    page.screenshot(path=str(screenshots / "meeting-sheet-1280.png"), full_page=True)
    desktop.close()

    member = browser.new_context(viewport=PHONE, locale="fa-IR")
    page = member.new_page()
    log_in(page, base, "member")
    page.click("text=دفترچه‌ی من")
    html = page.content()
    assert guarantor.name in html
    assert borrower.name in html  # the guarantee she gave
    page.screenshot(path=str(screenshots / "member-passbook-360.png"), full_page=True)
    member.close()
