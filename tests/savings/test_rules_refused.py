"""Every rule a treasurer can break is refused by name and leaves nothing behind; and the
services a meeting relies on (reopening, leaving, recovery, penalties, write-offs, grants,
opening balances from paper, Jalali months) do what DOMAIN.md says, to the rial.

The story fund ("the book"): A, B, C and D buy 20, 10, 5 and 2 shares of 1,000 and pay
200 each into the social fund (cash 37,000, social fund 800). A week later C borrows
9,000 for three months at 5% a month flat — instalments of 3,000 + 450 due on 5 May,
2 June and 30 June 2025 — guaranteed by A (5,000) and B (2,500); cash is 28,000.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups import calendar
from groups.savings import queries, rules
from groups.savings.commands import (
    CashItem,
    FinePaid,
    Grant,
    MemberLine,
    NewLoan,
    OpeningBalances,
    OpeningLoan,
    OpeningMember,
    Pledge,
)
from groups.savings.errors import (
    CycleAlreadyOpen,
    DuplicateMember,
    GuarantorIsBorrower,
    GuarantorLacksSavings,
    InsufficientCash,
    InsufficientSocialFund,
    InvalidConstitution,
    LoanExceedsCap,
    LoanTermTooLong,
    LoanTermTooShort,
    MeetingDateNotAfterPrevious,
    MeetingLocked,
    MemberHasGuarantees,
    MemberHasOpenLoan,
    MemberNotActive,
    NegativeAmount,
    NoOpenCycle,
    NothingToRecover,
    OverPayment,
    ShareLimitExceeded,
    ShareOutAlreadyDone,
    UnknownFineType,
    UnknownLoan,
)
from groups.savings.funds import add_member, create_fund, open_from_paper, start_cycle
from groups.savings.meetings import reopen_last_meeting
from groups.savings.models import (
    CashMovement,
    Cycle,
    Fine,
    Guarantee,
    Loan,
    LoanEvent,
    Meeting,
    MeetingLine,
    Member,
    MemberExit,
    Repayment,
)
from groups.savings.shareout import confirm_share_out, preview_share_out
from ledger import balances
from ledger.entries import SourceType
from ledger.errors import DomainError
from ledger.models import Entry, PostingRow
from ledger.verify import verify
from tests.savings.conftest import START, Fund, constitution, make_fund


def week(n: int) -> date:
    return START + timedelta(weeks=n)


@dataclass
class Book:
    """The story fund after its loan (see the module docstring)."""

    fund: Fund
    a: Member
    b: Member
    c: Member
    d: Member
    loan: Loan


def story_fund(session: Session, **overrides: object) -> Book:
    """Play the module docstring's first two meetings."""
    settings: dict[str, object] = {"min_shares": 0, "max_shares": 20, **overrides}
    fund = make_fund(session, names=("آمنه", "بتول", "کبری", "دلارام"), **settings)
    a, b, c, d = fund.members
    fund.meet(
        week(0),
        *(
            MemberLine(m.id, shares=n, social=200)
            for m, n in zip(fund.members, (20, 10, 5, 2), strict=True)
        ),
    )
    guarantors = (Pledge(a.id, 5_000), Pledge(b.id, 2_500))
    fund.meet(week(1), new_loans=(NewLoan(c.id, 9_000, 3, "چرخ خیاطی", guarantors),))
    (loan,) = queries.open_loans(session, fund.fund_id)
    return Book(fund, a, b, c, d, loan)


@pytest.fixture
def book(session: Session) -> Book:
    return story_fund(session)


# -- nothing is saved -----------------------------------------------------------------------

SAVED_ROWS = (
    Cycle,
    Member,
    Meeting,
    MeetingLine,
    Loan,
    Guarantee,
    LoanEvent,
    Repayment,
    Fine,
    CashMovement,
    MemberExit,
    Entry,
    PostingRow,
)


def saved(session: Session, fund_id: int) -> tuple[object, ...]:
    """Return what a refused command must leave as it was: balances, rows, member statuses."""
    trial = balances.trial_balance(session, fund_id)
    rows = {
        model.__tablename__: session.scalar(select(func.count()).select_from(model))
        for model in SAVED_ROWS
    }
    statuses = session.execute(select(Member.id, Member.status).order_by(Member.id)).all()
    return {line.code: line.net_debit for line in trial.lines}, rows, statuses


