"""The meetings benchmark: a year of weekly meetings of many savings funds, one commit each.

The caller hands over an engine on a freshly migrated, empty SQLite database. The run:

1. creates ``funds`` savings funds of ``members`` members each, with one open cycle
   under the same constitution (weekly, 50,000 rials a share, 1–5 shares a meeting,
   10,000 to the social fund, loans up to 3 × savings for 1–3 months at 5 % a month
   flat, a late fine of 20,000);
2. records ``weeks`` weekly meetings of every fund, week by week (every fund meets in
   week 1, then in week 2, …: the tables grow as they would in a year of real use),
   each through ``groups.savings.meetings.record_meeting`` followed by one commit, as
   a treasurer's submit. At each meeting every member buys 1–5 shares and pays the
   social fund; each borrower pays what is due on her open loan (now and then a week
   late); up to ``loans_per_meeting`` members without an open loan borrow (one open
   loan per member is the rule), each with a guarantor, as far as the cash and the cap
   allow; a few members come late and pay a fine. The amounts are worked out
   beforehand, untimed, from ``queries.open_loans``/``queries.positions_of`` in a
   session of their own; the time of a meeting is ``record_meeting`` + ``commit`` in
   a fresh session (cold, as a web request is);
3. times ``groups.savings.report.fund_report`` of ``reports`` funds picked at random,
   and ``ledger.verify.verify`` over every fund.

Times are wall-clock (``time.perf_counter``); latencies in milliseconds. Nothing here
asserts a speed: ``TARGETS`` are reported, met or not.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from time import perf_counter
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bench import ledger as ledger_bench
from bench.ledger import Progress, Target, environment, percentile, raw_pragmas, time_verify
from groups.savings import queries, rules
from groups.savings.book import FundBook
from groups.savings.chart import CODES
from groups.savings.commands import FinePaid, MeetingInput, MemberLine, NewLoan, Pledge
from groups.savings.funds import add_member, create_fund, start_cycle
from groups.savings.meetings import record_meeting
from groups.savings.models import Fine, Loan, LoanEvent, Meeting, Repayment
from groups.savings.report import fund_report
from ledger.accounts import AccountType
from ledger.db import analyze
from ledger.models import Account, Entry, Fund, PostingRow

Figures = dict[str, Any]

ACTOR = "bench"
FIRST_MEETING = date(2025, 3, 24)  # a Monday, 1404/01/04
SHARE_PRICE = 50_000
SOCIAL = 10_000
LATE_FINE = 20_000
LOAN_MULTIPLE = 3
MAX_TERM_MONTHS = 3
LOAN_STEP = 10_000  # loans are whole multiples of 10,000 rials
MIN_LOAN = 100_000
LATE_PAYMENT_CHANCE = 0.05  # a borrower pays what is due a week late
LATE_ARRIVAL_CHANCE = 0.03  # a member comes late and pays the fine
QUARTERS = 4


def constitution() -> rules.Constitution:
    """Return the constitution every benchmark fund runs by."""
    return rules.Constitution(
        share_price=SHARE_PRICE,
        min_shares=1,
        max_shares=5,
        social_contribution=SOCIAL,
        frequency=rules.MeetingFrequency.WEEKLY,
        meeting_day=FIRST_MEETING.weekday(),
        loan_multiple=LOAN_MULTIPLE,
        max_term_months=MAX_TERM_MONTHS,
        charge_method=rules.ChargeMethod.FLAT_MONTHLY,
        charge_rate=Decimal("0.05"),
        fines={"late": LATE_FINE, "absent": 50_000},
    )


@dataclass(frozen=True)
class MeetingsConfig:
    """How many funds, members and weeks to record, and how much to read back."""

    funds: int = 300
    members: int = 25
    weeks: int = 52
    loans_per_meeting: int = 5
    reports: int = 100
    seed: int = 1404

    def __post_init__(self) -> None:
        counts = {k: v for k, v in asdict(self).items() if k != "seed"}
        if min(counts.values()) < 1:
            raise ValueError(f"Every count must be at least 1: {counts}")
        if self.members < 2:
            raise ValueError("A fund needs at least 2 members: a borrower and a guarantor")


TARGETS = (Target("meeting_p95_ms", False, 50.0),)


@dataclass
class Sample:
    """What one meeting recorded, and how long it took."""

    week: int
    record_s: float
    total_s: float  # record + commit
    new_loans: int
    repayments: int
    fines: int


def run(engine: Engine, config: MeetingsConfig, progress: Progress = print) -> Figures:
    """Run the whole benchmark and return its figures as a JSON-ready dict."""
    rng = random.Random(config.seed)
    figures: Figures = {
        "config": asdict(config),
        "environment": environment(engine, raw_pragmas(engine)),
    }
    progress(f"Creating {config.funds} funds of {config.members} members …")
    started = perf_counter()
    fund_ids = create_funds(engine, config)
    figures["setup_s"] = perf_counter() - started
    started = perf_counter()
    samples = record_year(engine, fund_ids, config, rng, progress)
    figures["meetings_wall_s"] = perf_counter() - started
    figures |= meeting_figures(samples, config.weeks)
    figures |= volume_figures(engine)
    progress(f"Timing fund reports of {min(config.reports, len(fund_ids))} funds …")
    figures |= time_reports(engine, rng.sample(fund_ids, min(config.reports, len(fund_ids))))
    progress("Verifying the books …")
    with Session(engine) as session:
        figures |= time_verify(session)
    figures["targets"] = target_report(figures)
    return figures


# --- setting up ------------------------------------------------------------------------------


def create_funds(engine: Engine, config: MeetingsConfig) -> list[int]:
    """Create the funds with their members and an open cycle; commit each; return their ids."""
    fund_ids = []
    with Session(engine) as session:
        if session.scalar(select(func.count()).select_from(Fund)):
            raise ValueError("The benchmark needs a freshly migrated, empty database")
        founded = FIRST_MEETING - timedelta(days=7)
        for n in range(config.funds):
            fund_id = create_fund(session, name=f"Bench fund {n + 1}", founded_on=founded).fund_id
            start_cycle(session, fund_id, founded, constitution())
            for m in range(config.members):
                add_member(session, fund_id, f"Member {m + 1}", founded)
            session.commit()
            fund_ids.append(fund_id)
        analyze(session)  # a bulk load: fresh statistics for PostgreSQL's planner
        session.commit()
    return fund_ids


# --- the meetings ----------------------------------------------------------------------------


def record_year(
    engine: Engine,
    fund_ids: Sequence[int],
    config: MeetingsConfig,
    rng: random.Random,
    progress: Progress,
) -> list[Sample]:
    """Record every fund's weekly meetings, week by week; return each meeting's sample."""
    samples: list[Sample] = []
    for week in range(config.weeks):
        on = FIRST_MEETING + timedelta(weeks=week)
        this_week: list[Sample] = []
        for fund_id in fund_ids:
            with Session(engine) as session:
                command = plan_meeting(session, fund_id, on, f"bench-{fund_id}-{week}", rng, config)
            this_week.append(time_meeting(engine, fund_id, command, week))
        samples += this_week
        totals = [s.total_s for s in this_week]
        progress(
            f"Week {week + 1}/{config.weeks}: {len(totals)} meetings, "
            f"p50 {percentile(totals, 0.5) * 1000:.1f} ms, "
            f"p95 {percentile(totals, 0.95) * 1000:.1f} ms"
        )
    return samples


def time_meeting(engine: Engine, fund_id: int, command: MeetingInput, week: int) -> Sample:
    """Record one meeting and commit it in a fresh session; return how long that took."""
    with Session(engine) as session:
        started = perf_counter()
        record_meeting(session, fund_id, command, ACTOR)
        recorded = perf_counter()
        session.commit()
        done = perf_counter()
    return Sample(
        week=week,
        record_s=recorded - started,
        total_s=done - started,
        new_loans=len(command.new_loans),
        repayments=sum(len(line.repayments) for line in command.lines),
        fines=sum(len(line.fines) for line in command.lines),
    )


@dataclass
class _Plan:
    """A fund's money as the meeting goes along, to keep every request within the rules."""

    cash: int
    savings: dict[int, int]
    #: guarantor → savings her pledges hold.
    held: dict[int, int]
    borrowers: set[int]
    new_loans: list[NewLoan] = field(default_factory=list)

    def free(self, member_id: int) -> int:
        return self.savings.get(member_id, 0) - self.held.get(member_id, 0)


