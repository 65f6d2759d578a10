"""Share-out: preview, then confirm — the cycle's loan fund paid out, frozen as agreed.

The distributable amount is the loan-fund cash plus what borrowers still owe
and will have netted from their payout (loans written off instead add nothing).
Members' stakes are their savings in the ledger; payouts come from
``rules.share_out`` by largest remainder, so they add up to the rial. The social
fund is carried to the next cycle, never shared. Confirming posts, in order:
write-offs, netted loans, the closing of income and expenses into the surplus,
and each member's payout (less what she re-invests as next cycle's savings).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.savings import queries, rules
from groups.savings.book import FundBook
from groups.savings.draft import Draft
from groups.savings.errors import MeetingDateNotAfterPrevious, MemberHasOpenLoan, NegativeAmount
from groups.savings.locking import lock_fund
from groups.savings.models import Cycle, Meeting, Member, ShareOut, ShareOutPayout
from groups.savings.plan import finish
from groups.savings.planned import MeetingPlan
from groups.savings.state import load_fund_state
from groups.savings.states import CycleStatus, move
from groups.savings.steps_loans import plan_statuses, plan_write_off
from groups.savings.write import write_plan
from ledger.accounts import AccountType
from ledger.entries import EntryDraft, Source, SourceType
from ledger.models import Account
from ledger.posting import post_many


@dataclass(frozen=True)
class PreviewLine:
    """One member's line of a share-out."""

    member_id: int
    name: str
    savings: int
    charges_paid: int
    profit: int
    deduction: int
    payout: int


@dataclass(frozen=True)
class ShareOutPreview:
    """What a share-out would pay, before the meeting agrees it."""

    cycle_id: int
    on: date
    method: rules.ShareOutMethod
    loan_fund_cash: int
    netted: int
    written_off: int
    distributable: int
    share_price: int
    social_fund_carried: int
    lines: tuple[PreviewLine, ...]

    @property
    def total_shares(self) -> Fraction:
        """Return the shares the savings represent (savings ÷ share price)."""
        return Fraction(sum(line.savings for line in self.lines), self.share_price)

    @property
    def value_per_share(self) -> Fraction:
        """Return distributable ÷ total shares."""
        return rules.value_per_share(self.distributable, self.total_shares)

    @property
    def total_payout(self) -> int:
        """Return the sum of payouts: equals the loan-fund cash."""
        return sum(line.payout for line in self.lines)


def preview_share_out(
    session: Session, fund_id: int, on: date, write_off: Collection[int] = ()
) -> ShareOutPreview:
    """Compute the share-out as of a date; loans not written off are netted from payouts."""
    cycle = queries.open_cycle(session, fund_id)
    previous = queries.last_meeting(session, fund_id)
    if previous is not None and on < previous.date:
        raise MeetingDateNotAfterPrevious(f"Share-out on {on} is before meeting of {previous.date}")
    constitution = queries.constitution_of(cycle)
    book = FundBook.load(session, fund_id)
    owes, written_off = _what_borrowers_owe(session, fund_id, on, write_off)
    members = _members_with_savings(session, book)
    charges = queries.charges_paid_by_member(session, cycle.id)
    stakes = [
        rules.MemberStake(m.id, book.member_savings(m), charges.get(m.id, 0), owes.get(m.id, 0))
        for m in members
    ]
    cash = book.balance("cash")
    distributable = cash + sum(owes.values())
    payouts = rules.share_out(constitution.share_out_method, stakes, distributable)
    names = {m.id: m.name for m in members}
    lines = tuple(
        PreviewLine(
            p.member_id,
            names[p.member_id],
            p.savings,
            charges.get(p.member_id, 0),
            p.profit,
            p.deduction,
            p.payout,
        )
        for p in payouts
    )
    for line in lines:
        if line.payout < 0:
            raise MemberHasOpenLoan(
                f"{line.name} owes more than her share-out; write the loan off or collect it first",
                member_id=line.member_id,
                bound=line.payout + line.deduction,
            )
    return ShareOutPreview(
        cycle.id,
        on,
        constitution.share_out_method,
        cash,
        sum(owes.values()),
        written_off,
        distributable,
        constitution.share_price,
        book.balance("social_cash"),
        lines,
    )


def _what_borrowers_owe(
    session: Session, fund_id: int, on: date, write_off: Collection[int]
) -> tuple[dict[int, int], int]:
    owes: dict[int, int] = {}
    written_off = 0
    for loan in queries.open_loans(session, fund_id):
        position = queries.position_of(session, loan, on)
        if loan.id in write_off:
            written_off += position.principal_outstanding
        else:
            owes[loan.member_id] = owes.get(loan.member_id, 0) + position.max_payment
    return owes, written_off


def _members_with_savings(session: Session, book: FundBook) -> list[Member]:
    members = session.scalars(
        select(Member).where(Member.fund_id == book.fund_id).order_by(Member.number)
    )
    return [m for m in members if m.status == "active" or book.member_savings(m)]


