"""Courses, their sessions, who attended and who completed.

A trainee is a woman of the register (``beneficiary_id``) or, for facilitators
and others outside the register, a named person (``person_name``); exactly one
of the two is set. A fund-management session may name the fund it trained.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base

COURSE_KINDS = ("life_skills", "vocational", "fund_members", "fund_facilitators")
TRAINEE_ROLES = ("woman", "fund_member", "facilitator")
_ONE_TRAINEE = "(beneficiary_id IS NULL) <> (person_name IS NULL)"


def _once_per(table: str, column: str) -> tuple[Index, Index]:
    """Return unique indexes: a woman, or a named person, appears once per ``column``."""
    indexes = []
    for who in ("beneficiary_id", "person_name"):
        where = text(f"{who} IS NOT NULL")
        indexes.append(
            Index(
                f"uq_{table}_{column}_{who}",
                column,
                who,
                unique=True,
                sqlite_where=where,
                postgresql_where=where,
            )
        )
    return indexes[0], indexes[1]


class Course(Base):
    """A course: life skills, a vocational trade, or fund management (members or facilitators)."""

    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('life_skills', 'vocational', 'fund_members', 'fund_facilitators')",
            name="kind",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    #: For vocational courses: sewing, carpet weaving, chandelier making, …
    trade: Mapped[str] = mapped_column(String(100), default="")
    provider: Mapped[str] = mapped_column(String(200), default="")
    hours: Mapped[int] = mapped_column(Integer, default=0)


class TrainingSession(Base):
    """One class of a course: date, place, trainer; for fund management, the fund trained."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str] = mapped_column(String(200))
    trainer: Mapped[str] = mapped_column(String(200))
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id"), index=True)


class Attendance(Base):
    """A trainee present at a session."""

    __tablename__ = "training_attendance"
    __table_args__ = (
        *_once_per("training_attendance", "session_id"),
        CheckConstraint(_ONE_TRAINEE, name="one_trainee"),
        CheckConstraint("role IN ('woman', 'fund_member', 'facilitator')", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    person_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(12), default="woman")


class Completion(Base):
    """A trainee who completed a course (certificate given)."""

    __tablename__ = "course_completions"
    __table_args__ = (
        *_once_per("course_completions", "course_id"),
        CheckConstraint(_ONE_TRAINEE, name="one_trainee"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    person_name: Mapped[str | None] = mapped_column(String(200))
    completed_on: Mapped[date] = mapped_column(Date, index=True)
