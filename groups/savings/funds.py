"""Funds, cycles and members: creating them, and starting a fund mid-cycle from its notebook."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups.savings import queries, rules
from groups.savings.book import FundBook
from groups.savings.chart import CODES, SAVINGS_FUND_CHART
from groups.savings.commands import OpeningBalances
from groups.savings.errors import (
    CycleAlreadyOpen,
    DuplicateMember,
    InvalidConstitution,
    MeetingDateNotAfterPrevious,
    NegativeAmount,
)
from groups.savings.locking import lock_fund
from groups.savings.models import (
    Cycle,
    Guarantee,
    Instalment,
    Loan,
    LoanEvent,
    Meeting,
    MeetingLine,
    Member,
    SavingsFund,
)
from ledger.chart import open_fund, open_member_account
from ledger.entries import Source, SourceType
from ledger.posting import post_many

ROLES = ("chair", "treasurer", "box_keeper", "money_counter", "key_holder")


def create_fund(
    session: Session,
    *,
    name: str,
    founded_on: date,
    village: str = "",
    facilitator: str = "",
    currency: str = "IRR",
    display_unit: str = "rial",
) -> SavingsFund:
    """Open a fund's books with the savings chart and record its community facts."""
    if display_unit not in ("rial", "toman"):
        raise InvalidConstitution(f"Display unit must be rial or toman, not {display_unit!r}")
    fund = open_fund(session, name, currency, SAVINGS_FUND_CHART)
    savings_fund = SavingsFund(
        fund_id=fund.id,
        village=village,
        facilitator=facilitator,
        display_unit=display_unit,
        founded_on=founded_on,
    )
    session.add(savings_fund)
    session.flush()
    return savings_fund


def start_cycle(
    session: Session, fund_id: int, started_on: date, constitution: rules.Constitution
) -> Cycle:
    """Open the fund's next cycle under a constitution fixed from now on."""
    constitution.validate()
    lock_fund(session, fund_id)
    if session.scalar(select(Cycle.id).where(Cycle.fund_id == fund_id, Cycle.status == "open")):
        raise CycleAlreadyOpen(f"Fund {fund_id} already has an open cycle")
    number = session.scalar(
        select(func.coalesce(func.max(Cycle.number), 0)).where(Cycle.fund_id == fund_id)
    )
    cycle = Cycle(
        fund_id=fund_id,
        number=int(number or 0) + 1,
        started_on=started_on,
        constitution=constitution.to_dict(),
    )
    session.add(cycle)
    session.flush()
    return cycle


def add_member(
    session: Session,
    fund_id: int,
    name: str,
    joined_on: date,
    *,
    phone: str = "",
    roles: tuple[str, ...] = (),
) -> Member:
    """Register a new member of the fund."""
    lock_fund(session, fund_id)
    name = " ".join(name.split())
    clash = select(Member.id).where(
        Member.fund_id == fund_id, Member.name == name, Member.status == "active"
    )
    if not name or session.scalar(clash) is not None:
        raise DuplicateMember(f"Fund {fund_id} already has an active member named {name!r}")
    number = session.scalar(
        select(func.coalesce(func.max(Member.number), 0)).where(Member.fund_id == fund_id)
    )
    member = Member(
        fund_id=fund_id, number=int(number or 0) + 1, name=name, phone=phone, joined_on=joined_on
    )
    set_roles(member, roles)
    session.add(member)
    session.flush()
    for role in ("savings", "loans"):  # her ledger sub-accounts, so meetings need not open them
        open_member_account(session, fund_id, CODES[role], member.id, name)
    return member


