"""Importing an agency's file: map its columns, validate each row, plan, then apply.

Steps, each usable alone:
1. ``suggest_mapping`` proposes column -> question from the headers; the agency's
   saved mapping is used when there is one (saved again on every applied import).
2. ``validate`` reads every row: a row with any problem is left out, and each
   problem is reported (row, column, value, what is wrong).
3. ``plan_import`` decides, writing nothing, what each valid row would do:
   ``unchanged`` (the same row was imported before: its fingerprint is known),
   ``created`` (a new woman), ``updated`` (her record already has rows of this
   agency) or ``merged`` (her record so far came from other agencies only).
   A row joins a record by national ID; rows without one create a record, which
   the de-duplication later matches by name, birth date, father's name and phone.
4. ``apply_plan`` writes the valid rows in the caller's transaction: one source,
   one record per row, its facts; then recomputes the women it touched.
A file already imported by the agency (same SHA-256) plans every row as unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from groups.beneficiaries.errors import MappingIncomplete
from groups.beneficiaries.fields import BY_NAME, FIELDS, HEADER_ALIASES, parse_value
from groups.beneficiaries.lengths import too_long
from groups.beneficiaries.models import Agency, Beneficiary, Fact, Source, SourceRecord
from groups.beneficiaries.normalise import name_key
from groups.beneficiaries.register import agency_named, recompute, set_current
from groups.beneficiaries.tables import Problem, Table

#: The most characters of an uploaded file's name kept with its source (the column's length).
FILE_NAME_LENGTH: int = getattr(Source.__table__.c.file_name.type, "length", None) or 300

_CHUNK = 500
ACTIONS = ("created", "updated", "merged", "unchanged")
#: A unit written after a header: «درآمد ماهانه (ریال)», «income (rials)».
_UNIT_IN_BRACKETS = re.compile(r"\s*[(\[].*?[)\]]\s*$")


@dataclass(frozen=True)
class ValidRow:
    """A row that passed validation: its stored values and fingerprint."""

    row: int
    values: dict[str, str]
    fingerprint: str


@dataclass
class ImportPlan:
    """What an import would do, row by row; nothing is written until ``apply_plan``."""

    agency_name: str
    file_name: str
    file_hash: str
    received_on: date
    mapping: dict[str, str]
    rows_read: int
    problems: list[Problem]
    valid: list[ValidRow]
    #: One (action, beneficiary id or None for a new record) per valid row.
    actions: list[tuple[str, int | None]] = field(default_factory=list)
    already_imported: bool = False

    @property
    def counts(self) -> dict[str, int]:
        """Return how many rows each action, plus invalid rows."""
        counted = Counter(action for action, _ in self.actions)
        result = {action: counted.get(action, 0) for action in ACTIONS}
        result["invalid"] = len({p.row for p in self.problems})
        return result


def file_hash(content: bytes) -> str:
    """Return the SHA-256 of a file's bytes."""
    return hashlib.sha256(content).hexdigest()


def suggest_mapping(header: Sequence[str]) -> dict[str, str]:
    """Return column -> question for headers that name a question (Persian, English or code).

    A header matches a question's code, its Persian or English label, a part of a
    Persian label written with "/" (روستا/محله) or one of ``HEADER_ALIASES``; each
    question goes to its first matching column.
    """
    words: dict[str, str] = {}
    for spec in FIELDS:
        labels = (spec.name, spec.label_fa, spec.label_en, *spec.label_fa.split("/"))
        for label in (*labels, *HEADER_ALIASES.get(spec.name, ())):
            words.setdefault(_header_key(label), spec.name)
    mapping: dict[str, str] = {}
    for column in header:
        question = words.get(_header_key(column))
        if question is not None and question not in mapping.values():
            mapping[column] = question
    return mapping


def _header_key(text: str) -> str:
    """Return a header as it is matched: name key, no spaces, no unit in brackets."""
    text = _UNIT_IN_BRACKETS.sub("", text.replace("_", " "))
    return name_key(text).replace(" ", "")


