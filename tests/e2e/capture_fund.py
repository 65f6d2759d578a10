"""A 25-member weekly fund with nine weeks of history, for trying the capture on a phone.

Meetings fall on today's weekday, the last one a week ago, so today is the
scheduled day. Member i buys (i mod 3) + 1 shares every week; at the third
meeting the first five members borrow 2,000,000 rials for three months, each
guaranteed by two others, so today each owes an instalment. The fund shows
tomans. Its treasurer logs in as ``USERNAME`` with the demo password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from groups.savings import rules
from groups.savings.commands import MeetingInput, MemberLine, NewLoan, Pledge
from groups.savings.funds import add_member, create_fund, start_cycle
from groups.savings.meetings import record_meeting
from web.auth.models import Role, User
from web.demo import DEMO_PASSWORD

NAMES = (
    "آمنه رضایی", "بتول کریمی", "کبری احمدی", "زهرا موسوی", "مریم حسینی", "فاطمه نوری",
    "سکینه صادقی", "زینب قاسمی", "رقیه جعفری", "معصومه رحیمی", "صغری باقری", "طاهره عباسی",
    "خدیجه محمدی", "لیلا اکبری", "نرگس یوسفی", "سمیه حیدری", "اعظم کاظمی", "شهلا امینی",
    "مهری ملکی", "پروین نظری", "ربابه سلیمانی", "عفت شریفی", "گلنار فرهادی", "منیژه بهرامی",
    "حلیمه طاهری",
)  # fmt: skip
SHARE_PRICE = 500_000
LOAN, PLEDGE = 2_000_000, 1_000_000


@dataclass
class CaptureFund:
    """The fund's id and its members' ids, in member-number order."""

    fund_id: int
    members: list[int]
    username: str


def constitution(weekday: int) -> rules.Constitution:
    return rules.Constitution(
        share_price=SHARE_PRICE,
        min_shares=1,
        max_shares=5,
        social_contribution=20_000,
        frequency=rules.MeetingFrequency.WEEKLY,
        meeting_day=weekday,
        loan_multiple=3,
        max_term_months=3,
        charge_method=rules.ChargeMethod.FLAT_MONTHLY,
        charge_rate=Decimal("0.02"),
        fines={"late": 50_000, "absent": 100_000},
    )


def make_capture_fund(session: Session, today: date, username: str, village: str) -> CaptureFund:
    """Create the fund, its history and its treasurer."""
    start = today - timedelta(weeks=9)
    fund = create_fund(
        session, name=f"صندوق {village}", founded_on=start, village=village, display_unit="toman"
    )
    start_cycle(session, fund.fund_id, start, constitution(start.weekday()))
    ids = [add_member(session, fund.fund_id, name, start).id for name in NAMES]
    for week in range(9):
        lines = [MemberLine(m, shares=i % 3 + 1, social=20_000) for i, m in enumerate(ids)]
        loans = _loans(ids) if week == 2 else ()
        command = MeetingInput(
            start + timedelta(weeks=week), f"{username}w{week}", tuple(lines), new_loans=loans
        )
        record_meeting(session, fund.fund_id, command, "setup")
    user = User(username=username, role=Role.TREASURER.value, fund_id=fund.fund_id)
    user.set_password(DEMO_PASSWORD)
    session.add(user)
    session.flush()
    return CaptureFund(fund.fund_id, ids, username)


def _loans(ids: list[int]) -> tuple[NewLoan, ...]:
    return tuple(
        NewLoan(
            ids[i], LOAN, 3, "", (Pledge(ids[10 + 2 * i], PLEDGE), Pledge(ids[11 + 2 * i], PLEDGE))
        )
        for i in range(5)
    )
