"""History and fairness of a fund's books (issue 13): what a member paid is hers at the
share-out, reports as of a past day are that day's, a reopened meeting never counts.

The story fund is ``story_fund`` of test_rules_refused.py: A, B, C, D buy 20, 10, 5, 2
shares of 1,000 (cash 37,000); a week later C borrows 9,000 over three months at 5% a
month flat (3,000 + 450 due 5 May, 2 June, 30 June 2025), guaranteed by A (5,000) and B
(2,500).
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.savings import rules
from groups.savings.commands import Grant, MemberLine
from groups.savings.fundbook import export_book, import_book
from groups.savings.meetings import reopen_last_meeting
from groups.savings.models import Meeting
from groups.savings.report import fund_report
from groups.savings.shareout import preview_share_out
from ledger.export import export_journal
from ledger.models import Account, Entry
from tests.savings.test_rules_refused import Book, story_fund, week
from web.fundbook import dump_book, load_book

# -- charges returned to whoever paid them (item 3) -------------------------------------


def test_charges_returned_pays_back_the_guarantor_who_paid_a_charge(session: Session) -> None:
    book = story_fund(session, share_out_method=rules.ShareOutMethod.CHARGES_RETURNED)
    fund, a, b, c, d = book.fund, book.a, book.b, book.c, book.d
    fund.meet(week(8), recoveries=(book.loan.id,))  # A pays 450 + 1,850, B 1,150 of principal
    fund.meet(week(10), MemberLine(c.id, repayments={book.loan.id: 3_450}))  # 450 + 3,000

    preview = preview_share_out(session, fund.fund_id, week(10))
    charges = {line.member_id: line.charges_paid for line in preview.lines}
    assert charges == {a.id: 450, b.id: 0, c.id: 450, d.id: 0}
    # Cash 37,000 − 9,000 + 3,450 = 31,450; C owes 3,000 (June 30 not due: no charge yet):
    # distributable 34,450. Savings 17,700 / 8,850 / 5,000 / 2,000 and charges 450 / 0 /
    # 450 / 0 are each member's claim (34,450 in all): nothing is left to split.
    payouts = {line.member_id: (line.profit, line.payout) for line in preview.lines}
    assert payouts == {
        a.id: (450, 18_150),
        b.id: (0, 8_850),
        c.id: (450, 5_450 - 3_000),
        d.id: (0, 2_000),
    }
    assert preview.total_payout + 3_000 == preview.distributable == 34_450


# -- a reopened meeting never counts (item 2) -------------------------------------------
#
# The reading chosen: a reopen reverses the meeting's entries on the meeting's own day,
# so the meeting and its reversal cancel on that day and every reading of any day —
# balances, the fund report, journal exports — sees only the version that stands.


def _reopened_story(session: Session) -> tuple[Book, Meeting, Meeting]:
    """At week 2 A buys 3 shares and B gets a 300 grant; the meeting is reopened at week 3
    (the count was wrong) and recorded again on its own day with A buying 2 shares."""
    book = story_fund(session)
    fund, a, b = book.fund, book.a, book.b
    grant = (Grant(b.id, 300, "بیماری"),)
    voided = fund.meet(week(2), MemberLine(a.id, shares=3), grants=grant)
    reopen_last_meeting(session, fund.fund_id, voided.id, "شمارش اشتباه", "t", week(3))
    again = fund.meet(week(2), MemberLine(a.id, shares=2), grants=grant)
    return book, voided, again


def test_a_reopened_meeting_counts_on_no_day_before_its_reopen(session: Session) -> None:
    book, voided, _ = _reopened_story(session)
    fund = book.fund
    entries = session.scalars(select(Entry).where(Entry.source_ref == str(voided.id))).all()
    assert {e.date for e in entries} == {week(2)}  # reversed on the meeting's own day
    assert voided.reopened_on == week(3) and voided.status == "reopened"

    for day in (week(2), week(2) + timedelta(days=3), week(3)):
        report = fund_report(session, fund.fund_id, day)
        # 28,000 + 2,000 (not + 3,000 + 2,000: the voided version is gone on every day)
        assert report["cash"] == {"loan_fund": 30_000, "social_fund": 500}, day
        a = next(m for m in report["members"] if m["id"] == book.a.id)
        assert (a["shares"], a["savings"]) == (22, 22_000), day
        assert report["trial_balance"]["balanced"]
    assert fund_report(session, fund.fund_id, week(1))["cash"]["loan_fund"] == 28_000


def test_journal_exports_show_the_voided_meeting_cancelled_on_its_own_day(
    session: Session,
) -> None:
    book, _, _ = _reopened_story(session)
    for fmt in ("hledger", "beancount"):
        journal = export_journal(session, book.fund.fund_id, fmt)
        dated = [line.split()[0] for line in journal.splitlines() if line[:1].isdigit()]
        assert week(3).isoformat() not in dated  # nothing is dated the reopen day
        # shares and grant: voided, their reversals, and the version recorded again
        assert dated.count(week(2).isoformat()) == 2 * 3, fmt
        assert f"Reopened on {week(3).isoformat()}: شمارش اشتباه" in journal


def _entries_of(session: Session, fund_id: int) -> list[tuple[object, ...]]:
    """The fund's journal as (date, source, reversal?, postings by account name), in order."""
    entries = session.scalars(
        select(Entry).where(Entry.fund_id == fund_id).order_by(Entry.id)
    ).all()
    names = {a.id: a.name_en for a in session.scalars(select(Account))}
    return [
        (
            e.date,
            e.source_type,
            e.reverses_id is not None,
            sorted((names[p.account_id], p.side, p.amount) for p in e.postings),
        )
        for e in entries
    ]


def test_a_fund_with_a_reopen_exports_and_imports_back_to_the_same_books(
    session: Session,
) -> None:
    book, _, _ = _reopened_story(session)
    fund_id = book.fund.fund_id
    text = dump_book(export_book(session, fund_id))
    meetings = json.loads(text)["cycles"][0]["meetings"]
    assert meetings[2]["reopened"] == {"on": week(3).isoformat(), "reason": "شمارش اشتباه"}
    assert "reopened" not in meetings[3]

    copy = import_book(session, load_book(text), "t", as_new=True)

    assert _entries_of(session, copy) == _entries_of(session, fund_id)
    for day in (week(1), week(2), week(3)):
        assert fund_report(session, copy, day)["cash"] == fund_report(session, fund_id, day)["cash"]
    exported_again = json.loads(dump_book(export_book(session, copy)))
    assert exported_again["cycles"] == json.loads(text)["cycles"]
