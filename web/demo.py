"""The demo funds: a village fund's first four months from a fund book, and six more generated.

The book (web/demo/demo-fund.json) is a real fund book: seventeen weekly
meetings from 1405/05/12 (2026-08-03), loans repaid and one in arrears, a
guarantor recovery, fines, a grant, an expense and a cash shortfall explained.
Its dates are kept as they are: moving them would move the loans' monthly due
dates against the recorded repayments.

Six more funds of the same facilitator (``demo_funds()``, generated, never real:
names drawn from the demo register's lists) meet weekly or fortnightly for two
to four months up to ``DEMO_TODAY``, each meeting planned by the meetings
benchmark's ``plan_meeting`` with a fixed seed and recorded through
``record_meeting``, so that her dashboard has something to rank: one fund in
good health, and one each whose borrowers stop repaying (PAR 30), that stopped
meeting, whose box is short with no word why, whose members stay away, and
whose guarantors repaid a borrower's arrears.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.meetings import MeetingsConfig, constitution, plan_meeting
from groups.beneficiaries.demo import FIRST, LAST
from groups.beneficiaries.demo_programme import load_demo_register
from groups.savings import queries
from groups.savings.book import FundBook
from groups.savings.commands import MeetingInput, MemberLine
from groups.savings.fundbook import import_book
from groups.savings.funds import add_member, create_fund, start_cycle
from groups.savings.meetings import record_meeting
from groups.savings.models import SavingsFund
from groups.savings.rules import Attendance, MeetingFrequency, meeting_dates
from ledger.models import Fund
from web.fundbook import load_book

DEMO_BOOK = Path(__file__).parent / "demo" / "demo-fund.json"
ACTOR = "demo"
#: The day the demo is meant to be seen on (1405/09/08): every fund's last meeting is
#: before it, and the dashboard as of it shows the flags the funds were made to raise.
DEMO_TODAY = date(2026, 11, 29)
#: The facilitator of every demo fund (the book's, and the generated ones').
DEMO_FACILITATOR = "خانم سلیمانی"


#: Women generated for the demo register (the pilot's size); SANDOGH_DEMO_REGISTER_SIZE overrides.
DEMO_REGISTER_SIZE = 4_800
#: The fewest women the generated programme year needs (it samples 90 for placements).
SMALLEST_REGISTER = 150


def register_size() -> int:
    """Return how many women the demo register generates (SANDOGH_DEMO_REGISTER_SIZE, read now)."""
    size = int(os.environ.get("SANDOGH_DEMO_REGISTER_SIZE") or DEMO_REGISTER_SIZE)
    return max(size, SMALLEST_REGISTER)


def load_demo_if_empty(
    session: Session, women: int | None = None, *, generated_funds: bool = True
) -> bool:
    """Load the demo funds when the database has no fund; return True if they loaded.

    ``women`` sizes the generated register (default: ``register_size()``); tests
    pass a small one, ``make demo`` loads the pilot's 4,800 (about 6,000 rows).
    ``generated_funds=False`` loads the book's fund alone (tests about it alone).
    """
    if session.scalar(select(func.count()).select_from(Fund)):
        return False
    import_book(session, load_book(DEMO_BOOK.read_text(encoding="utf-8")), ACTOR)
    # Generated women (never real), linked to the fund's members.
    load_demo_register(session, max(women, SMALLEST_REGISTER) if women else register_size())
    if generated_funds:
        for index, fund in enumerate(demo_funds()):
            generate_fund(session, fund, random.Random(DEMO_SEED + index))
    return True


# -- the generated funds -------------------------------------------------------------------

#: Instalments of the demo funds in multiples of 1,000 toman: no fraction of a toman shows.
DEMO_INSTALMENT_UNIT = 10_000
#: The seed of the first generated fund (the next ones count up from it).
DEMO_SEED = 1405
#: The generated funds' loans: at most this many new ones a meeting.
LOANS_PER_MEETING = 2
LOAN_PURPOSES = (
    "خرید دام",
    "چرخ خیاطی",
    "هزینهٔ درمان",
    "بذر و کود",
    "لوازم مدرسهٔ بچه‌ها",
    "پشم و دار قالی",
    "مرغداری خانگی",
)
#: The first members' roles in a generated fund (the rest have none).
FIRST_ROLES = (("chair",), ("treasurer",), ("box_keeper",))


class Trouble:
    """What happens at a generated fund's meetings beyond the plan: here nothing (good health)."""

    def adjust(
        self, session: Session, fund_id: int, command: MeetingInput, rng: random.Random
    ) -> MeetingInput:
        """Return the planned meeting as it happens."""
        return command

    def shortfall(self, on: date) -> int:
        """Return how much less cash than expected the box holds after the meeting of the day."""
        return 0


