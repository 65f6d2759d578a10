"""The states of meetings, cycles, members and loans: one table of allowed moves, checked
pair by pair, and the same values the database's CHECK constraints allow."""

from __future__ import annotations

import itertools
import re
from enum import StrEnum

import pytest

from groups.savings.models import Cycle, LoanEvent, Meeting, Member
from groups.savings.states import (
    FINISHED_LOAN,
    TRANSITIONS,
    CycleStatus,
    LoanStatus,
    MeetingStatus,
    MemberStatus,
    TransitionNotAllowed,
    allowed,
    move,
)

#: Every allowed move, written out once more by hand: the table must say exactly these.
EXPECTED = {
    (None, MeetingStatus.CLOSED),
    (MeetingStatus.CLOSED, MeetingStatus.REOPENED),
    (None, CycleStatus.OPEN),
    (CycleStatus.OPEN, CycleStatus.SHARED_OUT),
    (None, MemberStatus.ACTIVE),
    (MemberStatus.ACTIVE, MemberStatus.LEFT),
    (MemberStatus.LEFT, MemberStatus.ACTIVE),
    (None, LoanStatus.ACTIVE),
    (LoanStatus.ACTIVE, LoanStatus.IN_ARREARS),
    (LoanStatus.ACTIVE, LoanStatus.REPAID),
    (LoanStatus.ACTIVE, LoanStatus.WRITTEN_OFF),
    (LoanStatus.IN_ARREARS, LoanStatus.ACTIVE),
    (LoanStatus.IN_ARREARS, LoanStatus.REPAID),
    (LoanStatus.IN_ARREARS, LoanStatus.WRITTEN_OFF),
}
KINDS: tuple[type[StrEnum], ...] = (MeetingStatus, CycleStatus, MemberStatus, LoanStatus)
PAIRS = [
    (current, new)
    for kind in KINDS
    for current, new in itertools.product([None, *kind], list(kind))
]


@pytest.mark.parametrize(("current", "new"), PAIRS, ids=lambda s: str(s))
def test_each_move_is_allowed_exactly_when_the_table_says(
    current: StrEnum | None, new: StrEnum
) -> None:
    assert allowed(current, new) == ((current, new) in EXPECTED)
    if (current, new) in EXPECTED:
        assert move(current, new) == new.value
    else:
        with pytest.raises(TransitionNotAllowed):
            move(current, new)


def test_the_table_has_a_row_for_every_state_and_no_state_of_another_kind() -> None:
    for kind in KINDS:
        assert set(TRANSITIONS[kind]) == {None, *kind}
        assert all(isinstance(to, kind) for moves in TRANSITIONS[kind].values() for to in moves)
    assert {LoanStatus.REPAID, LoanStatus.WRITTEN_OFF} == FINISHED_LOAN


def checked_values(model: type, column: str) -> set[str]:
    """Return the values a model's CHECK constraint allows in a column."""
    for constraint in model.__table__.constraints:  # type: ignore[attr-defined]
        text = str(getattr(constraint, "sqltext", ""))
        if text.startswith(f"{column} IN"):
            return set(re.findall(r"'([a-z_]+)'", text))
    raise AssertionError(f"{model.__name__}.{column} has no CHECK of its values")


@pytest.mark.parametrize(
    ("model", "column", "kind", "extra"),
    [
        (Meeting, "status", MeetingStatus, set()),
        (Cycle, "status", CycleStatus, set()),
        (Member, "status", MemberStatus, set()),
        (LoanEvent, "kind", LoanStatus, {"penalty"}),  # a penalty is an event, not a status
    ],
)
def test_the_database_allows_the_same_states(
    model: type, column: str, kind: type[StrEnum], extra: set[str]
) -> None:
    assert checked_values(model, column) == {s.value for s in kind} | extra