def assert_refused(
    fund: Fund, error: type[DomainError], action: Callable[[], object]
) -> DomainError:
    """Check the action raises the named error and saves nothing; return the error."""
    before, cash, social = saved(fund.session, fund.fund_id), fund.cash(), fund.social_cash()
    with pytest.raises(error) as raised:
        action()
    assert saved(fund.session, fund.fund_id) == before  # no meeting, entry or row of any kind
    assert (fund.cash(), fund.social_cash()) == (cash, social)
    assert verify(fund.session, fund.fund_id) == []
    return raised.value


Action = Callable[[Book], object]


def meeting_on(k: Book, day: date) -> Meeting:
    query = select(Meeting).where(Meeting.fund_id == k.fund.fund_id, Meeting.date == day)
    return k.fund.session.scalars(query).one()


def repay(member: str, amount: int) -> Action:
    """Return a week-2 meeting where a member pays an amount on C's loan."""
    return lambda k: k.fund.meet(
        week(2), MemberLine(getattr(k, member).id, repayments={k.loan.id: amount})
    )


def ask(borrower: str, amount: int, term: int = 3, *pledges: tuple[str, int]) -> Action:
    """Return a week-2 meeting where a member asks for a loan, with pledges by name."""

    def meeting(k: Book) -> Meeting:
        guarantors = tuple(Pledge(getattr(k, name).id, pledge) for name, pledge in pledges)
        request = NewLoan(getattr(k, borrower).id, amount, term, "", guarantors)
        return k.fund.meet(week(2), new_loans=(request,))

    return meeting


REFUSED: list[tuple[str, Action, type[DomainError]]] = [
    ("more shares than the maximum", lambda k: k.fund.meet(
        week(2), MemberLine(k.a.id, shares=21)), ShareLimitExceeded),
    ("negative shares", lambda k: k.fund.meet(
        week(2), MemberLine(k.a.id, shares=-1)), ShareLimitExceeded),
    ("a loan above 3 × her savings", ask("d", 6_001), LoanExceedsCap),
    ("a loan above the cash in the box", ask("a", 28_001), LoanExceedsCap),
    ("a term beyond the constitution's", ask("b", 1_000, 4), LoanTermTooLong),
    ("a term of no month", ask("b", 1_000, 0), LoanTermTooShort),
    ("a loan of nothing", ask("b", 0), NegativeAmount),
    ("a second loan", ask("c", 1_000), MemberHasOpenLoan),
    ("a pledge above her savings", ask("b", 3_000, 3, ("d", 2_001)), GuarantorLacksSavings),
    # A has 20,000 of savings, 5,000 of them pledged for C: 15,000 are free.
    ("savings pledged already", ask("b", 3_000, 3, ("a", 15_001)), GuarantorLacksSavings),
    ("a pledge of nothing", ask("b", 3_000, 3, ("a", 0)), NegativeAmount),
    ("her own guarantor", ask("b", 3_000, 3, ("b", 1_000)), GuarantorIsBorrower),
    ("more than she owes", repay("c", 9_001), OverPayment),  # nothing charged before May
    ("a negative repayment", repay("c", -1), NegativeAmount),
    ("paying someone else's loan", repay("b", 1_000), UnknownLoan),
    ("a fine the constitution lacks", lambda k: k.fund.meet(
        week(2), MemberLine(k.a.id, fines=(FinePaid("gossip", 500),))), UnknownFineType),
    ("a negative fine", lambda k: k.fund.meet(
        week(2), MemberLine(k.a.id, fines=(FinePaid("late", -500),))), NegativeAmount),
    ("a negative social contribution", lambda k: k.fund.meet(
        week(2), MemberLine(k.a.id, social=-200)), NegativeAmount),
    ("an expense beyond the cash", lambda k: k.fund.meet(
        week(2), expenses=(CashItem(28_001, "قفل"),)), InsufficientCash),
    ("an expense of nothing", lambda k: k.fund.meet(
        week(2), expenses=(CashItem(0, "قفل"),)), NegativeAmount),
    ("a grant beyond the social fund", lambda k: k.fund.meet(
        week(2), grants=(Grant(k.d.id, 801, "سیل"),)), InsufficientSocialFund),
    ("a grant of nothing", lambda k: k.fund.meet(
        week(2), grants=(Grant(k.d.id, 0, "سیل"),)), NegativeAmount),
    ("recovering arrears before any fall due", lambda k: k.fund.meet(
        week(2), recoveries=(k.loan.id,)), NothingToRecover),
    ("a guarantor leaving", lambda k: k.fund.meet(week(2), leavers=(k.a.id,)),
     MemberHasGuarantees),
    ("a borrower leaving who owes more than her savings", lambda k: k.fund.meet(
        week(2), leavers=(k.c.id,)), MemberHasOpenLoan),
    ("a meeting on the day of the last", lambda k: k.fund.meet(
        week(1), MemberLine(k.a.id, shares=1)), MeetingDateNotAfterPrevious),
    ("a meeting before the last", lambda k: k.fund.meet(
        week(0), MemberLine(k.a.id, shares=1)), MeetingDateNotAfterPrevious),
    # Dated before, it would net from her payout what a borrower has repaid since.
    ("a share-out dated before the last meeting", lambda k: confirm_share_out(
        k.fund.session, k.fund.fund_id, week(0), "treasurer", "early"),
     MeetingDateNotAfterPrevious),
    ("opening balances after the first meeting", lambda k: open_from_paper(
        k.fund.session, k.fund.fund_id, OpeningBalances(week(2), "paper"), "t"),
     MeetingDateNotAfterPrevious),
    ("reopening an older meeting", lambda k: reopen_last_meeting(
        k.fund.session, k.fund.fund_id, meeting_on(k, week(0)).id, "?", "t", week(2)),
     MeetingLocked),
    ("a second open cycle", lambda k: start_cycle(
        k.fund.session, k.fund.fund_id, week(2), constitution()), CycleAlreadyOpen),
    ("a second active member of the same name", lambda k: add_member(
        k.fund.session, k.fund.fund_id, " آمنه ", week(2)), DuplicateMember),
    ("a member without a name", lambda k: add_member(
        k.fund.session, k.fund.fund_id, "  ", week(2)), DuplicateMember),
]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "error"), [pytest.param(a, e, id=name) for name, a, e in REFUSED]
)
def test_a_broken_rule_is_refused_by_name_and_nothing_is_saved(
    book: Book, action: Action, error: type[DomainError]
) -> None:
    raised = assert_refused(book.fund, error, lambda: action(book))
    assert raised.code == error.code and raised.message_fa