def plan_meeting(
    session: Session,
    fund_id: int,
    on: date,
    key: str,
    rng: random.Random,
    config: MeetingsConfig,
) -> MeetingInput:
    """Return the fund's meeting of the day: shares, social fund, repayments, fines, loans."""
    members = [m.id for m in queries.active_members(session, fund_id)]
    loans = queries.open_loans(session, fund_id)
    positions = queries.positions_of(session, loans, on)
    plan = _Plan(
        cash=FundBook.load(session, fund_id).balance("cash"),
        savings=member_savings(session, fund_id),
        held={},
        borrowers={loan.member_id for loan in loans},
    )
    for loan in loans:
        outstanding = positions[loan.id].principal_outstanding
        for g in loan.guarantees:
            held = rules.pledge_held(g.pledge, loan.principal, outstanding)
            plan.held[g.guarantor_id] = plan.held.get(g.guarantor_id, 0) + held
    due_by_member: dict[int, dict[int, int]] = {}
    for loan in loans:
        due = positions[loan.id].payable_now
        if due and rng.random() >= LATE_PAYMENT_CHANCE:
            due_by_member.setdefault(loan.member_id, {})[loan.id] = due
    lines = tuple(
        _line(plan, member_id, due_by_member.get(member_id, {}), rng) for member_id in members
    )
    candidates = [m for m in members if m not in plan.borrowers]
    rng.shuffle(candidates)
    for borrower in candidates:
        if len(plan.new_loans) == config.loans_per_meeting:
            break
        _borrow(plan, borrower, members, rng)
    return MeetingInput(date=on, idempotency_key=key, lines=lines, new_loans=tuple(plan.new_loans))


