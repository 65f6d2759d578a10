"""The states of a meeting, a cycle, a member and a loan, and the moves allowed between them.

One table, ``TRANSITIONS``, says every allowed move (from → to) of each kind of thing;
the services move a thing only through ``move()``, which refuses any other. The values
are the strings the database keeps (and its CHECK constraints allow). ``None`` as the
from-state is "not yet there": the state a new thing starts in.

- meeting: recorded closed; only the last one may be reopened (its entries reversed).
- cycle: open until its share-out.
- member: active until she leaves (settled at a meeting); a reopened meeting brings
  a leaver back.
- loan: active when disbursed; in arrears while an instalment is late; repaid, or
  written off by the meeting. A reopened meeting undoes its own moves by voiding
  their events, so the table has no move back from repaid or written off.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from groups.savings.errors import SavingsError


class MeetingStatus(StrEnum):
    """Where a meeting is: closed (counts) or reopened (voided, kept for the record)."""

    CLOSED = "closed"
    REOPENED = "reopened"


class CycleStatus(StrEnum):
    """Where a cycle is: open for business, or shared out and closed."""

    OPEN = "open"
    SHARED_OUT = "shared_out"


class MemberStatus(StrEnum):
    """Where a member is: active, or left (settled)."""

    ACTIVE = "active"
    LEFT = "left"


class LoanStatus(StrEnum):
    """Where a loan is: its latest status event."""

    ACTIVE = "active"
    IN_ARREARS = "in_arrears"
    REPAID = "repaid"
    WRITTEN_OFF = "written_off"


State = MeetingStatus | CycleStatus | MemberStatus | LoanStatus

#: Every allowed move, by kind of thing: from-state (None: new) → the states it may go to.
TRANSITIONS: Mapping[type[StrEnum], Mapping[StrEnum | None, frozenset[StrEnum]]] = MappingProxyType(
    {
        MeetingStatus: {
            None: frozenset({MeetingStatus.CLOSED}),
            MeetingStatus.CLOSED: frozenset({MeetingStatus.REOPENED}),
            MeetingStatus.REOPENED: frozenset(),
        },
        CycleStatus: {
            None: frozenset({CycleStatus.OPEN}),
            CycleStatus.OPEN: frozenset({CycleStatus.SHARED_OUT}),
            CycleStatus.SHARED_OUT: frozenset(),
        },
        MemberStatus: {
            None: frozenset({MemberStatus.ACTIVE}),
            MemberStatus.ACTIVE: frozenset({MemberStatus.LEFT}),
            MemberStatus.LEFT: frozenset({MemberStatus.ACTIVE}),
        },
        LoanStatus: {
            None: frozenset({LoanStatus.ACTIVE}),
            LoanStatus.ACTIVE: frozenset(
                {LoanStatus.IN_ARREARS, LoanStatus.REPAID, LoanStatus.WRITTEN_OFF}
            ),
            LoanStatus.IN_ARREARS: frozenset(
                {LoanStatus.ACTIVE, LoanStatus.REPAID, LoanStatus.WRITTEN_OFF}
            ),
            LoanStatus.REPAID: frozenset(),
            LoanStatus.WRITTEN_OFF: frozenset(),
        },
    }
)

#: The loan states after which nothing more is owed or recorded.
FINISHED_LOAN = frozenset(
    status for status, moves in TRANSITIONS[LoanStatus].items() if status and not moves
)


class TransitionNotAllowed(SavingsError):
    """Raised when a meeting, cycle, member or loan is moved where the table does not allow."""

    code = "transition_not_allowed"
    message_fa = "این تغییر وضعیت مجاز نیست."


def allowed(current: StrEnum | None, new: StrEnum) -> bool:
    """Return whether the table allows moving from ``current`` (None: new) to ``new``."""
    return new in TRANSITIONS[type(new)].get(current, frozenset())


def move(current: StrEnum | str | None, new: StrEnum) -> str:
    """Return ``new`` as the stored value if the move is allowed; else TransitionNotAllowed."""
    kind = type(new)
    was = kind(current) if current is not None else None
    if not allowed(was, new):
        raise TransitionNotAllowed(f"A {kind.__name__} cannot go from {was} to {new}")
    return new.value