def test_the_fewest_shares_apply_to_who_comes_not_to_who_is_absent(fund: Fund) -> None:
    a, b, _ = fund.members  # the conftest fund: 1 to 5 shares a meeting
    assert_refused(fund, ShareLimitExceeded, lambda: fund.meet(week(0), MemberLine(a.id)))
    absent = MemberLine(b.id, attendance=rules.Attendance.ABSENT)
    fund.meet(week(0), MemberLine(a.id, shares=1), absent)
    assert fund.cash() == 1_000


def test_a_member_who_has_left_takes_no_part(book: Book) -> None:
    book.fund.meet(week(2), leavers=(book.d.id,))
    leaver = book.d.id
    for line in (MemberLine(leaver, shares=1), MemberLine(leaver, social=200)):
        assert_refused(book.fund, MemberNotActive, lambda line=line: book.fund.meet(week(3), line))
    grant = (Grant(leaver, 100, "سیل"),)
    assert_refused(book.fund, MemberNotActive, lambda: book.fund.meet(week(3), grants=grant))


def test_nothing_is_recorded_without_an_open_cycle(session: Session) -> None:
    savings_fund = create_fund(session, name="صندوق بی‌دوره", founded_on=START)
    fund = Fund(session, savings_fund.fund_id)
    member = add_member(session, fund.fund_id, "آمنه", START)
    assert_refused(fund, NoOpenCycle, lambda: fund.meet(week(0), MemberLine(member.id, shares=1)))
    paper = OpeningBalances(START, "paper", (OpeningMember(member.id, 5),), loan_fund_cash=5_000)
    assert_refused(fund, NoOpenCycle, lambda: open_from_paper(session, fund.fund_id, paper, "t"))


