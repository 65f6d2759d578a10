"""A fund as it stands before a meeting, read in a few queries into frozen values.

``load_fund_state(session, fund_id, on)`` is everything ``plan_meeting`` may look at:
the open cycle and its constitution, every member of the fund (the active ones with
their savings), the open loans with their schedules, payments (and who paid them),
penalties and guarantees, the cash of the loan fund and of the social fund, and the
last meeting. Only closed (not voided) meetings count, as everywhere (``queries.CLOSED``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.savings import queries, rules
from groups.savings.chart import CODES
from groups.savings.models import Guarantee, Loan, LoanEvent, Meeting, Member, Repayment
from groups.savings.states import FINISHED_LOAN, LoanStatus, MemberStatus
from ledger.accounts import AccountType
from ledger.models import Account


@dataclass(frozen=True)
class PaidBy:
    """A repayment applied to a loan, and the member who paid it."""

    payer_id: int
    payment: rules.Payment


@dataclass(frozen=True)
class LoanState:
    """An open loan: its schedule, what was paid and assessed, its guarantees."""

    id: int
    member_id: int
    principal: int
    status: LoanStatus
    schedule: tuple[rules.Instalment, ...]
    paid: tuple[PaidBy, ...] = ()
    penalties: int = 0
    penalised: frozenset[int] = frozenset()
    #: (guarantor id, pledge), in the order they were given.
    guarantees: tuple[tuple[int, int], ...] = ()

    def position(self, on: date) -> rules.LoanPosition:
        """Return what the borrower owes on it on a day."""
        payments = [p.payment for p in self.paid]
        return rules.loan_position(self.schedule, payments, self.penalties, on)

    @property
    def principal_outstanding(self) -> int:
        """Return the principal not yet repaid."""
        return self.principal - sum(p.payment.principal for p in self.paid)

    def held_for(self, guarantor_id: int, pledge: int, outstanding: int | None = None) -> int:
        """Return what a guarantee still holds of its guarantor's savings (rules.pledge_held),
        with the principal outstanding given (default: principal less what was repaid)."""
        hers = [p.payment for p in self.paid if p.payer_id == guarantor_id]
        return rules.pledge_held(
            pledge,
            self.principal,
            self.principal_outstanding if outstanding is None else outstanding,
            her_principal=sum(p.principal for p in hers),
            her_total=sum(p.total for p in hers),
        )


@dataclass(frozen=True)
class MemberState:
    """A member of the fund: her register number, name, status and savings."""

    id: int
    number: int
    name: str
    status: MemberStatus
    savings: int = 0

    @property
    def named(self) -> str:
        """Return how messages name her: her name and her number in the register."""
        return f"{self.name} (no. {self.number})"


@dataclass(frozen=True)
class FundState:
    """A fund before a meeting on ``on``; nothing here changes while a meeting is planned."""

    fund_id: int
    on: date
    cycle_id: int
    constitution: rules.Constitution
    #: Every member of the fund, by id (active ones and those who left).
    members: Mapping[int, MemberState]
    #: The open loans, by id, in the order they were granted.
    loans: Mapping[int, LoanState]
    #: The status of each finished loan of the fund, by id (to say why it is refused).
    finished: Mapping[int, LoanStatus]
    cash: int
    social_cash: int
    #: (number, date) of the fund's last closed meeting, or None.
    last_meeting: tuple[int, date] | None = None

    @property
    def active(self) -> list[MemberState]:
        """Return the active members in register order."""
        return [m for m in self.members.values() if m.status is MemberStatus.ACTIVE]


def load_fund_state(session: Session, fund_id: int, on: date) -> FundState:
    """Return the fund as it stands before a meeting on ``on`` (NoOpenCycle if none is open)."""
    cycle = queries.open_cycle(session, fund_id)
    last = queries.last_meeting(session, fund_id)
    balances = _balances(session, fund_id)
    statuses = _loan_statuses(session, fund_id)
    open_ids = [i for i, status in statuses.items() if status not in FINISHED_LOAN]
    return FundState(
        fund_id=fund_id,
        on=on,
        cycle_id=cycle.id,
        constitution=queries.constitution_of(cycle),
        members=_members(session, fund_id, balances),
        loans=_open_loans(session, open_ids, statuses),
        finished=MappingProxyType({i: s for i, s in statuses.items() if s in FINISHED_LOAN}),
        cash=balances.get(CODES["cash"], 0),
        social_cash=balances.get(CODES["social_cash"], 0),
        last_meeting=(last.number, last.date) if last is not None else None,
    )


def _balances(session: Session, fund_id: int) -> dict[str | tuple[str, int], int]:
    """Return each account's balance on its normal side, by code (a member's sub-account by
    (parent code, member id)), in one query."""
    rows = session.execute(
        select(Account.code, Account.owner_id, Account.type, Account.balance).where(
            Account.fund_id == fund_id
        )
    )
    return {
        (code.split("-")[0], owner) if owner is not None else code: AccountType(
            kind
        ).normal_balance(net)
        for code, owner, kind, net in rows
    }


def _members(
    session: Session, fund_id: int, balances: Mapping[str | tuple[str, int], int]
) -> Mapping[int, MemberState]:
    rows = session.execute(
        select(Member.id, Member.number, Member.name, Member.status)
        .where(Member.fund_id == fund_id)
        .order_by(Member.number)
    )
    savings = CODES["savings"]
    return MappingProxyType(
        {
            i: MemberState(i, n, name, MemberStatus(s), balances.get((savings, i), 0))
            for i, n, name, s in rows
        }
    )


def _loan_statuses(session: Session, fund_id: int) -> dict[int, LoanStatus]:
    """Return the status of every loan of the fund granted at a closed meeting, by id."""
    query = (
        select(Loan.id, queries.STATUS_OF_LOAN)
        .join(Meeting, Meeting.id == Loan.meeting_id)
        .where(Loan.fund_id == fund_id, queries.CLOSED)
        .order_by(Loan.id)
    )
    return {loan_id: LoanStatus(status) for loan_id, status in session.execute(query)}


def _open_loans(
    session: Session, ids: list[int], statuses: Mapping[int, LoanStatus]
) -> Mapping[int, LoanState]:
    if not ids:
        return MappingProxyType({})
    loans = session.execute(
        select(Loan.id, Loan.member_id, Loan.principal).where(Loan.id.in_(ids)).order_by(Loan.id)
    ).all()
    schedules = queries.schedules_of_ids(session, ids)
    paid: dict[int, list[PaidBy]] = {i: [] for i in ids}
    payments = (
        select(
            Repayment.loan_id,
            Repayment.payer_id,
            Repayment.paid_on,
            Repayment.penalty,
            Repayment.charge,
            Repayment.principal,
        )
        .join(Meeting, Meeting.id == Repayment.meeting_id)
        .where(Repayment.loan_id.in_(ids), queries.CLOSED)
        .order_by(Repayment.loan_id, Repayment.paid_on, Repayment.id)
    )
    for loan_id, payer, on, penalty, charge, principal in session.execute(payments):
        paid[loan_id].append(PaidBy(payer, rules.Payment(on, penalty, charge, principal)))
    penalties: dict[int, list[tuple[int, int | None]]] = {i: [] for i in ids}
    assessed = (
        select(LoanEvent.loan_id, LoanEvent.amount, LoanEvent.instalment_number)
        .join(Meeting, Meeting.id == LoanEvent.meeting_id)
        .where(LoanEvent.loan_id.in_(ids), LoanEvent.kind == "penalty", queries.CLOSED)
    )
    for loan_id, amount, number in session.execute(assessed):
        penalties[loan_id].append((int(amount), number))
    guarantees: dict[int, list[tuple[int, int]]] = {i: [] for i in ids}
    pledges = select(Guarantee.loan_id, Guarantee.guarantor_id, Guarantee.pledge).where(
        Guarantee.loan_id.in_(ids)
    )
    for loan_id, guarantor, pledge in session.execute(pledges.order_by(Guarantee.id)):
        guarantees[loan_id].append((guarantor, int(pledge)))
    return MappingProxyType(
        {
            i: LoanState(
                i,
                member_id,
                int(principal),
                statuses[i],
                schedules[i],
                tuple(paid[i]),
                sum(a for a, _ in penalties[i]),
                frozenset(n for _, n in penalties[i] if n is not None),
                tuple(guarantees[i]),
            )
            for i, member_id, principal in loans
        }
    )
