"""Reading the women a form names: record numbers or national IDs, in any digits."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from groups.beneficiaries.errors import UnknownBeneficiary
from groups.beneficiaries.lookup import is_national_id_query
from groups.beneficiaries.national_id import normalise_national_id
from groups.beneficiaries.register import active, by_national_id
from groups.locale import latin_digits

_SEPARATORS = re.compile(r"[\s,،؛;]+")


def women_named(session: Session, text: str) -> tuple[list[int], list[str]]:
    """Return (record ids found, tokens that name no active record), in the order typed."""
    found: list[int] = []
    unknown: list[str] = []
    for token in (t for t in _SEPARATORS.split(latin_digits(text or "")) if t):
        woman_id = _woman_id(session, token)
        if woman_id is None:
            unknown.append(token)
        elif woman_id not in found:
            found.append(woman_id)
    return found, unknown


def _woman_id(session: Session, token: str) -> int | None:
    if is_national_id_query(token):
        woman = by_national_id(session, normalise_national_id(token))
        return woman.id if woman else None
    if not token.isdigit():
        return None
    try:
        return active(session, int(token)).id
    except UnknownBeneficiary:
        return None


def names(text: str) -> list[str]:
    """Return the names typed one a line (people outside the register)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
