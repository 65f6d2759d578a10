"""A small programme register around the web fixture's fund, for the register's screens.

Women (imported from one agency's CSV): زهرا کریمی (national ID 0013542419),
member of the users' fund; مریم احمدی, in no fund; فاطمه رضایی, and the same woman
again from another agency without her national ID (a likely pair). Zahra has a
needs assessment, a class and its completion, a placement with its 3-month
follow-up, counselling and in-kind aid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.beneficiaries.dedup import find_duplicates
from groups.beneficiaries.models import Beneficiary, MatchCandidate
from groups.beneficiaries.services import assess_needs, give_aid, give_service
from groups.placement.services import add_employer, place, record_follow_up
from groups.training.services import Trainee, complete, create_course, hold_session
from tests.register.conftest import csv_bytes, load
from tests.web.conftest import Web

ZAHRA_ID = "0013542419"
RELIEF = "کمیته امداد"
WELFARE = "بهزیستی"
WOMEN = [
    [ZAHRA_ID, "زهرا", "کريمي", "علی", "1360/05/12", "09121234567", "قلعه‌نو"],
    ["", "مریم", "احمدی", "حسن", "1365/01/20", "", "کهریزک"],
    ["", "فاطمه", "رضایی", "محمود", "1362/03/01", "09350000000", "قلعه‌نو"],
]
SAME_FATEMEH = [["", "فاطمه", "رضايي", "محمود", "1983-05-22", "", ""]]


@dataclass
class Register:
    """The ids of the small register's rows."""

    zahra: int
    maryam: int
    fatemeh: int
    fatemeh_again: int
    candidate: int
    course: int
    placement: int


def make_register(session: Session, web: Web) -> Register:
    """Import the women, link Zahra to the users' fund, record her year, find the pair."""
    load(session, RELIEF, "relief.csv", csv_bytes(WOMEN))
    load(session, WELFARE, "welfare.csv", csv_bytes(SAME_FATEMEH))
    ids = session.scalars(select(Beneficiary.id).order_by(Beneficiary.id)).all()
    zahra, maryam, fatemeh, fatemeh_again = ids
    web.member.beneficiary_id = zahra
    assess_needs(session, zahra, date(2024, 5, 1), "کارشناس", ["vocational", "finance"])
    course = create_course(session, "خیاطی", "vocational", "sewing", "فنی و حرفه‌ای", 40)
    hold_session(session, course.id, date(2024, 6, 1), "فرمانداری", "خانم مربی", [Trainee(zahra)])
    complete(session, course.id, Trainee(zahra), date(2024, 7, 1))
    workshop = add_employer(session, "کارگاه جوراب‌بافی", "workshop", "sock knitting", "شهرری")
    job = place(session, zahra, workshop.id, date(2024, 8, 1), "بافنده", 60_000_000)
    record_follow_up(session, job.id, 3, date(2024, 11, 2), True, 62_000_000)
    give_service(session, zahra, "counselling", date(2024, 5, 10), "مشاور")
    give_aid(session, zahra, date(2024, 9, 1), "چرخ خیاطی", 1, 35_000_000, "خیریه")
    find_duplicates(session)
    candidate = session.scalars(select(MatchCandidate.id)).one()
    session.flush()
    return Register(zahra, maryam, fatemeh, fatemeh_again, candidate, course.id, job.id)


def register_values(web: Web) -> dict[str, object]:
    """Return the register's URL values for the role matrix, making the register on first call.

    A woman of the users' fund (a facilitator sees her), a pair to decide, a merge to
    undo, a course, a placement, and an uploaded agency file waiting in the wizard.
    """
    import tempfile
    from pathlib import Path

    from flask import current_app

    from groups.beneficiaries.dedup import merge
    from groups.beneficiaries.models import Merge
    from groups.placement.models import Placement
    from groups.training.models import Course
    from web.extensions import db
    from web.register.imports import save_upload

    session = db.session()
    if session.scalar(select(Merge.id)) is None:
        made = make_register(session, web)
        merge(session, made.fatemeh, made.fatemeh_again, "matrix")
    folder = Path(current_app.config.setdefault("REGISTER_UPLOADS", tempfile.mkdtemp()))
    tokens = sorted(p.stem for p in folder.glob("*.json"))
    token = tokens[0] if tokens else save_upload(RELIEF, "a.csv", csv_bytes(WOMEN), date.today())
    return {
        "beneficiary_id": session.scalars(
            select(Beneficiary.id).where(Beneficiary.first_name == "زهرا")
        ).first(),
        "candidate_id": session.scalar(select(MatchCandidate.id)),
        "merge_id": session.scalar(select(Merge.id)),
        "course_id": session.scalar(select(Course.id)),
        "placement_id": session.scalar(select(Placement.id)),
        "token": token,
    }
