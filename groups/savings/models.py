"""The savings fund's own records beside the ledger: funds, cycles, members, meetings, loans.

No money balance is stored here: every rial lives in the ledger. These tables
hold what the ledger does not know — who attended, how many shares, a loan's
schedule and guarantors, the constitution of a cycle, the frozen share-out.

Voiding: a meeting that is reopened keeps its rows with ``status='reopened'``;
every query of what happened joins ``meetings`` and keeps ``status='closed'``
only, so a reopened meeting's shares, loans and repayments vanish together with
its reversed entries.
"""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.db import Base
from ledger.models import Fund, utc_now


def new_book_id() -> str:
    """Return a new fund book identity."""
    return f"urn:uuid:{uuid.uuid4()}"


class SavingsFund(Base):
    """The community facts of a fund whose books are the ledger's ``funds`` row."""

    __tablename__ = "savings_funds"
    __table_args__ = (CheckConstraint("display_unit IN ('rial', 'toman')", name="display_unit"),)

    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), primary_key=True)
    #: Village or neighbourhood.
    village: Mapped[str] = mapped_column(String(200), default="")
    facilitator: Mapped[str] = mapped_column(String(200), default="")
    #: How amounts are shown: rial or toman (amounts are always stored in rials).
    display_unit: Mapped[str] = mapped_column(String(5), default="rial")
    founded_on: Mapped[date] = mapped_column(Date)
    #: The identity of the fund's book: exported with it, so the same book is not imported
    #: twice (a book written by hand is known by the digest of its contents).
    book_id: Mapped[str] = mapped_column(String(80), unique=True, default=new_book_id)

    fund: Mapped[Fund] = relationship()


class Cycle(Base):
    """A savings cycle, from its start to its share-out, under one constitution."""

    __tablename__ = "cycles"
    __table_args__ = (
        UniqueConstraint("fund_id", "number"),
        CheckConstraint("status IN ('open', 'shared_out')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    #: ``Constitution.to_dict()``, fixed when the cycle starts.
    constitution: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="open")


class Member(Base):
    """A member of a fund; never deleted once she has a balance, only marked as left."""

    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("fund_id", "number"),
        CheckConstraint("status IN ('active', 'left')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    #: Her number in the fund's register (1, 2, …).
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(30), default="")
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="active")
    #: Committee roles, comma-separated: chair, treasurer, box_keeper, money_counter, key_holder.
    roles: Mapped[str] = mapped_column(String(200), default="")
    #: The programme register's record of her (beneficiaries module), when linked.
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"), index=True)

    @property
    def role_list(self) -> list[str]:
        """Return her committee roles."""
        return [role for role in self.roles.split(",") if role]


