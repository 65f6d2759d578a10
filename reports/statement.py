"""The member statement (صورت‌حساب عضو): her meetings, loans, guarantees and share-out value.

One statement covers a period [start, end] (default: the cycle's start to its
last meeting). Per meeting of the period: attendance, shares bought and their
savings, social fund, loan received, repayment split into principal, charge and
penalty, fines, arrears recovered from her savings for a loan she guaranteed
(``taken``) and arrears of her own loan that her guarantors paid (``covered``),
and her savings after the meeting. Invariants:
- closing savings = opening savings + Σ per-meeting change of her savings account
  (the ``balance`` column is read from the ledger, so it agrees with the books);
- Σ of each column is the totals row;
- the projected share-out value = her savings × today's value per share ÷ share
  price, i.e. what a proportional share-out would pay her now, before what she owes.

``statements_of_fund`` builds every member's statement with the same dozen
queries as one statement: a batch of a fund is not N times the work.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from sqlalchemy.orm import Session

from groups import locale
from groups.savings import queries, reads, rules
from groups.savings.chart import CODES
from groups.savings.models import Loan, Member, Repayment
from reports import fundfacts
from reports.document import Column, Heading, Table

LEGEND = (
    "پس‌انداز: پولی که با خرید سهم در صندوق گذاشته‌اید و در پایان دوره با سودش به شما برمی‌گردد.",
    "اصل / کارمزد / دیرکرد: آنچه از قسط وام پرداخته‌اید؛ کارمزد و دیرکرد درآمد همهٔ اعضاست.",
    "برداشت برای ضمانت: بدهی وامی که ضامنش بوده‌اید و از پس‌انداز شما برداشته شد.",
    "ارزش تقریبی در تقسیم سود: اگر امروز تقسیم سود می‌شد، پیش از کسر بدهی شما.",
)

#: The meeting table: (key, Persian, English, kind); zero-only columns among OPTIONAL are left out.
MEETING_COLUMNS = (
    Column("date", "تاریخ جلسه", "meeting date", "date"),
    Column("attendance", "حضور", "attendance"),
    Column("shares", "سهم", "shares", "count"),
    Column("savings", "پس‌انداز", "savings", "money"),
    Column("social", "همبستگی", "social fund", "money"),
    Column("loan", "وام گرفته", "loan received", "money"),
    Column("principal", "اصل", "principal repaid", "money"),
    Column("charge", "کارمزد", "charge", "money"),
    Column("penalty", "دیرکرد", "penalty", "money"),
    Column("fines", "جریمه", "fines", "money"),
    Column("grant", "کمک همبستگی", "grant received", "money"),
    Column("taken", "برداشت برای ضمانت", "recovered from her", "money"),
    Column("covered", "پرداخت ضامنان", "paid by guarantors", "money"),
    Column("balance", "مانده پس‌انداز", "savings after", "money"),
)
OPTIONAL = ("loan", "principal", "charge", "penalty", "fines", "grant", "taken", "covered")
SUMMED = ("shares", "savings", "social", *OPTIONAL)


@dataclass
class MeetingActivity:
    """What one member did at one meeting (amounts in rials)."""

    on: date
    attendance: str = ""
    shares: int = 0
    savings: int = 0
    social: int = 0
    loan: int = 0
    principal: int = 0
    charge: int = 0
    penalty: int = 0
    fines: int = 0
    grant: int = 0
    taken: int = 0
    covered: int = 0
    balance: int = 0

    def row(self) -> tuple[date | str | int, ...]:
        """Return the activity as a row of MEETING_COLUMNS."""
        attendance = fundfacts.ATTENDANCE_FA.get(self.attendance, "")
        return (self.on, attendance, *(getattr(self, c.key) for c in MEETING_COLUMNS[2:]))


@dataclass(frozen=True)
class LoanLine:
    """One of her loans open at the end of the period."""

    loan_id: int
    disbursed_on: date
    principal: int
    outstanding: int
    #: What is due and unpaid at the end of the period (late instalments, charges, penalties).
    owed_now: int
    #: The due day of the oldest instalment still unpaid, when it is past; else None.
    overdue_since: date | None
    #: The first instalment that falls due after the end of the period (never a past day).
    next_due_on: date | None
    next_due_amount: int
    status: str


@dataclass(frozen=True)
class GuaranteeLine:
    """A pledge she made for another member's loan, still open at the end of the period."""

    loan_id: int
    borrower: str
    pledge: int
    held: int