@dataclass
class StopRepaying(Trouble):
    """From ``since`` on, every second loan then open is never repaid again (PAR 30 grows)."""

    since: date
    loans: frozenset[int] | None = None

    def adjust(
        self, session: Session, fund_id: int, command: MeetingInput, rng: random.Random
    ) -> MeetingInput:
        if command.date < self.since:
            return command
        if self.loans is None:
            open_ids = sorted(loan.id for loan in queries.open_loans(session, fund_id))
            self.loans = frozenset(open_ids[::2])
        return without_repayments(command, self.loans)


@dataclass
class GuarantorsRecover(Trouble):
    """From ``since`` the largest borrower stops paying; ``after`` days on, the meeting
    recovers her arrears from her guarantors' pledged savings, and she pays again."""

    since: date
    after: int = 35
    loan: int | None = None
    done: bool = False

    def adjust(
        self, session: Session, fund_id: int, command: MeetingInput, rng: random.Random
    ) -> MeetingInput:
        if command.date < self.since or self.done:
            return command
        if self.loan is None:
            loans = queries.open_loans(session, fund_id)
            self.loan = max(loans, key=lambda loan: (loan.principal, loan.id)).id
        unpaid = without_repayments(command, frozenset({self.loan}))
        if command.date < self.since + timedelta(days=self.after):
            return unpaid
        self.done = True  # no new loan while the guarantors' savings are being taken
        return replace(unpaid, recoveries=(self.loan,), new_loans=())


@dataclass
class CashShort(Trouble):
    """At the meeting of ``on`` the box holds ``amount`` less than expected, and no one says why."""

    on: date
    amount: int

    def shortfall(self, on: date) -> int:
        return self.amount if on == self.on else 0


@dataclass
class StayAway(Trouble):
    """From ``since`` on, ``share`` of the members (of those owing nothing and taking no part in
    a new loan) stay away from each meeting."""

    since: date
    share: float

    def adjust(
        self, session: Session, fund_id: int, command: MeetingInput, rng: random.Random
    ) -> MeetingInput:
        if command.date < self.since:
            return command
        busy = {loan.borrower_id for loan in command.new_loans} | {
            pledge.guarantor_id for loan in command.new_loans for pledge in loan.guarantors
        }
        free = [
            line.member_id
            for line in command.lines
            if not line.repayments and line.member_id not in busy
        ]
        away = set(rng.sample(free, min(len(free), round(len(command.lines) * self.share))))
        lines = tuple(
            MemberLine(line.member_id, Attendance.ABSENT) if line.member_id in away else line
            for line in command.lines
        )
        return replace(command, lines=lines)


@dataclass(frozen=True)
class DemoFund:
    """A generated demo fund: its village, size, calendar, and what goes wrong in it."""

    village: str
    county: str
    members: int
    frequency: MeetingFrequency
    first: date
    last: date
    trouble: Trouble

    @property
    def name(self) -> str:
        return f"صندوق زنان روستای {self.village}"


def demo_funds() -> list[DemoFund]:
    """Return the generated funds (fresh troubles: they keep state while a fund is made)."""
    weekly, fortnightly, d = MeetingFrequency.WEEKLY, MeetingFrequency.FORTNIGHTLY, date
    return [
        DemoFund("کهریزک", "ری", 14, fortnightly, d(2026, 9, 5), d(2026, 11, 28), Trouble()),
        DemoFund("حسن‌آباد", "ری", 18, weekly, d(2026, 8, 5), d(2026, 11, 25),
                 StopRepaying(since=d(2026, 9, 23))),
        # No meeting since 1405/08/12: three weekly meetings missed by DEMO_TODAY.
        DemoFund("قمصر", "کاشان", 10, weekly, d(2026, 8, 18), d(2026, 11, 3), Trouble()),
        DemoFund("باقرآباد", "ورامین", 15, fortnightly, d(2026, 9, 3), d(2026, 11, 26),
                 CashShort(on=d(2026, 11, 26), amount=200_000)),
        DemoFund("فشافویه", "ری", 16, weekly, d(2026, 8, 16), d(2026, 11, 22),
                 StayAway(since=d(2026, 10, 25), share=0.4)),
        DemoFund("جعفرآباد", "ری", 13, weekly, d(2026, 8, 13), d(2026, 11, 26),
                 GuarantorsRecover(since=d(2026, 9, 17))),
    ]  # fmt: skip