def test_a_shared_out_cycle_takes_no_more_business(book: Book) -> None:
    session, fund = book.fund.session, book.fund
    confirm_share_out(
        session, fund.fund_id, week(3), "treasurer", "share-out", write_off=(book.loan.id,)
    )
    line = MemberLine(book.a.id, shares=1)
    assert_refused(fund, ShareOutAlreadyDone, lambda: fund.meet(week(4), line))
    assert_refused(
        fund,
        ShareOutAlreadyDone,
        lambda: confirm_share_out(session, fund.fund_id, week(4), "treasurer", "again"),
    )


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"share_price": 0}, id="no share price"),
        pytest.param({"min_shares": 6, "max_shares": 5}, id="min above max"),
        pytest.param({"meeting_day": 7}, id="no such weekday"),
        pytest.param({"charge_rate": Decimal("1.2")}, id="a rate of 120%"),
        pytest.param({"fines": {"late": -500}}, id="a negative fine"),
    ],
)
def test_an_invalid_constitution_opens_no_cycle(
    session: Session, settings: dict[str, object]
) -> None:
    savings_fund = create_fund(session, name="صندوق تازه", founded_on=START)
    fund = Fund(session, savings_fund.fund_id)
    bad = constitution(**settings)
    assert_refused(
        fund, InvalidConstitution, lambda: start_cycle(session, fund.fund_id, START, bad)
    )


def test_an_unknown_or_ill_typed_setting_is_no_constitution() -> None:
    with pytest.raises(InvalidConstitution):
        rules.Constitution.from_dict({"share_price": 1_000, "interest": "compound"})
    with pytest.raises(InvalidConstitution):
        rules.Constitution.from_dict({"share_price": 1_000, "frequency": "daily"})
    with pytest.raises(InvalidConstitution):
        rules.Constitution.from_dict({"min_shares": 1})


# -- loans that are no longer open ----------------------------------------------------------


def test_a_written_off_loan_is_neither_repaid_recovered_nor_written_off_again(book: Book) -> None:
    fund, loan = book.fund, book.loan
    fund.meet(week(2), write_offs={loan.id: "فوت همسر"})
    pay = MemberLine(book.c.id, repayments={loan.id: 3_450})
    assert_refused(fund, UnknownLoan, lambda: fund.meet(week(7), pay))
    assert_refused(fund, UnknownLoan, lambda: fund.meet(week(7), recoveries=(loan.id,)))
    assert_refused(fund, UnknownLoan, lambda: fund.meet(week(7), write_offs={loan.id: "again"}))


def test_a_repaid_loan_cannot_be_written_off(book: Book) -> None:
    fund, loan = book.fund, book.loan
    fund.meet(week(2), MemberLine(book.c.id, repayments={loan.id: 9_000}))
    assert queries.loan_status(fund.session, loan.id) == "repaid"
    assert_refused(fund, UnknownLoan, lambda: fund.meet(week(3), write_offs={loan.id: "?"}))


# -- reopening the last meeting -------------------------------------------------------------


def test_reopening_the_last_meeting_reverses_it_and_it_can_be_recorded_again(book: Book) -> None:
    session, fund = book.fund.session, book.fund
    before = saved(session, fund.fund_id)[0]
    parts = {
        "grants": (Grant(book.b.id, 300, "بیماری"),),
        "leavers": (book.d.id,),
    }
    lines = (MemberLine(book.a.id, shares=3, fines=(FinePaid("late", 500),)),)
    meeting = fund.meet(week(2), *lines, **parts)
    recorded = saved(session, fund.fund_id)[0]
    assert fund.cash() == 28_000 + 3_000 + 500 - 2_000  # D is paid her savings
    assert fund.social_cash() == 500

    reopened = reopen_last_meeting(session, fund.fund_id, meeting.id, "شمارش اشتباه", "t", week(2))

    assert reopened.status == "reopened" and reopened.reopen_reason == "شمارش اشتباه"
    after = saved(session, fund.fund_id)[0]
    assert {code: after[code] for code in before} == before  # every balance is back
    assert (fund.cash(), fund.social_cash(), fund.savings(book.a)) == (28_000, 800, 20_000)
    session.refresh(book.d)
    assert book.d.status == "active" and fund.savings(book.d) == 2_000
    cycle = queries.open_cycle(session, fund.fund_id)
    assert queries.shares_bought(session, cycle.id, book.a.id) == 20
    assert queries.last_meeting(session, fund.fund_id).id == meeting.id - 1  # type: ignore[union-attr]
    entries = session.scalars(select(Entry).where(Entry.source_ref == str(meeting.id))).all()
    originals = {e.id for e in entries if e.reverses_id is None}
    assert len(originals) == 4  # shares, fine, grant, D's settlement
    assert {e.reverses_id for e in entries if e.reverses_id is not None} == originals
    assert verify(session, fund.fund_id) == []

    again = fund.meet(week(2), *lines, **parts)  # same day, a new key
    assert again.id != meeting.id and again.number == meeting.number
    assert saved(session, fund.fund_id)[0] == recorded
    assert verify(session, fund.fund_id) == []


