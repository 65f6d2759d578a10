"""record_meeting() and reopen_last_meeting(): a meeting is one atomic, idempotent command.

Order of business (DOMAIN.md): attendance and shares → social fund → late
penalties → repayments → fines → recoveries from guarantors → write-offs → new
loans → grants → other income and expenses → leavers → count the cash. Every
rule is checked before anything is written; then all entries are posted in one
batch, keyed by the meeting's idempotency key. The caller commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.savings import queries, rules
from groups.savings.book import FundBook, meeting_source
from groups.savings.commands import MeetingInput, MemberLine, NewLoan, Pledge
from groups.savings.errors import (
    GuarantorIsBorrower,
    GuarantorLacksSavings,
    InsufficientCash,
    InsufficientSocialFund,
    LoanExceedsCap,
    LoanTermTooLong,
    LoanTermTooShort,
    MeetingDateNotAfterPrevious,
    MeetingLocked,
    MemberHasGuarantees,
    MemberHasOpenLoan,
    MemberNotActive,
    NegativeAmount,
    NothingToRecover,
    ShareLimitExceeded,
    UnknownFineType,
    UnknownLoan,
)
from groups.savings.locking import lock_fund
from groups.savings.models import (
    CashMovement,
    Cycle,
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
from groups.savings.snapshots import drop_snapshot
from ledger.entries import EntryDraft, SourceType
from ledger.errors import DomainError, IdempotencyKeyReused
from ledger.models import Entry
from ledger.posting import closed_through, post_many, reverse


def record_meeting(session: Session, fund_id: int, command: MeetingInput, actor: str) -> Meeting:
    """Check and post a whole meeting; a replay of its idempotency key returns the first one.

    Runs in a savepoint: when a rule is broken, nothing of the meeting stays in the session.
    """
    lock_fund(session, fund_id)
    with session.begin_nested():
        return _record_meeting(session, fund_id, command, actor)


def _record_meeting(session: Session, fund_id: int, command: MeetingInput, actor: str) -> Meeting:
    replay = session.scalars(
        select(Meeting).where(Meeting.idempotency_key == command.idempotency_key)
    ).one_or_none()
    if replay is not None:
        if replay.fund_id != fund_id:
            raise IdempotencyKeyReused(f"Key {command.idempotency_key!r} belongs to another fund")
        return replay
    cycle = queries.open_cycle(session, fund_id)
    previous = queries.last_meeting(session, fund_id)
    if previous is not None and command.date <= previous.date:
        raise MeetingDateNotAfterPrevious(
            f"Meeting date {command.date} is not after {previous.date}"
        )
    meeting = Meeting(
        fund_id=fund_id,
        cycle_id=cycle.id,
        number=(previous.number + 1) if previous else 1,
        date=command.date,
        idempotency_key=command.idempotency_key,
        recorded_by=actor,
        cash_counted=command.cash_counted,
        cash_explanation=command.cash_explanation,
    )
    session.add(meeting)
    session.flush()
    recorder = MeetingRecorder(session, FundBook.load(session, fund_id), cycle, meeting)
    recorder.run(command)
    post_many(session, recorder.drafts, actor)
    meeting.cash_expected = recorder.cash + recorder.social_cash
    session.flush()
    return meeting


def reopen_last_meeting(
    session: Session, fund_id: int, meeting_id: int, reason: str, actor: str, on: date
) -> Meeting:
    """Reverse every entry of the fund's last meeting and mark it reopened, to record it again.

    The reversals are dated the meeting's own day (``rules.voiding_day``), so no reading
    of any day counts the voided meeting; ``on``, the day of the reopen, is kept with it.
    """
    lock_fund(session, fund_id)
    last = queries.last_meeting(session, fund_id)
    if last is None or last.id != meeting_id or last.kind != "regular":
        raise MeetingLocked(
            f"Meeting {meeting_id} is not the last regular meeting of fund {fund_id}"
        )
    entries = session.scalars(
        select(Entry.id)
        .where(
            Entry.fund_id == fund_id,
            Entry.source_type == SourceType.MEETING.value,
            Entry.source_ref == str(meeting_id),
            Entry.reverses_id.is_(None),
        )
        # Undone last first: no balance dips below zero on the way (a database check).
        .order_by(Entry.id.desc())
    ).all()
    voided_on = rules.voiding_day(last.date, closed_through(session, fund_id))
    for entry_id in entries:
        reverse(session, entry_id, actor=actor, on=voided_on, memo=f"Reopened on {on}: {reason}")
    for exit_row in session.scalars(select(MemberExit).where(MemberExit.meeting_id == meeting_id)):
        member = session.get(Member, exit_row.member_id)
        assert member is not None
        member.status, member.left_on = "active", None
    last.status, last.reopen_reason, last.reopened_on = "reopened", reason, on
    drop_snapshot(session, last.id)
    session.flush()
    return last


@contextmanager
def about_member(member_id: int) -> Iterator[None]:
    """Tag a broken rule with the member it is about, so a form or a fund book can point at her."""
    try:
        yield
    except DomainError as error:
        if error.member_id is None:
            error.member_id = member_id
        raise


@dataclass
class MeetingRecorder:
    """Checks each part of a meeting against the rules and collects its entries."""

    session: Session
    book: FundBook
    cycle: Cycle
    meeting: Meeting
    drafts: list[EntryDraft] = field(default_factory=list)
    cash: int = 0
    social_cash: int = 0

    def __post_init__(self) -> None:
        self.constitution = queries.constitution_of(self.cycle)
        self.cash = self.book.balance("cash")
        self.social_cash = self.book.balance("social_cash")
        self.members = {m.id: m for m in queries.active_members(self.session, self.book.fund_id)}
        self.on = self.meeting.date
        self._pending_savings: dict[int, int] = {}
        #: The fund's open loans, read once; loans granted or written off here update it.
        self._loans = {
            loan.id: loan for loan in queries.open_loans(self.session, self.book.fund_id)
        }
        #: Positions of open loans as of the meeting, read in bulk on first use; a payment
        #: or a penalty on a loan drops its position, to be read again when needed.
        self._positions: dict[int, rules.LoanPosition] | None = None

    def run(self, command: MeetingInput) -> None:
        """Record every part of the meeting in the order of business."""
        self.record_lines(command.lines)
        self.assess_penalties()
        for line in command.lines:
            with about_member(line.member_id):
                for loan_id, amount in line.repayments.items():
                    self.record_repayment(line.member_id, loan_id, amount)
                for fine in line.fines:
                    self.record_fine(line.member_id, fine.fine_type, fine.amount)
        for loan_id in command.recoveries:
            self.recover_from_guarantors(loan_id)
        for loan_id, reason in command.write_offs.items():
            self.write_off(loan_id, reason)
        for new_loan in command.new_loans:
            with about_member(new_loan.borrower_id):
                self.disburse(new_loan)
        for grant in command.grants:
            with about_member(grant.member_id):
                self.grant(grant.member_id, grant.amount, grant.reason)
        for item in command.other_income:
            self.cash_item("income", item.amount, item.memo)
        for item in command.expenses:
            self.cash_item("expense", item.amount, item.memo)
        for member_id in command.leavers:
            with about_member(member_id):
                self.settle_leaver(member_id)
        self.update_loan_statuses()

    # -- helpers -------------------------------------------------------------------------

    def _key(self, what: str) -> str:
        return f"{self.meeting.idempotency_key}:{len(self.drafts) + 1}:{what}"

    def _entry(
        self, memo: str, debits: list[tuple[int, int]], credits: list[tuple[int, int]]
    ) -> None:
        source = meeting_source(self.meeting.id)
        self.drafts.append(self.book.draft(self.on, memo, debits, credits, source, self._key(memo)))

    def _member(self, member_id: int) -> Member:
        member = self.members.get(member_id)
        if member is None:
            former = queries.member_of(self.session, self.book.fund_id, member_id)
            raise MemberNotActive(f"{named(former)} is not an active member")
        return member

    @staticmethod
    def _non_negative(amount: int, what: str) -> None:
        if amount < 0:
            raise NegativeAmount(f"{what} cannot be negative: {amount}")

    def _savings_now(self, member: Member) -> int:
        return self.book.member_savings(member) + self._pending_savings.get(member.id, 0)

    def _position(self, loan: Loan) -> rules.LoanPosition:
        if self._positions is None:
            self._positions = queries.positions_of(
                self.session, list(self._loans.values()), self.on
            )
        if loan.id not in self._positions:
            self._positions[loan.id] = queries.position_of(self.session, loan, self.on)
        return self._positions[loan.id]

    def _forget_position(self, loan: Loan) -> None:
        if self._positions is not None:
            self._positions.pop(loan.id, None)

    def _open_loans_of(self, member: Member) -> list[Loan]:
        return [loan for loan in self._loans.values() if loan.member_id == member.id]

    # -- shares and social fund ----------------------------------------------------------

    def record_lines(self, lines: tuple[MemberLine, ...]) -> None:
        """Record attendance, shares and social-fund contributions."""
        price = self.constitution.share_price
        savings_credits, social_total = [], 0
        for line in lines:
            with about_member(line.member_id):
                member = self._member(line.member_id)
                self._check_shares(line)
                self._non_negative(line.social, "social-fund contribution")
            amount = line.shares * price
            self.session.add(
                MeetingLine(
                    meeting_id=self.meeting.id,
                    member_id=member.id,
                    attendance=line.attendance.value,
                    shares=line.shares,
                    savings=amount,
                    social=line.social,
                )
            )
            if amount:
                savings_credits.append((self.book.savings_of(member), amount))
                self._pending_savings[member.id] = amount
            social_total += line.social
        shares_total = sum(amount for _, amount in savings_credits)
        if shares_total:
            self._entry("shares", [(self.book.ids["cash"], shares_total)], savings_credits)
            self.cash += shares_total
        if social_total:
            self._entry(
                "social fund",
                [(self.book.ids["social_cash"], social_total)],
                [(self.book.ids["social"], social_total)],
            )
            self.social_cash += social_total

    def _check_shares(self, line: MemberLine) -> None:
        low, high = self.constitution.min_shares, self.constitution.max_shares
        attending = line.attendance is not rules.Attendance.ABSENT
        if line.shares < 0 or line.shares > high or (attending and line.shares < low):
            raise ShareLimitExceeded(
                f"{named(self._member(line.member_id))} buys {line.shares} shares; "
                f"allowed {low}–{high}"
            )

    # -- loans: penalties, repayments, recoveries, write-offs ----------------------------

    def assess_penalties(self) -> None:
        """Assess the constitution's late penalty once for each instalment now overdue."""
        c = self.constitution
        if c.penalty_kind is rules.PenaltyKind.NONE:
            return
        loans = list(self._loans.values())
        done = queries.penalised_instalments_of(self.session, [loan.id for loan in loans])
        schedules = queries.schedules_of(self.session, loans)
        for loan in loans:
            position = self._position(loan)
            for instalment in schedules[loan.id]:
                if instalment.due >= self.on or instalment.number in done.get(loan.id, ()):
                    continue
                overdue = _unpaid_of(instalment, position, schedules[loan.id])
                amount = rules.late_penalty(
                    c.penalty_kind, c.penalty_amount, c.penalty_rate, overdue
                )
                if amount:
                    self._event(loan, "penalty", amount, instalment.number)
                    self._forget_position(loan)

    def _event(
        self, loan: Loan, kind: str, amount: int = 0, instalment: int | None = None, note: str = ""
    ) -> None:
        self.session.add(
            LoanEvent(
                loan_id=loan.id,
                meeting_id=self.meeting.id,
                on=self.on,
                kind=kind,
                amount=amount,
                instalment_number=instalment,
                note=note,
            )
        )

    def _open_loan(self, loan_id: int) -> Loan:
        loan = self._loans.get(loan_id)
        if loan is None:
            queries.loan_of(self.session, self.book.fund_id, loan_id)  # UnknownLoan if not ours
            status = queries.loan_status(self.session, loan_id)
            raise UnknownLoan(f"Loan {loan_id} is {status}, not open")
        return loan

    def _borrowers_loan(self, member_id: int, loan_id: int) -> Loan:
        loan = self._open_loan(loan_id)
        if loan.member_id != member_id:
            raise UnknownLoan(f"Loan {loan_id} is not {named(self._member(member_id))}'s")
        return loan

    def record_repayment(self, member_id: int, loan_id: int, amount: int) -> None:
        """Apply a borrower's payment in the constitution's order (penalty, charge, principal)."""
        self._non_negative(amount, "repayment")
        if not amount:
            return
        member = self._member(member_id)
        loan = self._borrowers_loan(member_id, loan_id)
        position = self._position(loan)
        payment = rules.split_repayment(
            amount, position, self.constitution.repayment_order, self.on
        )
        self._apply_payment(loan, member, payment, self.book.ids["cash"], "repayment")
        self.cash += amount

    def _apply_payment(
        self, loan: Loan, payer: Member, payment: rules.Payment, from_account: int, memo: str
    ) -> None:
        self.session.add(
            Repayment(
                loan_id=loan.id,
                meeting_id=self.meeting.id,
                payer_id=payer.id,
                paid_on=self.on,
                penalty=payment.penalty,
                charge=payment.charge,
                principal=payment.principal,
            )
        )
        self._forget_position(loan)
        borrower = self.session.get(Member, loan.member_id)
        assert borrower is not None
        self._entry(
            memo,
            [(from_account, payment.total)],
            [
                (self.book.loan_of(borrower), payment.principal),
                (self.book.ids["charges"], payment.charge),
                (self.book.ids["penalties"], payment.penalty),
            ],
        )

    def record_fine(self, member_id: int, fine_type: str, amount: int) -> None:
        """Record a fine paid in cash."""
        self._member(member_id)
        if fine_type not in self.constitution.fines:
            raise UnknownFineType(f"The constitution has no fine {fine_type!r}")
        self._non_negative(amount, "fine")
        if not amount:
            return
        self.session.add(
            Fine(
                meeting_id=self.meeting.id, member_id=member_id, fine_type=fine_type, amount=amount
            )
        )
        self._entry("fine", [(self.book.ids["cash"], amount)], [(self.book.ids["fines"], amount)])
        self.cash += amount

    def recover_from_guarantors(self, loan_id: int) -> None:
        """Recover a loan's arrears from its guarantors' pledged savings."""
        loan = self._open_loan(loan_id)
        position = self._position(loan)
        arrears = position.overdue_principal + position.overdue_charge + position.penalty_due
        held = queries.held_by_guarantee(self.session, [loan], {loan.id: position})
        available = {
            g.guarantor_id: min(
                held[(loan.id, g.guarantor_id)], self._savings_now(self._member(g.guarantor_id))
            )
            for g in loan.guarantees
        }
        split = rules.recovery_split(arrears, available)
        if not any(split.values()):
            raise NothingToRecover(f"Loan {loan_id} has no arrears its guarantors can cover")
        for guarantor_id, amount in split.items():
            if not amount:
                continue
            guarantor = self._member(guarantor_id)
            position = self._position(loan)
            payment = rules.split_repayment(
                amount, position, self.constitution.repayment_order, self.on
            )
            self._apply_payment(
                loan, guarantor, payment, self.book.savings_of(guarantor), "guarantor recovery"
            )
            self._pending_savings[guarantor_id] = (
                self._pending_savings.get(guarantor_id, 0) - amount
            )

    def write_off(self, loan_id: int, reason: str) -> None:
        """Write off a loan's outstanding principal by decision of the meeting."""
        loan = self._open_loan(loan_id)
        outstanding = queries.principal_outstanding(self.session, loan)
        borrower = self.session.get(Member, loan.member_id)
        assert borrower is not None
        self._event(loan, "written_off", outstanding, note=reason)
        del self._loans[loan.id]
        self._forget_position(loan)
        self._entry(
            "write-off",
            [(self.book.ids["write_offs"], outstanding)],
            [(self.book.loan_of(borrower), outstanding)],
        )

    # -- new loans -----------------------------------------------------------------------

    def disburse(self, request: NewLoan) -> None:
        """Grant a loan within the cap, with guarantors who have unpledged savings."""
        c = self.constitution
        borrower = self._member(request.borrower_id)
        if request.amount <= 0:
            raise NegativeAmount(f"Loan amount must be positive: {request.amount}")
        if request.term_months < 1:
            raise LoanTermTooShort(f"Term {request.term_months} is under one month")
        if request.term_months > c.max_term_months:
            raise LoanTermTooLong(f"Term {request.term_months} exceeds {c.max_term_months} months")
        if self._open_loans_of(borrower):
            raise MemberHasOpenLoan(f"{named(borrower)} already has an open loan")
        cap = rules.loan_cap(self._savings_now(borrower), c.loan_multiple, self.cash)
        if request.amount > cap:
            raise LoanExceedsCap(f"Loan {request.amount} exceeds the cap {cap}")
        self._check_guarantors(request)
        loan = self._create_loan(request)
        self._entry(
            "loan",
            [(self.book.loan_of(borrower), loan.principal)],
            [
                (self.book.ids["cash"], loan.principal - loan.fee),
                (self.book.ids["charges"], loan.fee),
            ],
        )
        self.cash -= loan.principal - loan.fee

    def _check_guarantors(self, request: NewLoan) -> None:
        # Earlier loans of this meeting are flushed, so pledges_held counts their pledges.
        pledged_here: dict[int, int] = {}
        for pledge in request.guarantors:
            with about_member(pledge.guarantor_id):
                self._check_pledge(request, pledge, pledged_here)

    def _check_pledge(self, request: NewLoan, pledge: Pledge, pledged_here: dict[int, int]) -> None:
        """Refuse a pledge by the borrower, or beyond the guarantor's unpledged savings."""
        guarantor = self._member(pledge.guarantor_id)
        if guarantor.id == request.borrower_id:
            raise GuarantorIsBorrower("A borrower cannot guarantee her own loan")
        if pledge.amount <= 0:
            raise NegativeAmount(f"A pledge must be positive: {pledge.amount}")
        free = (
            self._savings_now(guarantor)
            - queries.pledges_held(self.session, self.book.fund_id, guarantor.id)
            - pledged_here.get(guarantor.id, 0)
        )
        if pledge.amount > free:
            raise GuarantorLacksSavings(
                f"{named(guarantor)} has {free} unpledged savings, pledges {pledge.amount}"
            )
        pledged_here[guarantor.id] = pledged_here.get(guarantor.id, 0) + pledge.amount

    def _create_loan(self, request: NewLoan) -> Loan:
        c = self.constitution
        fee = rules.upfront_fee(request.amount, c.charge_method, c.charge_rate)
        loan = Loan(
            fund_id=self.book.fund_id,
            cycle_id=self.cycle.id,
            member_id=request.borrower_id,
            meeting_id=self.meeting.id,
            principal=request.amount,
            fee=fee,
            term_months=request.term_months,
            charge_method=c.charge_method.value,
            charge_rate=str(c.charge_rate),
            purpose=request.purpose,
            disbursed_on=self.on,
        )
        self.session.add(loan)
        self.session.flush()
        due = rules.instalment_due_dates(self.on, request.term_months, c.frequency, c.meeting_day)
        for i in rules.loan_schedule(request.amount, c.charge_method, c.charge_rate, due):
            self.session.add(
                Instalment(
                    loan_id=loan.id,
                    number=i.number,
                    due_on=i.due,
                    principal=i.principal,
                    charge=i.charge,
                )
            )
        for pledge in request.guarantors:
            self.session.add(
                Guarantee(loan_id=loan.id, guarantor_id=pledge.guarantor_id, pledge=pledge.amount)
            )
        self._event(loan, "active")
        self._loans[loan.id] = loan
        return loan

    # -- social fund, income, expenses ---------------------------------------------------

    def grant(self, member_id: int, amount: int, reason: str) -> None:
        """Pay a social-fund grant to a member."""
        self._member(member_id)
        if amount <= 0:
            raise NegativeAmount(f"A grant must be positive: {amount}")
        if amount > self.social_cash:
            raise InsufficientSocialFund(f"Social fund holds {self.social_cash}, grant {amount}")
        self.session.add(
            CashMovement(
                meeting_id=self.meeting.id,
                kind="grant",
                member_id=member_id,
                amount=amount,
                memo=reason,
            )
        )
        self._entry(
            "grant", [(self.book.ids["social"], amount)], [(self.book.ids["social_cash"], amount)]
        )
        self.social_cash -= amount

    def cash_item(self, kind: str, amount: int, memo: str) -> None:
        """Record other income or an expense of the loan fund."""
        if amount <= 0:
            raise NegativeAmount(f"Amount must be positive: {amount}")
        if kind == "expense" and amount > self.cash:
            raise InsufficientCash(f"Cash is {self.cash}, expense {amount}")
        self.session.add(
            CashMovement(meeting_id=self.meeting.id, kind=kind, amount=amount, memo=memo)
        )
        cash, other = (
            self.book.ids["cash"],
            self.book.ids["other_income" if kind == "income" else "expenses"],
        )
        if kind == "income":
            self._entry("other income", [(cash, amount)], [(other, amount)])
            self.cash += amount
        else:
            self._entry("expense", [(other, amount)], [(cash, amount)])
            self.cash -= amount

    # -- leavers -------------------------------------------------------------------------

    def settle_leaver(self, member_id: int) -> None:
        """Pay a leaver her savings (and profit to date, if the constitution says) less debts."""
        member = self._member(member_id)
        if queries.guarantees_on_open_loans(self.session, self.book.fund_id, member.id):
            raise MemberHasGuarantees(f"{named(member)} guarantees an open loan; replace her first")
        savings = self._savings_now(member)
        profit = self._profit_to_date(savings) if self.constitution.leaver_gets_profit else 0
        owed_loans = self._open_loans_of(member)
        owed = sum(self._position(loan).max_payment for loan in owed_loans)
        paid = savings + profit - owed
        if paid < 0:
            raise MemberHasOpenLoan(
                f"{named(member)} owes {owed}, more than her {savings + profit}"
            )
        if paid > self.cash:
            raise InsufficientCash(f"Cash is {self.cash}, her settlement {paid}")
        for loan in owed_loans:
            position = self._position(loan)
            payment = rules.split_repayment(
                position.max_payment, position, self.constitution.repayment_order, self.on
            )
            self._apply_payment(
                loan, member, payment, self.book.savings_of(member), "netted on leaving"
            )
        if paid or profit:
            self._entry(
                "leaving",
                [
                    (self.book.savings_of(member), max(savings - owed, 0)),
                    (self.book.ids["surplus"], max(profit, 0)),
                ],
                [
                    (self.book.ids["cash"], paid),
                    (self.book.ids["surplus"], max(-profit, 0)),
                    (self.book.savings_of(member), max(owed - savings, 0)),
                ],
            )
        self.cash -= paid
        self._pending_savings[member.id] = self._pending_savings.get(member.id, 0) - savings
        self.session.add(
            MemberExit(
                member_id=member.id,
                meeting_id=self.meeting.id,
                savings=savings,
                profit=profit,
                owed=owed,
                paid=paid,
            )
        )
        member.status, member.left_on = "left", self.on
        self.session.flush()

    def _profit_to_date(self, savings: int) -> int:
        """Return a member's share of the loan fund's surplus to date, in proportion to savings."""
        total_savings = sum(self._savings_now(m) for m in self.members.values())
        if not total_savings:
            return 0
        receivables = sum(
            queries.principal_outstanding(self.session, loan)
            for loan in queries.open_loans(self.session, self.book.fund_id)
        )
        worth = self.cash + receivables
        return worth * savings // total_savings - savings

    # -- statuses ------------------------------------------------------------------------

    def update_loan_statuses(self) -> None:
        """Record each open loan's status change: in arrears, back to active, or repaid."""
        loans = list(self._loans.values())
        # In bulk: a status event changes neither a position nor another loan's status.
        positions = queries.positions_of(self.session, loans, self.on)
        statuses = queries.loan_statuses(self.session, [loan.id for loan in loans])
        for loan in loans:
            position, current = positions[loan.id], statuses[loan.id]
            if position.repaid:
                new = "repaid"
            elif position.days_late > 0:
                new = "in_arrears"
            else:
                new = "active"
            if new != current:
                self._event(loan, new)


def named(member: Member) -> str:
    """Return how messages name a member: her name and her number in the fund's register."""
    return f"{member.name} (no. {member.number})"


def _unpaid_of(
    instalment: rules.Instalment,
    position: rules.LoanPosition,
    schedule: tuple[rules.Instalment, ...],
) -> int:
    """Return how much of an instalment is still unpaid, given what has been paid oldest-first."""
    paid_principal = sum(i.principal for i in schedule) - position.principal_outstanding
    before = sum(i.principal for i in schedule if i.number < instalment.number)
    principal_unpaid = max(
        0, min(instalment.principal, before + instalment.principal - paid_principal)
    )
    return principal_unpaid
