"""Workshops and employers, women placed in work, and what became of them.

A placement is a job with an employer or workshop, or self-employment (which may
be started with a loan of her fund: ``loan_id``). Each placement is followed up
3 and 6 months after it started: still working? earning what?
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base

FOLLOW_UP_MONTHS = (3, 6)


class Employer(Base):
    """A workshop opened by the programme, or an outside employer."""

    __tablename__ = "employers"
    __table_args__ = (CheckConstraint("kind IN ('workshop', 'employer')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    #: sock knitting, sewing, packaging, …
    trade: Mapped[str] = mapped_column(String(100), default="")
    place: Mapped[str] = mapped_column(String(200), default="")


class Placement(Base):
    """A woman's job or self-employment, from its start."""

    __tablename__ = "placements"
    __table_args__ = (
        CheckConstraint("kind IN ('employment', 'self_employment')", name="kind"),
        CheckConstraint("(kind = 'employment') = (employer_id IS NOT NULL)", name="employer"),
        CheckConstraint("monthly_income >= 0", name="income_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    #: The fund loan that started a self-employment, if any.
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"))
    started_on: Mapped[date] = mapped_column(Date, index=True)
    role: Mapped[str] = mapped_column(String(200))
    #: Rials a month at the start.
    monthly_income: Mapped[int] = mapped_column(BigInteger, default=0)


class FollowUp(Base):
    """What a follow-up visit found, 3 or 6 months after the start."""

    __tablename__ = "placement_follow_ups"
    __table_args__ = (
        UniqueConstraint("placement_id", "months"),
        CheckConstraint("months IN (3, 6)", name="months"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"), index=True)
    months: Mapped[int] = mapped_column(Integer)
    visited_on: Mapped[date] = mapped_column(Date)
    still_working: Mapped[bool] = mapped_column(Boolean)
    monthly_income: Mapped[int] = mapped_column(BigInteger, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