# -- members leave --------------------------------------------------------------------------


def leaving_fund(session: Session, *, leaver_gets_profit: bool) -> tuple[Fund, Member, Loan]:
    """A, B and C buy 20, 10 and 5 shares; B borrows 4,000 for a month (200 of charge)."""
    fund = make_fund(session, min_shares=0, max_shares=20, leaver_gets_profit=leaver_gets_profit)
    a, b, c = fund.members
    fund.meet(
        week(0),
        MemberLine(a.id, shares=20),
        MemberLine(b.id, shares=10),
        MemberLine(c.id, shares=5),
    )
    fund.meet(week(1), new_loans=(NewLoan(b.id, 4_000, 1),))
    fund.meet(week(2), other_income=(CashItem(3_500, "فروش چرخ خیاطی کهنه"),))
    (loan,) = queries.open_loans(session, fund.fund_id)
    return fund, b, loan


@pytest.mark.parametrize(
    ("leaver_gets_profit", "profit"),
    [
        pytest.param(False, 0, id="savings only"),
        # Worth 34,500 cash + 4,000 lent = 38,500 for 35,000 of savings: hers is 11,000.
        pytest.param(True, 1_000, id="with profit to date"),
    ],
)
def test_a_leaver_is_paid_her_savings_less_what_she_owes(
    session: Session, leaver_gets_profit: bool, profit: int
) -> None:
    fund, b, loan = leaving_fund(session, leaver_gets_profit=leaver_gets_profit)
    assert fund.cash() == 34_500
    fund.meet(week(7), leavers=(b.id,))  # her instalment (4,000 + 200) fell due on 5 May
    exit_row = session.scalars(select(MemberExit).where(MemberExit.member_id == b.id)).one()
    paid = 10_000 + profit - 4_200
    assert (exit_row.savings, exit_row.profit, exit_row.owed, exit_row.paid) == (
        10_000,
        profit,
        4_200,
        paid,
    )
    session.refresh(b)
    assert (b.status, b.left_on) == ("left", week(7))
    assert fund.savings(b) == 0
    assert fund.cash() == 34_500 - paid
    assert queries.loan_status(session, loan.id) == "repaid"
    assert balances.balance(session, fund.book.loan_of(b)) == 0
    assert fund.balance("charges") == 200
    assert fund.trial_balance_is_zero()
    assert verify(session, fund.fund_id) == []


def test_a_leaver_whose_profit_covers_what_her_savings_do_not(session: Session) -> None:
    fund, b, loan = leaving_fund(session, leaver_gets_profit=True)
    c = fund.members[2]
    fund.meet(week(3), MemberLine(b.id, repayments={loan.id: 4_000}))
    fund.meet(week(4), new_loans=(NewLoan(c.id, 5_100, 1),))
    fund.meet(week(10), leavers=(c.id,))  # she owes 5,100 + 255 and has 5,000 of savings
    exit_row = session.scalars(select(MemberExit).where(MemberExit.member_id == c.id)).one()
    assert exit_row.owed == 5_355 and exit_row.profit > 355
    assert exit_row.paid == 5_000 + exit_row.profit - 5_355
    assert fund.savings(c) == 0
    assert fund.trial_balance_is_zero() and verify(session, fund.fund_id) == []


def test_two_leavers_at_one_meeting_each_get_their_profit_to_date(session: Session) -> None:
    fund = make_fund(session, names=("آمنه", "بتول", "کبری", "دلارام"), leaver_gets_profit=True)
    fund.meet(week(0), *fund.everyone_buys(5))
    fund.meet(week(1), other_income=(CashItem(4_000, "هدیه"),))
    c, d = fund.members[2:]
    fund.meet(week(2), leavers=(c.id, d.id))
    exits = session.scalars(select(MemberExit).order_by(MemberExit.member_id)).all()
    assert [(e.savings, e.profit, e.paid) for e in exits] == [(5_000, 1_000, 6_000)] * 2
    assert fund.cash() == 24_000 - 12_000


# -- guarantees -----------------------------------------------------------------------------


