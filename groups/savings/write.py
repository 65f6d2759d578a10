"""Writing a planned meeting: ``write_plan(session, plan, actor)`` adds its rows and posts its
entries, nothing re-checked but what the database guarantees (constraints, the ledger's
triggers, the unique idempotency key). The caller commits.

The writers of a loan (``write_loan``) and of a plan's entries are shared by the
meetings, the opening balances from paper and the share-out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from groups.savings.book import FundBook, meeting_source
from groups.savings.models import (
    CashMovement,
    Fine,
    Guarantee,
    Instalment,
    Loan,
    LoanEvent,
    Meeting,
    MeetingLine,
    Member,
    MemberExit,
    Repayment,
)
from groups.savings.planned import AccountRef, MeetingPlan, PlannedEntry, PlannedLoan
from groups.savings.states import MemberStatus, move
from ledger.entries import EntryDraft, Source
from ledger.posting import post_many


def write_plan(session: Session, plan: MeetingPlan, actor: str) -> Meeting:
    """Write a planned meeting: its row, every row of its business and its entries."""
    meeting = Meeting(
        fund_id=plan.fund_id,
        cycle_id=plan.cycle_id,
        number=plan.number,
        kind=plan.kind,
        date=plan.date,
        idempotency_key=plan.idempotency_key,
        recorded_by=actor,
        cash_counted=plan.cash_counted,
        cash_explanation=plan.cash_explanation,
        cash_expected=plan.cash_expected,
    )
    session.add(meeting)
    session.flush()
    write_rows(session, plan, meeting)
    book = FundBook.load(session, plan.fund_id)
    post_many(session, drafts_of(book, plan, meeting), actor)
    session.flush()
    return meeting


def write_rows(session: Session, plan: MeetingPlan, meeting: Meeting) -> None:
    """Add the rows of a planned meeting (lines, payments, fines, events, loans, cash, exits)."""
    session.add_all(
        MeetingLine(
            meeting_id=meeting.id,
            member_id=line.member_id,
            attendance=line.attendance.value,
            shares=line.shares,
            savings=line.savings,
            social=line.social,
        )
        for line in plan.lines
    )
    session.add_all(
        Repayment(
            loan_id=r.loan_id,
            meeting_id=meeting.id,
            payer_id=r.payer_id,
            paid_on=plan.date,
            penalty=r.payment.penalty,
            charge=r.payment.charge,
            principal=r.payment.principal,
        )
        for r in plan.repayments
    )
    session.add_all(
        Fine(meeting_id=meeting.id, member_id=f.member_id, fine_type=f.fine_type, amount=f.amount)
        for f in plan.fines
    )
    session.add_all(
        LoanEvent(
            loan_id=e.loan_id,
            meeting_id=meeting.id,
            on=plan.date,
            kind=e.kind,
            amount=e.amount,
            instalment_number=e.instalment_number,
            note=e.note,
        )
        for e in plan.events
    )
    for loan in plan.new_loans:
        write_loan(session, plan.fund_id, plan.cycle_id, meeting, loan)
    session.add_all(
        CashMovement(
            meeting_id=meeting.id, kind=m.kind, member_id=m.member_id, amount=m.amount, memo=m.memo
        )
        for m in plan.movements
    )
    write_exits(session, plan, meeting)


def write_loan(
    session: Session,
    fund_id: int,
    cycle_id: int,
    meeting: Meeting,
    planned: PlannedLoan,
    disbursed_on: date | None = None,
) -> Loan:
    """Add a loan granted at a meeting (or brought from paper, disbursed on an earlier day):
    its row, schedule, pledges and its first status."""
    loan = Loan(
        fund_id=fund_id,
        cycle_id=cycle_id,
        member_id=planned.borrower_id,
        meeting_id=meeting.id,
        principal=planned.principal,
        fee=planned.fee,
        term_months=planned.term_months,
        charge_method=planned.charge_method.value,
        charge_rate=str(planned.charge_rate),
        purpose=planned.purpose,
        disbursed_on=disbursed_on or meeting.date,
    )
    session.add(loan)
    session.flush()
    session.add_all(
        Instalment(
            loan_id=loan.id, number=i.number, due_on=i.due, principal=i.principal, charge=i.charge
        )
        for i in planned.schedule
    )
    session.add_all(
        Guarantee(loan_id=loan.id, guarantor_id=guarantor, pledge=pledge)
        for guarantor, pledge in planned.guarantees
    )
    session.add(LoanEvent(loan_id=loan.id, meeting_id=meeting.id, on=meeting.date, kind="active"))
    return loan


def write_exits(session: Session, plan: MeetingPlan, meeting: Meeting) -> None:
    """Settle the leavers: their exit rows, and their status."""
    for e in plan.exits:
        session.add(
            MemberExit(
                member_id=e.member_id,
                meeting_id=meeting.id,
                savings=e.savings,
                profit=e.profit,
                owed=e.owed,
                paid=e.paid,
            )
        )
        member = session.get(Member, e.member_id)
        assert member is not None
        member.status, member.left_on = move(member.status, MemberStatus.LEFT), plan.date


def drafts_of(book: FundBook, plan: MeetingPlan, meeting: Meeting) -> list[EntryDraft]:
    """Return the plan's entries as ledger drafts, keyed by the meeting's idempotency key."""
    return entry_drafts(book, plan.entries, meeting_source(meeting.id), plan)


def entry_drafts(
    book: FundBook, entries: Sequence[PlannedEntry], source: Source, plan: MeetingPlan
) -> list[EntryDraft]:
    """Return planned entries as drafts dated on the plan's day, numbered in order."""
    return [
        book.draft(
            plan.date,
            e.memo,
            [(account_id(book, ref), amount) for ref, amount in e.debits],
            [(account_id(book, ref), amount) for ref, amount in e.credits],
            source,
            f"{plan.idempotency_key}:{n}:{e.memo}",
        )
        for n, e in enumerate(entries, start=1)
    ]


def account_id(book: FundBook, ref: AccountRef) -> int:
    """Return the id of a control account (by role) or of a member's sub-account."""
    if isinstance(ref, str):
        return book.ids[ref]
    role, member_id = ref
    return book.member_account(role, member_id)