def _line(
    plan: _Plan, member_id: int, repayments: dict[int, int], rng: random.Random
) -> MemberLine:
    shares = rng.randint(1, 5)
    plan.savings[member_id] = plan.savings.get(member_id, 0) + shares * SHARE_PRICE
    plan.cash += shares * SHARE_PRICE + sum(repayments.values())
    late = rng.random() < LATE_ARRIVAL_CHANCE
    if late:
        plan.cash += LATE_FINE
    return MemberLine(
        member_id,
        attendance=rules.Attendance.LATE if late else rules.Attendance.PRESENT,
        shares=shares,
        social=SOCIAL,
        repayments=repayments,
        fines=(FinePaid("late", LATE_FINE),) if late else (),
    )


def _borrow(plan: _Plan, borrower: int, members: Sequence[int], rng: random.Random) -> None:
    """Add a loan of half to all of her cap, half of it pledged by a guarantor, if any can."""
    cap = rules.loan_cap(plan.savings.get(borrower, 0), LOAN_MULTIPLE, plan.cash)
    if cap < MIN_LOAN:
        return
    amount = rng.randint(cap // 2, cap) // LOAN_STEP * LOAN_STEP
    others = [m for m in members if m != borrower]
    guarantor = max(others, key=plan.free)
    amount = min(amount, plan.free(guarantor) * 2 // LOAN_STEP * LOAN_STEP)
    if amount < MIN_LOAN:
        return
    pledge = amount // 2
    able = [m for m in others if plan.free(m) >= pledge]
    guarantor = rng.choice(able)
    plan.new_loans.append(
        NewLoan(
            borrower,
            amount,
            rng.randint(1, MAX_TERM_MONTHS),
            "bench",
            (Pledge(guarantor, pledge),),
        )
    )
    plan.cash -= amount
    plan.held[guarantor] = plan.held.get(guarantor, 0) + pledge
    plan.borrowers.add(borrower)


def member_savings(session: Session, fund_id: int) -> dict[int, int]:
    """Return each member's savings (from her savings sub-account), without opening any."""
    rows = session.execute(
        select(Account.owner_id, Account.type, Account.balance).where(
            Account.fund_id == fund_id,
            Account.owner_id.is_not(None),
            Account.code.startswith(f"{CODES['savings']}-"),
        )
    )
    return {
        owner: AccountType(kind).normal_balance(balance)
        for owner, kind, balance in rows
        if owner is not None
    }


# --- reading ---------------------------------------------------------------------------------


def time_reports(engine: Engine, fund_ids: Sequence[int]) -> Figures:
    """Time each fund's report in a fresh session; count trial balances that do not balance."""
    times, unbalanced = [], 0
    for fund_id in fund_ids:
        with Session(engine) as session:
            started = perf_counter()
            report = fund_report(session, fund_id)
            times.append(perf_counter() - started)
        unbalanced += not report["trial_balance"]["balanced"]
    return {
        **latency_figures("fund_report", times),
        "fund_reports": len(times),
        "unbalanced_fund_reports": unbalanced,
    }


def volume_figures(engine: Engine) -> Figures:
    """Return how many rows the year left behind."""
    tables = {
        "meetings": Meeting,
        "loans": Loan,
        "repayments": Repayment,
        "loan_events": LoanEvent,
        "fines": Fine,
        "entries": Entry,
        "postings": PostingRow,
    }
    with Session(engine) as session:
        return {
            f"rows_{name}": session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in tables.items()
        }


# --- figures ---------------------------------------------------------------------------------


def latency_figures(name: str, seconds: Sequence[float]) -> Figures:
    """Return the p50, p95 and max of the samples, in milliseconds."""
    return {
        f"{name}_p50_ms": percentile(seconds, 0.50) * 1000,
        f"{name}_p95_ms": percentile(seconds, 0.95) * 1000,
        f"{name}_max_ms": max(seconds) * 1000,
    }


def meeting_figures(samples: Sequence[Sample], weeks: int) -> Figures:
    """Return the rate and latencies of the meetings, overall and by quarter of the year."""
    total = [s.total_s for s in samples]
    quarters = []
    for q in range(min(QUARTERS, weeks)):
        first, last = q * weeks // QUARTERS, (q + 1) * weeks // QUARTERS
        part = [s.total_s for s in samples if first <= s.week < last] or [0.0]
        quarters.append(
            {
                "weeks": f"{first + 1}–{last}",
                "p50_ms": percentile(part, 0.5) * 1000,
                "p95_ms": percentile(part, 0.95) * 1000,
            }
        )
    by_loans = []
    for loans in sorted({s.new_loans for s in samples}):
        part = [s.total_s for s in samples if s.new_loans == loans]
        by_loans.append(
            {
                "new_loans": loans,
                "meetings": len(part),
                "p50_ms": percentile(part, 0.5) * 1000,
                "p95_ms": percentile(part, 0.95) * 1000,
            }
        )
    count = len(samples)
    return {
        "meetings": count,
        "meetings_s": sum(total),
        "meetings_per_s": count / sum(total),
        **latency_figures("meeting", total),
        **latency_figures("meeting_without_commit", [s.record_s for s in samples]),
        "meeting_by_quarter": quarters,
        "meeting_by_new_loans": by_loans,
        "new_loans_per_meeting": sum(s.new_loans for s in samples) / count,
        "repayments_per_meeting": sum(s.repayments for s in samples) / count,
        "fines_per_meeting": sum(s.fines for s in samples) / count,
    }


def target_report(figures: Figures) -> dict[str, Figures]:
    """Return each target with the measured value and whether it is met."""
    return ledger_bench.target_report(figures, TARGETS)


# --- printing --------------------------------------------------------------------------------

LINES = (
    (
        "Meetings",
        "{meetings:,} in {meetings_s:.1f} s = {meetings_per_s:,.1f} meetings/s "
        "(wall {meetings_wall_s:.1f} s with planning)",
    ),
    (
        "One meeting + commit",
        "p50 {meeting_p50_ms:.1f} ms, p95 {meeting_p95_ms:.1f} ms, max {meeting_max_ms:.1f} ms",
    ),
    (
        "  of which record",
        "p50 {meeting_without_commit_p50_ms:.1f} ms, p95 {meeting_without_commit_p95_ms:.1f} ms",
    ),
    (
        "Per meeting",
        "{new_loans_per_meeting:.2f} new loans, {repayments_per_meeting:.2f} repayments, "
        "{fines_per_meeting:.2f} fines",
    ),
    (
        "Fund report",
        "p50 {fund_report_p50_ms:.1f} ms, p95 {fund_report_p95_ms:.1f} ms ({fund_reports} funds)",
    ),
    ("Verify", "{verify_s:.2f} s ({verify_postings:,} postings)"),
)


def render(figures: Figures) -> str:
    """Return the figures and targets as lines of text for a terminal."""
    lines = [f"{label:<22}{pattern.format(**figures)}" for label, pattern in LINES]
    for quarter in figures["meeting_by_quarter"]:
        lines.append(
            f"{'  weeks ' + quarter['weeks']:<22}"
            f"p50 {quarter['p50_ms']:.1f} ms, p95 {quarter['p95_ms']:.1f} ms"
        )
    for part in figures["meeting_by_new_loans"]:
        loans = part["new_loans"]
        label = f"  with {loans} new loan{'s' * (loans != 1)}"
        lines.append(
            f"{label:<22}p50 {part['p50_ms']:.1f} ms, p95 {part['p95_ms']:.1f} ms "
            f"({part['meetings']:,} meetings)"
        )
    ok = figures["books_verify"] and not figures["unbalanced_fund_reports"]
    lines.append(f"{'Books':<22}{'verify OK' if ok else 'PROBLEMS'}")
    return "\n".join(lines + ledger_bench.target_lines(figures["targets"]))
