"""Do the savings tables say what the ledger says? ``sandogh ledger verify`` asks this too.

The meeting sheet is stored twice: as rows (``meeting_lines``, ``loans``,
``repayments``, ``loan_events``) that screens and reports read, and as the entries
the meeting posted. The ledger's entries are guarded by triggers and the hash chain;
the rows are not. Each check below sums one side and the other, meeting by meeting,
over the meetings that stand (not reopened; the opening meeting posts its balances
differently and is left out):

- shares: each member's savings on her line = what the meeting's "shares" entry
  credited to her savings account;
- social fund: the meeting's contributions = what its "social fund" entry credited to
  the social fund;
- loans: for each borrower, principal lent at the meeting − principal repaid at it −
  written off at it = the movement of her loan account in the meeting's entries
  (share-out included);
- loan income: service charges (repaid + upfront fees) and late penalties recorded at
  the meeting = what its entries credited to those accounts.

So an SQL edit of a line, a loan or a repayment shows here, with the meeting and
member it is about. The memos "shares" and "social fund" are those the meeting
service gives its entries (``groups/savings/meetings.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from groups.savings.chart import CODES
from ledger.verify import Problem

#: The meetings whose rows must agree with their entries.
_STANDING = "m.status <> 'reopened' AND m.kind <> 'opening' {fund}"

#: Net credit (credit − debit) of the meeting's entries, by meeting and account owner.
_LEDGER_BY_OWNER = f"""
    SELECT m.id, a.owner_id,
           SUM(CASE p.side WHEN 'credit' THEN p.amount ELSE -p.amount END)
    FROM meetings m
    JOIN entries e ON e.source_ref = CAST(m.id AS TEXT) AND e.fund_id = m.fund_id
    JOIN postings p ON p.entry_id = e.id
    JOIN accounts a ON a.id = p.account_id
    WHERE e.status = 'posted' AND e.source_type IN ('meeting', 'share_out')
      AND a.code LIKE :code {{memo}} AND {_STANDING}
    GROUP BY m.id, a.owner_id"""

#: Credits only, of the meeting's entries to one account, by meeting.
_LEDGER_CREDITS = f"""
    SELECT m.id, SUM(p.amount)
    FROM meetings m
    JOIN entries e ON e.source_ref = CAST(m.id AS TEXT) AND e.fund_id = m.fund_id
    JOIN postings p ON p.entry_id = e.id AND p.side = 'credit'
    JOIN accounts a ON a.id = p.account_id
    WHERE e.status = 'posted' AND e.source_type IN ('meeting', 'share_out')
      AND a.code = :code {{memo}} AND {_STANDING}
    GROUP BY m.id"""

_LINE_SAVINGS = f"""
    SELECT m.id, l.member_id, SUM(l.savings) FROM meeting_lines l
    JOIN meetings m ON m.id = l.meeting_id WHERE {_STANDING} GROUP BY m.id, l.member_id"""
_LINE_SOCIAL = f"""
    SELECT m.id, SUM(l.social) FROM meeting_lines l
    JOIN meetings m ON m.id = l.meeting_id WHERE {_STANDING} GROUP BY m.id"""
#: What the loan rows say moved each borrower's loan account at each meeting (net debit).
_LOAN_ROWS = f"""
    SELECT meeting_id, member_id, SUM(amount) FROM (
        SELECT l.meeting_id, l.member_id, l.principal AS amount
        FROM loans l JOIN meetings m ON m.id = l.meeting_id WHERE {_STANDING}
        UNION ALL
        SELECT r.meeting_id, l.member_id, -r.principal
        FROM repayments r JOIN loans l ON l.id = r.loan_id
        JOIN meetings m ON m.id = r.meeting_id WHERE {_STANDING}
        UNION ALL
        SELECT v.meeting_id, l.member_id, -v.amount
        FROM loan_events v JOIN loans l ON l.id = v.loan_id
        JOIN meetings m ON m.id = v.meeting_id WHERE v.kind = 'written_off' AND {_STANDING}
    ) moves GROUP BY meeting_id, member_id"""
#: Service charges (repaid, and upfront fees) and penalties the rows say each meeting earned.
_INCOME_ROWS = f"""
    SELECT meeting_id, SUM(charge), SUM(penalty) FROM (
        SELECT r.meeting_id, r.charge, r.penalty
        FROM repayments r JOIN meetings m ON m.id = r.meeting_id WHERE {_STANDING}
        UNION ALL
        SELECT l.meeting_id, l.fee, 0
        FROM loans l JOIN meetings m ON m.id = l.meeting_id WHERE {_STANDING}
    ) earned GROUP BY meeting_id"""


def savings_problems(session: Session, fund_id: int | None = None) -> list[Problem]:
    """Return every place the savings tables and the ledger disagree (all funds by default)."""
    fund = "" if fund_id is None else f"AND m.fund_id = {int(fund_id)}"
    query = _Queries(session, fund)
    return [
        *_shares(query),
        *_social(query),
        *_loans(query),
        *_income(query),
    ]


class _Queries:
    """Runs the checks' queries for all funds or one (``fund`` is an SQL condition)."""

    def __init__(self, session: Session, fund: str) -> None:
        self.session, self.fund = session, fund

    def rows(self, sql: str, **parameters: Any) -> list[Any]:
        statement = sql.format(fund=self.fund, memo=parameters.pop("memo", ""))
        return list(self.session.execute(text(statement), parameters))

    def fund_of(self) -> dict[int, int]:
        sql = "SELECT m.id, m.fund_id FROM meetings m WHERE 1 = 1 {fund}"
        return {meeting: fund for meeting, fund in self.rows(sql)}