def check_mapping(header: Sequence[str], mapping: Mapping[str, str]) -> None:
    """Raise MappingIncomplete unless the mapping names real columns, questions and both names."""
    unknown = [f for f in mapping.values() if f not in BY_NAME]
    missing_columns = [c for c in mapping if c not in header]
    missing = [f for f in ("first_name", "last_name") if f not in mapping.values()]
    if unknown or missing_columns or missing:
        raise MappingIncomplete(
            "Column mapping: "
            + "; ".join(
                part
                for part in (
                    f"unknown questions {unknown}" if unknown else "",
                    f"columns not in the file {missing_columns}" if missing_columns else "",
                    f"no column for {missing}" if missing else "",
                )
                if part
            )
        )


def validate(table: Table, mapping: Mapping[str, str]) -> tuple[list[ValidRow], list[Problem]]:
    """Return the valid rows and every problem of the invalid ones (row 1 = first data row)."""
    check_mapping(table.header, mapping)
    positions = [(table.header.index(column), BY_NAME[name]) for column, name in mapping.items()]
    valid, problems = [], []
    for number, cells in enumerate(table.rows, start=1):
        values, row_problems = {}, []
        for index, spec in positions:
            value, problem = parse_value(spec, cells[index])
            if value is not None and not problem:
                problem = too_long(spec.name, value)
            if problem:
                row_problems.append(Problem(number, table.header[index], cells[index], problem))
            elif value is not None:
                values[spec.name] = value
        if row_problems:
            problems.extend(row_problems)
        else:
            valid.append(ValidRow(number, values, fingerprint(values)))
    return valid, problems


