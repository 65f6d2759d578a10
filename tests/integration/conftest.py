"""A fund with the savings chart, and shortcuts to its accounts by code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.orm import Session

from groups.savings.chart import SAVINGS_FUND_CHART
from ledger.chart import open_fund, require_account
from ledger.entries import EntryDraft, Posting, Source, SourceType
from ledger.models import Fund

DAY = date(2025, 3, 21)  # 1404/01/01


@dataclass
class Books:
    """A fund under test: its session, fund and accounts by code."""

    session: Session
    fund: Fund

    def account(self, code: str) -> int:
        """Return the id of the fund's account with this code."""
        return require_account(self.session, self.fund.id, code).id

    def draft(
        self, *postings: Posting, on: date = DAY, key: str | None = None, memo: str = "test"
    ) -> EntryDraft:
        """Return a draft entry of this fund."""
        return EntryDraft(self.fund.id, on, memo, postings, Source(SourceType.MANUAL), key)


@pytest.fixture
def books(session: Session) -> Books:
    """A new fund with the savings-fund chart."""
    return Books(session, open_fund(session, "صندوق آزمایشی", chart=SAVINGS_FUND_CHART))
