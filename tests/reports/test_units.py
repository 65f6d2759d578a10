"""Every amount of every document is in the fund's display unit (issue 15, item 1).

The audit is metamorphic: each document of the demo fund (toman) is rendered, the
fund is switched to rials and the document rendered again. The two pages are the
same but for the unit, so their numbers pair up in reading order: a pair that
differs is an amount, and the toman one must be the rial one ÷ 10, rounded to the
toman; a pair that is the same is a count or a date, never a grouped figure (an
amount of 1,000 or more). An amount
printed in rials whatever the unit (the minutes' guarantor pledges were) is a
pair of equal figures of 1,000 or more, and fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.locale import latin_digits
from groups.savings.fundbook import import_book
from groups.savings.models import Loan, Meeting, SavingsFund
from reports import render
from reports.document import Document
from reports.financials import financial_statements
from reports.loans import loan_schedule
from reports.minutes import meeting_minutes
from reports.shareout import share_out_report
from reports.statement import statements_of_fund
from reports.visit import visit_report
from web.demo import DEMO_BOOK
from web.fundbook import load_book

#: A number as printed: Persian digits, maybe with thousands separators.
NUMBER = re.compile("[۰-۹]+(?:٬[۰-۹]{3})*")


@pytest.fixture
def demo(session: Session) -> int:
    import_book(session, load_book(DEMO_BOOK.read_text(encoding="utf-8")), "test")
    session.flush()
    return int(session.scalar(select(Meeting.fund_id).limit(1)) or 0)


def documents(session: Session, fund_id: int) -> dict[str, Callable[[], list[Document]]]:
    """Return a builder of every document the fund prints, by name."""
    meetings = session.scalars(
        select(Meeting.id).where(Meeting.fund_id == fund_id, Meeting.status == "closed")
    ).all()
    loans = session.scalars(select(Loan.id).where(Loan.fund_id == fund_id)).all()
    return {
        "statements": lambda: list(statements_of_fund(session, fund_id)),
        "minutes": lambda: [meeting_minutes(session, fund_id, m) for m in meetings],
        "share-out": lambda: [share_out_report(session, fund_id)],
        "financials": lambda: [financial_statements(session, fund_id)],
        "loan schedules": lambda: [loan_schedule(session, fund_id, loan) for loan in loans],
        "visit report": lambda: [visit_report(session, fund_id)],
    }


def set_unit(session: Session, fund_id: int, unit: str) -> None:
    fund = session.get(SavingsFund, fund_id)
    assert fund is not None
    fund.display_unit = unit
    session.flush()


@pytest.mark.parametrize(
    "name",
    ["statements", "minutes", "share-out", "financials", "loan schedules", "visit report"],
)
def test_every_amount_of_a_document_is_in_the_funds_unit(
    session: Session, demo: int, name: str
) -> None:
    build = documents(session, demo)[name]
    set_unit(session, demo, "toman")
    in_tomans = [render.html_of(doc) for doc in build()]
    set_unit(session, demo, "rial")
    in_rials = [render.html_of(doc) for doc in build()]
    checked = 0
    for toman_page, rial_page in zip(in_tomans, in_rials, strict=True):
        toman_numbers, rial_numbers = numbers(toman_page), numbers(rial_page)
        assert len(toman_numbers) == len(rial_numbers), f"{name}: the pages differ in shape"
        for (toman_text, tomans), (rial_text, rials) in zip(
            toman_numbers, rial_numbers, strict=True
        ):
            if toman_text == rial_text:  # a count, a year, a day or an amount under 10 rials
                assert "٬" not in rial_text, f"{name}: {rial_text} is the same in both units"
            else:
                assert tomans == rounded_tomans(rials), f"{name}: {rial_text} rials as {toman_text}"
                checked += 1
    assert checked > 0, f"{name}: no amount was printed"


def numbers(text: str) -> list[tuple[str, int]]:
    """Return every number of a rendered page (as printed, and its value), in reading order."""
    return [(m, int(latin_digits(m).replace("٬", ""))) for m in NUMBER.findall(text)]


def rounded_tomans(rials: int) -> int:
    """Return rials in tomans, rounded half away from zero (independently of groups.locale)."""
    whole, rest = divmod(rials, 10)
    return whole + (1 if rest >= 5 else 0)


def test_a_statement_in_arrears_says_since_when_and_what_is_next(
    session: Session, demo: int
) -> None:
    lines = [(s.heading.end, line) for s in statements_of_fund(session, demo) for line in s.loans]
    assert lines
    for end, line in lines:
        assert line.next_due_on is None or line.next_due_on > end  # never a past day as "next"
        if line.overdue_since is not None:
            assert line.overdue_since <= end and line.owed_now > 0
    assert any(line.overdue_since for _, line in lines), "the demo fund has a member in arrears"