def fingerprint(values: Mapping[str, str]) -> str:
    """Return the SHA-256 of a row's stored values (order of columns does not matter)."""
    text = json.dumps(sorted(values.items()), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plan_import(
    session: Session,
    agency_name: str,
    file_name: str,
    content_hash: str,
    table: Table,
    received_on: date,
    mapping: Mapping[str, str] | None = None,
) -> ImportPlan:
    """Validate the table and decide what each valid row would do; write nothing."""
    agency = agency_named(session, agency_name, create=False)
    chosen = dict(mapping or (agency.column_mapping if agency else {}) or {})
    chosen = chosen or suggest_mapping(table.header)
    valid, problems = validate(table, chosen)
    plan = ImportPlan(
        agency_name, file_name, content_hash, received_on, chosen, len(table.rows), problems, valid
    )
    plan.already_imported = agency is not None and _file_known(session, agency, content_hash)
    plan.actions = _decide(session, agency, valid, plan.already_imported)
    return plan


def _file_known(session: Session, agency: Agency, content_hash: str) -> bool:
    query = select(Source.id).where(Source.agency_id == agency.id, Source.file_hash == content_hash)
    return session.scalar(query) is not None


def _decide(
    session: Session, agency: Agency | None, rows: Sequence[ValidRow], known_file: bool
) -> list[tuple[str, int | None]]:
    """Return (action, beneficiary id) per row, in order."""
    if known_file:
        return [("unchanged", None)] * len(rows)
    agency_id = agency.id if agency else None
    seen = _known_fingerprints(session, agency_id, [r.fingerprint for r in rows])
    holders = _holders(session, agency_id, [r.values.get("national_id") for r in rows])
    actions: list[tuple[str, int | None]] = []
    in_file: dict[str, int] = {}  # national ID -> index of the row creating her in this file
    for index, row in enumerate(rows):
        national_id = row.values.get("national_id")
        if row.fingerprint in seen:
            actions.append(("unchanged", seen[row.fingerprint]))
        elif national_id in holders:
            woman_id, ours = holders[national_id]
            actions.append(("updated" if ours else "merged", woman_id))
        elif national_id and national_id in in_file:
            actions.append(("updated", -1 - in_file[national_id]))  # resolved when applied
        else:
            if national_id:
                in_file[national_id] = index
            actions.append(("created", None))
        seen.setdefault(row.fingerprint, -1 - index)
    return actions


def _known_fingerprints(
    session: Session, agency_id: int | None, prints: Sequence[str]
) -> dict[str, int]:
    if agency_id is None:
        return {}
    found: dict[str, int] = {}
    for chunk in _chunks(prints):
        query = select(SourceRecord.fingerprint, SourceRecord.beneficiary_id).where(
            SourceRecord.agency_id == agency_id, SourceRecord.fingerprint.in_(chunk)
        )
        found.update({k: v for k, v in session.execute(query)})
    return found


def _holders(
    session: Session, agency_id: int | None, national_ids: Sequence[str | None]
) -> dict[str, tuple[int, bool]]:
    """Return national ID -> (active record id, whether this agency already sent rows of her)."""
    wanted = sorted({n for n in national_ids if n})
    holders: dict[str, tuple[int, bool]] = {}
    for chunk in _chunks(wanted):
        query = select(Beneficiary.national_id, Beneficiary.id).where(
            Beneficiary.national_id.in_(chunk), Beneficiary.merged_into_id.is_(None)
        )
        ids = {nid: woman_id for nid, woman_id in session.execute(query).all() if nid}
        ours = set()
        if agency_id is not None and ids:
            ours_query = select(SourceRecord.beneficiary_id).where(
                SourceRecord.agency_id == agency_id,
                SourceRecord.beneficiary_id.in_(list(ids.values())),
            )
            ours = set(session.scalars(ours_query))
        holders.update({nid: (woman_id, woman_id in ours) for nid, woman_id in ids.items()})
    return holders


def _chunks(items: Sequence[str]) -> list[list[str]]:
    return [list(items[i : i + _CHUNK]) for i in range(0, len(items), _CHUNK)]


def apply_plan(session: Session, plan: ImportPlan, actor: str) -> dict[str, int]:
    """Write the plan's valid rows (not the unchanged ones) and save the agency's mapping.

    Returns the counts of the plan. The caller commits: all rows or none.
    """
    if plan.already_imported or not any(a != "unchanged" for a, _ in plan.actions):
        return plan.counts
    agency = agency_named(session, plan.agency_name)
    assert agency is not None
    agency.column_mapping = dict(plan.mapping)
    source = Source(
        agency_id=agency.id,
        kind="import",
        file_name=plan.file_name[:FILE_NAME_LENGTH],  # a name as long as the client sent
        file_hash=plan.file_hash,
        received_on=plan.received_on,
        recorded_by=actor,
    )
    session.add(source)
    session.flush()
    owners = _owners(session, plan)
    _write_rows(session, plan, source, owners)
    touched = {owners[i] for i, (a, _) in enumerate(plan.actions) if a in ("updated", "merged")}
    recompute(session, touched)
    return plan.counts


def _owners(session: Session, plan: ImportPlan) -> dict[int, int]:
    """Return row index -> beneficiary id, creating the records of ``created`` rows."""
    created = {
        i: Beneficiary(registered_on=plan.received_on)
        for i, (action, _) in enumerate(plan.actions)
        if action == "created"
    }
    for index, woman in created.items():
        set_current(woman, plan.valid[index].values)
    session.add_all(created.values())
    session.flush()
    owners = {i: w.id for i, w in created.items()}
    for index, (action, target) in enumerate(plan.actions):
        if action in ("updated", "merged") and target is not None:
            owners[index] = target if target >= 0 else owners[-1 - target]
    return owners


def _write_rows(session: Session, plan: ImportPlan, source: Source, owners: dict[int, int]) -> None:
    """Insert one source record per written row, then its facts, in bulk."""
    written = sorted(owners)
    records = [
        {
            "source_id": source.id,
            "agency_id": source.agency_id,
            "beneficiary_id": owners[i],
            "row_number": plan.valid[i].row,
            "fingerprint": plan.valid[i].fingerprint,
        }
        for i in written
    ]
    ids = session.scalars(
        insert(SourceRecord).returning(SourceRecord.id, sort_by_parameter_order=True), records
    ).all()
    facts = [
        {"record_id": record_id, "field": name, "value": value}
        for record_id, i in zip(ids, written, strict=True)
        for name, value in plan.valid[i].values.items()
    ]
    if facts:
        session.execute(insert(Fact), facts)
