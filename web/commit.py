"""Commit or show the form again: the one place a view turns a refused command into errors.

``attempt(action)`` runs a service call inside the request's transaction. When a
rule is broken (a ``DomainError``, or several: a plan's violations) the whole
transaction is rolled back — nothing half-saved — and the errors come back for
the view to place next to their fields; otherwise the transaction is committed
and the result comes back. Views no longer write their own try/except/rollback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ledger.errors import DomainError
from web.extensions import db

T = TypeVar("T")


@dataclass
class Attempt(Generic[T]):
    """What a committed action returned, or the rules it broke (then nothing was saved)."""

    value: T | None = None
    errors: list[DomainError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return whether the action was committed."""
        return not self.errors


class Refused(DomainError):
    """Raised by an action that found several broken rules at once (a plan's violations)."""

    code = "refused"

    def __init__(self, errors: list[DomainError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def attempt(action: Callable[[], T]) -> Attempt[T]:
    """Run the action and commit; on a broken rule roll everything back and return the errors."""
    session = db.session()
    try:
        value = action()
    except Refused as refused:
        session.rollback()
        return Attempt(errors=refused.errors)
    except DomainError as error:
        session.rollback()
        return Attempt(errors=[error])
    session.commit()
    return Attempt(value=value)
