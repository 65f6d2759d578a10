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
from tests.reports.pdf import assert_in_order, pdf_text, reads, require_vazirmatn
from web.demo import DEMO_BOOK
from web.fundbook import load_book


@pytest.fixture
def demo(session: Session) -> int:
    import_book(session, load_book(DEMO_BOOK.read_text(encoding="utf-8")), "test")
    session.flush()
    return int(session.scalar(select(Meeting.fund_id).limit(1)) or 0)


def test_statements_add_up_and_print_one_page_per_member(
    session: Session, demo: int, tmp_path: Path
) -> None:
    require_vazirmatn()
    statements = statements_of_fund(session, demo)
    assert len(statements) == 12
    for s in statements:
        change = sum(m.savings - m.taken for m in s.meetings)
        assert s.closing_savings == s.opening_savings + change
        assert s.meetings[-1].balance == s.closing_savings
    pdf, pages = render.pdf_of_many(statements)
    assert pages == 12
    path = tmp_path / "batch.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+12$", info, re.M)
    # one statement per page, in register order, each numbered on its own
    for statement, page in zip(statements, pdf_text(pdf, tmp_path).split("\f"), strict=False):
        assert_in_order(page, "صورت‌حساب عضو", "صندوق زنان روستای قلعه‌نو", statement.member_name)
        assert reads(page, "صفحهٔ ۱ از ۱")


def test_a_member_reads_her_statement_in_the_pdf(
    session: Session, demo: int, tmp_path: Path
) -> None:
    require_vazirmatn()
    statement = statements_of_fund(session, demo)[8]
    assert statement.member_name == "منیژه نوری"
    text = pdf_text(render.pdf_of(statement), tmp_path)
    # the top margin (title, fund and period), then the heading
    assert_in_order(
        text,
        "صورت‌حساب عضو",
        "صندوق زنان روستای قلعه‌نو — از ۱۴۰۵/۰۵/۱۲ تا ۱۴۰۵/۰۹/۰۲",
        "صورت‌حساب عضو member statement",
    )
    assert reads(text, "صندوق: صندوق زنان روستای قلعه‌نو")
    assert reads(text, "عضو: منیژه نوری")
    # the summary boxes from right to left, then the opening savings and the meetings
    assert_in_order(
        text,
        "پس‌انداز شما تا ۱۴۰۵/۰۹/۰۲",
        "مانده وام شما",
        "ارزش تقریبی در تقسیم سود",
        "پس‌انداز اول دوره",
        "جلسه‌ها meetings",
    )
    # the meeting rows in logical (right-to-left) order: date, attendance, shares, savings
    assert_in_order(text, "جلسه‌ها", "۱۴۰۵/۰۵/۱۲", "حاضر", "۱", "۱۰٬۰۰۰", "۱۴۰۵/۰۵/۱۹")
    assert_in_order(text, "۱۴۰۵/۰۶/۱۶", "۱۴۰۵/۰۹/۰۲", "جمع", "۲۷")  # the totals row, shares first
    assert reads(text, "۲۷۰٬۰۰۰ تومان")  # closing savings: 2,700,000 rials, in tomans
    assert reads(text, "پس‌انداز: پولی که با خرید سهم در صندوق گذاشته‌اید و در پایان دوره")
    assert reads(text, "صفحهٔ ۱ از ۱")


def test_minutes_share_out_and_financials_add_up(
    session: Session, demo: int, tmp_path: Path
) -> None:
    require_vazirmatn()
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
        text = pdf_text(render.render(doc, "pdf"), tmp_path)
        heading = doc.heading
        assert_in_order(text, heading.title_fa, heading.fund_name)  # the top margin
        assert_in_order(text, f"{heading.title_fa} {heading.title_en}", "قلعه‌نو، شهرری")
        for table in doc.tables():
            if table.rows:  # every label of a printed table
                assert all(reads(text, column.fa) for column in table.columns), table.name
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
