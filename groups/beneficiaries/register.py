"""Writing the register: sources, facts, and each woman's current values recomputed from them.

Invariants:
- a woman's current value of a question is the value of her latest fact for it:
  latest source date first, then the latest recorded fact; a question no fact
  answers is empty;
- ``registered_on`` is the earliest source date of her facts;
- facts are only added, never changed or deleted (a correction is a newer fact).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.beneficiaries.errors import DuplicateNationalId, InvalidFact, UnknownBeneficiary
from groups.beneficiaries.fields import BY_NAME, FIELDS, parse_value
from groups.beneficiaries.models import Agency, Beneficiary, Fact, Source, SourceRecord
from groups.beneficiaries.normalise import name_key

_CHUNK = 500


def agency_named(session: Session, name: str, create: bool = True) -> Agency | None:
    """Return the agency of this name, created if missing (unless ``create`` is False)."""
    agency = session.scalars(select(Agency).where(Agency.name == name)).one_or_none()
    if agency is None and create:
        agency = Agency(name=name, column_mapping={})
        session.add(agency)
        session.flush()
    return agency


def active(session: Session, beneficiary_id: int) -> Beneficiary:
    """Return the woman's record, or raise UnknownBeneficiary if missing or merged away."""
    woman = session.get(Beneficiary, beneficiary_id)
    if woman is None or woman.merged_into_id is not None:
        raise UnknownBeneficiary(f"No active beneficiary {beneficiary_id}")
    return woman


def by_national_id(session: Session, national_id: str) -> Beneficiary | None:
    """Return the active record with this national ID, if any."""
    query = select(Beneficiary).where(
        Beneficiary.national_id == national_id, Beneficiary.merged_into_id.is_(None)
    )
    return session.scalars(query).first()


def record_by_hand(
    session: Session,
    agency_name: str,
    values: Mapping[str, str],
    actor: str,
    on: date,
    beneficiary_id: int | None = None,
) -> Beneficiary:
    """Register a woman (or add facts to her record) from typed values; raise InvalidFact."""
    parsed = parse_typed(values)
    if beneficiary_id is None:
        for name in ("first_name", "last_name"):
            if name not in parsed:
                raise InvalidFact(f"{name} is required")
    woman = _target(session, parsed, beneficiary_id, on)
    agency = agency_named(session, agency_name)
    assert agency is not None
    source = Source(agency_id=agency.id, kind="manual", received_on=on, recorded_by=actor)
    session.add(source)
    session.flush()
    record = SourceRecord(
        source_id=source.id,
        agency_id=agency.id,
        beneficiary_id=woman.id,
        fingerprint=f"manual-{source.id}",
    )
    session.add(record)
    session.flush()
    session.add_all(Fact(record_id=record.id, field=k, value=v) for k, v in parsed.items())
    session.flush()
    recompute(session, [woman.id])
    return woman


def parse_typed(values: Mapping[str, str]) -> dict[str, str]:
    """Return typed values as stored facts; raise InvalidFact naming the first bad one."""
    parsed = {}
    for name, raw in values.items():
        spec = BY_NAME.get(name)
        if spec is None:
            raise InvalidFact(f"Unknown question {name!r}")
        value, problem = parse_value(spec, raw)
        if problem:
            raise InvalidFact(f"{spec.label_en}: {problem}", message_fa=f"{spec.label_fa}: {raw}")
        if value is not None:
            parsed[name] = value
    return parsed


def _target(
    session: Session, parsed: Mapping[str, str], beneficiary_id: int | None, on: date
) -> Beneficiary:
    """Return the record the typed facts go to (a new one when no id is given)."""
    national_id = parsed.get("national_id")
    holder = by_national_id(session, national_id) if national_id else None
    if holder is not None and holder.id != beneficiary_id:
        raise DuplicateNationalId(f"National ID {national_id} is beneficiary {holder.id}'s")
    if beneficiary_id is not None:
        return active(session, beneficiary_id)
    woman = Beneficiary(registered_on=on)
    session.add(woman)
    session.flush()
    return woman


def recompute(session: Session, beneficiary_ids: Iterable[int]) -> None:
    """Set the current values of these women from their facts (latest source date wins)."""
    ids = sorted(set(beneficiary_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        facts: dict[int, dict[str, str]] = defaultdict(dict)
        first_seen: dict[int, date] = {}
        query = (
            select(SourceRecord.beneficiary_id, Fact.field, Fact.value, Source.received_on)
            .join(SourceRecord, SourceRecord.id == Fact.record_id)
            .join(Source, Source.id == SourceRecord.source_id)
            .where(SourceRecord.beneficiary_id.in_(chunk))
            .order_by(Source.received_on, Fact.id)
        )
        for woman_id, field_name, value, received_on in session.execute(query):
            facts[woman_id][field_name] = value  # later rows overwrite earlier ones
            first_seen.setdefault(woman_id, received_on)
        for woman in session.scalars(select(Beneficiary).where(Beneficiary.id.in_(chunk))):
            set_current(woman, facts.get(woman.id, {}))
            if woman.id in first_seen:
                woman.registered_on = first_seen[woman.id]
    session.flush()


def set_current(woman: Beneficiary, values: Mapping[str, str]) -> None:
    """Copy stored fact values onto the record's columns (empty where no fact answers)."""
    for spec in FIELDS:
        raw = values.get(spec.name)
        setattr(woman, spec.name, _typed(spec.kind, raw) if raw is not None else None)
    woman.first_name = woman.first_name or ""
    woman.last_name = woman.last_name or ""
    woman.name_key = name_key(woman.full_name)[:200]  # two 100-character names and a space


def _typed(kind: str, value: str) -> object:
    """Return a stored fact value as its column's type."""
    if kind == "date":
        return date.fromisoformat(value)
    if kind in ("int", "money"):
        return int(value)
    if kind == "bool":
        return value == "1"
    return value