def _differences(
    tables: Iterable[Any], ledger: Iterable[Any]
) -> list[tuple[tuple[int, ...], int, int]]:
    """Return (key, what the tables say, what the ledger says) wherever they differ."""
    said = {tuple(row[:-1]): int(row[-1] or 0) for row in tables}
    posted = {tuple(row[:-1]): int(row[-1] or 0) for row in ledger}
    return [
        (key, said.get(key, 0), posted.get(key, 0))
        for key in sorted(said.keys() | posted.keys())
        if said.get(key, 0) != posted.get(key, 0)
    ]


def _shares(query: _Queries) -> list[Problem]:
    ledger = query.rows(
        _LEDGER_BY_OWNER, code=f"{CODES['savings']}-%", memo="AND e.memo = 'shares'"
    )
    funds = query.fund_of()
    return [
        Problem(
            "savings_line_mismatch",
            f"meeting {meeting} member {member}: the lines say {said} saved, the ledger {posted}",
            funds.get(meeting),
        )
        for (meeting, member), said, posted in _differences(query.rows(_LINE_SAVINGS), ledger)
    ]


def _social(query: _Queries) -> list[Problem]:
    ledger = query.rows(_LEDGER_CREDITS, code=CODES["social"], memo="AND e.memo = 'social fund'")
    funds = query.fund_of()
    return [
        Problem(
            "social_fund_mismatch",
            f"meeting {meeting}: the lines say {said} paid in, the ledger {posted}",
            funds.get(meeting),
        )
        for (meeting,), said, posted in _differences(query.rows(_LINE_SOCIAL), ledger)
    ]


def _loans(query: _Queries) -> list[Problem]:
    credits = query.rows(_LEDGER_BY_OWNER, code=f"{CODES['loans']}-%")
    ledger = [(meeting, owner, -amount) for meeting, owner, amount in credits]  # net debit
    funds = query.fund_of()
    return [
        Problem(
            "loan_rows_mismatch",
            f"meeting {meeting} member {member}: loans and repayments say her loans moved by "
            f"{said}, the ledger {posted}",
            funds.get(meeting),
        )
        for (meeting, member), said, posted in _differences(query.rows(_LOAN_ROWS), ledger)
    ]


def _income(query: _Queries) -> list[Problem]:
    earned = query.rows(_INCOME_ROWS)
    funds = query.fund_of()
    problems = []
    for name, code, column in (
        ("charges", CODES["charges"], 1),
        ("penalties", CODES["penalties"], 2),
    ):
        ledger = query.rows(_LEDGER_CREDITS, code=code)
        said = [(row[0], row[column]) for row in earned]
        problems += [
            Problem(
                "loan_income_mismatch",
                f"meeting {meeting}: the repayments and loans say {said_amount} of {name}, "
                f"the ledger {posted}",
                funds.get(meeting),
            )
            for (meeting,), said_amount, posted in _differences(said, ledger)
        ]
    return problems
