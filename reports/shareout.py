"""The share-out report (گزارش تقسیم سود): per member shares, savings, profit, deductions, payout.

From the frozen share-out of a cycle when it was agreed, else from
``groups.savings.shareout.preview_share_out`` (marked as a preview). Invariants:
Σ payout + Σ deduction = distributable; Σ savings + Σ profit = distributable;
each line's payout = savings + profit − deduction. The social fund is carried
over, never shared: it is shown beside, not in, the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups import locale
from groups.savings import queries
from groups.savings.models import Cycle, Meeting, MeetingLine, ShareOut
from groups.savings.shareout import preview_share_out
from reports import fundfacts
from reports.document import Column, Heading, Table
from reports.minutes import committee_signatories

METHODS_FA = {
    "proportional": "به نسبت پس‌انداز",
    "equal_profit": "سود برابر برای همه",
    "charges_returned": "بازگشت کارمزد به پرداخت‌کننده",
}
COLUMNS = (
    Column("number", "ردیف", "no.", "count"),
    Column("name", "نام عضو", "member"),
    Column("shares", "سهم", "shares", "count"),
    Column("savings", "پس‌انداز", "savings", "money"),
    Column("profit", "سود", "profit", "money"),
    Column("deduction", "کسر بدهی", "deduction", "money"),
    Column("payout", "پرداختی", "payout", "money"),
    Column("signature", "امضای دریافت", "received (signature)"),
)


@dataclass(frozen=True)
class ShareOutReport:
    """A cycle's share-out, agreed or previewed; amounts in rials."""

    heading: Heading
    is_preview: bool
    method: str
    distributable: int
    value_per_share: Fraction
    social_fund_carried: int
    lines: tuple[tuple[int, str, int, int, int, int, int, str], ...]
    signatories: tuple[tuple[str, str], ...]
    template: str = "shareout.html"

    def total(self, column: str) -> int:
        """Return the sum of a money or count column."""
        index = [c.key for c in COLUMNS].index(column)
        return sum(int(line[index]) for line in self.lines)

    def table(self) -> Table:
        """Return the member lines with their totals."""
        totals = ("جمع", *(self.total(c.key) for c in COLUMNS[2:7]), None)
        return Table("shareout", "تقسیم سود", "share-out", COLUMNS, self.lines, (None, *totals))

    def tables(self) -> list[Table]:
        """Return the share-out table."""
        return [self.table()]


def share_out_report(
    session: Session, fund_id: int, cycle_id: int | None = None, on: date | None = None
) -> ShareOutReport:
    """Return the agreed share-out of a cycle, or a preview of the open cycle's as of a day."""
    frozen = _frozen(session, fund_id, cycle_id)
    if frozen is not None:
        return frozen
    if on is None:
        last = queries.last_meeting(session, fund_id)
        on = last.date if last else date.today()
    preview = preview_share_out(session, fund_id, on)
    members = {m.id: m for m in fundfacts.members_of(session, fund_id)}
    shares = _shares_by_member(session, preview.cycle_id)
    lines = tuple(
        (
            members[line.member_id].number,
            line.name,
            shares.get(line.member_id, 0),
            line.savings,
            line.profit,
            line.deduction,
            line.payout,
            "",
        )
        for line in preview.lines
    )
    return _report(
        session,
        fund_id,
        on,
        True,
        preview.method.value,
        preview.distributable,
        preview.value_per_share,
        preview.social_fund_carried,
        lines,
    )


def _frozen(session: Session, fund_id: int, cycle_id: int | None) -> ShareOutReport | None:
    query = select(ShareOut, Meeting.date).join(Cycle, Cycle.id == ShareOut.cycle_id)
    query = query.join(Meeting, Meeting.id == ShareOut.meeting_id).where(Cycle.fund_id == fund_id)
    if cycle_id is not None:
        query = query.where(ShareOut.cycle_id == cycle_id)
    row = session.execute(query.order_by(ShareOut.id.desc()).limit(1)).first()
    if row is None or (cycle_id is None and _has_open_cycle(session, fund_id)):
        return None
    share_out, on = row
    members = {m.id: m for m in fundfacts.members_of(session, fund_id)}
    lines = tuple(
        (
            members[p.member_id].number,
            members[p.member_id].name,
            p.shares,
            p.savings,
            p.profit,
            p.deduction,
            p.payout,
            "",
        )
        for p in share_out.payouts
    )
    numerator, denominator = share_out.value_per_share.split("/")
    return _report(
        session,
        fund_id,
        on,
        False,
        share_out.method,
        share_out.distributable,
        Fraction(int(numerator), int(denominator)),
        share_out.social_fund_carried,
        lines,
    )


def _has_open_cycle(session: Session, fund_id: int) -> bool:
    query = select(func.count()).where(Cycle.fund_id == fund_id, Cycle.status == "open")
    return bool(session.scalar(query))


def _shares_by_member(session: Session, cycle_id: int) -> dict[int, int]:
    query = (
        select(MeetingLine.member_id, func.sum(MeetingLine.shares))
        .join(Meeting, Meeting.id == MeetingLine.meeting_id)
        .where(Meeting.cycle_id == cycle_id, queries.CLOSED)
        .group_by(MeetingLine.member_id)
    )
    return {member_id: int(shares) for member_id, shares in session.execute(query)}


def _report(
    session: Session,
    fund_id: int,
    on: date,
    is_preview: bool,
    method: str,
    distributable: int,
    value_per_share: Fraction,
    social_fund_carried: int,
    lines: tuple[tuple[int, str, int, int, int, int, int, str], ...],
) -> ShareOutReport:
    info = fundfacts.fund_info(session, fund_id, on)
    title = "پیش‌نمایش تقسیم سود" if is_preview else "گزارش تقسیم سود"
    heading = Heading(
        title,
        "share-out preview" if is_preview else "share-out report",
        info.name,
        info.village,
        info.cycle.started_on if info.cycle else None,
        on,
        info.unit,
        facts=(("روش", METHODS_FA.get(method, method)),),
    )
    members = [m for m in fundfacts.members_of(session, fund_id) if m.status == "active"]
    return ShareOutReport(
        heading,
        is_preview,
        method,
        distributable,
        value_per_share,
        social_fund_carried,
        lines,
        committee_signatories(members),
    )


def value_text(value: Fraction, unit: str) -> str:
    """Return a value per share rounded to the rial, in the unit."""
    return locale.format_money(round(value), unit)
