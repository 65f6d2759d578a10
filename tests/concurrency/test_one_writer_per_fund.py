"""Two people writing one fund at the same moment, on two real connections (SQLite and
PostgreSQL): the second waits for the fund's lock, re-reads, and is refused by the rules;
what code could forget, the database refuses (unique meetings, money never negative)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from groups.savings.book import FundBook
from groups.savings.commands import CashItem, MeetingInput
from groups.savings.errors import InsufficientCash, MeetingDateNotAfterPrevious
from groups.savings.meetings import record_meeting
from groups.savings.models import Meeting
from ledger.db import writing
from ledger.entries import Source, SourceType
from ledger.posting import post_many
from ledger.verify import verify
from tests.concurrency.conftest import as_fund, committed_fund, fund_start, race

WEEK = timedelta(days=7)


def recorder(
    engine: Engine, fund_id: int, weeks: int, key: str, **parts: object
) -> Callable[[], int]:
    """A writer recording a meeting of the fund, in its own session and transaction."""

    def write() -> int:
        with writing(), Session(engine) as session:
            on = fund_start() + weeks * WEEK
            command = MeetingInput(date=on, idempotency_key=key, **parts)  # type: ignore[arg-type]
            meeting_id = record_meeting(session, fund_id, command, "treasurer").id
            session.commit()
            return meeting_id

    return write


def cash_and_meetings(engine: Engine, fund_id: int) -> tuple[int, list[tuple[int, object]]]:
    with Session(engine) as session:
        assert verify(session, fund_id) == []
        meetings = session.execute(
            select(Meeting.number, Meeting.date)
            .where(Meeting.fund_id == fund_id, Meeting.status == "closed")
            .order_by(Meeting.number)
        ).all()
        return FundBook.load(session, fund_id).balance("cash"), [tuple(m) for m in meetings]


def test_two_meetings_of_one_fund_on_one_day_at_once_post_one(engine: Engine) -> None:
    fund_id = committed_fund(engine)
    results = race(recorder(engine, fund_id, 1, "race-a"), recorder(engine, fund_id, 1, "race-b"))

    posted = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, MeetingDateNotAfterPrevious)]
    assert len(posted) == 1 and len(refused) == 1, results
    _, meetings = cash_and_meetings(engine, fund_id)
    assert [number for number, _ in meetings] == [1, 2]


def test_two_expenses_of_sixty_percent_of_the_cash_never_overdraw_it(engine: Engine) -> None:
    fund_id = committed_fund(engine)  # 15,000 in the box
    spend = (CashItem(9_000, "repairs"),)
    results = race(
        recorder(engine, fund_id, 1, "spend-a", expenses=spend),
        recorder(engine, fund_id, 2, "spend-b", expenses=spend),
    )

    posted = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, InsufficientCash | MeetingDateNotAfterPrevious)]
    assert len(posted) == 1 and len(refused) == 1, results
    cash, _ = cash_and_meetings(engine, fund_id)
    assert cash == 15_000 - 9_000


def test_the_same_meeting_sent_five_times_at_once_posts_once(engine: Engine) -> None:
    fund_id = committed_fund(engine)
    results = race(*[recorder(engine, fund_id, 1, "same-key") for _ in range(5)])

    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1  # every replay answers with the first one's meeting
    _, meetings = cash_and_meetings(engine, fund_id)
    assert len(meetings) == 2


def test_writers_of_different_funds_all_get_through(engine: Engine) -> None:
    funds = [committed_fund(engine) for _ in range(4)]
    results = race(*[recorder(engine, fund_id, 1, f"own-{fund_id}") for fund_id in funds])

    assert all(isinstance(r, int) for r in results), results


def test_a_second_closed_meeting_of_the_same_number_or_day_is_refused_by_the_database(
    engine: Engine,
) -> None:
    fund_id = committed_fund(engine)
    with Session(engine) as session:
        first = session.scalars(select(Meeting).where(Meeting.fund_id == fund_id)).one()
        values = {c: getattr(first, c) for c in ("fund_id", "cycle_id", "kind", "recorded_by")}
        for number, day in ((first.number, first.date + WEEK), (first.number + 1, first.date)):
            session.add(Meeting(**values, number=number, date=day, idempotency_key=f"dup-{number}"))
            with pytest.raises(IntegrityError):
                session.flush()
            session.rollback()
        # A reopened meeting keeps its number and day: the meeting recorded again may too.
        session.add(
            Meeting(
                **values,
                number=first.number,
                date=first.date,
                status="reopened",
                idempotency_key="reopened-copy",
            )
        )
        session.flush()
        session.rollback()


#: (account debited, account credited, amount): each takes out more than there is —
#: 15,000 of cash, 0 in the social fund, 5,000 of the first member's savings.
OVERDRAFTS = {
    "cash": ("expenses", "cash", 20_000),
    "social fund": ("social", "other_income", 1_000),
    "member's savings": ("her savings", "cash", 6_000),
}


@pytest.mark.parametrize("case", OVERDRAFTS)
def test_the_database_refuses_to_commit_money_that_would_go_below_zero(
    engine: Engine, case: str
) -> None:
    fund_id = committed_fund(engine)
    debited, credited, amount = OVERDRAFTS[case]
    with writing(), Session(engine) as session:
        book = FundBook.load(session, fund_id)
        ids = {**book.ids, "her savings": book.savings_of(as_fund(session, fund_id).members[0])}
        on = fund_start() + WEEK
        draft = book.draft(
            on,
            "by hand",
            [(ids[debited], amount)],
            [(ids[credited], amount)],
            Source(SourceType.MANUAL),
            f"overdraw-{fund_id}",
        )
        post_many(session, [draft], "someone with SQL")  # no rule of the savings side asked
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
    with Session(engine) as session:
        assert verify(session, fund_id) == []
        assert FundBook.load(session, fund_id).balance("cash") == 15_000
