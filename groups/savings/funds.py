"""Funds, cycles and members: creating them, and starting a fund mid-cycle from its notebook."""

from __future__ import annotations

from datetime import date
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups.beneficiaries.normalise import display_text, joined_key
from groups.savings import queries, rules
from groups.savings.book import FundBook
from groups.savings.chart import CODES, SAVINGS_FUND_CHART
from groups.savings.commands import OpeningBalances
from groups.savings.errors import (
    CycleAlreadyOpen,
    CycleBeforeShareOut,
    DuplicateMember,
    InvalidConstitution,
    MeetingDateNotAfterPrevious,
    NegativeAmount,
)
from groups.savings.locking import lock_fund
from groups.savings.models import (
    Cycle,
    Loan,
    LoanEvent,
    Meeting,
    MeetingLine,
    Member,
    SavingsFund,
)
from groups.savings.planned import PlannedLoan
from groups.savings.write import write_loan
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
    shared_out_on = session.scalar(select(func.max(Cycle.ended_on)).where(Cycle.fund_id == fund_id))
    if shared_out_on is not None and started_on < shared_out_on:
        raise CycleBeforeShareOut(
            f"A new cycle cannot start on {started_on}, before the share-out of {shared_out_on}",
            field="started_on",
            bound=shared_out_on,
        )
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
    """Register a new member of the fund.

    Her name is kept as the register keeps names (``display_text``: Persian ی/ک, single
    spaces); a second active member whose name folds to the same key (``joined_key``:
    ي/ی, ك/ک, a ZWNJ, a space or none between the parts) is refused as DuplicateMember.
    """
    lock_fund(session, fund_id)
    name = display_text(name)
    if not name or _name_taken(session, fund_id, name):
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


def _name_taken(session: Session, fund_id: int, name: str) -> bool:
    """Return whether an active member of the fund has the same name, spelling aside."""
    names = session.scalars(
        select(Member.name).where(Member.fund_id == fund_id, Member.status == "active")
    )
    key = joined_key(name)
    return any(joined_key(other) == key for other in names)


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
        if line.charges_paid < 0:
            raise NegativeAmount("Charges paid before the opening cannot be negative")
        session.add(
            MeetingLine(
                meeting_id=meeting.id,
                member_id=member.id,
                shares=line.shares,
                savings=savings,
                charges_paid=line.charges_paid,
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
        paper = rules.PaperLoan(
            request.principal_remaining,
            request.term_months_remaining,
            request.principal,
            request.charge_rate,
            request.arrears,
            request.charges_unpaid,
            request.penalties,
        )
        rate = constitution.charge_rate if request.charge_rate is None else request.charge_rate
        planned = PlannedLoan(
            borrower_id=borrower.id,
            principal=request.principal_remaining,
            fee=0,
            term_months=request.term_months_remaining,
            charge_method=constitution.charge_method,
            charge_rate=rate,
            purpose=request.purpose,
            schedule=rules.paper_loan_instalments(constitution, paper, opening.date),
            guarantees=tuple((p.guarantor_id, p.amount) for p in request.guarantors),
        )
        loan = write_loan(session, book.fund_id, cycle.id, meeting, planned, request.disbursed_on)
        loan.original_principal = request.principal
        _paper_events(session, loan, meeting, paper)
        debits.append((book.loan_of(borrower), request.principal_remaining))
    session.flush()
    return debits


def _paper_events(session: Session, loan: Loan, meeting: Meeting, paper: rules.PaperLoan) -> None:
    """Record that a paper loan opens in arrears, and the penalties it carried in."""
    event = partial(LoanEvent, loan_id=loan.id, meeting_id=meeting.id, on=meeting.date)
    if paper.arrears or paper.charges_unpaid or paper.penalties:
        session.add(event(kind="in_arrears"))  # after write_loan's "active": the latest wins
    if paper.penalties:
        session.add(event(kind="penalty", amount=paper.penalties, note="from paper"))
