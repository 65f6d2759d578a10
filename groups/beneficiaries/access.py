"""Showing a woman's record: sensitive fields only to roles that need them, each view logged.

Sensitive fields are the national ID, monthly income, health and disability.
Only ``SENSITIVE_ROLES`` (programme administrators, and programme staff who must
verify identity or eligibility: the web role ``viewer``) may see them, and every
time they do, a line is written to ``sensitive_views`` (who, role, which fields,
when) in the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from groups.beneficiaries.errors import SensitiveAccessDenied
from groups.beneficiaries.fields import FIELDS, SENSITIVE
from groups.beneficiaries.models import Beneficiary, SensitiveView
from groups.beneficiaries.register import active

#: The web app's roles: ``viewer`` is the programme's staff (docs/web.md).
SENSITIVE_ROLES = frozenset({"admin", "viewer"})


def public_view(woman: Beneficiary) -> dict[str, Any]:
    """Return the record's non-sensitive values (anyone allowed to see the woman sees these)."""
    values: dict[str, Any] = {"id": woman.id, "registered_on": woman.registered_on}
    values.update({f.name: getattr(woman, f.name) for f in FIELDS if not f.sensitive})
    return values


def sensitive_view(session: Session, beneficiary_id: int, viewer: str, role: str) -> dict[str, Any]:
    """Return the record's sensitive values and log the view; raise SensitiveAccessDenied."""
    if role not in SENSITIVE_ROLES:
        raise SensitiveAccessDenied(f"Role {role!r} may not see sensitive fields")
    woman = active(session, beneficiary_id)
    shown = sorted(SENSITIVE)
    session.add(
        SensitiveView(beneficiary_id=woman.id, viewer=viewer, role=role, fields=",".join(shown))
    )
    session.flush()
    return {name: getattr(woman, name) for name in shown}