class Meeting(Base):
    """One meeting of a fund, recorded and closed at once; only the last can be reopened."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("status IN ('closed', 'reopened')", name="status"),
        CheckConstraint("kind IN ('regular', 'opening', 'share_out')", name="kind"),
        # One closed meeting of each number, and one closed regular meeting a day, per fund
        # (a reopened meeting keeps its row): a second writer cannot make a duplicate.
        Index(
            "uq_meetings_fund_number_closed",
            "fund_id",
            "number",
            unique=True,
            sqlite_where=text("status = 'closed'"),
            postgresql_where=text("status = 'closed'"),
        ),
        Index(
            "uq_meetings_fund_date_closed",
            "fund_id",
            "date",
            unique=True,
            sqlite_where=text("status = 'closed' AND kind = 'regular'"),
            postgresql_where=text("status = 'closed' AND kind = 'regular'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    #: 0 for the opening balances of a fund started from paper, then 1, 2, …
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10), default="regular")
    date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="closed")
    #: A retried submission of the same meeting carries the same key.
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    cash_expected: Mapped[int] = mapped_column(BigInteger, default=0)
    cash_counted: Mapped[int | None] = mapped_column(BigInteger)
    cash_explanation: Mapped[str] = mapped_column(Text, default="")
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    #: The day it was reopened (its reversals are dated the meeting's own day).
    reopened_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    lines: Mapped[list[MeetingLine]] = relationship(order_by="MeetingLine.member_id")

    @property
    def cash_difference(self) -> int | None:
        """Return counted − expected cash, or None when nothing was counted."""
        return None if self.cash_counted is None else self.cash_counted - self.cash_expected


class MeetingLine(Base):
    """A member's row of a meeting: attendance, shares bought, social-fund contribution."""

    __tablename__ = "meeting_lines"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id"),
        CheckConstraint(
            "attendance IN ('present', 'late', 'absent', 'represented')", name="attendance"
        ),
        CheckConstraint("shares >= 0 AND social >= 0", name="non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    attendance: Mapped[str] = mapped_column(String(12), default="present")
    shares: Mapped[int] = mapped_column(Integer, default=0)
    #: Rials paid into the member's savings (shares × price, or opening savings).
    savings: Mapped[int] = mapped_column(BigInteger, default=0)
    social: Mapped[int] = mapped_column(BigInteger, default=0)
    #: At the opening from paper: service charges she had paid in the cycle so far.
    charges_paid: Mapped[int] = mapped_column(BigInteger, default=0)


class Fine(Base):
    """A fine a member paid at a meeting."""

    __tablename__ = "fines"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    fine_type: Mapped[str] = mapped_column(String(60))
    amount: Mapped[int] = mapped_column(BigInteger)


class CashMovement(Base):
    """Money in or out of a meeting that is not a member's: grants, other income, expenses."""

    __tablename__ = "cash_movements"
    __table_args__ = (
        CheckConstraint("kind IN ('grant', 'income', 'expense')", name="kind"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    #: The member who received a social-fund grant.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    memo: Mapped[str] = mapped_column(Text, default="")


class Loan(Base):
    """A loan to a member, disbursed at a meeting, with its schedule and guarantors."""

    __tablename__ = "loans"
    __table_args__ = (CheckConstraint("principal > 0", name="principal_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    principal: Mapped[int] = mapped_column(BigInteger)
    #: A loan from paper: the principal as it was lent (``principal`` is what remained at
    #: the opening); None for a loan made in the books.
    original_principal: Mapped[int | None] = mapped_column(BigInteger)
    #: An upfront fee deducted at disbursement (0 for other charge methods).
    fee: Mapped[int] = mapped_column(BigInteger, default=0)
    term_months: Mapped[int] = mapped_column(Integer)
    charge_method: Mapped[str] = mapped_column(String(20))
    #: Decimal rate as text (e.g. ``0.05``), copied from the constitution.
    charge_rate: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(Text, default="")
    disbursed_on: Mapped[date] = mapped_column(Date)

    instalments: Mapped[list[Instalment]] = relationship(order_by="Instalment.number")
    guarantees: Mapped[list[Guarantee]] = relationship(order_by="Guarantee.id")


class Instalment(Base):
    """One scheduled instalment of a loan."""

    __tablename__ = "instalments"
    __table_args__ = (UniqueConstraint("loan_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    principal: Mapped[int] = mapped_column(BigInteger)
    charge: Mapped[int] = mapped_column(BigInteger)


class Repayment(Base):
    """Money applied to a loan at a meeting, by the borrower or recovered from a guarantor."""

    __tablename__ = "repayments"
    __table_args__ = (
        CheckConstraint("penalty >= 0 AND charge >= 0 AND principal >= 0", name="non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: Who paid: the borrower, or a guarantor whose savings covered it.
    payer_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    penalty: Mapped[int] = mapped_column(BigInteger, default=0)
    charge: Mapped[int] = mapped_column(BigInteger, default=0)
    principal: Mapped[int] = mapped_column(BigInteger, default=0)

    @property
    def total(self) -> int:
        """Return penalty + charge + principal."""
        return self.penalty + self.charge + self.principal


class LoanEvent(Base):
    """A change in a loan's life: disbursed, penalty assessed, in arrears, repaid, written off."""

    __tablename__ = "loan_events"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('active', 'in_arrears', 'repaid', 'written_off', 'penalty')", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))
    #: Penalty assessed, or principal written off; 0 for plain status changes.
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    #: The instalment a penalty was assessed for.
    instalment_number: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")


class Guarantee(Base):
    """A guarantor's pledge of part of her savings for a loan."""

    __tablename__ = "guarantees"
    __table_args__ = (
        UniqueConstraint("loan_id", "guarantor_id"),
        CheckConstraint("pledge > 0", name="pledge_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    guarantor_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    pledge: Mapped[int] = mapped_column(BigInteger)


class MemberExit(Base):
    """How a leaving member was settled: her savings, profit to date, what she owed, the payout."""

    __tablename__ = "member_exits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    savings: Mapped[int] = mapped_column(BigInteger)
    profit: Mapped[int] = mapped_column(BigInteger)
    owed: Mapped[int] = mapped_column(BigInteger)
    paid: Mapped[int] = mapped_column(BigInteger)


class ShareOut(Base):
    """The frozen result of a cycle's share-out, agreed at its meeting."""

    __tablename__ = "share_outs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    distributable: Mapped[int] = mapped_column(BigInteger)
    #: Value per share as an exact fraction, ``numerator/denominator``.
    value_per_share: Mapped[str] = mapped_column(String(60))
    social_fund_carried: Mapped[int] = mapped_column(BigInteger)
    payouts: Mapped[list[ShareOutPayout]] = relationship(order_by="ShareOutPayout.member_id")


class ShareOutPayout(Base):
    """One member's line of a frozen share-out."""

    __tablename__ = "share_out_payouts"
    __table_args__ = (UniqueConstraint("share_out_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    share_out_id: Mapped[int] = mapped_column(ForeignKey("share_outs.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    shares: Mapped[int] = mapped_column(Integer)
    savings: Mapped[int] = mapped_column(BigInteger)
    profit: Mapped[int] = mapped_column(BigInteger)
    deduction: Mapped[int] = mapped_column(BigInteger)
    payout: Mapped[int] = mapped_column(BigInteger)
    #: Part of the payout kept as opening savings of the next cycle.
    reinvested: Mapped[int] = mapped_column(BigInteger, default=0)
