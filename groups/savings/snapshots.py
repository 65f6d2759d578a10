"""Fund snapshots: a fund's monitoring sums stored at each meeting, for the dashboard to read.

Invariants:
- every closed meeting (regular, opening, share-out) has exactly one snapshot,
  written in the meeting's own transaction by ``write_snapshot`` (called from
  ``record_meeting``, ``open_from_paper`` and ``confirm_share_out``); a reopened
  meeting's snapshot is deleted with it (``drop_snapshot``), so the fund's latest
  snapshot is again its previous meeting's;
- a snapshot holds ``groups.savings.measures.Measures`` as of the end of the
  meeting's day, with the look-back period of ``PERIOD_DAYS``: the same integers
  ``measure()`` computes from scratch for that day (a property test holds it);
- ``rebuild_snapshots`` recomputes them all from the books (after the migration that
  added the table, or if a bug is ever found): ``sandogh report rebuild-snapshots``.

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


def write_snapshot(session: Session, meeting: Meeting) -> FundSnapshot:
    """Store the fund's sums as of the meeting just posted (the fund's latest): stored balances."""
    measures = measure(session, [meeting.fund_id], meeting.date, now=True)[meeting.fund_id]
    return _store(session, meeting, measures)


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


def rebuild_snapshots(
    session: Session,
    fund_ids: Sequence[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Recompute the snapshot of every closed meeting of the funds (default: all) from the books.

    Meetings of the same day are measured together, many funds per query. Returns how
    many snapshots were written; ``progress(done, total)`` is called after each day.
    """
    query = select(Meeting).where(queries.CLOSED).order_by(Meeting.date, Meeting.id)
    old = delete(FundSnapshot)
    if fund_ids is not None:
        query = query.where(Meeting.fund_id.in_(list(fund_ids)))
        old = old.where(FundSnapshot.fund_id.in_(list(fund_ids)))
    session.execute(old)
    by_day: dict[date, list[Meeting]] = defaultdict(list)
    for meeting in session.scalars(query):
        by_day[meeting.date].append(meeting)
    for done, (day, meetings) in enumerate(sorted(by_day.items()), start=1):
        measured = measure(session, sorted({m.fund_id for m in meetings}), day)
        for meeting in meetings:
            _store(session, meeting, measured[meeting.fund_id])
        if progress is not None:
            progress(done, len(by_day))
    return sum(len(m) for m in by_day.values())
