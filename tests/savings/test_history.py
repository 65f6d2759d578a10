"""History and fairness of a fund's books (issue 13): what a member paid is hers at the
share-out, reports as of a past day are that day's, a reopened meeting never counts.

The story fund is ``story_fund`` of test_rules_refused.py: A, B, C, D buy 20, 10, 5, 2
shares of 1,000 (cash 37,000); a week later C borrows 9,000 over three months at 5% a
month flat (3,000 + 450 due 5 May, 2 June, 30 June 2025), guaranteed by A (5,000) and B
(2,500).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.savings import queries, rules
from groups.savings.commands import (
    Grant,
    MemberLine,
    OpeningBalances,
    OpeningLoan,
    OpeningMember,
)
from groups.savings.errors import DuplicateMember
from groups.savings.fundbook import export_book, import_book
from groups.savings.funds import add_member, open_from_paper, start_cycle
from groups.savings.meetings import reopen_last_meeting
from groups.savings.models import Loan, Meeting
from groups.savings.report import fund_report
from groups.savings.shareout import confirm_share_out, preview_share_out
from ledger.export import export_journal
from ledger.models import Account, Entry
from tests.savings.conftest import START, Fund, constitution, make_fund
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


# -- a report as of a day inside closed history (item 1) --------------------------------


def _closed_history(session: Session) -> Book:
    """The story fund's whole first cycle and the start of the second.

    D leaves at week 3 (paid her 2,000). C pays her three instalments of 3,000 + 450 at
    weeks 6, 10 and 14 (5 May, 2 June, 30 June): her loan is repaid on 30 June. The cycle
    is shared out at week 15 and the second one starts at week 16, where A buys 1 share.
    """
    book = story_fund(session)
    fund, loan = book.fund, book.loan
    fund.meet(week(3), leavers=(book.d.id,))
    for n in (6, 10, 14):
        fund.meet(week(n), MemberLine(book.c.id, repayments={loan.id: 3_450}))
    confirm_share_out(session, fund.fund_id, week(15), "t", "history-share-out")
    start_cycle(session, fund.fund_id, week(16), constitution(min_shares=0, max_shares=20))
    fund.meet(week(16), MemberLine(book.a.id, shares=1))
    return book


def _by_member(report: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {m["id"]: m for m in report["members"]}


def test_a_report_inside_a_shared_out_cycle_is_that_day_s_state(session: Session) -> None:
    book = _closed_history(session)
    a, b, c, d = book.a.id, book.b.id, book.c.id, book.d.id

    report = fund_report(session, book.fund.fund_id, week(12))  # 16 June, cycle 1

    assert report["cycle"] == {"number": 1, "started_on": START}
    assert report["last_meeting"]["date"] == week(10)  # not the later meetings
    members = _by_member(report)
    assert {m: members[m]["shares"] for m in members} == {a: 20, b: 10, c: 5, d: 2}
    assert {m: members[m]["savings"] for m in members} == {a: 20_000, b: 10_000, c: 5_000, d: 0}
    assert {m: members[m]["status"] for m in members} == {
        a: "active",
        b: "active",
        c: "active",
        d: "left",
    }
    (loan,) = report["loans"]
    assert loan["status"] == "active"  # repaid on 30 June, not yet on 16 June
    assert (loan["principal_outstanding"], loan["charge_due"]) == (3_000, 0)
    assert members[c]["owes"] == 3_000 and members[c]["open_loans"] == [loan["id"]]
    # held = ⌈pledge × 3,000 ÷ 9,000⌉: 1,667 of A's 5,000, 834 of B's 2,500
    assert members[a]["guarantees"] == [{"loan": loan["id"], "pledge": 5_000, "held": 1_667}]
    assert members[b]["guarantees"] == [{"loan": loan["id"], "pledge": 2_500, "held": 834}]
    # 37,000 − 2,000 (D) − 9,000 + 2 × 3,450 = 32,900 in the box
    assert report["cash"] == {"loan_fund": 32_900, "social_fund": 800}
    assert report["share_outs"] == []  # not yet held
    preview = report["share_out_preview"]
    # 32,900 + 3,000 owed = 35,900 over savings 20,000 / 10,000 / 5,000 (largest remainder:
    # 20,514.29 / 10,257.14 / 5,128.57 → the last rial to C)
    assert preview["distributable"] == 35_900
    assert {p["member"]: (p["profit"], p["payout"]) for p in preview["payouts"]} == {
        a: (514, 20_514),
        b: (257, 10_257),
        c: (129, 5_129 - 3_000),
    }


def test_a_report_before_a_leave_shows_her_a_member_with_her_savings(session: Session) -> None:
    book = _closed_history(session)
    members = _by_member(fund_report(session, book.fund.fund_id, week(2)))
    assert members[book.d.id]["status"] == "active"
    assert (members[book.d.id]["shares"], members[book.d.id]["savings"]) == (2, 2_000)


def test_a_report_after_the_share_out_is_the_new_cycle_s(session: Session) -> None:
    book = _closed_history(session)
    fund_id = book.fund.fund_id
    on_the_day = fund_report(session, fund_id, week(15))
    assert on_the_day["cycle"] is None and on_the_day["share_out_preview"] is None
    assert on_the_day["loans"][0]["status"] == "repaid"
    assert len(on_the_day["share_outs"]) == 1
    assert all(m["shares"] == 0 for m in on_the_day["members"])

    later = fund_report(session, fund_id, week(16))
    assert later["cycle"] == {"number": 2, "started_on": week(16)}
    assert _by_member(later)[book.a.id]["shares"] == 1


def test_the_report_s_preview_on_a_meeting_day_is_the_share_out_preview(
    session: Session,
) -> None:
    book = story_fund(session, share_out_method=rules.ShareOutMethod.CHARGES_RETURNED)
    book.fund.meet(week(8), recoveries=(book.loan.id,))
    book.fund.meet(week(10), MemberLine(book.c.id, repayments={book.loan.id: 3_450}))
    preview = preview_share_out(session, book.fund.fund_id, week(10))
    report = fund_report(session, book.fund.fund_id, week(10))["share_out_preview"]
    assert report["distributable"] == preview.distributable
    assert [(p["member"], p["charges_paid"], p["payout"]) for p in report["payouts"]] == [
        (line.member_id, line.charges_paid, line.payout) for line in preview.lines
    ]


# -- one woman, one member, however her name is typed (item 6) --------------------------


@pytest.mark.parametrize(
    "second",
    [
        "فاطمه زهرا کریمی",  # a space for the ZWNJ
        "فاطمه‌زهرا كريمي",  # Arabic ك and ي
        "فاطمه‌زهرا  کریمی ",  # extra spaces
    ],
    ids=["space-for-zwnj", "arabic-letters", "spaces"],
)
def test_a_second_member_with_the_same_name_spelling_aside_is_refused(
    session: Session, second: str
) -> None:
    fund = make_fund(session, names=("فاطمه‌زهرا کریمی",))
    with pytest.raises(DuplicateMember):
        add_member(session, fund.fund_id, second, START)


def test_a_name_is_kept_as_the_register_keeps_it(session: Session) -> None:
    fund = make_fund(session, names=())
    member = add_member(session, fund.fund_id, " زينب  كاظمي ", START)
    assert member.name == "زینب کاظمی"  # Persian ی and ک, single spaces
    other = add_member(session, fund.fund_id, "زینب کاظمی‌پور", START)  # another woman
    assert other.number == 2


# -- opening balances from paper, as the notebook has them (item 8) ---------------------


def _from_paper(session: Session) -> tuple[Fund, Loan]:
    """A fund comes into the books on 24 March 2025 (weekly, 5% flat, charges returned).

    The notebook: A 20 shares and 1,200 of charges paid this cycle, B 10, C 5; C was lent
    9,000 on 20 January at 5% a month flat; 6,000 remains over one more month, of which
    3,000 is overdue with its 450 charge, and a 200 late penalty; the box holds 30,000.
    """
    fund = make_fund(
        session,
        min_shares=0,
        max_shares=20,
        share_out_method=rules.ShareOutMethod.CHARGES_RETURNED,
    )
    a, b, c = fund.members
    opening = OpeningBalances(
        date=START,
        idempotency_key="paper",
        members=(
            OpeningMember(a.id, 20, charges_paid=1_200),
            OpeningMember(b.id, 10),
            OpeningMember(c.id, 5),
        ),
        loans=(
            OpeningLoan(
                c.id,
                6_000,
                1,
                date(2025, 1, 20),
                principal=9_000,
                arrears=3_000,
                charges_unpaid=450,
                penalties=200,
            ),
        ),
        loan_fund_cash=30_000,
    )
    open_from_paper(session, fund.fund_id, opening, "t")
    (loan,) = queries.open_loans(session, fund.fund_id)
    return fund, loan


def test_a_loan_from_paper_opens_in_arrears_with_what_the_notebook_says(
    session: Session,
) -> None:
    fund, loan = _from_paper(session)
    # What was overdue is due on the opening day; the last 3,000 a month on (28 April),
    # its flat charge on the 9,000 lent: 450.
    assert [(i.due, i.principal, i.charge) for i in queries.schedule_of(loan)] == [
        (START, 3_000, 450),
        (date(2025, 4, 28), 3_000, 450),
    ]
    assert (loan.principal, loan.original_principal) == (6_000, 9_000)
    assert queries.loan_status(session, loan.id) == "in_arrears"
    position = queries.position_of(session, loan, START)
    assert (position.principal_outstanding, position.charge_due, position.penalty_due) == (
        6_000,
        450,
        200,
    )
    assert position.payable_now == 3_650
    # Savings 35,000; cash 30,000 + 6,000 lent: the surplus so far is 1,000.
    assert fund.balance("surplus") == 1_000 and fund.trial_balance_is_zero()

    fund.meet(week(1), MemberLine(loan.member_id, repayments={loan.id: 3_650}))
    position = queries.position_of(session, loan, week(1))
    assert (position.overdue_principal, position.overdue_charge, position.penalty_due) == (0, 0, 0)
    assert queries.loan_status(session, loan.id) == "active"


def test_charges_paid_on_paper_come_back_at_a_charges_returned_share_out(
    session: Session,
) -> None:
    fund, loan = _from_paper(session)
    a, b, c = fund.members
    fund.meet(week(1), MemberLine(c.id, repayments={loan.id: 3_650}))

    preview = preview_share_out(session, fund.fund_id, week(1))
    # Cash 33,650 + C's 3,000 = 36,650 = savings 35,000 + charges 1,200 (A, on paper) +
    # 450 (C, today): each gets her savings and her charges back, nothing is left over.
    assert {line.member_id: line.charges_paid for line in preview.lines} == {
        a.id: 1_200,
        b.id: 0,
        c.id: 450,
    }
    assert {line.member_id: line.payout for line in preview.lines} == {
        a.id: 21_200,
        b.id: 10_000,
        c.id: 5_450 - 3_000,
    }


def test_a_fund_from_paper_exports_and_imports_back_to_the_same_books(session: Session) -> None:
    fund, _ = _from_paper(session)
    text = dump_book(export_book(session, fund.fund_id))
    (loan,) = json.loads(text)["cycles"][0]["opening"]["loans"]
    assert {k: loan[k] for k in ("principal", "arrears", "charges_unpaid", "penalties")} == {
        "principal": 9_000,
        "arrears": 3_000,
        "charges_unpaid": 450,
        "penalties": 200,
    }
    copy = import_book(session, load_book(text), "t", as_new=True)
    assert _entries_of(session, copy) == _entries_of(session, fund.fund_id)
    assert json.loads(dump_book(export_book(session, copy)))["cycles"] == json.loads(text)["cycles"]


def test_a_meeting_s_new_loan_follows_the_constitution_s_method_unit_and_grace(
    session: Session,
) -> None:
    """Annuity at 5 %, instalments in thousands, two meetings of grace: C's 9,000 made on
    31 March (week 1) over 3 months starts after 14 April; A = 3,304.88 → 3,000."""
    book = story_fund(
        session,
        charge_method=rules.ChargeMethod.ANNUITY,
        instalment_unit=1_000,
        grace_meetings=2,
    )
    # 9,000 × 5 %: 450, principal 2,550; 6,450 × 5 % = 323 (322.5 half up), principal 2,677;
    # the last 3,773 + 189 (188.65).
    assert [(i.due, i.principal, i.charge) for i in queries.schedule_of(book.loan)] == [
        (date(2025, 5, 19), 2_550, 450),
        (date(2025, 6, 16), 2_677, 323),
        (date(2025, 7, 14), 3_773, 189),
    ]
    assert queries.position_of(session, book.loan, week(7)).payable_now == 0  # 12 May: grace
