"""The programme report's figures for a period and an area, by aggregate queries.

Counts follow the seed's statistical report:
- women registered: active records whose ``registered_on`` (earliest source date)
  falls in the period;
- needs assessed: women with an assessment in the period;
- classes held / people trained / completed, by course kind: sessions in the
  period, distinct trainees who attended one, completions in the period; the
  fund-management kinds give "training sessions for the funds" and "fund members
  trained" (and facilitators trained);
- funds supported: funds with a member from the register that met, or had a
  fund-management class, in the period;
- loans paid: loans disbursed at closed meetings in the period to members linked
  to the register (people, loans, amount in rials);
- jobs: placements started in the period (employment, self-employment, people),
  and how many of the 6-month follow-ups done in the period found her working;
- counselling: people and sessions of counselling services in the period; in-kind
  aid: people and value.
An area (county, district, village — any of them) restricts everything to women
living there; classes then count only if a woman of the area attended, and people
outside the register (facilitators) are counted only for the whole programme.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, String, and_, cast, distinct, func, literal, or_, select
from sqlalchemy.orm import Session

from groups.beneficiaries.models import Assessment, Beneficiary, InKindAid, Service
from groups.placement.models import FollowUp, Placement
from groups.savings.models import Loan, Meeting, Member
from groups.training.models import COURSE_KINDS, Attendance, Completion, Course, TrainingSession

FUND_KINDS = ("fund_members", "fund_facilitators")


@dataclass(frozen=True)
class Area:
    """Where: any of county, district, village (None = everywhere)."""

    county: str | None = None
    district: str | None = None
    village: str | None = None

    @property
    def everywhere(self) -> bool:
        """Return True when no part of the area is set."""
        return not (self.county or self.district or self.village)


@dataclass(frozen=True)
class ProgrammeFigures:
    """The programme report's figures; amounts in rials."""

    start: date
    end: date
    area: Area
    women_registered: int
    needs_assessed: int
    classes: dict[str, int]
    trained: dict[str, int]
    completed: dict[str, int]
    funds_supported: int
    loans: dict[str, int]
    jobs: dict[str, int]
    counselling: dict[str, int]
    in_kind_aid: dict[str, int]
    register_size: int = field(default=0)

    @property
    def fund_sessions(self) -> int:
        """Return the fund-management classes (members and facilitators)."""
        return sum(self.classes[kind] for kind in FUND_KINDS)

    def to_dict(self) -> dict[str, Any]:
        """Return the figures as plain data (dates ISO)."""
        data = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        data["fund_sessions"] = self.fund_sessions
        return data


def programme_figures(
    session: Session, start: date, end: date, area: Area | None = None
) -> ProgrammeFigures:
    """Return the programme's figures for the period (both days included) and area."""
    area = area or Area()
    women = _women(area)
    between = _between(start, end)
    return ProgrammeFigures(
        start=start,
        end=end,
        area=area,
        women_registered=_count(
            session,
            select(func.count())
            .select_from(Beneficiary)
            .where(Beneficiary.id.in_(women), between(Beneficiary.registered_on)),
        ),
        needs_assessed=_distinct_women(session, Assessment, Assessment.assessed_on, women, between),
        classes=_classes(session, women, between, area),
        trained=_trained(session, women, between, area),
        completed=_completed(session, women, between, area),
        funds_supported=_funds_supported(session, women, between),
        loans=_loans(session, women, between),
        jobs=_jobs(session, women, between),
        counselling=_services(session, women, between),
        in_kind_aid=_aid(session, women, between),
        register_size=_count(
            session,
            select(func.count())
            .select_from(Beneficiary)
            .where(Beneficiary.id.in_(women), Beneficiary.registered_on <= end),
        ),
    )


def _women(area: Area) -> Select[Any]:
    """Return the ids of active records in the area."""
    query = select(Beneficiary.id).where(Beneficiary.merged_into_id.is_(None))
    for column, value in (
        (Beneficiary.county, area.county),
        (Beneficiary.district, area.district),
        (Beneficiary.village, area.village),
    ):
        if value:
            query = query.where(column == value)
    return query


def _between(start: date, end: date) -> Any:
    return lambda column: column.between(start, end)


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(query) or 0)


def _distinct_women(session: Session, model: Any, day: Any, women: Any, between: Any) -> int:
    query = select(func.count(distinct(model.beneficiary_id))).where(
        model.beneficiary_id.in_(women), between(day)
    )
    return _count(session, query)


def _trainee_in(women: Any, area: Area, model: Any) -> Any:
    """Return the condition on trainees: a woman of the area, or anyone for the whole programme."""
    if area.everywhere:
        return or_(model.beneficiary_id.in_(women), model.person_name.is_not(None))
    return model.beneficiary_id.in_(women)


def _by_kind(rows: Any) -> dict[str, int]:
    counted = {kind: 0 for kind in COURSE_KINDS}
    counted.update({kind: int(n) for kind, n in rows})
    return counted