def test_a_default_is_recovered_from_the_guarantors_savings(book: Book) -> None:
    session, fund, loan = book.fund.session, book.fund, book.loan
    fund.meet(week(7))  # 12 May: the first instalment (3,000 + 450) is a week late
    assert queries.position_of(session, loan, week(7)).overdue_principal == 3_000
    meeting = fund.meet(week(8), recoveries=(loan.id,))

    # 3,450 split in proportion to what each can give: 5,000 and 2,500.
    assert (fund.savings(book.a), fund.savings(book.b)) == (20_000 - 2_300, 10_000 - 1_150)
    position = queries.position_of(session, loan, week(8))
    assert (position.overdue_principal, position.overdue_charge) == (0, 0)
    assert position.principal_outstanding == 6_000
    assert balances.balance(session, fund.book.loan_of(book.c)) == 6_000
    assert fund.cash() == 28_000  # savings paid, not the box
    paid_by = {r.payer_id: r.total for r in queries.repayments_at(session, meeting.id)}
    assert paid_by == {book.a.id: 2_300, book.b.id: 1_150}
    debited = session.execute(
        select(PostingRow.account_id, PostingRow.amount)
        .join(Entry, Entry.id == PostingRow.entry_id)
        .where(Entry.source_ref == str(meeting.id), PostingRow.side == "debit")
    ).all()
    accounts = fund.book
    assert sorted(debited) == sorted(
        [(accounts.savings_of(book.a), 2_300), (accounts.savings_of(book.b), 1_150)]
    )
    assert fund.trial_balance_is_zero() and verify(session, fund.fund_id) == []


def test_one_guarantor_pledges_for_two_loans_at_one_meeting(book: Book) -> None:
    def meeting(second_pledge: int) -> Meeting:
        loans = (
            NewLoan(book.b.id, 3_000, 2, "", (Pledge(book.a.id, 7_000),)),
            NewLoan(book.d.id, 3_000, 2, "", (Pledge(book.a.id, second_pledge),)),
        )
        return book.fund.meet(week(2), new_loans=loans)

    # A has 15,000 of free savings: 7,000 + 8,001 of pledges do not fit, 7,000 + 8,000 do.
    assert_refused(book.fund, GuarantorLacksSavings, lambda: meeting(8_001))
    meeting(8_000)
    assert queries.pledges_held(book.fund.session, book.fund.fund_id, book.a.id) == 20_000
    assert len(queries.open_loans(book.fund.session, book.fund.fund_id)) == 3


def guaranteed_fund(session: Session, guarantor_shares: int) -> tuple[Fund, Member, Loan]:
    """A pledges 3,000 for B's 6,000 over three months (2,000 + 300 a month)."""
    fund = make_fund(session, min_shares=0, max_shares=20)
    a, b, c = fund.members
    fund.meet(
        week(0),
        MemberLine(a.id, shares=guarantor_shares),
        MemberLine(b.id, shares=2),
        MemberLine(c.id, shares=20),
    )
    fund.meet(week(1), new_loans=(NewLoan(b.id, 6_000, 3, "", (Pledge(a.id, 3_000),)),))
    (loan,) = queries.open_loans(session, fund.fund_id)
    return fund, a, loan


def test_a_guarantor_never_pays_more_than_she_pledged(session: Session) -> None:
    fund, a, loan = guaranteed_fund(session, guarantor_shares=10)
    fund.meet(week(7), recoveries=(loan.id,))  # the May instalment, 2,300: A pays it
    fund.meet(week(12), recoveries=(loan.id,))  # the June one: A pays 2,000 more
    total = Repayment.penalty + Repayment.charge + Repayment.principal
    paid = session.scalar(select(func.sum(total)).where(Repayment.payer_id == a.id))
    assert paid == 3_000  # her whole pledge, not the 4,300 of both instalments


def test_after_a_recovery_her_pledges_held_are_within_her_savings(session: Session) -> None:
    fund, a, loan = guaranteed_fund(session, guarantor_shares=3)
    fund.meet(week(7), recoveries=(loan.id,))  # she pays 2,300 of her 3,000 of savings
    assert fund.savings(a) == 700
    assert (
        queries.pledges_held(session, fund.fund_id, a.id) == 700
    )  # what is left of her savings, not 2,000


