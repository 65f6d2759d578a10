"""The meeting as a pure plan: every broken rule at once, nothing read but the state, and
never a plan the database would refuse (a hypothesis property over wild commands)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import event as sql_event
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups.savings import queries
from groups.savings.commands import (
    CashItem,
    FinePaid,
    Grant,
    MeetingInput,
    MemberLine,
    NewLoan,
    Pledge,
)
from groups.savings.errors import (
    GuarantorLacksSavings,
    InsufficientCash,
    LoanExceedsCap,
    MeetingDateNotAfterPrevious,
    ShareLimitExceeded,
)
from groups.savings.meetings import record_meeting
from groups.savings.models import Loan, Meeting
from groups.savings.plan import MeetingPlan, Violations, plan_meeting
from groups.savings.state import load_fund_state
from groups.savings.write import write_plan
from ledger.errors import DomainError
from ledger.money import MAX_AMOUNT
from ledger.verify import verify
from tests.savings.conftest import START, Fund, make_fund


def week(n: int) -> Any:
    return START + timedelta(weeks=n)


def a_fund_with_a_loan(session: Session) -> tuple[Fund, Loan]:
    """A, B, C with 5,000 of savings each; B borrows 6,000 over three months, A pledges 3,000."""
    fund = make_fund(session)
    a, b, _ = fund.members
    fund.meet(week(0), *fund.everyone_buys(5))
    fund.meet(week(1), new_loans=(NewLoan(b.id, 6_000, 3, "", (Pledge(a.id, 3_000),)),))
    (loan,) = queries.open_loans(session, fund.fund_id)
    return fund, loan


def command(on: Any, **parts: Any) -> MeetingInput:
    return MeetingInput(date=on, idempotency_key=f"plan-{on}-{len(parts)}", **parts)


def test_every_broken_rule_is_returned_at_once_with_where_and_the_bound(
    session: Session,
) -> None:
    fund, _loan = a_fund_with_a_loan(session)
    a, _b, c = fund.members
    wrong = command(
        week(1),  # not after the last meeting
        lines=(MemberLine(a.id, shares=9), MemberLine(c.id, shares=0)),
        new_loans=(NewLoan(c.id, 90_000, 2, "", (Pledge(a.id, 4_000),)),),
        expenses=(CashItem(10**9, "roof"),),
    )
    result = plan_meeting(load_fund_state(session, fund.fund_id, week(1)), wrong)
    assert isinstance(result, Violations)
    found = [(v.kind, v.field, v.member_id, v.bound) for v in result]
    assert found == [
        (MeetingDateNotAfterPrevious, "date", None, week(1)),
        (ShareLimitExceeded, "lines.shares", a.id, (1, 5)),
        (ShareLimitExceeded, "lines.shares", c.id, (1, 5)),
        (LoanExceedsCap, "new_loans.0.amount", c.id, 9_000),  # cash 9,000 < 3 × 5,000
        # A's 5,000 of savings hold 3,000 for B's loan: 2,000 are free.
        (GuarantorLacksSavings, "new_loans.0.guarantors.0", a.id, 2_000),
        (InsufficientCash, "expenses.0.amount", None, 9_000),
    ]
    assert all(v.message and v.message_fa for v in result)
    assert result.first().code == "meeting_date_not_after_previous"
    assert session.scalar(select(func.count(Meeting.id))) == 2  # nothing was written


def test_a_violation_and_its_error_say_the_same_thing() -> None:
    error = LoanExceedsCap("Loan 5 exceeds the cap 4", member_id=7, field="x", bound=4)
    assert error.violation.error().violation == error.violation
    assert (error.violation.code, error.violation.bound, error.violation.member_id) == (
        "loan_exceeds_cap",
        4,
        7,
    )


def test_planning_reads_nothing_and_writing_the_plan_is_recording_the_meeting(
    session: Session,
) -> None:
    fund, loan = a_fund_with_a_loan(session)
    a, b, c = fund.members
    good = command(
        week(5),
        lines=(
            MemberLine(a.id, shares=2, fines=(FinePaid("late", 500),)),
            MemberLine(b.id, shares=1, repayments={loan.id: 2_300}),
            MemberLine(c.id, shares=3, social=200),
        ),
        grants=(Grant(c.id, 100, "دارو"),),
        other_income=(CashItem(1_000, "هدیه"),),
    )
    state = load_fund_state(session, fund.fund_id, week(5))
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    engine = session.get_bind()
    sql_event.listen(engine, "before_cursor_execute", count)
    try:
        plan = plan_meeting(state, good)
        again = plan_meeting(state, good)
    finally:
        sql_event.remove(engine, "before_cursor_execute", count)
    assert statements == []
    assert plan == again and isinstance(plan, MeetingPlan)
    cash = fund.cash()
    meeting = write_plan(session, plan, "treasurer")
    assert fund.cash() + fund.social_cash() == meeting.cash_expected == plan.cash_expected
    assert fund.cash() == cash + 6_000 + 2_300 + 500 + 1_000
    assert verify(session, fund.fund_id) == []


#: Mostly amounts a meeting takes, now and then one it must refuse.
AMOUNTS = st.one_of(
    st.integers(1, 3_000),
    st.integers(1, 3_000),
    st.integers(1, 3_000),
    st.integers(-3, 12_000),
    st.sampled_from([0, MAX_AMOUNT, MAX_AMOUNT + 1, 2**63]),
)
SHARES = st.one_of(st.integers(1, 5), st.integers(1, 5), st.integers(-1, 7))


@st.composite
def wild_commands(draw: st.DrawFn, member_ids: list[int], loan_id: int) -> dict[str, Any]:
    """Commands a careless (or hostile) client could send: any part may break a rule."""
    people = st.sampled_from([*member_ids, 999_999])
    borrower = member_ids[1]
    listed = [m for m in member_ids if draw(st.booleans())]
    if listed and draw(st.sampled_from([False] * 5 + [True])):
        listed.append(listed[0])  # a member twice: the database keeps one line a member
    lines = tuple(
        MemberLine(
            m,
            shares=draw(SHARES),
            social=draw(AMOUNTS),
            repayments={loan_id: draw(AMOUNTS)} if m == borrower and draw(st.booleans()) else {},
            fines=draw(
                st.sampled_from(
                    [(), (), (), (FinePaid("late", draw(AMOUNTS)),), (FinePaid("x", 1),)]
                )
            ),
        )
        for m in listed
    )
    pledges = st.builds(Pledge, people, st.one_of(st.integers(1, 500), AMOUNTS))
    loans = st.lists(
        st.builds(
            NewLoan,
            people,
            AMOUNTS,
            st.one_of(st.integers(1, 3), st.integers(-1, 5)),
            st.just(""),
            st.lists(pledges, max_size=3).map(tuple),
        ),
        max_size=1,
    )
    items = st.lists(st.builds(CashItem, AMOUNTS, st.just("x")), max_size=1).map(tuple)
    return {
        "lines": lines,
        "new_loans": tuple(draw(loans)),
        "grants": draw(st.sampled_from([()]) | st.tuples(st.builds(Grant, people, AMOUNTS))),
        "other_income": draw(items),
        "expenses": draw(items),
        "recoveries": draw(st.sampled_from([(), (), (), (loan_id,), (999_999,)])),
        "write_offs": draw(st.sampled_from([{}, {}, {loan_id: "decided"}])),
        "leavers": draw(st.sampled_from([(), (), ()]) | st.tuples(people)),
        "cash_counted": draw(st.one_of(st.none(), AMOUNTS)),
    }


def test_a_plan_is_never_one_the_database_refuses(session: Session) -> None:
    fund, loan = a_fund_with_a_loan(session)
    ids = [m.id for m in fund.members]
    weeks = iter(range(6, 10_000))

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(parts=wild_commands(ids, loan.id))
    def check(parts: dict[str, Any]) -> None:
        on = week(next(weeks))
        wild = MeetingInput(date=on, idempotency_key=f"wild-{on}", **parts)
        plan = plan_meeting(load_fund_state(session, fund.fund_id, on), wild)
        event("planned" if isinstance(plan, MeetingPlan) else "refused")
        savepoint = session.begin_nested()
        try:
            if isinstance(plan, MeetingPlan):
                write_plan(session, plan, "treasurer")  # must not raise
                session.flush()
                assert verify(session, fund.fund_id) == []
            else:
                try:
                    record_meeting(session, fund.fund_id, wild, "treasurer")
                except DomainError as error:
                    assert error.code == plan.first().code
                else:
                    raise AssertionError("record_meeting took what plan_meeting refused")
        finally:
            savepoint.rollback()

    check()


def test_a_member_listed_twice_is_refused_before_the_database_would(session: Session) -> None:
    fund, _loan = a_fund_with_a_loan(session)
    a, _b, c = fund.members
    twice = command(
        week(2),
        lines=(MemberLine(a.id, shares=1), MemberLine(a.id, shares=2)),
        new_loans=(NewLoan(c.id, 1_000, 1, "", (Pledge(a.id, 100), Pledge(a.id, 100))),),
    )
    result = plan_meeting(load_fund_state(session, fund.fund_id, week(2)), twice)
    assert isinstance(result, Violations)
    assert [(v.code, v.field, v.member_id) for v in result] == [
        ("member_listed_twice", "lines.shares", a.id),
        ("member_listed_twice", "new_loans.0.guarantors.1", a.id),
    ]
