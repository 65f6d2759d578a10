"""``ledger verify`` sees an SQL edit of the savings tables: lines, loans, repayments.

A fund keeps a few weeks of meetings — shares, social fund, a loan with a guarantor
and a fee, repayments, a fine, a late penalty — and the savings tables must agree with
the ledger; then each test edits one row by SQL, as a table owner could, and the
check names the meeting (and the member) whose rows no longer say what was posted.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import text

from groups.savings import queries
from groups.savings.commands import FinePaid, MemberLine, NewLoan, Pledge
from groups.savings.consistency import savings_problems
from groups.savings.models import Loan, Meeting
from tests.savings.conftest import START, Fund
from web.cli import main

Kept = tuple[Fund, Meeting, Loan]


def week(n: int):  # type: ignore[no-untyped-def]
    return START + timedelta(weeks=n)


@pytest.fixture
def kept(fund: Fund) -> Kept:
    """Three meetings: shares and social fund; a loan; a repayment, a fine."""
    a, b, c = fund.members
    first = fund.meet(week(0), *fund.everyone_buys(5, social=200))
    fund.meet(
        week(1),
        *fund.everyone_buys(1),
        new_loans=(NewLoan(c.id, 6_000, 3, "چرخ خیاطی", (Pledge(a.id, 3_000),)),),
    )
    (loan,) = queries.open_loans(fund.session, fund.fund_id)
    fund.meet(
        week(6),
        MemberLine(c.id, shares=1, repayments={loan.id: 2_300}),
        MemberLine(b.id, shares=1, fines=(FinePaid("late", 500),)),
    )
    fund.session.flush()
    return fund, first, loan


def codes(fund: Fund) -> list[str]:
    return [p.code for p in savings_problems(fund.session, fund.fund_id)]


def test_the_tables_of_recorded_meetings_agree_with_the_ledger(
    kept: Kept,
) -> None:
    fund, _, _ = kept
    assert savings_problems(fund.session, fund.fund_id) == []
    assert savings_problems(fund.session) == []


def test_an_sql_edit_of_a_members_savings_line_is_reported(
    kept: Kept,
) -> None:
    fund, first, _ = kept
    member = fund.members[1]
    fund.session.execute(
        text(
            "UPDATE meeting_lines SET savings = savings + 1000"
            " WHERE meeting_id = :m AND member_id = :b"
        ),
        {"m": first.id, "b": member.id},
    )
    (problem,) = savings_problems(fund.session, fund.fund_id)
    assert problem.code == "savings_line_mismatch" and problem.fund_id == fund.fund_id
    assert f"meeting {first.id} member {member.id}" in problem.message


def test_an_sql_edit_of_the_social_fund_is_reported(kept: Kept) -> None:
    fund, first, _ = kept
    fund.session.execute(
        text("UPDATE meeting_lines SET social = 0 WHERE meeting_id = :m"), {"m": first.id}
    )
    assert codes(fund) == ["social_fund_mismatch"]


def test_an_sql_edit_of_a_loans_principal_is_reported(kept: Kept) -> None:
    fund, _, loan = kept
    fund.session.execute(text("UPDATE loans SET principal = 9000 WHERE id = :l"), {"l": loan.id})
    assert codes(fund) == ["loan_rows_mismatch"]


def test_an_sql_edit_of_a_repayment_is_reported(kept: Kept) -> None:
    fund, _, loan = kept
    fund.session.execute(
        text("UPDATE repayments SET principal = principal - 100, charge = charge + 100 "
             "WHERE loan_id = :l"),
        {"l": loan.id},
    )  # fmt: skip
    assert sorted(codes(fund)) == ["loan_income_mismatch", "loan_rows_mismatch"]


def test_sandogh_ledger_verify_reports_an_edited_line(app: Flask, kept: Kept) -> None:
    fund, first, _ = kept
    fund.session.execute(
        text("UPDATE meeting_lines SET savings = 1 WHERE meeting_id = :m"), {"m": first.id}
    )
    result = app.test_cli_runner().invoke(main, ["ledger", "verify", "--fund", str(fund.fund_id)])
    assert result.exit_code == 1 and "savings_line_mismatch" in result.output
