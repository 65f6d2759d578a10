"""De-duplication on the database: find likely pairs, queue them, merge, undo.

``find_duplicates`` loads every active record's matching values in one query,
runs ``matching.find_matches`` and stores new pairs as ``match_candidates``
(proposed or review); a pair already stored keeps its status (a rejected pair is
not proposed again). ``merge`` moves everything that hangs on the merged record —
its source rows (so all its facts), assessments, services, aid, training,
placements and fund memberships — to the survivor, hides the merged record, and
writes down what moved; ``undo_merge`` moves exactly those rows back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from groups.beneficiaries.errors import MergeRefused, UnknownMerge
from groups.beneficiaries.matching import BlockingStats, Person, find_matches
from groups.beneficiaries.models import (
    Assessment,
    Beneficiary,
    InKindAid,
    MatchCandidate,
    Merge,
    Service,
    SourceRecord,
)
from groups.beneficiaries.normalise import name_key, phone_key
from groups.beneficiaries.register import active, recompute
from groups.placement.models import Placement
from groups.savings.models import Member
from groups.training.models import Attendance, Completion

#: Rows that belong to a woman and move with her on a merge.
_BELONGINGS: tuple[
    type[SourceRecord | Assessment | Service | InKindAid | Placement | Member], ...
] = (
    SourceRecord,
    Assessment,
    Service,
    InKindAid,
    Placement,
    Member,
)
#: Rows unique per (parent, woman): the merged record's row moves unless the survivor has one.
_ONCE_PER = ((Attendance, "session_id"), (Completion, "course_id"))


@dataclass(frozen=True)
class DedupResult:
    """What a de-duplication run found."""

    records: int
    proposed: int
    review: int
    stats: BlockingStats


def people(session: Session) -> list[Person]:
    """Return every active record as matching needs it."""
    query = select(
        Beneficiary.id,
        Beneficiary.national_id,
        Beneficiary.first_name,
        Beneficiary.last_name,
        Beneficiary.father_name,
        Beneficiary.birth_date,
        Beneficiary.phone,
        Beneficiary.village,
    ).where(Beneficiary.merged_into_id.is_(None))
    return [
        Person(
            row.id,
            row.national_id,
            name_key(row.first_name),
            name_key(row.last_name),
            name_key(row.father_name) if row.father_name else None,
            row.birth_date.isoformat() if row.birth_date else None,
            phone_key(row.phone) if row.phone else None,
            name_key(row.village) if row.village else None,
        )
        for row in session.execute(query)
    ]


def find_duplicates(session: Session) -> DedupResult:
    """Find likely pairs among active records and queue the new ones."""
    everyone = people(session)
    stats = BlockingStats()
    matches = list(find_matches(everyone, stats))
    known = {
        (a, b)
        for a, b in session.execute(select(MatchCandidate.first_id, MatchCandidate.second_id))
    }
    new = [m for m in matches if (m.first_id, m.second_id) not in known]
    session.add_all(
        MatchCandidate(
            first_id=m.first_id,
            second_id=m.second_id,
            score=m.score,
            evidence=",".join(m.evidence),
            status=m.status,
        )
        for m in new
    )
    session.flush()
    proposed = sum(m.status == "proposed" for m in new)
    return DedupResult(len(everyone), proposed, len(new) - proposed, stats)


def merge(session: Session, survivor_id: int, merged_id: int, actor: str) -> Merge:
    """Merge one record into another; raise MergeRefused for two different national IDs."""
    survivor, merged = active(session, survivor_id), active(session, merged_id)
    if survivor.id == merged.id:
        raise MergeRefused("A record cannot be merged into itself")
    ids = {survivor.national_id, merged.national_id} - {None}
    if len(ids) > 1:
        raise MergeRefused(
            f"Records {survivor.id} and {merged.id} have different national IDs",
            message_fa="این دو پرونده کد ملی متفاوت دارند و دو نفرند.",
        )
    moved = {
        model.__tablename__: _move_all(session, model, merged.id, survivor.id)
        for model in _BELONGINGS
    }
    for model, parent in _ONCE_PER:
        moved[model.__tablename__] = _move_once(session, model, parent, merged.id, survivor.id)
    merged.merged_into_id = survivor.id
    record = Merge(survivor_id=survivor.id, merged_id=merged.id, moved=moved, merged_by=actor)
    session.add(record)
    _set_pair_status(session, survivor.id, merged.id, "merged", actor)
    recompute(session, [survivor.id, merged.id])
    return record


def _move_all(session: Session, model: Any, source_id: int, target_id: int) -> list[int]:
    ids = list(session.scalars(select(model.id).where(model.beneficiary_id == source_id)))
    _point(session, model, ids, target_id)
    return ids


def _move_once(
    session: Session, model: Any, parent: str, source_id: int, target_id: int
) -> list[int]:
    column = getattr(model, parent)
    taken = select(column).where(model.beneficiary_id == target_id)
    query = select(model.id).where(model.beneficiary_id == source_id, column.not_in(taken))
    ids = list(session.scalars(query))
    _point(session, model, ids, target_id)
    return ids


def _point(session: Session, model: Any, ids: list[int], target_id: int) -> None:
    if ids:
        session.execute(
            update(model).where(model.id.in_(ids)).values(beneficiary_id=target_id),
            execution_options={"synchronize_session": "fetch"},
        )


def undo_merge(session: Session, merge_id: int, actor: str) -> Merge:
    """Move back exactly what a merge moved, and show the merged record again."""
    record = session.get(Merge, merge_id)
    if record is None or record.undone_at is not None:
        raise UnknownMerge(f"No merge {merge_id} to undo")
    models = {m.__tablename__: m for m in (*_BELONGINGS, *(m for m, _ in _ONCE_PER))}
    for table, ids in record.moved.items():
        _point(session, models[table], ids, record.merged_id)
    recompute(session, [record.survivor_id])  # gives back the national ID it may have taken
    merged = session.get(Beneficiary, record.merged_id)
    assert merged is not None
    merged.merged_into_id = None
    record.undone_by, record.undone_at = actor, datetime.now(UTC)
    _set_pair_status(session, record.survivor_id, record.merged_id, "review", actor)
    recompute(session, [record.merged_id])
    return record


def decide(session: Session, candidate_id: int, accept: bool, actor: str) -> Merge | None:
    """Merge a queued pair (the lower id survives) or reject it; return the merge, if any."""
    candidate = session.get(MatchCandidate, candidate_id)
    if candidate is None or candidate.status in ("merged", "rejected"):
        raise MergeRefused(f"No open match candidate {candidate_id}")
    if not accept:
        candidate.status, candidate.decided_by = "rejected", actor
        session.flush()
        return None
    return merge(
        session, _root(session, candidate.first_id), _root(session, candidate.second_id), actor
    )


def merge_proposed(session: Session, actor: str) -> list[Merge]:
    """Merge every proposed pair (following earlier merges); return the merges made."""
    query = (
        select(MatchCandidate.id)
        .where(MatchCandidate.status == "proposed")
        .order_by(MatchCandidate.id)
    )
    merges = []
    for candidate_id in list(session.scalars(query)):
        candidate = session.get(MatchCandidate, candidate_id)
        assert candidate is not None
        first, second = _root(session, candidate.first_id), _root(session, candidate.second_id)
        if first == second:
            candidate.status, candidate.decided_by = "merged", actor
            continue
        try:
            merges.append(merge(session, min(first, second), max(first, second), actor))
        except MergeRefused:
            candidate.status = "review"
    session.flush()
    return merges


def _root(session: Session, beneficiary_id: int) -> int:
    """Return the record a record was (transitively) merged into, or itself."""
    woman = session.get(Beneficiary, beneficiary_id)
    while woman is not None and woman.merged_into_id is not None:
        woman = session.get(Beneficiary, woman.merged_into_id)
    assert woman is not None
    return woman.id


def _set_pair_status(session: Session, a: int, b: int, status: str, actor: str) -> None:
    first, second = min(a, b), max(a, b)
    session.execute(
        update(MatchCandidate)
        .where(MatchCandidate.first_id == first, MatchCandidate.second_id == second)
        .values(status=status, decided_by=actor),
        execution_options={"synchronize_session": "fetch"},
    )
