"""What a woman's record page shows, gathered in a handful of queries.

Sensitive values (national ID, income, health, disability) are only filled in
when the caller asked for them and the role may see them; ``access.sensitive_view``
then logs the view. Facts of sensitive questions keep their source but not their
value otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.beneficiaries import funds
from groups.beneficiaries.access import public_view, sensitive_view
from groups.beneficiaries.lookup import SourcedFact, sourced_facts
from groups.beneficiaries.models import Assessment, Beneficiary, InKindAid, Merge, Service
from groups.placement.models import Employer, FollowUp, Placement
from groups.training.services import history


@dataclass
class RecordPage:
    """Everything a woman's record page shows."""

    woman: Beneficiary
    values: dict[str, Any]
    sensitive: dict[str, Any] | None
    facts: list[SourcedFact]
    assessments: list[Assessment] = field(default_factory=list)
    memberships: list[dict[str, Any]] = field(default_factory=list)
    training: list[dict[str, Any]] = field(default_factory=list)
    placements: list[dict[str, Any]] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    aid: list[InKindAid] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)


def record_page(
    session: Session,
    woman: Beneficiary,
    on: date,
    sensitive_for: tuple[str, str] | None,
    fund_ids: list[int] | None,
) -> RecordPage:
    """Gather a record page; ``sensitive_for`` = (viewer, role) shows and logs sensitive values."""
    sensitive = sensitive_view(session, woman.id, *sensitive_for) if sensitive_for else None
    memberships = funds.memberships(session, woman.id, on)
    if fund_ids is not None:
        memberships = [m for m in memberships if m["fund_id"] in fund_ids]
    return RecordPage(
        woman=woman,
        values=public_view(woman),
        sensitive=sensitive,
        facts=sourced_facts(session, woman.id),
        assessments=_rows(session, Assessment, woman.id, Assessment.assessed_on),
        memberships=memberships,
        training=history(session, woman.id),
        placements=placements_of(session, woman.id),
        services=_rows(session, Service, woman.id, Service.given_on),
        aid=_rows(session, InKindAid, woman.id, InKindAid.given_on),
        merges=list(
            session.scalars(
                select(Merge)
                .where(Merge.survivor_id == woman.id, Merge.undone_at.is_(None))
                .order_by(Merge.id)
            )
        ),
    )


def _rows(session: Session, model: Any, beneficiary_id: int, day: Any) -> list[Any]:
    query = select(model).where(model.beneficiary_id == beneficiary_id).order_by(day, model.id)
    return list(session.scalars(query))


def placements_of(session: Session, beneficiary_id: int) -> list[dict[str, Any]]:
    """Return her placements with the employer's name and the follow-ups by month."""
    rows = session.execute(
        select(Placement, Employer.name)
        .outerjoin(Employer, Employer.id == Placement.employer_id)
        .where(Placement.beneficiary_id == beneficiary_id)
        .order_by(Placement.started_on, Placement.id)
    ).all()
    ids = [placement.id for placement, _ in rows]
    follow_ups: dict[int, dict[int, FollowUp]] = {i: {} for i in ids}
    for follow_up in session.scalars(select(FollowUp).where(FollowUp.placement_id.in_(ids))):
        follow_ups[follow_up.placement_id][follow_up.months] = follow_up
    return [
        {"placement": placement, "employer": name, "follow_ups": follow_ups[placement.id]}
        for placement, name in rows
    ]
