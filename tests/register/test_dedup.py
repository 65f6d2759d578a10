"""De-duplication: known duplicates found, namesakes kept apart, merge and undo keep every fact."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from groups.beneficiaries.dedup import decide, find_duplicates, merge, merge_proposed, undo_merge
from groups.beneficiaries.errors import MergeRefused, UnknownBeneficiary
from groups.beneficiaries.matching import Person, compare, find_matches, sound_key
from groups.beneficiaries.models import Beneficiary, Fact, MatchCandidate, Service, SourceRecord
from groups.beneficiaries.normalise import name_key
from groups.beneficiaries.register import active
from tests.register.conftest import csv_bytes, load


def person(pid: int, first: str, last: str, **kw: str | None) -> Person:
    values: dict[str, str | None] = {
        "national_id": None,
        "father": None,
        "birth": None,
        "phone": None,
        "village": None,
    }
    values.update(kw)
    father = values["father"]
    return Person(
        pid,
        values["national_id"],
        name_key(first),
        name_key(last),
        name_key(father) if father else None,
        values["birth"],
        values["phone"],
        values["village"],
    )


def test_a_misspelt_name_with_birth_date_and_father_is_proposed() -> None:
    a = person(1, "زهرا", "کریمی", father="علی", birth="1981-08-03", village="x")
    b = person(2, "ذهرا", "کريمی", father="علي", birth="1981-08-03")
    match = compare(a, b)
    assert match is not None and match.status == "proposed"  # ذ/ز sound alike
    c = person(3, "زهرا", "كريمي", father="علی", birth="1981-08-03")
    match = compare(a, c)
    assert match is not None and (match.status, match.score) == ("proposed", 100)
    assert match.evidence == ("birth_date", "father_name")


def test_never_on_name_alone_even_in_the_same_village() -> None:
    a = person(1, "فاطمه", "احمدی", village="قلعه نو")
    b = person(2, "فاطمه", "احمدی", village="قلعه نو")
    assert compare(a, b) is None


def test_two_women_of_similar_names_are_not_matched() -> None:
    a = person(1, "زهرا", "کریمی", father="علی", birth="1981-08-03", phone="9121111111")
    b = person(2, "زهرا", "کاظمی", father="علی", birth="1981-08-03", phone="9122222222")
    assert compare(a, b) is None  # same birth day and father's name, but another surname
    c = person(3, "زهرا", "کریمی", father="حسین", birth="1979-01-01")
    match = compare(a, c)  # same name, everything else contradicts
    assert match is None


def test_national_ids_decide_first() -> None:
    a = person(1, "زهرا", "کریمی", national_id="0013542419")
    b = person(2, "سکینه", "رضایی", national_id="0013542419")
    assert compare(a, b) is not None
    c = person(3, "زهرا", "کریمی", national_id="0499370899", birth="x", father="علی")
    d = person(4, "زهرا", "کریمی", national_id="1234567891", birth="x", father="علی")
    assert compare(c, d) is None


def test_blocking_finds_spelling_variants_and_compares_each_pair_once() -> None:
    people = [
        person(1, "کلثوم", "صالحی", father="رضا", birth="1970-01-01", phone="9120000001"),
        person(2, "کلسوم", "سالحی", father="رضا", phone="9120000001"),  # phone block
        person(3, "کلثوم", "صالحی", father="رضا", birth="1970-01-01"),  # birth + sound blocks
        person(4, "مریم", "صالحی", father="رضا", birth="1970-01-01"),  # another woman
    ]
    assert sound_key(name_key("صالحی")) == sound_key(name_key("سالحی"))
    pairs = {(m.first_id, m.second_id): m.status for m in find_matches(people)}
    assert pairs == {(1, 2): "proposed", (1, 3): "proposed", (2, 3): "review"}


def rows_of(session: Session, beneficiary_id: int) -> int:
    query = select(func.count()).select_from(SourceRecord)
    return session.scalar(query.where(SourceRecord.beneficiary_id == beneficiary_id)) or 0


WOMEN = [
    ["0013542419", "زهرا", "کریمی", "علی", "1360/05/12", "09121234567", "قلعه‌نو"],
    ["", "فاطمه", "احمدی", "حسن", "1365/01/20", "09350000000", "قلعه‌نو"],
    ["", "فاطمه", "احمدی", "محمود", "1358/07/01", "", "قلعه‌نو"],  # a namesake
]
OTHER_AGENCY = [
    ["", "زهرا", "كريمي", "علي", "1981-08-03", "", "قلعه نو"],  # Zahra, no national ID
    ["", "فاطمه", "احمدي", "حسن", "1365/1/20", "09350000000", ""],  # Fatemeh of Hassan
]


def test_on_the_register_duplicates_are_found_merged_and_undone(session: Session) -> None:
    load(session, "کمیته امداد", "a.csv", csv_bytes(WOMEN))
    load(session, "بهزیستی", "b.csv", csv_bytes(OTHER_AGENCY))
    ids = session.scalars(select(Beneficiary.id).order_by(Beneficiary.id)).all()
    zahra, fatemeh, namesake, zahra2, fatemeh2 = ids

    result = find_duplicates(session)

    found = {(c.first_id, c.second_id): c.status for c in session.scalars(select(MatchCandidate))}
    assert found == {(zahra, zahra2): "proposed", (fatemeh, fatemeh2): "proposed"}
    assert (result.records, result.proposed, result.review) == (5, 2, 0)
    assert find_duplicates(session).proposed == 0  # known pairs are not queued twice

    session.add(
        Service(beneficiary_id=zahra2, kind="counselling", given_on=date(2015, 1, 5), given_by="x")
    )
    facts_before = session.scalar(select(func.count()).select_from(Fact))
    merges = merge_proposed(session, "staff")

    assert len(merges) == 2
    assert session.scalar(select(func.count()).select_from(Fact)) == facts_before
    survivor = active(session, zahra)
    assert survivor.national_id == "0013542419"
    assert rows_of(session, zahra) == 2
    assert session.scalar(select(Service.beneficiary_id)) == zahra
    with pytest.raises(UnknownBeneficiary):
        active(session, zahra2)
    assert active(session, namesake).father_name == "محمود"  # the namesake stays apart

    undo_merge(session, next(m.id for m in merges if m.merged_id == zahra2), "staff")

    assert active(session, zahra2).first_name == "زهرا"
    assert session.scalar(select(Service.beneficiary_id)) == zahra2
    assert rows_of(session, zahra) == 1
    assert session.scalar(select(func.count()).select_from(Fact)) == facts_before


def test_two_national_ids_are_never_merged_and_a_rejected_pair_stays_rejected(
    session: Session,
) -> None:
    rows = [
        ["0013542419", "زهرا", "کریمی", "علی", "1360/05/12", "", ""],
        ["0499370899", "زهرا", "کریمی", "علی", "1360/05/12", "", ""],
        ["", "زهرا", "کریمی", "علی", "1360/05/12", "", ""],
    ]
    load(session, "کمیته امداد", "a.csv", csv_bytes(rows))
    first, second, third = session.scalars(select(Beneficiary.id).order_by(Beneficiary.id)).all()
    with pytest.raises(MergeRefused):
        merge(session, first, second, "staff")

    find_duplicates(session)
    candidate = session.scalars(
        select(MatchCandidate).where(MatchCandidate.first_id == first)
    ).one()
    decide(session, candidate.id, accept=False, actor="staff")
    find_duplicates(session)

    assert candidate.status == "rejected"
    assert session.scalar(select(func.count()).select_from(MatchCandidate)) == 2
    assert third  # the record without a national ID matched both, each pair once


def test_one_active_record_per_national_id_through_merge_and_undo(session: Session) -> None:
    rows = [
        ["", "زهرا", "کریمی", "علی", "1360/05/12", "", ""],
        ["0013542419", "زهرا", "کریمی", "علی", "1360/05/12", "", ""],
    ]
    load(session, "کمیته امداد", "a.csv", csv_bytes(rows))
    without_id, with_id = session.scalars(select(Beneficiary.id).order_by(Beneficiary.id)).all()

    done = merge(session, without_id, with_id, "staff")  # the survivor takes her national ID
    assert active(session, without_id).national_id == "0013542419"
    undo_merge(session, done.id, "staff")
    assert active(session, without_id).national_id is None
    assert active(session, with_id).national_id == "0013542419"

    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(Beneficiary(national_id="0013542419", registered_on=date(2025, 1, 1)))
        session.flush()