def confirm_share_out(
    session: Session,
    fund_id: int,
    on: date,
    actor: str,
    idempotency_key: str,
    *,
    write_off: Collection[int] = (),
    reinvest: Mapping[int, int] | None = None,
) -> ShareOut:
    """Post the share-out agreed at a meeting and freeze it; the cycle is then closed."""
    lock_fund(session, fund_id)
    replay = session.scalars(
        select(Meeting).where(Meeting.idempotency_key == idempotency_key)
    ).one_or_none()
    if replay is not None:
        return session.scalars(select(ShareOut).where(ShareOut.meeting_id == replay.id)).one()
    preview = preview_share_out(session, fund_id, on, write_off)
    reinvest = dict(reinvest or {})
    for line in preview.lines:
        if not 0 <= reinvest.get(line.member_id, 0) <= line.payout:
            raise NegativeAmount(
                f"{line.name} can re-invest between 0 and her payout",
                member_id=line.member_id,
                bound=(0, line.payout),
            )
    meeting = write_plan(
        session, _netting_plan(session, fund_id, on, idempotency_key, write_off), actor
    )
    book = FundBook.load(session, fund_id)
    drafts = [_closing_entry(session, book, meeting)]
    drafts += [
        _payout_entry(session, book, meeting, line, reinvest.get(line.member_id, 0))
        for line in preview.lines
        if line.payout or line.profit
    ]
    post_many(session, [d for d in drafts if d.postings], actor)
    return _freeze(session, book, meeting, preview, reinvest)


def _netting_plan(
    session: Session, fund_id: int, on: date, key: str, write_off: Collection[int]
) -> MeetingPlan:
    """Plan the share-out meeting: the loans written off, the others netted from savings."""
    draft = Draft.of(load_fund_state(session, fund_id, on))
    for loan_id in write_off:
        plan_write_off(draft, loan_id, "share-out")
    for loan in list(draft.loans.values()):
        borrower = draft.member(loan.member_id)
        position = draft.position(loan)
        payment = rules.split_repayment(
            position.max_payment, position, draft.constitution.repayment_order, on
        )
        draft.pay(loan, borrower.id, payment, ("savings", borrower.id), "netted at share-out")
    plan_statuses(draft)
    return finish(draft, on, key, kind="share_out")


def _closing_entry(session: Session, book: FundBook, meeting: Meeting) -> EntryDraft:
    """Close every income and expense account of the fund into the retained surplus."""
    rows = session.execute(
        select(Account.id, Account.type, Account.balance).where(
            Account.fund_id == book.fund_id,
            Account.type.in_([AccountType.INCOME.value, AccountType.EXPENSE.value]),
        )
    ).all()
    debits, credits = [], []
    for account_id, _, net in rows:
        if net < 0:
            debits.append((account_id, -net))
        elif net > 0:
            credits.append((account_id, net))
    difference = sum(a for _, a in debits) - sum(a for _, a in credits)
    (credits if difference > 0 else debits).append((book.ids["surplus"], abs(difference)))
    source = Source(SourceType.SHARE_OUT, str(meeting.id))
    return book.draft(
        meeting.date,
        "closing of income and expenses",
        debits,
        credits,
        source,
        f"{meeting.idempotency_key}:closing",
    )


def _payout_entry(
    session: Session, book: FundBook, meeting: Meeting, line: PreviewLine, reinvested: int
) -> EntryDraft:
    savings_account = book.member_account("savings", line.member_id)
    surplus = book.ids["surplus"]
    # After netting, her savings may be below zero when her profit covers the rest of her debt.
    left = line.savings - line.deduction - reinvested
    debits = [(savings_account, max(left, 0)), (surplus, max(line.profit, 0))]
    credits = [
        (book.ids["cash"], line.payout - reinvested),
        (surplus, max(-line.profit, 0)),
        (savings_account, max(-left, 0)),
    ]
    source = Source(SourceType.SHARE_OUT, str(meeting.id))
    return book.draft(
        meeting.date,
        f"share-out payout: {line.name}",
        debits,
        credits,
        source,
        f"{meeting.idempotency_key}:payout:{line.member_id}",
    )


def _freeze(
    session: Session,
    book: FundBook,
    meeting: Meeting,
    preview: ShareOutPreview,
    reinvest: Mapping[int, int],
) -> ShareOut:
    cycle = session.get(Cycle, meeting.cycle_id)
    assert cycle is not None
    value = preview.value_per_share
    share_out = ShareOut(
        cycle_id=cycle.id,
        meeting_id=meeting.id,
        method=preview.method.value,
        distributable=preview.distributable,
        value_per_share=f"{value.numerator}/{value.denominator}",
        social_fund_carried=preview.social_fund_carried,
    )
    session.add(share_out)
    session.flush()
    for line in preview.lines:
        session.add(
            ShareOutPayout(
                share_out_id=share_out.id,
                member_id=line.member_id,
                shares=queries.shares_bought(session, cycle.id, line.member_id),
                savings=line.savings,
                profit=line.profit,
                deduction=line.deduction,
                payout=line.payout,
                reinvested=reinvest.get(line.member_id, 0),
            )
        )
    cycle.status, cycle.ended_on = move(cycle.status, CycleStatus.SHARED_OUT), preview.on
    meeting.cash_expected = book.balance("cash") + book.balance("social_cash")
    session.flush()
    session.refresh(share_out)
    return share_out
