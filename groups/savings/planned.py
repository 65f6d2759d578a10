"""The values of a planned meeting: rows and entries to write, or the rules broken.

See ``groups.savings.plan`` for the contract; ``write.write_plan`` writes a plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from groups.savings import rules
from ledger.errors import DomainError, Violation

#: A control account by its role in ``book.CODES``, or a member's sub-account (role, member).
AccountRef = str | tuple[str, int]


@dataclass(frozen=True)
class PlannedEntry:
    """One journal entry of the meeting, in accounts by role; zero amounts are left out."""

    memo: str
    debits: tuple[tuple[AccountRef, int], ...]
    credits: tuple[tuple[AccountRef, int], ...]


@dataclass(frozen=True)
class PlannedLine:
    """A member's row: attendance, shares bought (and their rials), social fund."""

    member_id: int
    attendance: rules.Attendance
    shares: int
    savings: int
    social: int


@dataclass(frozen=True)
class PlannedRepayment:
    """A payment on a loan, by the borrower, by a guarantor, or netted from savings."""

    loan_id: int
    payer_id: int
    payment: rules.Payment
    #: "repayment", "guarantor recovery", "netted on leaving" or "netted at share-out".
    kind: str = "repayment"


@dataclass(frozen=True)
class PlannedEvent:
    """A loan event: a penalty assessed, a write-off, or a change of status."""

    loan_id: int
    kind: str
    amount: int = 0
    instalment_number: int | None = None
    note: str = ""


@dataclass(frozen=True)
class PlannedFine:
    """A fine paid in cash."""

    member_id: int
    fine_type: str
    amount: int


@dataclass(frozen=True)
class PlannedLoan:
    """A loan granted: its terms, fee, schedule and pledges."""

    borrower_id: int
    principal: int
    fee: int
    term_months: int
    charge_method: rules.ChargeMethod
    charge_rate: Decimal
    purpose: str
    schedule: tuple[rules.Instalment, ...]
    #: (guarantor id, pledge)
    guarantees: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class PlannedMovement:
    """A social-fund grant, other income or an expense."""

    kind: str
    amount: int
    memo: str
    member_id: int | None = None


@dataclass(frozen=True)
class PlannedExit:
    """How a leaver is settled."""

    member_id: int
    savings: int
    profit: int
    owed: int
    paid: int


@dataclass(frozen=True)
class MeetingPlan:
    """Everything a meeting writes, checked against the rules; written by ``write_plan``."""

    fund_id: int
    cycle_id: int
    number: int
    date: date
    idempotency_key: str
    kind: str
    cash_counted: int | None
    cash_explanation: str
    #: Loan-fund cash plus social-fund cash after the meeting.
    cash_expected: int
    lines: tuple[PlannedLine, ...]
    repayments: tuple[PlannedRepayment, ...]
    fines: tuple[PlannedFine, ...]
    #: Events of loans granted before this meeting, in the order they happen.
    events: tuple[PlannedEvent, ...]
    new_loans: tuple[PlannedLoan, ...]
    movements: tuple[PlannedMovement, ...]
    exits: tuple[PlannedExit, ...]
    entries: tuple[PlannedEntry, ...]

    def repayments_of(self, kind: str) -> list[PlannedRepayment]:
        """Return the payments of one kind (e.g. "guarantor recovery")."""
        return [r for r in self.repayments if r.kind == kind]

    @property
    def penalties(self) -> list[PlannedEvent]:
        """Return the late penalties the meeting assesses."""
        return [e for e in self.events if e.kind == "penalty"]

    @property
    def discrepancy(self) -> int | None:
        """Return cash counted minus cash expected (None when not counted)."""
        if self.cash_counted is None:
            return None
        return self.cash_counted - self.cash_expected


@dataclass(frozen=True)
class Violations:
    """Every rule a meeting breaks, in the order of business (never empty)."""

    items: tuple[Violation, ...]

    def __iter__(self) -> Iterator[Violation]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def first(self) -> DomainError:
        """Return the first broken rule as the error a service raises."""
        return self.items[0].error()
