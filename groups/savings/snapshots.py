"""Fund snapshots: a fund's monitoring sums stored per meeting, for the dashboard to read.

Invariants:
- a snapshot holds ``groups.savings.measures.Measures`` as of the end of its
  meeting's day, with the look-back period of ``PERIOD_DAYS``: the same integers
  ``measure()`` computes from scratch for that day (a property test holds it). Since a
  meeting is never dated before the fund's last one, a snapshot, once stored, holds;
- recording a meeting does not measure the fund (that would cost as much as the
  meeting itself): readers call ``refresh_snapshots`` first, which stores the missing
  snapshots of closed meetings up to their day, many funds per query — each meeting is
  measured once, the first time a dashboard or a report asks;
- a reopened meeting's snapshot is deleted with it (``drop_snapshot``), so the fund's
  latest snapshot is again its previous meeting's until the meeting is recorded again;
- ``rebuild_snapshots`` recomputes them all from the books (if a bug is ever found):
  ``sandogh report rebuild-snapshots``.

What changes between meetings without a meeting (days late, a meeting that did not
happen) is not stored: the reader works it out from the stored dates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from groups.savings import queries
from groups.savings.measures import MEASURE_NAMES, PERIOD_DAYS, Measures, as_mapping, measure
from groups.savings.models import Meeting
from ledger.db import Base


class FundSnapshot(Base):
    """A fund's monitoring sums as of one of its meetings (see ``Measures`` for each column)."""

    __tablename__ = "fund_snapshots"
    __table_args__ = (Index("ix_fund_snapshots_fund_date", "fund_id", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), unique=True)
    #: The meeting's day: the sums hold as of its end.
    date: Mapped[date] = mapped_column(Date)
    #: The look-back period (days) of the repayment rate and drop-out.
    period_days: Mapped[int] = mapped_column(Integer, default=PERIOD_DAYS)
    active_members: Mapped[int] = mapped_column(Integer)
    savings: Mapped[int] = mapped_column(BigInteger)
    loans_outstanding: Mapped[int] = mapped_column(BigInteger)
    cash: Mapped[int] = mapped_column(BigInteger)
    par30_principal: Mapped[int] = mapped_column(BigInteger)
    due_in_period: Mapped[int] = mapped_column(BigInteger)
    paid_on_time: Mapped[int] = mapped_column(BigInteger)
    attendance_present: Mapped[int] = mapped_column(Integer)
    attendance_sheet: Mapped[int] = mapped_column(Integer)
    gain: Mapped[int] = mapped_column(BigInteger)
    profit: Mapped[int] = mapped_column(BigInteger)
    days: Mapped[int] = mapped_column(Integer)
    assets_start: Mapped[int] = mapped_column(BigInteger)
    assets: Mapped[int] = mapped_column(BigInteger)
    members_at_start: Mapped[int] = mapped_column(Integer)
    left_in_period: Mapped[int] = mapped_column(Integer)
    written_off: Mapped[int] = mapped_column(BigInteger)
    disbursed: Mapped[int] = mapped_column(BigInteger)
    cash_discrepancy: Mapped[int] = mapped_column(BigInteger)
    loans_over_cap: Mapped[int] = mapped_column(Integer)
    guarantors_over_pledged: Mapped[int] = mapped_column(Integer)

    def measures(self) -> Measures:
        """Return the stored sums as a value."""
        return Measures(**{name: getattr(self, name) for name in MEASURE_NAMES})


def _store(session: Session, meeting: Meeting, measures: Measures) -> FundSnapshot:
    session.execute(delete(FundSnapshot).where(FundSnapshot.meeting_id == meeting.id))
    snapshot = FundSnapshot(
        fund_id=meeting.fund_id,
        meeting_id=meeting.id,
        date=meeting.date,
        period_days=PERIOD_DAYS,
        **as_mapping(measures),
    )
    session.add(snapshot)
    session.flush()
    return snapshot


def drop_snapshot(session: Session, meeting_id: int) -> None:
    """Delete a reopened meeting's snapshot: its sums no longer hold."""
    session.execute(delete(FundSnapshot).where(FundSnapshot.meeting_id == meeting_id))
    session.flush()


def refresh_snapshots(session: Session, fund_ids: Sequence[int] | None, day: date) -> int:
    """Store the snapshot of each closed meeting of the funds (default: all) up to the day
    that has none yet; return how many were written."""
    query = (
        select(Meeting)
        .outerjoin(FundSnapshot, FundSnapshot.meeting_id == Meeting.id)
        .where(queries.CLOSED, Meeting.date <= day, FundSnapshot.id.is_(None))
    )
    if fund_ids is not None:
        query = query.where(Meeting.fund_id.in_(list(fund_ids)))
    return _measure_and_store(session, list(session.scalars(query)))


def rebuild_snapshots(
    session: Session,
    fund_ids: Sequence[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Recompute the snapshot of every closed meeting of the funds (default: all) from the books.

    Returns how many snapshots were written; ``progress(done, total)`` is called after
    each day.
    """
    query = select(Meeting).where(queries.CLOSED)
    old = delete(FundSnapshot)
    if fund_ids is not None:
        query = query.where(Meeting.fund_id.in_(list(fund_ids)))
        old = old.where(FundSnapshot.fund_id.in_(list(fund_ids)))
    session.execute(old)
    return _measure_and_store(session, list(session.scalars(query)), progress)


def _measure_and_store(
    session: Session,
    meetings: Sequence[Meeting],
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Measure the meetings' funds as of each meeting's day (the funds of a day together)."""
    by_day: dict[date, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        by_day[meeting.date].append(meeting)
    for done, (day, of_day) in enumerate(sorted(by_day.items()), start=1):
        measured = measure(session, sorted({m.fund_id for m in of_day}), day)
        for meeting in of_day:
            _store(session, meeting, measured[meeting.fund_id])
        if progress is not None:
            progress(done, len(by_day))
    return len(meetings)
