"""What an unexpected error may write to the log: never the values of a woman's record.

SQLAlchemy's ``hide_parameters`` keeps the bound values out of a database error,
but PostgreSQL repeats them itself: ``DETAIL: Failing row contains (…)`` or
``Key (national_id)=(0013542419) already exists``, and a few messages quote the
value they refused (``invalid input syntax for type integer: "…"``). So a
database error is logged as its kind, the server's first line with any quoted
value after a colon blanked, and the SQL statement (whose values are
placeholders); the stack is logged as frames only, with no exception text.
Any other error is logged as usual.
"""

from __future__ import annotations

import logging
import re
import traceback

from sqlalchemy.exc import DBAPIError, StatementError

_QUOTED_VALUE = re.compile(r':\s*".*"\s*$')


def redacted(error: BaseException) -> str:
    """Return a database error's description without values; other errors as they are."""
    if not isinstance(error, StatementError):
        return f"{type(error).__name__}: {error}"
    original = error.orig if isinstance(error, DBAPIError) else None
    first = str(original or "").strip().splitlines()[0] if str(original or "").strip() else ""
    first = _QUOTED_VALUE.sub(': "…"', first)
    kind = type(original).__name__ if original is not None else type(error).__name__
    return f"{type(error).__name__} ({kind}): {first} [SQL: {error.statement}]"


def log_unexpected(logger: logging.Logger, error: BaseException) -> None:
    """Log an unhandled error: a database error without its values, anything else in full."""
    if not isinstance(error, StatementError):
        logger.error("Unhandled error", exc_info=error)
        return
    frames = "".join(traceback.format_tb(error.__traceback__))
    logger.error(
        "Unhandled database error: %s\nTraceback (values withheld):\n%s", redacted(error), frames
    )
