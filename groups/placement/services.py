"""Recording work: employers and workshops, placements, self-employment, follow-ups."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from groups import calendar
from groups.beneficiaries.errors import PlacementError
from groups.beneficiaries.register import active
from groups.placement.models import FOLLOW_UP_MONTHS, Employer, FollowUp, Placement
from groups.savings.models import Loan, Member


def add_employer(
    session: Session, name: str, kind: str, trade: str = "", place: str = ""
) -> Employer:
    """Register a workshop or an employer."""
    if kind not in ("workshop", "employer"):
        raise PlacementError(f"Employer kind must be workshop or employer, got {kind!r}")
    employer = Employer(name=name, kind=kind, trade=trade, place=place)
    session.add(employer)
    session.flush()
    return employer


def place(
    session: Session,
    beneficiary_id: int,
    employer_id: int,
    started_on: date,
    role: str,
    monthly_income: int,
) -> Placement:
    """Record that a woman started work with an employer or workshop."""
    active(session, beneficiary_id)
    if session.get(Employer, employer_id) is None:
        raise PlacementError(f"No employer {employer_id}")
    return _add(
        session, beneficiary_id, "employment", started_on, role, monthly_income, employer_id
    )


def start_self_employment(
    session: Session,
    beneficiary_id: int,
    started_on: date,
    role: str,
    monthly_income: int,
    loan_id: int | None = None,
) -> Placement:
    """Record a woman's own business, started with her fund's loan when ``loan_id`` is given."""
    active(session, beneficiary_id)
    if loan_id is not None:
        borrower = session.scalar(
            select(Member.beneficiary_id)
            .join(Loan, Loan.member_id == Member.id)
            .where(Loan.id == loan_id)
        )
        if borrower != beneficiary_id:
            raise PlacementError(f"Loan {loan_id} is not a loan to beneficiary {beneficiary_id}")
    return _add(
        session, beneficiary_id, "self_employment", started_on, role, monthly_income, None, loan_id
    )


def _add(
    session: Session,
    beneficiary_id: int,
    kind: str,
    started_on: date,
    role: str,
    monthly_income: int,
    employer_id: int | None,
    loan_id: int | None = None,
) -> Placement:
    if monthly_income < 0:
        raise PlacementError("Monthly income cannot be negative")
    placement = Placement(
        beneficiary_id=beneficiary_id,
        kind=kind,
        employer_id=employer_id,
        loan_id=loan_id,
        started_on=started_on,
        role=role,
        monthly_income=monthly_income,
    )
    session.add(placement)
    session.flush()
    return placement


def record_follow_up(
    session: Session,
    placement_id: int,
    months: int,
    visited_on: date,
    still_working: bool,
    monthly_income: int,
    notes: str = "",
) -> FollowUp:
    """Record the 3- or 6-month follow-up of a placement."""
    placement = session.get(Placement, placement_id)
    if placement is None:
        raise PlacementError(f"No placement {placement_id}")
    if months not in FOLLOW_UP_MONTHS:
        raise PlacementError(f"Follow-ups are at {FOLLOW_UP_MONTHS} months, not {months}")
    if visited_on < placement.started_on:
        raise PlacementError("A follow-up cannot come before the placement started")
    follow_up = FollowUp(
        placement_id=placement_id,
        months=months,
        visited_on=visited_on,
        still_working=still_working,
        monthly_income=monthly_income if still_working else 0,
        notes=notes,
    )
    session.add(follow_up)
    session.flush()
    return follow_up


def follow_ups_due(session: Session, on: date) -> list[tuple[Placement, int, date]]:
    """Return (placement, months, due date) of every follow-up due by ``on`` and not yet done."""
    done = {(p, m) for p, m in session.execute(select(FollowUp.placement_id, FollowUp.months))}
    due = []
    for placement in session.scalars(
        select(Placement).order_by(Placement.started_on, Placement.id)
    ):
        for months in FOLLOW_UP_MONTHS:
            due_on = calendar.add_jalali_months(placement.started_on, months)
            if due_on <= on and (placement.id, months) not in done:
                due.append((placement, months, due_on))
    return due
