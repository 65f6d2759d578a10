"""Finding women in the register and reading a record's facts with their sources.

Search takes what a person types: a national ID (any digits, 8–10 of them, padded
like an import) finds the one active record that holds it; anything else is a
name, folded to its matching key (Arabic ي/ك, ZWNJ, spaces…), and every word of it
must appear in the record's ``name_key``. Only active records (not merged away)
are found; ``within`` restricts the search to some records (a facilitator's
funds' women). Results come a page at a time, ordered by name then id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from groups.beneficiaries.fields import BY_NAME, FIELDS
from groups.beneficiaries.models import Agency, Beneficiary, Fact, Source, SourceRecord
from groups.beneficiaries.national_id import normalise_national_id
from groups.beneficiaries.normalise import name_key
from groups.locale import latin_digits
from groups.savings.models import Member

PAGE_SIZE = 25
_FIELD_ORDER = {spec.name: index for index, spec in enumerate(FIELDS)}


@dataclass(frozen=True)
class SearchPage:
    """One page of search results."""

    women: list[Beneficiary]
    total: int
    page: int
    pages: int
    by_national_id: bool


@dataclass(frozen=True)
class SourcedFact:
    """One value a source gave about a woman, with where and when it came from."""

    field: str
    value: str
    agency: str
    kind: str
    file_name: str
    row_number: int
    received_on: date
    sensitive: bool


def is_national_id_query(text: str) -> bool:
    """Return whether a typed query is a national ID (8–10 digits in any script)."""
    code = normalise_national_id(latin_digits(text))
    return code.isascii() and code.isdigit() and len(code) == 10


def women_of_funds(fund_ids: list[int]) -> Select[Any]:
    """Return the ids of women who are members of these funds (for ``within``)."""
    return select(Member.beneficiary_id).where(
        Member.fund_id.in_(fund_ids), Member.beneficiary_id.is_not(None)
    )


def search(
    session: Session, text: str, page: int = 1, within: Select[Any] | None = None
) -> SearchPage:
    """Return a page of active records matching a name or a national ID."""
    query = select(Beneficiary).where(Beneficiary.merged_into_id.is_(None))
    if within is not None:
        query = query.where(Beneficiary.id.in_(within))
    by_id = is_national_id_query(text)
    if by_id:
        query = query.where(Beneficiary.national_id == normalise_national_id(latin_digits(text)))
    else:
        for word in name_key(latin_digits(text)).split():
            query = query.where(Beneficiary.name_key.contains(word, autoescape=True))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    ordered = query.order_by(Beneficiary.last_name, Beneficiary.first_name, Beneficiary.id)
    women = session.scalars(ordered.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return SearchPage(list(women), total, page, pages, by_id)


def sourced_facts(session: Session, beneficiary_id: int) -> list[SourcedFact]:
    """Return every fact of a record with its source, by question, newest source first."""
    query = (
        select(
            Fact.field,
            Fact.value,
            Agency.name,
            Source.kind,
            Source.file_name,
            SourceRecord.row_number,
            Source.received_on,
            Fact.id,
        )
        .join(SourceRecord, SourceRecord.id == Fact.record_id)
        .join(Source, Source.id == SourceRecord.source_id)
        .join(Agency, Agency.id == Source.agency_id)
        .where(SourceRecord.beneficiary_id == beneficiary_id)
    )
    rows = sorted(
        session.execute(query),
        key=lambda r: (_FIELD_ORDER.get(r.field, 99), -r.received_on.toordinal(), -r.id),
    )
    return [
        SourcedFact(
            r.field,
            r.value,
            r.name,
            r.kind,
            r.file_name,
            r.row_number,
            r.received_on,
            BY_NAME[r.field].sensitive if r.field in BY_NAME else False,
        )
        for r in rows
    ]
