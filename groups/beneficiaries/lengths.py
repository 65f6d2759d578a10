"""How long a stored answer may be: the length of its column in ``beneficiaries``.

SQLite stores a string of any length in a ``VARCHAR(100)``; PostgreSQL refuses
it, and the whole request failed. Every reader of answers (the web form, an
agency file's import) asks ``too_long`` about the value it would store, so a
150-character village is the same clear problem on both databases. The limits
are read from the model's columns, never typed again; ``Text`` columns have none.
"""

from __future__ import annotations

from sqlalchemy import String

from groups.beneficiaries.fields import FIELDS
from groups.beneficiaries.models import Beneficiary

#: question -> the most characters its column holds (questions stored as Text are absent).
MAX_LENGTHS: dict[str, int] = {
    spec.name: column.type.length
    for spec in FIELDS
    if spec.name in Beneficiary.__table__.c
    and isinstance((column := Beneficiary.__table__.c[spec.name]).type, String)
    and column.type.length
}
#: The problem's text; the import's report and the web form read it (web/register/forms.py).
TOO_LONG = "is longer than"


def too_long(name: str, value: str) -> str | None:
    """Return the problem of a stored value longer than its column ("is longer than N"), or None."""
    limit = MAX_LENGTHS.get(name)
    if limit is None or len(value) <= limit:
        return None
    return f"{TOO_LONG} {limit} characters"
