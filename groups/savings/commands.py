"""What a treasurer submits: plain values, checked and posted by the services.

Amounts are integers of rials; ``member_id``/``loan_id`` are ids of existing rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from groups.savings.rules import Attendance


@dataclass(frozen=True)
class FinePaid:
    """A fine a member pays at the meeting."""

    fine_type: str
    amount: int


@dataclass(frozen=True)
class MemberLine:
    """One member's row of the meeting sheet."""

    member_id: int
    attendance: Attendance = Attendance.PRESENT
    shares: int = 0
    social: int = 0
    #: loan id → rials she pays on it today.
    repayments: Mapping[int, int] = field(default_factory=dict)
    fines: tuple[FinePaid, ...] = ()


@dataclass(frozen=True)
class Pledge:
    """A guarantor's pledge of part of her savings for a new loan."""

    guarantor_id: int
    amount: int


@dataclass(frozen=True)
class NewLoan:
    """A loan the meeting grants."""

    borrower_id: int
    amount: int
    term_months: int
    purpose: str = ""
    guarantors: tuple[Pledge, ...] = ()


@dataclass(frozen=True)
class Grant:
    """A social-fund grant to a member in need."""

    member_id: int
    amount: int
    reason: str = ""


@dataclass(frozen=True)
class CashItem:
    """Other income or an expense of the loan fund."""

    amount: int
    memo: str = ""


@dataclass(frozen=True)
class MeetingInput:
    """Everything recorded at one meeting; posted all at once or not at all."""

    date: date
    idempotency_key: str
    lines: tuple[MemberLine, ...] = ()
    new_loans: tuple[NewLoan, ...] = ()
    grants: tuple[Grant, ...] = ()
    other_income: tuple[CashItem, ...] = ()
    expenses: tuple[CashItem, ...] = ()
    #: Loans whose arrears the meeting recovers from the guarantors' pledged savings.
    recoveries: tuple[int, ...] = ()
    #: loan id → the meeting's reason for writing it off.
    write_offs: Mapping[int, str] = field(default_factory=dict)
    #: Members who leave at this meeting and are settled.
    leavers: tuple[int, ...] = ()
    cash_counted: int | None = None
    cash_explanation: str = ""


@dataclass(frozen=True)
class OpeningMember:
    """A member's position when a fund moves in from its paper notebook mid-cycle."""

    member_id: int
    shares: int
    savings: int | None = None  # defaults to shares × share price
    #: Service charges she paid in this cycle before the fund came into the books (so a
    #: charges-returned share-out pays them back to her).
    charges_paid: int = 0


@dataclass(frozen=True)
class OpeningLoan:
    """An open loan from the notebook: what remains of its principal and its remaining term."""

    borrower_id: int
    principal_remaining: int
    term_months_remaining: int
    disbursed_on: date
    purpose: str = ""
    guarantors: tuple[Pledge, ...] = ()
    #: The principal as it was lent (a flat charge is on it); default: what remains.
    principal: int | None = None
    #: The loan's own monthly rate, as agreed on paper; default: the constitution's.
    charge_rate: Decimal | None = None
    #: Principal overdue at the opening (part of what remains), due on the opening day.
    arrears: int = 0
    #: Charges fallen due and not paid at the opening, due on the opening day.
    charges_unpaid: int = 0
    #: Late penalties assessed on paper and not paid.
    penalties: int = 0


@dataclass(frozen=True)
class OpeningBalances:
    """A running fund's notebook, posted as opening-balance entries that balance."""

    date: date
    idempotency_key: str
    members: tuple[OpeningMember, ...] = ()
    loans: tuple[OpeningLoan, ...] = ()
    loan_fund_cash: int = 0
    social_fund_cash: int = 0