# -- late penalties -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "first", "second"),
    [
        pytest.param({"penalty_kind": "fixed", "penalty_amount": 500}, 500, 500, id="fixed"),
        # 10% of the overdue principal of each late instalment: 3,000 → 300.
        pytest.param(
            {"penalty_kind": "percent_of_overdue", "penalty_rate": Decimal("0.1")},
            300,
            300,
            id="percent",
        ),
    ],
)
def test_a_late_instalment_is_penalised_once_and_the_penalty_is_paid_first(
    session: Session, settings: dict[str, object], first: int, second: int
) -> None:
    k = story_fund(session, **settings)
    fund, loan = k.fund, k.loan
    fund.meet(week(6))  # 5 May: the first instalment falls due today, it is not late yet
    fund.meet(week(7))  # 12 May: it is late
    fund.meet(week(8))  # 19 May: still late, not penalised again
    events = session.scalars(select(LoanEvent).where(LoanEvent.kind == "penalty")).all()
    assert [(e.instalment_number, e.amount) for e in events] == [(1, first)]
    assert queries.position_of(session, loan, week(8)).penalty_due == first

    meeting = fund.meet(week(9), MemberLine(k.c.id, repayments={loan.id: first + 1_000}))
    (repayment,) = queries.repayments_at(session, meeting.id)
    assert (repayment.penalty, repayment.charge, repayment.principal) == (first, 450, 550)
    assert fund.balance("penalties") == first

    fund.meet(week(11))  # 9 June: the second instalment (due 2 June) is late too
    events = session.scalars(select(LoanEvent).where(LoanEvent.kind == "penalty")).all()
    assert [(e.instalment_number, e.amount) for e in events] == [(1, first), (2, second)]
    assert fund.trial_balance_is_zero() and verify(session, fund.fund_id) == []


# -- write-offs and grants ------------------------------------------------------------------


def test_the_meeting_writes_a_loan_off(book: Book) -> None:
    session, fund, loan = book.fund.session, book.fund, book.loan
    fund.meet(week(7), MemberLine(book.c.id, repayments={loan.id: 3_450}))
    fund.meet(week(8), write_offs={loan.id: "فوت همسر و از کار افتادگی"})
    assert queries.loan_status(session, loan.id) == "written_off"
    assert fund.balance("write_offs") == 6_000
    assert balances.balance(session, fund.book.loan_of(book.c)) == 0
    assert queries.open_loans(session, fund.fund_id) == []
    assert queries.pledges_held(session, fund.fund_id, book.a.id) == 0  # guarantors are released
    event = session.scalars(select(LoanEvent).where(LoanEvent.kind == "written_off")).one()
    assert (event.amount, event.note) == (6_000, "فوت همسر و از کار افتادگی")
    assert fund.cash() == 28_000 + 3_450
    assert fund.trial_balance_is_zero() and verify(session, fund.fund_id) == []


def test_a_social_fund_grant_leaves_the_loan_fund_alone(book: Book) -> None:
    fund = book.fund
    fund.meet(week(2), grants=(Grant(book.d.id, 800, "سیل"),))
    assert (fund.social_cash(), fund.balance("social"), fund.cash()) == (0, 0, 28_000)
    grant = fund.session.scalars(select(CashMovement)).one()
    assert (grant.kind, grant.member_id, grant.amount) == ("grant", book.d.id, 800)
    preview = preview_share_out(fund.session, fund.fund_id, week(3), write_off=(book.loan.id,))
    assert preview.social_fund_carried == 0 and preview.loan_fund_cash == 28_000


# -- share-out ------------------------------------------------------------------------------


def test_a_borrower_whose_debt_exceeds_her_savings_but_not_her_share(session: Session) -> None:
    fund = make_fund(
        session, min_shares=0, max_shares=50, share_out_method=rules.ShareOutMethod.EQUAL_PROFIT
    )
    a, b, c = fund.members
    fund.meet(
        week(0),
        MemberLine(a.id, shares=50),
        MemberLine(b.id, shares=50),
        MemberLine(c.id, shares=1),
    )
    fund.meet(week(1), new_loans=(NewLoan(c.id, 3_000, 3), NewLoan(a.id, 60_000, 3)))
    loans = {loan.member_id: loan.id for loan in queries.open_loans(session, fund.fund_id)}
    fund.meet(week(14), MemberLine(a.id, repayments={loans[a.id]: 69_000}))
    # Profit 9,000 + C's 450 of charges, 3,150 each: C owes 3,450 and her share is 4,150.
    preview = preview_share_out(session, fund.fund_id, week(15))
    assert [line.payout for line in preview.lines] == [53_150, 53_150, 700]
    confirm_share_out(session, fund.fund_id, week(15), "treasurer", "share-out")
    assert fund.cash() == 0 and fund.balance("surplus") == 0
    assert [fund.savings(m) for m in fund.members] == [0, 0, 0]
    assert verify(session, fund.fund_id) == []


