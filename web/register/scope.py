"""Who reaches the register, and which women each reader may see.

- admin and viewer (the programme's staff) see and change the whole register and
  may see sensitive fields (each view logged by ``groups.beneficiaries.access``);
- a facilitator sees the women who are members of her assigned funds, read-only
  and without sensitive fields; another woman's record is a 404;
- treasurers and members have no register pages (403).
"""

from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import Select

from groups.beneficiaries.access import SENSITIVE_ROLES
from groups.beneficiaries.lookup import women_of_funds
from groups.beneficiaries.models import Beneficiary
from web.access import Role, user, visible_fund_ids
from web.extensions import db

#: Who changes the register (the programme's staff).
STAFF = (Role.ADMIN, Role.VIEWER)
#: Who reads it (a facilitator, her funds' women only).
READERS = (Role.ADMIN, Role.VIEWER, Role.FACILITATOR)


def is_staff() -> bool:
    """Return whether the logged-in user is programme staff."""
    return user().role in STAFF


def sees_sensitive() -> bool:
    """Return whether the logged-in user's role may see sensitive fields."""
    return user().role in SENSITIVE_ROLES


def within() -> Select[Any] | None:
    """Return the ids of the women this user may see, or None for the whole register."""
    if is_staff():
        return None
    return women_of_funds(visible_fund_ids() or [])


def visible_woman(beneficiary_id: int) -> Beneficiary:
    """Return the woman's record (merged ones too), or 404 when this user may not see her."""
    woman = db.session.get(Beneficiary, beneficiary_id)
    if woman is None:
        abort(404)
    scope = within()
    if scope is not None and woman.id not in set(db.session.scalars(scope)):
        abort(404)
    return woman
