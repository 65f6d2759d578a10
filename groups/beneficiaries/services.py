"""Recording what the programme did for a woman: needs assessments, services, in-kind aid.

Each writer checks the woman's record is active (not merged away), adds one row
and flushes; the caller commits. Amounts are rials (integers, never negative).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy.orm import Session

from groups.beneficiaries.errors import RegisterError
from groups.beneficiaries.models import SERVICE_KINDS, Assessment, InKindAid, Service
from groups.beneficiaries.register import active

NEEDS = ("life_skills", "vocational", "finance", "counselling", "employment")


def assess_needs(
    session: Session,
    beneficiary_id: int,
    assessed_on: date,
    assessed_by: str,
    needs: Collection[str],
    notes: str = "",
) -> Assessment:
    """Record a needs assessment: which of NEEDS she needs, when and by whom."""
    active(session, beneficiary_id)
    unknown = set(needs) - set(NEEDS)
    if unknown:
        raise RegisterError(f"Unknown needs {sorted(unknown)}")
    assessment = Assessment(
        beneficiary_id=beneficiary_id,
        assessed_on=assessed_on,
        assessed_by=assessed_by,
        notes=notes,
        **{need: need in needs for need in NEEDS},
    )
    session.add(assessment)
    session.flush()
    return assessment


def give_service(
    session: Session, beneficiary_id: int, kind: str, given_on: date, given_by: str, notes: str = ""
) -> Service:
    """Record a counselling session or another service of SERVICE_KINDS."""
    active(session, beneficiary_id)
    if kind not in SERVICE_KINDS:
        raise RegisterError(f"Service kind must be one of {SERVICE_KINDS}, got {kind!r}")
    service = Service(
        beneficiary_id=beneficiary_id, kind=kind, given_on=given_on, given_by=given_by, notes=notes
    )
    session.add(service)
    session.flush()
    return service


def give_aid(
    session: Session,
    beneficiary_id: int,
    given_on: date,
    item: str,
    quantity: int = 1,
    value: int = 0,
    donor: str = "",
) -> InKindAid:
    """Record goods given to a woman, with their value in rials."""
    active(session, beneficiary_id)
    if quantity < 1 or value < 0:
        raise RegisterError("Aid needs a quantity of at least 1 and a value of at least 0")
    aid = InKindAid(
        beneficiary_id=beneficiary_id,
        given_on=given_on,
        item=item,
        quantity=quantity,
        value=value,
        donor=donor,
    )
    session.add(aid)
    session.flush()
    return aid
