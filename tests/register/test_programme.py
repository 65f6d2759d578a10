"""The programme report against a small register counted by hand; training, placement, funds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.beneficiaries.access import public_view, sensitive_view
from groups.beneficiaries.errors import PlacementError, SensitiveAccessDenied, TrainingError
from groups.beneficiaries.funds import memberships
from groups.beneficiaries.models import Assessment, Beneficiary, InKindAid, SensitiveView, Service
from groups.beneficiaries.programme import Area, programme_figures
from groups.beneficiaries.register import record_by_hand
from groups.placement.services import (
    add_employer,
    follow_ups_due,
    place,
    record_follow_up,
    start_self_employment,
)
from groups.savings.commands import NewLoan
from groups.savings.models import Loan
from groups.training.services import Trainee, complete, create_course, history, hold_session
from tests.savings.conftest import START, make_fund

JAN = date(2025, 1, 1)
YEAR_END = date(2025, 12, 31)


def woman(session: Session, first: str, village: str, on: date, **extra: str) -> Beneficiary:
    values = {"first_name": first, "last_name": "آزمون", "village": village, **extra}
    return record_by_hand(session, "ستاد", values, "staff", on)


@pytest.fixture
def register(session: Session) -> dict[str, object]:
    """Five women, two villages; one registered before the period. Counted by hand below."""
    a = woman(session, "آمنه", "قلعه‌نو", date(2025, 2, 1), national_id="0013542419")
    b = woman(session, "بتول", "قلعه‌نو", date(2025, 3, 1), monthly_income="5000000")
    c = woman(session, "کبری", "قلعه‌نو", date(2025, 3, 2))
    d = woman(session, "داوری", "کهریزک", date(2025, 4, 1))
    old = woman(session, "قدیمی", "کهریزک", date(2024, 6, 1))
    for w, on in ((a, date(2025, 2, 5)), (b, date(2025, 2, 6)), (d, date(2024, 12, 1))):
        session.add(
            Assessment(beneficiary_id=w.id, assessed_on=on, assessed_by="x", vocational=True)
        )
    session.add_all(
        [
            Service(
                beneficiary_id=a.id, kind="counselling", given_on=date(2025, 5, 1), given_by="x"
            ),
            Service(
                beneficiary_id=a.id, kind="counselling", given_on=date(2025, 6, 1), given_by="x"
            ),
            Service(
                beneficiary_id=d.id, kind="counselling", given_on=date(2025, 6, 1), given_by="x"
            ),
            Service(beneficiary_id=b.id, kind="legal", given_on=date(2025, 6, 1), given_by="x"),
            InKindAid(
                beneficiary_id=c.id, given_on=date(2025, 7, 1), item="چرخ خیاطی", value=80_000_000
            ),
        ]
    )
    sewing = create_course(session, "خیاطی مقدماتی", "vocational", trade="sewing")
    life = create_course(session, "مهارت‌های زندگی", "life_skills")
    fund_course = create_course(session, "مدیریت صندوق", "fund_members")
    facilitation = create_course(session, "تسهیلگری", "fund_facilitators")
    hold_session(
        session, sewing.id, date(2025, 4, 1), "مسجد", "خانم الف", [Trainee(a.id), Trainee(b.id)]
    )
    hold_session(
        session, sewing.id, date(2025, 4, 8), "مسجد", "خانم الف", [Trainee(a.id), Trainee(d.id)]
    )
    hold_session(session, life.id, date(2024, 11, 1), "مدرسه", "خانم ب", [Trainee(c.id)])  # before
    complete(session, sewing.id, Trainee(a.id), date(2025, 4, 30))
    fund = make_fund(session, names=("آمنه", "بتول", "فاطمه"))
    fund.members[0].beneficiary_id = a.id
    fund.members[1].beneficiary_id = b.id
    hold_session(
        session,
        fund_course.id,
        START,
        "قلعه‌نو",
        "تسهیلگر",
        [Trainee(a.id, role="fund_member"), Trainee(b.id, role="fund_member")],
        fund_id=fund.fund_id,
    )
    hold_session(
        session,
        facilitation.id,
        date(2025, 2, 10),
        "فرمانداری",
        "مربی",
        [Trainee(person_name="خانم تسهیلگر", role="facilitator")],
    )
    fund.meet(START, *fund.everyone_buys(5))
    fund.meet(
        START + timedelta(7),
        *fund.everyone_buys(5),
        new_loans=(
            NewLoan(fund.members[0].id, 20_000, 2, "چرخ خیاطی"),
            NewLoan(fund.members[2].id, 10_000, 2),
        ),
    )
    workshop = add_employer(session, "کارگاه جوراب‌بافی", "workshop", trade="sock knitting")
    job = place(session, b.id, workshop.id, date(2025, 5, 1), "بافنده", 40_000_000)
    record_follow_up(session, job.id, 6, date(2025, 11, 1), True, 45_000_000)
    place(session, d.id, workshop.id, date(2025, 6, 1), "بسته‌بندی", 30_000_000)
    return {"a": a, "b": b, "c": c, "d": d, "old": old, "fund": fund, "sewing": sewing}


def test_the_figures_match_the_hand_count(session: Session, register: dict[str, object]) -> None:
    figures = programme_figures(session, JAN, YEAR_END)

    assert figures.women_registered == 4  # the fifth came in 2024
    assert figures.register_size == 5
    assert figures.needs_assessed == 2  # d was assessed in 2024
    assert figures.classes == {
        "life_skills": 0,
        "vocational": 2,
        "fund_members": 1,
        "fund_facilitators": 1,
    }
    assert figures.trained == {
        "life_skills": 0,
        "vocational": 3,
        "fund_members": 2,
        "fund_facilitators": 1,
    }
    assert figures.completed["vocational"] == 1
    assert figures.fund_sessions == 2
    assert figures.funds_supported == 1
    assert figures.loans == {"people": 1, "loans": 1, "amount": 20_000}  # Fatemeh is not registered
    assert figures.jobs == {
        "placements": 2,
        "employment": 2,
        "self_employment": 0,
        "people": 2,
        "followed_up_6_months": 1,
        "working_at_6_months": 1,
    }
    assert figures.counselling == {"people": 2, "sessions": 3}
    assert figures.in_kind_aid == {"people": 1, "value": 80_000_000}


def test_an_area_counts_only_its_women(session: Session, register: dict[str, object]) -> None:
    figures = programme_figures(session, JAN, YEAR_END, Area(village="کهریزک"))

    assert (figures.women_registered, figures.register_size, figures.needs_assessed) == (1, 2, 0)
    assert figures.classes["vocational"] == 1 and figures.trained["vocational"] == 1
    assert figures.classes["fund_facilitators"] == 0 and figures.trained["fund_facilitators"] == 0
    assert figures.loans["people"] == 0 and figures.funds_supported == 0
    assert figures.jobs["placements"] == 1 and figures.counselling == {"people": 1, "sessions": 1}


def test_a_womans_funds_training_and_sensitive_fields(
    session: Session, register: dict[str, object]
) -> None:
    a = register["a"]
    assert isinstance(a, Beneficiary)
    (membership,) = memberships(session, a.id, date(2025, 12, 31))
    assert membership["savings"] == 10_000  # 2 meetings × 5 shares × 1,000
    assert [(loan["principal"], loan["status"]) for loan in membership["loans"]] == [
        (20_000, "active")
    ]
    (fund_course, course) = history(session, a.id)
    assert course["sessions"] == [date(2025, 4, 1), date(2025, 4, 8)]
    assert course["completed_on"] == date(2025, 4, 30) and fund_course["completed_on"] is None

    assert "national_id" not in public_view(a)
    with pytest.raises(SensitiveAccessDenied):
        sensitive_view(session, a.id, "facilitator1", "facilitator")
    assert sensitive_view(session, a.id, "admin1", "admin")["national_id"] == "0013542419"
    (log,) = session.query(SensitiveView).all()
    assert (log.viewer, log.fields) == ("admin1", "disability,health,monthly_income,national_id")


def test_training_and_placement_refuse_what_is_wrong(
    session: Session, register: dict[str, object]
) -> None:
    a, b, sewing = register["a"], register["b"], register["sewing"]
    assert isinstance(a, Beneficiary) and isinstance(b, Beneficiary)
    with pytest.raises(TrainingError):
        create_course(session, "?", "cooking")
    with pytest.raises(TrainingError):
        complete(session, sewing.id, Trainee(a.id), date(2025, 5, 1))  # type: ignore[attr-defined]
    fund = register["fund"]
    loan_of_a = session.scalars(
        select(Loan.id).where(Loan.member_id == fund.members[0].id)  # type: ignore[attr-defined]
    ).one()
    with pytest.raises(PlacementError):
        start_self_employment(session, b.id, date(2025, 5, 1), "خیاط", 0, loan_id=loan_of_a)
    own = start_self_employment(
        session, a.id, date(2025, 5, 1), "خیاط", 20_000_000, loan_id=loan_of_a
    )
    with pytest.raises(PlacementError):
        record_follow_up(session, own.id, 4, date(2025, 9, 1), True, 0)
    due = [(p.id, months) for p, months, _ in follow_ups_due(session, date(2025, 12, 31))]
    assert (own.id, 3) in due and (own.id, 6) in due
