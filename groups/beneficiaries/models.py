"""The programme register's tables.

A woman's record (``beneficiaries``) holds the current value of each question,
recomputed from her facts: a fact is one value from one source row (an agency's
file row, or a hand entry), so every value keeps its agency, file and date. When
two sources disagree, the fact of the most recent source date wins (then the
latest recorded). A merge moves source rows from one record to another and can be
undone, so no fact is ever deleted. Sensitive fields (national ID, income, health,
disability) are read through ``access.py``, which logs each view.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
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
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base
from ledger.models import utc_now


class Agency(Base):
    """An agency that sends data about women (Relief Committee, Welfare Organisation, …)."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: The agency's file columns -> questionnaire fields, saved at its first import.
    column_mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class Source(Base):
    """Where facts came from: one imported file, or hand entry by a person."""

    __tablename__ = "register_sources"
    __table_args__ = (
        UniqueConstraint("agency_id", "file_hash"),
        CheckConstraint("kind IN ('import', 'manual')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8), default="import")
    file_name: Mapped[str] = mapped_column(String(300), default="")
    #: SHA-256 of the file's bytes; re-importing the same file is refused as a no-op.
    file_hash: Mapped[str | None] = mapped_column(String(64))
    #: The date the agency's data speaks for (the file's date), not the import time.
    received_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class Beneficiary(Base):
    """A woman of the register, with the current value of each question (from her facts)."""

    __tablename__ = "beneficiaries"
    __table_args__ = (
        CheckConstraint("settlement IN ('urban', 'rural', 'nomadic')", name="settlement"),
        # One active record per national ID; records merged away keep theirs.
        Index(
            "uq_beneficiaries_active_national_id",
            "national_id",
            unique=True,
            sqlite_where=text("merged_into_id IS NULL"),
            postgresql_where=text("merged_into_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: 10 Latin digits, checked; unique among records not merged away.
    national_id: Mapped[str | None] = mapped_column(String(10), index=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    father_name: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(Date, index=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    county: Mapped[str | None] = mapped_column(String(100), index=True)
    district: Mapped[str | None] = mapped_column(String(100))
    village: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(Text)
    settlement: Mapped[str | None] = mapped_column(String(8))
    household_size: Mapped[int | None] = mapped_column(Integer)
    dependants: Mapped[int | None] = mapped_column(Integer)
    marital_status: Mapped[str | None] = mapped_column(String(20))
    education: Mapped[str | None] = mapped_column(String(20))
    skills: Mapped[str | None] = mapped_column(Text)
    health: Mapped[str | None] = mapped_column(Text)
    disability: Mapped[str | None] = mapped_column(Text)
    income_sources: Mapped[str | None] = mapped_column(Text)
    monthly_income: Mapped[int | None] = mapped_column(BigInteger)
    housing: Mapped[str | None] = mapped_column(String(20))
    support_received: Mapped[str | None] = mapped_column(Text)
    referral: Mapped[str | None] = mapped_column(String(200))
    consent_to_share: Mapped[bool | None] = mapped_column(Boolean)
    #: ``name_key`` of "first last", for search and matching.
    name_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    #: The earliest date any source speaks of her: when the programme registered her.
    registered_on: Mapped[date] = mapped_column(Date, index=True)
    #: Set when this record was merged into another; it is then hidden, not deleted.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"), index=True)

    @property
    def full_name(self) -> str:
        """Return "first last"."""
        return f"{self.first_name} {self.last_name}".strip()


class SourceRecord(Base):
    """One row of a source about one woman: the facts it gave hang on it."""

    __tablename__ = "register_records"
    __table_args__ = (UniqueConstraint("agency_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("register_sources.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    #: The row's number in its file (1 = the first data row), 0 for hand entry.
    row_number: Mapped[int] = mapped_column(Integer, default=0)
    #: SHA-256 of the row's normalised values: the same row sent again changes nothing.
    fingerprint: Mapped[str] = mapped_column(String(64))


class Fact(Base):
    """One value of one question, as one source row gave it."""

    __tablename__ = "register_facts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("register_records.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(Text)


class Assessment(Base):
    """A needs assessment of a woman: which help she needs, when and by whom it was judged."""

    __tablename__ = "needs_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    assessed_on: Mapped[date] = mapped_column(Date, index=True)
    assessed_by: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    life_skills: Mapped[bool] = mapped_column(Boolean, default=False)
    vocational: Mapped[bool] = mapped_column(Boolean, default=False)
    finance: Mapped[bool] = mapped_column(Boolean, default=False)
    counselling: Mapped[bool] = mapped_column(Boolean, default=False)
    employment: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")


SERVICE_KINDS = ("counselling", "legal", "health", "psychological", "referral", "other")


class Service(Base):
    """A counselling session or other service given to a woman."""

    __tablename__ = "register_services"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('counselling', 'legal', 'health', 'psychological', 'referral', 'other')",
            name="kind",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    given_on: Mapped[date] = mapped_column(Date, index=True)
    given_by: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")


class InKindAid(Base):
    """Goods given to a woman (a sewing machine, food, …), with their value in rials."""

    __tablename__ = "in_kind_aid"
    __table_args__ = (CheckConstraint("value >= 0 AND quantity > 0", name="non_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    given_on: Mapped[date] = mapped_column(Date, index=True)
    item: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    donor: Mapped[str] = mapped_column(String(200), default="")


class SensitiveView(Base):
    """A log line: someone saw a woman's sensitive fields."""

    __tablename__ = "sensitive_views"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    viewer: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(40))
    #: The sensitive fields shown, comma-separated.
    fields: Mapped[str] = mapped_column(String(200))
    viewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class MatchCandidate(Base):
    """Two records that may be the same woman: proposed (high score) or queued for review."""

    __tablename__ = "match_candidates"
    __table_args__ = (
        UniqueConstraint("first_id", "second_id"),
        CheckConstraint("first_id < second_id", name="ordered"),
        CheckConstraint("status IN ('proposed', 'review', 'merged', 'rejected')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    second_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    #: Name similarity 0–100.
    score: Mapped[int] = mapped_column(Integer)
    #: What else agreed: national_id, birth_date, father_name, phone, village.
    evidence: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))
    decided_by: Mapped[str | None] = mapped_column(String(120))
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class Merge(Base):
    """One merge of a record into another, with what it moved, so it can be undone."""

    __tablename__ = "register_merges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    #: Table name -> ids of its rows moved from the merged record to the survivor.
    moved: Mapped[dict[str, Any]] = mapped_column(JSON)
    merged_by: Mapped[str] = mapped_column(String(120))
    merged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    undone_by: Mapped[str | None] = mapped_column(String(120))
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
