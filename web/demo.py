"""The demo fund: a small village fund's first weeks, posted through the ledger."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.chart import open_fund, open_member_account, require_account
from ledger.entries import EntryDraft, Posting, Source, SourceType, credit, debit
from ledger.models import Fund
from ledger.posting import post_many

MEMBERS = ("فاطمه رضایی", "زهرا کریمی", "معصومه احمدی", "مریم حسینی", "سکینه موسوی")
SHARE_PRICE = 100_000
ACTOR = "demo"


def load_demo_if_empty(session: Session, today: date) -> bool:
    """Load the demo fund when the database has no fund; return True if it loaded."""
    if session.scalar(select(func.count()).select_from(Fund)):
        return False
    fund = open_fund(session, "صندوق زنان روستای قلعه‌نو")
    start = today - timedelta(weeks=4)
    post_many(session, list(_demo_entries(session, fund.id, start)), ACTOR)
    return True


def _demo_entries(session: Session, fund_id: int, start: date) -> list[EntryDraft]:
    cash = require_account(session, fund_id, "1010").id
    social_cash = require_account(session, fund_id, "1020").id
    social = require_account(session, fund_id, "3200").id
    charges = require_account(session, fund_id, "4100").id
    fines = require_account(session, fund_id, "4200").id
    savings = [
        open_member_account(session, fund_id, "3100", n, name).id
        for n, name in enumerate(MEMBERS, 1)
    ]
    loan = open_member_account(session, fund_id, "1100", 2, MEMBERS[1]).id
    drafts = []
    for week in range(4):
        day = start + timedelta(weeks=week)
        meeting = Source(SourceType.MEETING, f"demo-{week + 1}")
        shares = [(i % 3 + 1) * SHARE_PRICE for i in range(len(MEMBERS))]
        bought: list[Posting] = [
            credit(acc, amount) for acc, amount in zip(savings, shares, strict=True)
        ]
        drafts.append(
            _draft(
                fund_id,
                day,
                "خرید سهم",
                [debit(cash, sum(shares)), *bought],
                meeting,
                week,
                "shares",
            )
        )
        social_total = 20_000 * len(MEMBERS)
        drafts.append(
            _draft(
                fund_id,
                day,
                "حق صندوق همبستگی",
                [debit(social_cash, social_total), credit(social, social_total)],
                meeting,
                week,
                "social",
            )
        )
    loan_day = start + timedelta(weeks=1)
    loan_source = Source(SourceType.LOAN, "demo-loan-1")
    drafts.append(
        _draft(
            fund_id,
            loan_day,
            "پرداخت وام به زهرا کریمی",
            [debit(loan, 600_000), credit(cash, 600_000)],
            loan_source,
            1,
            "loan",
        )
    )
    repay_day = start + timedelta(weeks=3)
    drafts.append(
        _draft(
            fund_id,
            repay_day,
            "قسط وام و کارمزد",
            [debit(cash, 230_000), credit(loan, 200_000), credit(charges, 30_000)],
            loan_source,
            3,
            "repayment",
        )
    )
    drafts.append(
        _draft(
            fund_id,
            repay_day,
            "جریمه‌ی تأخیر در جلسه",
            [debit(cash, 10_000), credit(fines, 10_000)],
            Source(SourceType.MEETING, "demo-4"),
            3,
            "fine",
        )
    )
    return drafts


def _draft(
    fund_id: int,
    day: date,
    memo: str,
    postings: list[Posting],
    source: Source,
    week: int,
    what: str,
) -> EntryDraft:
    return EntryDraft(fund_id, day, memo, tuple(postings), source, f"demo:{fund_id}:{week}:{what}")