def _classes(session: Session, women: Any, between: Any, area: Area) -> dict[str, int]:
    query = (
        select(Course.kind, func.count(TrainingSession.id))
        .join(TrainingSession, TrainingSession.course_id == Course.id)
        .where(between(TrainingSession.held_on))
        .group_by(Course.kind)
    )
    if not area.everywhere:
        attended = select(Attendance.session_id).where(Attendance.beneficiary_id.in_(women))
        query = query.where(TrainingSession.id.in_(attended))
    return _by_kind(session.execute(query).all())


def _trained(session: Session, women: Any, between: Any, area: Area) -> dict[str, int]:
    # One key per trainee: women by record id, others by name, never confused.
    trainee = func.coalesce(
        literal("w:") + cast(Attendance.beneficiary_id, String),
        literal("p:") + Attendance.person_name,
    )
    query = (
        select(Course.kind, func.count(distinct(trainee)))
        .join(TrainingSession, TrainingSession.course_id == Course.id)
        .join(Attendance, Attendance.session_id == TrainingSession.id)
        .where(between(TrainingSession.held_on), _trainee_in(women, area, Attendance))
        .group_by(Course.kind)
    )
    return _by_kind(session.execute(query).all())


def _completed(session: Session, women: Any, between: Any, area: Area) -> dict[str, int]:
    query = (
        select(Course.kind, func.count(Completion.id))
        .join(Completion, Completion.course_id == Course.id)
        .where(between(Completion.completed_on), _trainee_in(women, area, Completion))
        .group_by(Course.kind)
    )
    return _by_kind(session.execute(query).all())


def _funds_supported(session: Session, women: Any, between: Any) -> int:
    funds_of_women = select(Member.fund_id).where(Member.beneficiary_id.in_(women))
    met = select(Meeting.fund_id).where(Meeting.status == "closed", between(Meeting.date))
    trained = (
        select(TrainingSession.fund_id)
        .join(Course, Course.id == TrainingSession.course_id)
        .where(Course.kind.in_(FUND_KINDS), between(TrainingSession.held_on))
    )
    query = select(func.count(distinct(Member.fund_id))).where(
        Member.fund_id.in_(funds_of_women),
        or_(Member.fund_id.in_(met), Member.fund_id.in_(trained)),
    )
    return _count(session, query)


def _loans(session: Session, women: Any, between: Any) -> dict[str, int]:
    query = (
        select(
            func.count(distinct(Member.beneficiary_id)),
            func.count(Loan.id),
            func.coalesce(func.sum(Loan.principal), 0),
        )
        .join(Member, Member.id == Loan.member_id)
        .join(Meeting, Meeting.id == Loan.meeting_id)
        .where(
            Meeting.status == "closed",
            between(Loan.disbursed_on),
            Member.beneficiary_id.in_(women),
        )
    )
    people, loans, amount = session.execute(query).one()
    return {"people": int(people), "loans": int(loans), "amount": int(amount)}


def _jobs(session: Session, women: Any, between: Any) -> dict[str, int]:
    placements = (
        select(Placement.kind, func.count(Placement.id))
        .where(Placement.beneficiary_id.in_(women), between(Placement.started_on))
        .group_by(Placement.kind)
    )
    by_kind = {kind: n for kind, n in session.execute(placements)}
    people = _distinct_women(session, Placement, Placement.started_on, women, between)
    six_months = (
        select(func.count(FollowUp.id), func.count(FollowUp.id).filter(FollowUp.still_working))
        .join(Placement, Placement.id == FollowUp.placement_id)
        .where(
            FollowUp.months == 6, between(FollowUp.visited_on), Placement.beneficiary_id.in_(women)
        )
    )
    followed, working = session.execute(six_months).one()
    return {
        "placements": sum(by_kind.values()),
        "employment": int(by_kind.get("employment", 0)),
        "self_employment": int(by_kind.get("self_employment", 0)),
        "people": people,
        "followed_up_6_months": int(followed),
        "working_at_6_months": int(working),
    }


def _services(session: Session, women: Any, between: Any) -> dict[str, int]:
    query = select(func.count(distinct(Service.beneficiary_id)), func.count(Service.id)).where(
        and_(Service.kind == "counselling", Service.beneficiary_id.in_(women)),
        between(Service.given_on),
    )
    people, sessions = session.execute(query).one()
    return {"people": int(people), "sessions": int(sessions)}


def _aid(session: Session, women: Any, between: Any) -> dict[str, int]:
    query = select(
        func.count(distinct(InKindAid.beneficiary_id)), func.coalesce(func.sum(InKindAid.value), 0)
    ).where(InKindAid.beneficiary_id.in_(women), between(InKindAid.given_on))
    people, value = session.execute(query).one()
    return {"people": int(people), "value": int(value)}
