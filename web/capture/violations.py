"""Violations: a refused meeting as a list of (code, field, member, loan, bound, message).

The one place the web side turns domain errors into something a form or a client
can put next to a field. ``violations_of(error)`` reads what the error carries
(its ``code``, ``member_id``, and — when the savings services set them —
``field``, ``loan_id`` and ``bound``); ``FIELD_OF_CODE`` names the kind of field
a rule is about when the error does not say. The phone page (``fields_of``), the
JSON API (``as_json``) and the meeting sheet place them the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ledger.errors import DomainError
from web.errors import domain_message

#: The kind of field each rule is about (the capture form's field of that member or loan).
FIELD_OF_CODE: dict[str, str] = {
    "share_limit_exceeded": "shares",
    "unknown_fine_type": "fine",
    "over_payment": "repay",
    "unknown_loan": "repay",
    "loan_exceeds_cap": "loan_amount",
    "loan_term_too_long": "loan_term",
    "loan_term_too_short": "loan_term",
    "guarantor_lacks_savings": "pledge",
    "guarantor_is_borrower": "guarantor",
    "member_has_open_loan": "loan_borrower",
    "member_not_active": "member",
    "unknown_member": "member",
    "insufficient_social_fund": "grant",
    "insufficient_cash": "cash_counted",
    "negative_amount": "amount",
    "nothing_to_recover": "recover",
    "meeting_date_not_after_previous": "date",
    "meeting_date_in_future": "date",
    "meeting_date_off_schedule": "date",
    "cash_difference_unexplained": "cash_explanation",
    "loan_needs_guarantor": "guarantor",
}


@dataclass(frozen=True)
class Violation:
    """One broken rule of a meeting, with where it belongs and the figure that bounds it."""

    code: str
    message: str
    field: str = "top"
    member: int | None = None
    loan: int | None = None
    #: The bounding figure (a cap in rials, the allowed range "1–5", the last meeting's date).
    bound: Any = None

    def as_json(self) -> dict[str, Any]:
        """Return the violation as the API's ``ViolationSchema`` dumps it."""
        return {
            "code": self.code,
            "field": self.field,
            "member": self.member,
            "loan": self.loan,
            "bound": None if self.bound is None else str(self.bound),
            "message": self.message,
        }


def field_kind(field: str | None, code: str) -> str:
    """Return the kind of field: the planner's dotted name ("lines.shares", "new_loans.0.amount")
    made the capture's short one ("shares", "loan_amount"), or the rule's usual field."""
    if not field:
        return FIELD_OF_CODE.get(code, "top")
    parts = field.split(".")
    if parts[0] == "lines" and len(parts) > 1:
        return {"repayments": "repay", "fines": "fine"}.get(parts[1], parts[1])
    if parts[0] == "new_loans":
        last = parts[2] if len(parts) > 2 else "amount"
        return {"guarantors": "pledge", "term_months": "loan_term"}.get(last, f"loan_{last}")
    return field


def violation_of(error: DomainError) -> Violation:
    """Return the violation a domain error describes, its message in the user's language."""
    field = field_kind(getattr(error, "field", None), error.code)
    return Violation(
        code=error.code,
        message=domain_message(error),
        field=field,
        member=error.member_id,
        loan=getattr(error, "loan_id", None),
        bound=getattr(error, "bound", None),
    )


def violations_of(errors: DomainError | Iterable[DomainError]) -> list[Violation]:
    """Return the violations of one error or of several (a plan's every broken rule)."""
    if isinstance(errors, DomainError):
        errors = [errors]
    return [violation_of(error) for error in errors]


def fields_of(violations: Iterable[Violation]) -> dict[str, list[str]]:
    """Return the capture form's field name → messages (``top`` for the form's head)."""
    placed: dict[str, list[str]] = {}
    for v in violations:
        placed.setdefault(form_field(v), []).append(v.message)
    return placed


def form_field(v: Violation) -> str:
    """Return the name of the capture form's input a violation belongs to."""
    if v.member is not None and v.field in {"shares", "social", "attendance", "fine"}:
        return f"m-{v.member}-{v.field}"
    if v.field == "repay" and v.member is not None:
        return f"m-{v.member}-repay-{v.loan}" if v.loan else f"m-{v.member}-shares"
    if v.field.startswith("loan_") or v.field in {"pledge", "guarantor"}:
        return f"loan-{v.field}"
    if v.field in {"date", "cash_counted", "cash_explanation"}:
        return v.field
    return "top"