def set_roles(member: Member, roles: tuple[str, ...]) -> None:
    """Give a member her committee roles (replacing the old ones)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise InvalidConstitution(f"Unknown committee roles: {', '.join(sorted(unknown))}")
    member.roles = ",".join(role for role in ROLES if role in roles)


def open_from_paper(
    session: Session, fund_id: int, opening: OpeningBalances, actor: str
) -> Meeting:
    """Post a running fund's notebook as meeting 0: savings, open loans, cash, social fund."""
    lock_fund(session, fund_id)
    replay = session.scalars(
        select(Meeting).where(Meeting.idempotency_key == opening.idempotency_key)
    ).one_or_none()
    if replay is not None:
        return replay
    cycle = queries.open_cycle(session, fund_id)
    if queries.last_meeting(session, fund_id) is not None:
        raise MeetingDateNotAfterPrevious("Opening balances come before the first meeting")
    constitution = queries.constitution_of(cycle)
    meeting = Meeting(
        fund_id=fund_id,
        cycle_id=cycle.id,
        number=0,
        kind="opening",
        date=opening.date,
        idempotency_key=opening.idempotency_key,
        recorded_by=actor,
    )
    session.add(meeting)
    session.flush()
    book = FundBook.load(session, fund_id)
    debits, credits = _opening_member_lines(session, book, meeting, opening, constitution)
    debits += _opening_loans(session, book, meeting, cycle, opening, constitution)
    debits += [
        (book.ids["cash"], opening.loan_fund_cash),
        (book.ids["social_cash"], opening.social_fund_cash),
    ]
    credits.append((book.ids["social"], opening.social_fund_cash))
    surplus = sum(a for _, a in debits) - sum(a for _, a in credits)
    if surplus >= 0:
        credits.append((book.ids["surplus"], surplus))
    else:
        debits.append((book.ids["surplus"], -surplus))
    source = Source(SourceType.OPENING_BALANCE, str(meeting.id))
    draft = book.draft(
        opening.date,
        "opening balances",
        debits,
        credits,
        source,
        f"{opening.idempotency_key}:opening",
    )
    post_many(session, [draft], actor)
    meeting.cash_expected = opening.loan_fund_cash + opening.social_fund_cash
    meeting.cash_counted = meeting.cash_expected
    session.flush()
    return meeting


def _opening_member_lines(
    session: Session,
    book: FundBook,
    meeting: Meeting,
    opening: OpeningBalances,
    constitution: rules.Constitution,
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    credits = []
    for line in opening.members:
        member = queries.member_of(session, book.fund_id, line.member_id)
        savings = (
            line.savings if line.savings is not None else line.shares * constitution.share_price
        )
        if savings < 0 or line.shares < 0:
            raise NegativeAmount("Opening shares and savings cannot be negative")
        session.add(
            MeetingLine(
                meeting_id=meeting.id, member_id=member.id, shares=line.shares, savings=savings
            )
        )
        credits.append((book.savings_of(member), savings))
    for amount in (opening.loan_fund_cash, opening.social_fund_cash):
        if amount < 0:
            raise NegativeAmount("Opening cash cannot be negative")
    return [], credits


def _opening_loans(
    session: Session,
    book: FundBook,
    meeting: Meeting,
    cycle: Cycle,
    opening: OpeningBalances,
    constitution: rules.Constitution,
) -> list[tuple[int, int]]:
    debits = []
    for request in opening.loans:
        borrower = queries.member_of(session, book.fund_id, request.borrower_id)
        if request.principal_remaining <= 0:
            raise NegativeAmount("An open loan's remaining principal must be positive")
        loan = Loan(
            fund_id=book.fund_id,
            cycle_id=cycle.id,
            member_id=borrower.id,
            meeting_id=meeting.id,
            principal=request.principal_remaining,
            fee=0,
            term_months=request.term_months_remaining,
            charge_method=constitution.charge_method.value,
            charge_rate=str(constitution.charge_rate),
            purpose=request.purpose,
            disbursed_on=request.disbursed_on,
        )
        session.add(loan)
        session.flush()
        due = rules.instalment_due_dates(
            opening.date,
            request.term_months_remaining,
            constitution.frequency,
            constitution.meeting_day,
        )
        method = constitution.charge_method
        if method is rules.ChargeMethod.UPFRONT_FEE:
            method = rules.ChargeMethod.NONE  # the fee was paid when the loan was made on paper
        for i in rules.loan_schedule(
            request.principal_remaining, method, constitution.charge_rate, due
        ):
            session.add(
                Instalment(
                    loan_id=loan.id,
                    number=i.number,
                    due_on=i.due,
                    principal=i.principal,
                    charge=i.charge,
                )
            )
        for pledge in request.guarantors:
            session.add(
                Guarantee(loan_id=loan.id, guarantor_id=pledge.guarantor_id, pledge=pledge.amount)
            )
        session.add(
            LoanEvent(loan_id=loan.id, meeting_id=meeting.id, on=opening.date, kind="active")
        )
        debits.append((book.loan_of(borrower), request.principal_remaining))
    session.flush()
    return debits
