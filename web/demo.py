"""The demo fund: a village fund's first four months, loaded from a fund book.

The book (web/demo/demo-fund.json) is a real fund book: seventeen weekly
meetings from 1405/05/12 (2026-08-03), loans repaid and one in arrears, a
guarantor recovery, fines, a grant, an expense and a cash shortfall explained.
Its dates are kept as they are: moving them would move the loans' monthly due
dates against the recorded repayments.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups.beneficiaries.demo_programme import load_demo_register
from groups.savings.fundbook import import_book
from ledger.models import Fund
from web.fundbook import load_book

DEMO_BOOK = Path(__file__).parent / "demo" / "demo-fund.json"
ACTOR = "demo"


#: Women generated for the demo register (the pilot's size); SANDOGH_DEMO_REGISTER_SIZE overrides.
DEMO_REGISTER_SIZE = 4_800
#: The fewest women the generated programme year needs (it samples 90 for placements).
SMALLEST_REGISTER = 150


def register_size() -> int:
    """Return how many women the demo register generates (SANDOGH_DEMO_REGISTER_SIZE, read now)."""
    size = int(os.environ.get("SANDOGH_DEMO_REGISTER_SIZE") or DEMO_REGISTER_SIZE)
    return max(size, SMALLEST_REGISTER)


def load_demo_if_empty(session: Session, women: int | None = None) -> bool:
    """Load the demo fund when the database has no fund; return True if it loaded.

    ``women`` sizes the generated register (default: ``register_size()``); tests
    pass a small one, ``make demo`` loads the pilot's 4,800 (about 6,000 rows).
    """
    if session.scalar(select(func.count()).select_from(Fund)):
        return False
    import_book(session, load_book(DEMO_BOOK.read_text(encoding="utf-8")), ACTOR)
    # Generated women (never real), linked to the fund's members.
    load_demo_register(session, max(women, SMALLEST_REGISTER) if women else register_size())
    return True


DEMO_PASSWORD = "sandogh-demo"
#: The demo's users: (username, role). Created only by ``sandogh demo``.
DEMO_USERS = ("admin", "facilitator", "treasurer", "member", "viewer")


def create_demo_users(session: Session) -> list[tuple[str, str]]:
    """Create one user per role around the first fund, password ``sandogh-demo``.

    Only ``sandogh demo`` calls this: no other path creates a user with a known
    password. Users that exist already are left as they are. Returns (username,
    role) of every demo user.
    """
    from groups.savings.models import Member
    from web.auth.models import FacilitatorAssignment, Role, User

    fund_id = session.scalar(select(Fund.id).order_by(Fund.id).limit(1))
    member = session.scalars(
        select(Member).where(Member.fund_id == fund_id).order_by(Member.number).limit(1)
    ).first()
    for username in DEMO_USERS:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            continue
        role = Role(username)
        user = User(username=username, role=role.value, locale="fa", active=True)
        user.failed_logins = 0
        user.set_password(DEMO_PASSWORD)
        if role in (Role.TREASURER, Role.MEMBER):
            user.fund_id = fund_id
        if role == Role.MEMBER and member is not None:
            user.member_id = member.id
        session.add(user)
        session.flush()
        if role == Role.FACILITATOR and fund_id is not None:
            session.add(FacilitatorAssignment(user_id=user.id, fund_id=fund_id))
    session.flush()
    return [(username, username) for username in DEMO_USERS]
