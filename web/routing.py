"""URL parts: an id in a URL is at most what an id column holds, else the route does not match.

Every table's primary key is an ``Integer`` column: 32 bits on PostgreSQL, 64 on
SQLite. Werkzeug's ``int`` converter accepts any number of digits, and an id past
the column's range reached the database, which refused it (PostgreSQL: "integer
out of range"; SQLite: ``OverflowError`` past 2^63 − 1) — a server error. The app's
``int`` converter matches ids from 0 to ``MAX_ID`` only, so a larger one is a 404
like any other id that is not there.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

#: The largest value of an ``Integer`` column on both databases (PostgreSQL's ``integer``).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """Werkzeug's ``int`` converter, bounded by MAX_ID unless a rule gives its own ``max``."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def bound_ids(app: Flask) -> None:
    """Make ``<int:…>`` in the app's rules match only ids a column can hold (before any rule)."""
    app.url_map.converters["int"] = IdConverter


def query_id(text: str) -> int:
    """Return an id or page number from a query string, 0 to MAX_ID (for ``args.get(type=…)``).

    Raises ValueError past the range, so ``request.args.get(name, default, type=query_id)``
    falls back to its default rather than sending the number to the database.
    """
    value = int(text)
    if not 0 <= value <= MAX_ID:
        raise ValueError(f"{text!r} is not an id")
    return value