def generate_fund(session: Session, spec: DemoFund, rng: random.Random) -> int:
    """Create a generated fund, its members and cycle, and record its meetings; return its id."""
    fund_id = create_fund(
        session,
        name=spec.name,
        founded_on=spec.first,
        village=f"{spec.village}، {spec.county}",
        facilitator=DEMO_FACILITATOR,
        display_unit="toman",
    ).fund_id
    charter = replace(
        constitution(),
        frequency=spec.frequency,
        meeting_day=spec.first.weekday(),
        instalment_unit=DEMO_INSTALMENT_UNIT,
    )
    start_cycle(session, fund_id, spec.first, charter)
    names = rng.sample([f"{first} {last}" for first in FIRST for last in LAST], spec.members)
    for number, name in enumerate(names):
        roles = FIRST_ROLES[number] if number < len(FIRST_ROLES) else ()
        add_member(session, fund_id, name, spec.first, roles=roles)
    config = MeetingsConfig(loans_per_meeting=LOANS_PER_MEETING, seed=DEMO_SEED)
    days = meeting_dates(spec.frequency, spec.first.weekday(), spec.first, spec.last)
    for number, on in enumerate(days, start=1):
        command = plan_meeting(session, fund_id, on, f"demo:{fund_id}:{number}", rng, config)
        loans = tuple(
            replace(loan, purpose=rng.choice(LOAN_PURPOSES)) for loan in command.new_loans
        )
        command = spec.trouble.adjust(session, fund_id, replace(command, new_loans=loans), rng)
        command, expected = affordable(command, *expected_cash(session, fund_id, command))
        counted = expected - spec.trouble.shortfall(on)
        record_meeting(session, fund_id, replace(command, cash_counted=counted), ACTOR)
    return fund_id


def without_repayments(command: MeetingInput, loans: frozenset[int]) -> MeetingInput:
    """Return the meeting without any payment on the loans."""
    lines = tuple(
        replace(line, repayments={k: v for k, v in line.repayments.items() if k not in loans})
        for line in command.lines
    )
    return replace(command, lines=lines)


def expected_cash(session: Session, fund_id: int, command: MeetingInput) -> tuple[int, int]:
    """Return the loan fund's and the social fund's cash after the meeting, as the sheet adds up."""
    book = FundBook.load(session, fund_id)
    price = queries.constitution_of(queries.open_cycle(session, fund_id)).share_price
    paid_in = sum(
        line.shares * price + sum(line.repayments.values()) + sum(f.amount for f in line.fines)
        for line in command.lines
    )
    loan_fund = (
        book.balance("cash")
        + paid_in
        + sum(item.amount for item in command.other_income)
        - sum(item.amount for item in command.expenses)
        - sum(loan.amount for loan in command.new_loans)
    )
    social = (
        book.balance("social_cash")
        + sum(line.social for line in command.lines)
        - sum(grant.amount for grant in command.grants)
    )
    return loan_fund, social


def affordable(command: MeetingInput, loan_fund: int, social: int) -> tuple[MeetingInput, int]:
    """Return the meeting without its last new loans while the loan fund's cash cannot pay them,
    and the cash then expected in the box (both funds).

    The plan lends what it expects the meeting to bring in; members who stay away or do not
    repay bring in less.
    """
    while command.new_loans and loan_fund < 0:
        loan_fund += command.new_loans[-1].amount
        command = replace(command, new_loans=command.new_loans[:-1])
    return command, loan_fund + social


DEMO_PASSWORD = "sandogh-demo"
#: The demo's users: (username, role). Created only by ``sandogh demo``.
DEMO_USERS = ("admin", "facilitator", "treasurer", "member", "viewer")


def create_demo_users(session: Session) -> list[tuple[str, str]]:
    """Create one user per role around the first fund, password ``sandogh-demo``.

    The facilitator looks after every fund with ``DEMO_FACILITATOR``'s name on it.
    Only ``sandogh demo`` calls this: no other path creates a user with a known
    password. Users that exist already are left as they are. Returns (username,
    role) of every demo user.
    """
    from groups.savings.models import Member
    from web.auth import events
    from web.auth.events import EventKind
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
        events.record(session, EventKind.USER_CREATED, user, detail="demo")
        if role == Role.FACILITATOR:
            hers = select(SavingsFund.fund_id).where(SavingsFund.facilitator == DEMO_FACILITATOR)
            for fund in session.scalars(hers.order_by(SavingsFund.fund_id)):
                session.add(FacilitatorAssignment(user_id=user.id, fund_id=fund))
    session.flush()
    return [(username, username) for username in DEMO_USERS]