@dataclass(frozen=True)
class MemberStatement:
    """A member's statement for a period; amounts in rials."""

    heading: Heading
    member_id: int
    member_number: int
    member_name: str
    opening_savings: int
    closing_savings: int
    meetings: tuple[MeetingActivity, ...]
    loans: tuple[LoanLine, ...]
    guarantees: tuple[GuaranteeLine, ...]
    share_price: int
    value_per_share: Fraction
    legend: tuple[str, ...] = field(default=LEGEND)
    template: str = "statement.html"

    @property
    def shares_held(self) -> Fraction:
        """Return her savings in shares (savings ÷ share price)."""
        return Fraction(self.closing_savings, self.share_price) if self.share_price else Fraction(0)

    @property
    def projected_share_out(self) -> int:
        """Return her shares × today's value per share, rounded to the rial."""
        return round(self.shares_held * self.value_per_share)

    @property
    def loans_outstanding(self) -> int:
        """Return the principal she still owes on all her loans."""
        return sum(line.outstanding for line in self.loans)

    def meeting_table(self) -> Table:
        """Return the per-meeting table with its totals, without columns that are all zero."""
        totals = tuple(
            sum(getattr(m, c.key) for m in self.meetings) if c.key in SUMMED else None
            for c in MEETING_COLUMNS
        )
        table = Table(
            "meetings",
            "جلسه‌ها",
            "meetings",
            MEETING_COLUMNS,
            tuple(m.row() for m in self.meetings),
            ("جمع", *totals[1:-1], self.closing_savings),
        )
        return table.without_empty(OPTIONAL)

    def loan_table(self) -> Table:
        """Return her open loans with what is next due and when."""
        columns = (
            Column("disbursed", "تاریخ وام", "disbursed", "date"),
            Column("principal", "مبلغ وام", "principal", "money"),
            Column("outstanding", "مانده اصل", "principal outstanding", "money"),
            Column("owed_now", "بدهی سررسیدشده", "due now", "money"),
            Column("overdue_since", "معوق از", "in arrears since", "date"),
            Column("next_due_on", "قسط بعدی", "next due on", "date"),
            Column("next_due", "مبلغ قسط بعدی", "next instalment", "money"),
            Column("status", "وضعیت", "status"),
        )
        rows = tuple(
            (
                line.disbursed_on,
                line.principal,
                line.outstanding,
                line.owed_now,
                line.overdue_since,
                line.next_due_on,
                line.next_due_amount,
                fundfacts.STATUS_FA.get(line.status, line.status),
            )
            for line in self.loans
        )
        return Table("loans", "وام‌های باز", "open loans", columns, rows)

    def guarantee_table(self) -> Table:
        """Return the pledges she made for others' open loans."""
        columns = (
            Column("borrower", "وام‌گیرنده", "borrower"),
            Column("pledge", "مبلغ ضمانت", "pledge", "money"),
            Column("held", "بخش در گرو", "still held", "money"),
        )
        rows = tuple((g.borrower, g.pledge, g.held) for g in self.guarantees)
        return Table("guarantees", "ضمانت‌های شما", "guarantees given", columns, rows)

    def summary_table(self) -> Table:
        """Return the few figures she needs most, as one table."""
        columns = (
            Column("item", "شرح", "item"),
            Column("amount", "مبلغ", "amount", "money"),
        )
        rows: tuple[tuple[str, int], ...] = (
            ("پس‌انداز اول دوره / opening savings", self.opening_savings),
            ("پس‌انداز پایان دوره / closing savings", self.closing_savings),
            ("مانده وام / loans outstanding", self.loans_outstanding),
            ("ارزش تقریبی در تقسیم سود / projected share-out", self.projected_share_out),
        )
        return Table("summary", "خلاصه", "summary", columns, rows)

    def tables(self) -> list[Table]:
        """Return the summary, meetings, loans and guarantees tables."""
        return [
            self.summary_table(),
            self.meeting_table(),
            self.loan_table(),
            self.guarantee_table(),
        ]


