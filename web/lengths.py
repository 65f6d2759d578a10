"""Form validators that hold typed text to the length of the column it is stored in.

SQLite keeps a string of any length in a ``VARCHAR(200)``; PostgreSQL refuses it,
and the request failed with a 500 that logged the values. A field whose text
goes into a column says so here, and the limit is read from the column itself.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import Column
from wtforms.validators import ValidationError

from web.formatting import persian_digits


def column_length(column: Any) -> int:
    """Return the most characters a ``String(n)`` column (or mapped attribute) holds."""
    found: Column[Any] = getattr(column, "expression", column)
    length = getattr(found.type, "length", None)
    if not length:
        raise ValueError(f"{found} has no length")
    return int(length)


class LinesFit:
    """Each non-empty line of a text area (one name a line) fits the column it goes into."""

    def __init__(self, column: Any) -> None:
        self.limit = column_length(column)

    def __call__(self, form: object, field: Any) -> None:
        for number, line in enumerate(str(field.data or "").splitlines(), start=1):
            if len(line.strip()) > self.limit:
                raise ValidationError(
                    gettext(
                        "Line %(line)s is longer than %(n)s characters.",
                        line=persian_digits(number),
                        n=persian_digits(self.limit),
                    )
                )
