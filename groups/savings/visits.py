"""A facilitator's visits to a fund: what she saw, and the actions agreed, who does them by when.

The seed names "missing feedback" as an obstacle: a visit report that is printed and
forgotten changes nothing. So a visit is recorded (day, notes, agreed actions), and
the actions stay open until a later visit marks them done; the next visit report
and the dashboard show what is still open.

Invariants:
- a visit belongs to one fund; its actions belong to the visit and carry its fund
  (so "open actions of these funds" is one indexed query);
- an action is open while ``done_on`` is NULL; it is closed once, on a day not
  before the visit that agreed it (checked by record_visit).
Services take ``session`` and ``actor``; they flush, never commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ledger.db import Base
from ledger.errors import DomainError
from ledger.models import utc_now


class VisitError(DomainError):
    """Raised when a visit or one of its actions cannot be recorded as asked."""


class FundVisit(Base):
    """A facilitator's visit to a fund."""

    __tablename__ = "fund_visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    #: Username of who recorded it (the facilitator, usually).
    visited_by: Mapped[str] = mapped_column(String(80))
    #: What she saw and said, in her words.
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    actions: Mapped[list[VisitAction]] = relationship(
        back_populates="visit", order_by="VisitAction.id"
    )


class VisitAction(Base):
    """An action agreed at a visit: what, who, by when; open until done."""

    __tablename__ = "visit_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("fund_visits.id"), index=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    action: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    done_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    visit: Mapped[FundVisit] = relationship(back_populates="actions")


@dataclass(frozen=True)
class AgreedAction:
    """An action typed on the visit form."""

    action: str
    who: str = ""
    due_on: date | None = None


def record_visit(
    session: Session,
    fund_id: int,
    visited_on: date,
    notes: str,
    actions: Sequence[AgreedAction],
    done_ids: Sequence[int],
    actor: str,
) -> FundVisit:
    """Record a visit, its agreed actions, and which open actions of the fund are now done."""
    visit = FundVisit(fund_id=fund_id, visited_on=visited_on, visited_by=actor, notes=notes)
    session.add(visit)
    for agreed in actions:
        if agreed.action.strip():
            visit.actions.append(
                VisitAction(
                    fund_id=fund_id,
                    action=agreed.action.strip(),
                    who=agreed.who.strip(),
                    due_on=agreed.due_on,
                )
            )
    for action in open_actions(session, [fund_id]).get(fund_id, []):
        if action.id in done_ids:
            if visited_on < action.visit.visited_on:
                raise VisitError("An action cannot be done before the visit that agreed it.")
            action.done_on = visited_on
    session.flush()
    return visit


def open_actions(session: Session, fund_ids: Sequence[int]) -> dict[int, list[VisitAction]]:
    """Return the open actions of each fund, oldest first."""
    query = (
        select(VisitAction)
        .where(VisitAction.fund_id.in_(list(fund_ids)), VisitAction.done_on.is_(None))
        .order_by(VisitAction.due_on.is_(None), VisitAction.due_on, VisitAction.id)
    )
    by_fund: dict[int, list[VisitAction]] = defaultdict(list)
    for action in session.scalars(query):
        by_fund[action.fund_id].append(action)
    return dict(by_fund)


def open_action_counts(session: Session, fund_ids: Sequence[int]) -> dict[int, int]:
    """Return how many actions are open per fund (funds with none are left out)."""
    query = (
        select(VisitAction.fund_id, func.count())
        .where(VisitAction.fund_id.in_(list(fund_ids)), VisitAction.done_on.is_(None))
        .group_by(VisitAction.fund_id)
    )
    return {fund_id: int(count) for fund_id, count in session.execute(query)}


def visits_of(session: Session, fund_id: int, until: date | None = None) -> list[FundVisit]:
    """Return the fund's visits, latest first (up to a day, when given)."""
    query = select(FundVisit).where(FundVisit.fund_id == fund_id)
    if until is not None:
        query = query.where(FundVisit.visited_on <= until)
    return list(session.scalars(query.order_by(FundVisit.visited_on.desc(), FundVisit.id.desc())))