# -- building ------------------------------------------------------------------------------


def member_statement(
    session: Session,
    fund_id: int,
    member_id: int,
    start: date | None = None,
    end: date | None = None,
) -> MemberStatement:
    """Return one member's statement for [start, end] (default: the cycle to its last meeting)."""
    queries.member_of(session, fund_id, member_id)  # UnknownMember
    return statements_of_fund(session, fund_id, start, end, member_ids=[member_id])[0]


def default_period(
    session: Session, fund_id: int, start: date | None, end: date | None
) -> tuple[date, date]:
    """Return the period, filling the defaults: the cycle's start, the last meeting's day."""
    if end is None:
        last = queries.last_meeting(session, fund_id)
        end = last.date if last else date.today()
    if start is None:
        info = fundfacts.fund_info(session, fund_id, end)
        start = info.cycle.started_on if info.cycle else info.founded_on
    return start, end


def statements_of_fund(
    session: Session,
    fund_id: int,
    start: date | None = None,
    end: date | None = None,
    member_ids: Sequence[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[MemberStatement]:
    """Return the statements of every member of the fund (or of those listed), in register order.

    ``progress(done, total)`` is called after each statement is built.
    """
    start, end = default_period(session, fund_id, start, end)
    info = fundfacts.fund_info(session, fund_id, end)
    members = fundfacts.members_of(session, fund_id)
    if member_ids is not None:
        members = [m for m in members if m.id in set(member_ids)]
    names = {m.id: m.name for m in fundfacts.members_of(session, fund_id)}
    activity = _activity(session, fund_id, start, end)
    changes = fundfacts.member_account_changes(session, fund_id, CODES["savings"], end)
    loans, guarantees = _loans_and_guarantees(session, fund_id, end, names)
    share_price = info.constitution.share_price if info.constitution else 0
    vps = fundfacts.value_per_share_now(session, fund_id, info, end)
    statements = []
    for done, member in enumerate(members, start=1):
        statements.append(
            _statement(
                info, member, start, end, activity, changes, loans, guarantees, share_price, vps
            )
        )
        if progress is not None:
            progress(done, len(members))
    return statements


def _statement(
    info: fundfacts.FundInfo,
    member: Member,
    start: date,
    end: date,
    activity: dict[tuple[int, date], MeetingActivity],
    changes: dict[int, list[tuple[date, int]]],
    loans: dict[int, list[LoanLine]],
    guarantees: dict[int, list[GuaranteeLine]],
    share_price: int,
    vps: Fraction,
) -> MemberStatement:
    hers = changes.get(member.id, [])
    opening = fundfacts.balance_on(hers, start - timedelta(days=1))
    meetings = []
    for (member_id, _day), act in sorted(activity.items(), key=lambda kv: kv[0][1]):
        if member_id == member.id:
            act.balance = fundfacts.balance_on(hers, act.on)
            meetings.append(act)
    heading = Heading(
        "صورت‌حساب عضو",
        "member statement",
        info.name,
        info.village,
        start,
        end,
        info.unit,
        facts=(("عضو", f"{member.name} ({locale.persian_digits(member.number)})"),),
    )
    return MemberStatement(
        heading,
        member.id,
        member.number,
        member.name,
        opening,
        fundfacts.balance_on(hers, end),
        tuple(meetings),
        tuple(loans.get(member.id, [])),
        tuple(guarantees.get(member.id, [])),
        share_price,
        vps,
    )


def _activity(
    session: Session, fund_id: int, start: date, end: date
) -> dict[tuple[int, date], MeetingActivity]:
    """Return every member's activity at each meeting of the period, keyed by (member, day)."""
    meetings = fundfacts.meetings_between(session, fund_id, start, end)
    day_of = {m.id: m.date for m in meetings}
    acts: dict[tuple[int, date], MeetingActivity] = {}

    def at(member_id: int, meeting_id: int) -> MeetingActivity:
        key = (member_id, day_of[meeting_id])
        if key not in acts:
            acts[key] = MeetingActivity(day_of[meeting_id])
        return acts[key]

    for recorded in reads.meetings_rows(session, meetings).values():
        _record_activity(recorded, at)
    return acts


def _record_activity(
    recorded: reads.MeetingRows, at: Callable[[int, int], MeetingActivity]
) -> None:
    """Add what one meeting recorded to its members' activity."""
    for line in recorded.lines:
        act = at(line.member_id, line.meeting_id)
        act.attendance, act.shares = line.attendance, line.shares
        act.savings, act.social = line.savings, line.social
    for loan in recorded.new_loans:
        at(loan.member_id, loan.meeting_id).loan += loan.principal
    for repayment in recorded.repayments:
        _add_repayment(repayment, recorded.borrowers[repayment.loan_id], at)
    for fine in recorded.fines:
        at(fine.member_id, fine.meeting_id).fines += fine.amount
    for grant in recorded.movements:
        if grant.kind == "grant" and grant.member_id is not None:
            at(grant.member_id, grant.meeting_id).grant += grant.amount


def _add_repayment(
    repayment: Repayment, borrower: int, at: Callable[[int, int], MeetingActivity]
) -> None:
    """Add a repayment: by the borrower to her columns, by a guarantor to taken/covered."""
    if repayment.payer_id == borrower:
        act = at(borrower, repayment.meeting_id)
        act.principal += repayment.principal
        act.charge += repayment.charge
        act.penalty += repayment.penalty
    else:
        at(repayment.payer_id, repayment.meeting_id).taken += repayment.total
        at(borrower, repayment.meeting_id).covered += repayment.total


def _loans_and_guarantees(
    session: Session, fund_id: int, end: date, names: dict[int, str]
) -> tuple[dict[int, list[LoanLine]], dict[int, list[GuaranteeLine]]]:
    """Return loans open at the end of the period by borrower, and open pledges by guarantor."""
    loans = fundfacts.loans_until(session, fund_id, end)
    statuses = fundfacts.statuses_on(session, [loan.id for loan in loans], end)
    open_loans = [loan for loan in loans if statuses[loan.id] not in queries.FINISHED]
    positions = queries.positions_of(session, open_loans, end)
    pledged = queries.held_by_guarantee(session, open_loans, positions, end)
    by_borrower: dict[int, list[LoanLine]] = defaultdict(list)
    by_guarantor: dict[int, list[GuaranteeLine]] = defaultdict(list)
    for loan in open_loans:
        position = positions[loan.id]
        by_borrower[loan.member_id].append(_loan_line(loan, position, statuses[loan.id], end))
        for g in loan.guarantees:
            held = pledged[(loan.id, g.guarantor_id)]
            line = GuaranteeLine(loan.id, names.get(loan.member_id, ""), g.pledge, held)
            by_guarantor[g.guarantor_id].append(line)
    return by_borrower, by_guarantor


def _loan_line(loan: Loan, position: rules.LoanPosition, status: str, end: date) -> LoanLine:
    """Return a loan as her statement shows it: what is overdue since when, and what is next."""
    following = next((i for i in queries.schedule_of(loan) if i.due > end), None)
    return LoanLine(
        loan.id,
        loan.disbursed_on,
        loan.principal,
        position.principal_outstanding,
        position.payable_now,
        end - timedelta(days=position.days_late) if position.days_late else None,
        following.due if following else None,
        following.total if following else 0,
        status,
    )
