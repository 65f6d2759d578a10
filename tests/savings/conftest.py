"""A savings fund with members and an open cycle, and shortcuts to record its meetings."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from groups.savings import rules
from groups.savings.book import FundBook
from groups.savings.commands import MeetingInput, MemberLine
from groups.savings.funds import add_member, create_fund, start_cycle
from groups.savings.meetings import record_meeting
from groups.savings.models import Meeting, Member
from ledger import balances

START = date(2025, 3, 24)  # a Monday, 1404/01/04
_keys = itertools.count(1)


@dataclass
class Fund:
    """A fund under test."""

    session: Session
    fund_id: int
    members: list[Member] = field(default_factory=list)

    @property
    def book(self) -> FundBook:
        return FundBook.load(self.session, self.fund_id)

    def cash(self) -> int:
        return self.book.balance("cash")

    def social_cash(self) -> int:
        return self.book.balance("social_cash")

    def savings(self, member: Member) -> int:
        return self.book.member_savings(member)

    def balance(self, role: str) -> int:
        return self.book.balance(role)

    def trial_balance_is_zero(self) -> bool:
        tb = balances.trial_balance(self.session, self.fund_id)
        return tb.is_balanced and sum(line.net_debit for line in tb.lines) == 0

    def meet(self, on: date, *lines: MemberLine, **parts: object) -> Meeting:
        command = MeetingInput(date=on, idempotency_key=f"test-{next(_keys)}", lines=lines, **parts)  # type: ignore[arg-type]
        return record_meeting(self.session, self.fund_id, command, "treasurer")

    def everyone_buys(self, shares: int, social: int = 0) -> tuple[MemberLine, ...]:
        return tuple(MemberLine(m.id, shares=shares, social=social) for m in self.members)


def constitution(**overrides: object) -> rules.Constitution:
    """A weekly fund, 1,000 a share, 1–5 shares, loans up to 3 × savings at 5% a month flat."""
    values: dict[str, object] = {
        "share_price": 1_000,
        "min_shares": 1,
        "max_shares": 5,
        "social_contribution": 200,
        "frequency": rules.MeetingFrequency.WEEKLY,
        "meeting_day": 0,
        "loan_multiple": 3,
        "max_term_months": 3,
        "charge_method": rules.ChargeMethod.FLAT_MONTHLY,
        "charge_rate": Decimal("0.05"),
        "fines": {"late": 500, "absent": 1_000},
    }
    values.update(overrides)
    return rules.Constitution(**values)  # type: ignore[arg-type]


def make_fund(
    session: Session, names: tuple[str, ...] = ("آمنه", "بتول", "کبری"), **overrides: object
) -> Fund:
    """Create a fund with members and an open cycle."""
    savings_fund = create_fund(session, name="صندوق آزمون", founded_on=START, village="قلعه‌نو")
    start_cycle(session, savings_fund.fund_id, START, constitution(**overrides))
    fund = Fund(session, savings_fund.fund_id)
    fund.members = [add_member(session, fund.fund_id, name, START) for name in names]
    return fund


@pytest.fixture
def fund(session: Session) -> Fund:
    """Three members, A, B and C, in a new weekly fund."""
    return make_fund(session)
