"""Recording training: courses, sessions with their attendance, completions; a woman's history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.beneficiaries.errors import TrainingError
from groups.beneficiaries.register import active
from groups.training.models import COURSE_KINDS, Attendance, Completion, Course, TrainingSession


@dataclass(frozen=True)
class Trainee:
    """A woman of the register, or a named person outside it (a facilitator)."""

    beneficiary_id: int | None = None
    person_name: str | None = None
    role: str = "woman"


def create_course(
    session: Session, title: str, kind: str, trade: str = "", provider: str = "", hours: int = 0
) -> Course:
    """Create a course of one of COURSE_KINDS."""
    if kind not in COURSE_KINDS:
        raise TrainingError(f"Course kind must be one of {COURSE_KINDS}, got {kind!r}")
    course = Course(title=title, kind=kind, trade=trade, provider=provider, hours=hours)
    session.add(course)
    session.flush()
    return course


def hold_session(
    session: Session,
    course_id: int,
    held_on: date,
    place: str,
    trainer: str,
    trainees: Sequence[Trainee],
    fund_id: int | None = None,
) -> TrainingSession:
    """Record a class and who attended it."""
    if session.get(Course, course_id) is None:
        raise TrainingError(f"No course {course_id}")
    held = TrainingSession(
        course_id=course_id, held_on=held_on, place=place, trainer=trainer, fund_id=fund_id
    )
    session.add(held)
    session.flush()
    for trainee in _distinct(session, trainees):
        session.add(
            Attendance(
                session_id=held.id,
                beneficiary_id=trainee.beneficiary_id,
                person_name=trainee.person_name,
                role=trainee.role,
            )
        )
    session.flush()
    return held


def _distinct(session: Session, trainees: Sequence[Trainee]) -> list[Trainee]:
    """Return the trainees once each, checking each is a woman or a named person."""
    seen, result = set(), []
    for trainee in trainees:
        if (trainee.beneficiary_id is None) == (trainee.person_name is None):
            raise TrainingError("A trainee is a woman of the register or a named person, not both")
        if trainee.beneficiary_id is not None:
            active(session, trainee.beneficiary_id)
        key = (trainee.beneficiary_id, trainee.person_name)
        if key not in seen:
            seen.add(key)
            result.append(trainee)
    return result


def complete(session: Session, course_id: int, trainee: Trainee, on: date) -> Completion:
    """Record that a trainee completed a course; raise TrainingError if already recorded."""
    existing = select(Completion.id).where(
        Completion.course_id == course_id,
        Completion.beneficiary_id == trainee.beneficiary_id
        if trainee.beneficiary_id is not None
        else Completion.person_name == trainee.person_name,
    )
    if session.scalar(existing) is not None:
        raise TrainingError(f"Completion of course {course_id} already recorded")
    completion = Completion(
        course_id=course_id,
        beneficiary_id=trainee.beneficiary_id,
        person_name=trainee.person_name,
        completed_on=on,
    )
    session.add(completion)
    session.flush()
    return completion


def history(session: Session, beneficiary_id: int) -> list[dict[str, Any]]:
    """Return a woman's courses: each with the dates she attended and when she completed it."""
    attended = session.execute(
        select(Course, TrainingSession.held_on)
        .join(TrainingSession, TrainingSession.course_id == Course.id)
        .join(Attendance, Attendance.session_id == TrainingSession.id)
        .where(Attendance.beneficiary_id == beneficiary_id)
        .order_by(TrainingSession.held_on)
    ).all()
    completed_query = select(Completion.course_id, Completion.completed_on).where(
        Completion.beneficiary_id == beneficiary_id
    )
    completed = {course_id: on for course_id, on in session.execute(completed_query)}
    courses: dict[int, dict[str, Any]] = {}
    for course, held_on in attended:
        entry = courses.setdefault(
            course.id,
            {"course": course.title, "kind": course.kind, "trade": course.trade, "sessions": []},
        )
        entry["sessions"].append(held_on)
    for entry_id, entry in courses.items():
        entry["completed_on"] = completed.get(entry_id)
    return list(courses.values())
