"""The demo fund: a village fund's first four months, loaded from a fund book.

The book (web/demo/demo-fund.json) is a real fund book: seventeen weekly
meetings from 1405/05/12 (2026-08-03), loans repaid and one in arrears, a
guarantor recovery, fines, a grant, an expense and a cash shortfall explained.
Its dates are kept as they are: moving them would move the loans' monthly due
dates against the recorded repayments.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups.beneficiaries.demo_programme import load_demo_register
from groups.savings.fundbook import import_book
from ledger.models import Fund
from web.fundbook import load_book

DEMO_BOOK = Path(__file__).parent / "demo" / "demo-fund.json"
ACTOR = "demo"


def load_demo_if_empty(session: Session) -> bool:
    """Load the demo fund when the database has no fund; return True if it loaded."""
    if session.scalar(select(func.count()).select_from(Fund)):
        return False
    import_book(session, load_book(DEMO_BOOK.read_text(encoding="utf-8")), ACTOR)
    load_demo_register(session)  # generated women (never real), linked to the fund's members
    return True