def test_a_loss_shared_equally_never_asks_a_member_to_pay_in(session: Session) -> None:
    fund = make_fund(
        session, min_shares=0, max_shares=20, share_out_method=rules.ShareOutMethod.EQUAL_PROFIT
    )
    a, b, c = fund.members
    fund.meet(week(0), MemberLine(a.id, shares=10), MemberLine(b.id, shares=10), MemberLine(c.id))
    fund.meet(week(1), expenses=(CashItem(3_000, "دزدی از صندوق"),))
    preview = preview_share_out(session, fund.fund_id, week(2))
    assert all(line.payout >= 0 for line in preview.lines)
    assert preview.total_payout == 17_000


# -- a fund that moves in from its paper notebook -------------------------------------------


def test_opening_balances_from_paper_post_one_balanced_entry(session: Session) -> None:
    fund = make_fund(session, min_shares=0, max_shares=20)
    a, b, c = fund.members
    opening = OpeningBalances(
        date=START,
        idempotency_key="notebook-1404",
        members=(OpeningMember(a.id, 30), OpeningMember(b.id, 20), OpeningMember(c.id, 10)),
        loans=(OpeningLoan(c.id, 8_000, 2, date(2025, 2, 10), "گوسفند", (Pledge(a.id, 4_000),)),),
        loan_fund_cash=54_500,
        social_fund_cash=3_000,
    )
    meeting = open_from_paper(session, fund.fund_id, opening, "facilitator")

    assert (meeting.number, meeting.kind, meeting.cash_expected) == (0, "opening", 57_500)
    (entry,) = session.scalars(select(Entry).where(Entry.fund_id == fund.fund_id)).all()
    assert entry.source_type == SourceType.OPENING_BALANCE.value
    assert [fund.savings(m) for m in (a, b, c)] == [30_000, 20_000, 10_000]
    assert (fund.cash(), fund.social_cash(), fund.balance("social")) == (54_500, 3_000, 3_000)
    # 54,500 + 8,000 owed by C − 60,000 of savings: 2,500 earned before the move.
    assert fund.balance("surplus") == 2_500
    (loan,) = queries.open_loans(session, fund.fund_id)
    assert [(i.due, i.principal, i.charge) for i in queries.schedule_of(loan)] == [
        (date(2025, 4, 28), 4_000, 400),
        (date(2025, 5, 26), 4_000, 400),
    ]
    assert queries.pledges_held(session, fund.fund_id, a.id) == 4_000
    assert open_from_paper(session, fund.fund_id, opening, "facilitator").id == meeting.id
    assert fund.trial_balance_is_zero() and verify(session, fund.fund_id) == []

    # Later meetings work on top of the notebook.
    fund.meet(week(1), *fund.everyone_buys(2))
    first = fund.meet(week(5), MemberLine(c.id, repayments={loan.id: 4_400}))
    assert first.number == 2
    assert queries.position_of(session, loan, week(5)).principal_outstanding == 4_000
    assert queries.pledges_held(session, fund.fund_id, a.id) == 2_000
    assert fund.cash() == 54_500 + 6_000 + 4_400
    assert first.cash_expected == fund.cash() + 3_000
    assert fund.trial_balance_is_zero() and verify(session, fund.fund_id) == []


# -- Jalali months --------------------------------------------------------------------------


def test_a_jalali_monthly_fund_schedules_instalments_on_its_jalali_day(session: Session) -> None:
    fund = make_fund(
        session,
        frequency=rules.MeetingFrequency.JALALI_MONTHLY,
        meeting_day=15,
        min_shares=0,
    )
    a = fund.members[0]
    fund.meet(calendar.from_jalali(1404, 1, 15), *fund.everyone_buys(5))
    fund.meet(calendar.from_jalali(1404, 2, 15), new_loans=(NewLoan(a.id, 9_000, 3),))
    (loan,) = queries.open_loans(session, fund.fund_id)
    dues = [calendar.to_jalali(i.due) for i in queries.schedule_of(loan)]
    assert dues == [(1404, 3, 15), (1404, 4, 15), (1404, 5, 15)]
    # 15 Khordad is 5 June, 15 Tir is 6 July: Gregorian months would have said 5 June, 5 July.
    assert [i.due for i in queries.schedule_of(loan)][:2] == [date(2025, 6, 5), date(2025, 7, 6)]
