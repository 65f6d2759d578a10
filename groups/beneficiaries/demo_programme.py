"""Loading the generated register (``demo.py``) with a year of programme work.

For the demo only: the three agencies' files are imported through the same
services as a real import, matched and the proposed pairs merged; then a
generated year of assessments, classes, counselling, aid and placements is
recorded, and the demo fund's members are linked to women of the register.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.beneficiaries import demo
from groups.beneficiaries.dedup import find_duplicates, merge_proposed
from groups.beneficiaries.imports import apply_plan, file_hash, plan_import
from groups.beneficiaries.models import Assessment, Beneficiary, InKindAid, Service
from groups.beneficiaries.tables import read_table
from groups.placement.services import add_employer, place, record_follow_up
from groups.savings.models import Member
from groups.training.services import Trainee, complete, create_course, hold_session

ACTOR = "demo"
RECEIVED = date(2014, 7, 2)  # 1393/04/11, the pilot's start
COURSES = (
    ("مهارت‌های زندگی", "life_skills", ""),
    ("خیاطی", "vocational", "sewing"),
    ("قالی‌بافی", "vocational", "carpet weaving"),
    ("ساخت لوستر", "vocational", "chandelier making"),
    ("مدیریت صندوق برای اعضا", "fund_members", ""),
    ("آموزش تسهیلگران صندوق", "fund_facilitators", ""),
)
WORKSHOPS = (
    ("کارگاه جوراب‌بافی", "sock knitting"),
    ("کارگاه خیاطی", "sewing"),
    ("کارگاه بسته‌بندی", "packaging"),
)


@dataclass(frozen=True)
class DemoRegister:
    """What the demo register holds after loading."""

    rows: int
    women: int
    merged: int
    review: int


def import_agencies(session: Session, women: int = 4_800, seed: int = 1393) -> tuple[int, int]:
    """Import the three generated agency files; return (rows read, rows written)."""
    rows = demo.agency_rows(demo.generate_women(women, seed), seed)
    read = written = 0
    for agency in demo.AGENCIES:
        content = demo.file_bytes(agency, rows[agency])
        name = demo.FILE_NAMES[agency]
        plan = plan_import(
            session, agency, name, file_hash(content), read_table(name, content), RECEIVED,
            demo.MAPPINGS[agency],
        )  # fmt: skip
        apply_plan(session, plan, ACTOR)
        read += plan.rows_read
        written += sum(
            n for action, n in plan.counts.items() if action not in ("unchanged", "invalid")
        )
    return read, written


def load_demo_register(session: Session, women: int = 4_800) -> DemoRegister:
    """Load the generated register and a year of programme work into an empty register."""
    rows, _ = import_agencies(session, women)
    found = find_duplicates(session)
    merges = merge_proposed(session, ACTOR)
    ids = list(session.scalars(select(Beneficiary.id).where(Beneficiary.merged_into_id.is_(None))))
    record_programme_year(session, ids, random.Random(14))
    link_demo_fund(session, ids)
    return DemoRegister(rows, len(ids), len(merges), found.review)


def record_programme_year(session: Session, ids: list[int], rng: random.Random) -> None:
    """Record a generated year of assessments, classes, services, aid and placements."""
    start = date(2014, 8, 1)
    for woman_id in rng.sample(ids, len(ids) // 2):
        session.add(
            Assessment(
                beneficiary_id=woman_id, assessed_on=start + timedelta(rng.randrange(300)),
                assessed_by="کارشناس سازمان فنی و حرفه‌ای", vocational=rng.random() < 0.7,
                life_skills=rng.random() < 0.5, finance=rng.random() < 0.4,
                counselling=rng.random() < 0.5, employment=rng.random() < 0.6,
            )
        )  # fmt: skip
    for woman_id in rng.sample(ids, len(ids) // 3):
        day = start + timedelta(rng.randrange(330))
        session.add(
            Service(beneficiary_id=woman_id, kind="counselling", given_on=day, given_by="مشاور")
        )
    for woman_id in rng.sample(ids, 40):
        day = start + timedelta(rng.randrange(330))
        session.add(
            InKindAid(beneficiary_id=woman_id, given_on=day, item="چرخ خیاطی", value=35_000_000)
        )
    _classes(session, ids, rng, start)
    _placements(session, ids, rng, start)


def _classes(session: Session, ids: list[int], rng: random.Random, start: date) -> None:
    for title, kind, trade in COURSES:
        course = create_course(session, title, kind, trade, "سازمان آموزش فنی و حرفه‌ای", 40)
        for number in range(12):
            if kind == "fund_facilitators":
                trainees = [
                    Trainee(person_name=f"تسهیلگر {i + 1}", role="facilitator") for i in range(15)
                ]
            else:
                trainees = [Trainee(w) for w in rng.sample(ids, 20)]
            day = start + timedelta(days=25 * number + rng.randrange(5))
            hold_session(session, course.id, day, "فرمانداری شهرری", "مربی آموزش", trainees)
        for trainee in trainees:
            complete(session, course.id, trainee, start + timedelta(days=300))


def _placements(session: Session, ids: list[int], rng: random.Random, start: date) -> None:
    employers = [
        add_employer(session, name, "workshop", trade, "شهرری") for name, trade in WORKSHOPS
    ]
    for woman_id in rng.sample(ids, 90):
        day = start + timedelta(rng.randrange(200))
        job = place(session, woman_id, rng.choice(employers).id, day, "کارگر", 60_000_000)
        record_follow_up(session, job.id, 3, day + timedelta(92), rng.random() < 0.9, 62_000_000)


def link_demo_fund(session: Session, ids: list[int]) -> None:
    """Link the demo fund's members (if any) to women of the register, one each."""
    members = session.scalars(select(Member).where(Member.beneficiary_id.is_(None))).all()
    for member, woman_id in zip(members, ids, strict=False):
        member.beneficiary_id = woman_id
    session.flush()
