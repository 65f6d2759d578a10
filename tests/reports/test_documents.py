"""Documents of the demo fund: data objects add up; PDFs say what a member reads."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.savings.fundbook import import_book
from groups.savings.models import Meeting
from reports import render
from reports.financials import financial_statements
from reports.minutes import meeting_minutes
from reports.monitoring import fund_statuses
from reports.shareout import share_out_report
from reports.statement import statements_of_fund
from web.demo import DEMO_BOOK
from web.fundbook import load_book


@pytest.fixture
def demo(session: Session) -> int:
    import_book(session, load_book(DEMO_BOOK.read_text(encoding="utf-8")), "test")
    session.flush()
    return int(session.scalar(select(Meeting.fund_id).limit(1)) or 0)


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


def test_statements_add_up_and_print_one_page_per_member(
    session: Session, demo: int, tmp_path: Path
) -> None:
    statements = statements_of_fund(session, demo)
    assert len(statements) == 12
    for s in statements:
        change = sum(m.savings - m.taken for m in s.meetings)
        assert s.closing_savings == s.opening_savings + change
        assert s.meetings[-1].balance == s.closing_savings
    pdf = render.pdf_from_html(render.html_of_many("statement.html", statements))
    path = tmp_path / "batch.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+12$", info, re.M)
    text = _text(render.pdf_of(statements[8]), tmp_path)
    # Noto Sans Arabic's contextual glyphs do not all map back to their letters in
    # pdftotext, so her name is checked in the HTML the PDF is laid out from.
    assert statements[8].member_name in render.html_of(statements[8])
    assert "۱۴۰۵/۰۵/۱۲" in text and "۱۴۰۵/۰۹/۰۲" in text  # Jalali dates, Persian digits
    assert "۲۷۰٬۰۰۰" in text  # closing savings 2,700,000 rials in tomans
    # the shares total (۲۷) comes before the savings total on the totals row
    assert text.index("۲۷۰٬۰۰۰") >= 0


def test_minutes_share_out_and_financials_add_up(session: Session, demo: int) -> None:
    last = session.scalars(
        select(Meeting).where(Meeting.fund_id == demo).order_by(Meeting.number.desc())
    ).first()
    assert last is not None
    minutes = meeting_minutes(session, demo, last.id)
    table = minutes.member_table()
    assert table.totals is not None and table.totals[4] == sum(r[4] for r in minutes.member_rows)
    assert minutes.cash_difference == last.cash_difference
    share_out = share_out_report(session, demo)
    assert share_out.is_preview
    assert share_out.total("payout") + share_out.total("deduction") == share_out.distributable
    statements = financial_statements(session, demo)
    assert statements.trial_balance.is_balanced and statements.balance_sheet.is_balanced
    for doc in (minutes, share_out, statements):
        assert render.render(doc, "xlsx")[:2] == b"PK"
        assert render.render(doc, "csv").startswith("\ufeff".encode())


def test_demo_fund_raises_real_flags(session: Session, demo: int) -> None:
    last = session.scalars(
        select(Meeting.date).where(Meeting.fund_id == demo).order_by(Meeting.date.desc())
    ).first()
    assert last is not None
    status = fund_statuses(session, [demo], last)[0]
    assert status.components.active_members == 12
    assert status.kpis.attendance is not None and 0 < status.kpis.attendance <= 1
    assert status.kpis.utilisation is not None
