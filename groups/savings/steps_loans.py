"""Planning steps of a meeting about loans: late penalties, repayments, recoveries from
guarantors, write-offs, new loans and the loans' statuses. Each checks, then changes the
``Draft`` (pure)."""

from __future__ import annotations

from groups.savings import rules
from groups.savings.commands import NewLoan, Pledge
from groups.savings.draft import Draft, non_negative, positive
from groups.savings.errors import (
    GuarantorIsBorrower,
    GuarantorLacksSavings,
    LoanExceedsCap,
    LoanTermTooLong,
    LoanTermTooShort,
    MemberHasOpenLoan,
    NothingToRecover,
    OverPayment,
    UnknownLoan,
)
from groups.savings.planned import PlannedEvent, PlannedLoan
from groups.savings.state import LoanState
from groups.savings.states import LoanStatus, move
from groups.savings.steps_members import once


def plan_penalties(draft: Draft) -> None:
    """Assess the constitution's late penalty once for each instalment now overdue."""
    c = draft.constitution
    if c.penalty_kind is rules.PenaltyKind.NONE:
        return
    for loan in list(draft.loans.values()):
        for instalment in loan.schedule:
            current = draft.loans[loan.id]
            if instalment.due >= draft.on or instalment.number in loan.penalised:
                continue
            overdue = unpaid_principal(instalment, draft.position(current), loan.schedule)
            amount = rules.late_penalty(c.penalty_kind, c.penalty_amount, c.penalty_rate, overdue)
            if amount:
                draft.assess(current, amount, instalment.number)


def unpaid_principal(
    instalment: rules.Instalment,
    position: rules.LoanPosition,
    schedule: tuple[rules.Instalment, ...],
) -> int:
    """Return how much of an instalment's principal is unpaid, paid oldest first."""
    paid_principal = sum(i.principal for i in schedule) - position.principal_outstanding
    before = sum(i.principal for i in schedule if i.number < instalment.number)
    return max(0, min(instalment.principal, before + instalment.principal - paid_principal))


def plan_repayment(draft: Draft, member_id: int, loan_id: int, amount: int) -> None:
    """Plan a borrower's payment, split in the constitution's order (penalty, charge, principal)."""
    non_negative(amount, "repayment")
    if not amount:
        return
    member = draft.member(member_id)
    loan = draft.open_loan(loan_id)
    if loan.member_id != member_id:
        raise UnknownLoan(f"Loan {loan_id} is not {member.named}'s", loan_id=loan_id)
    position = draft.position(loan)
    if amount > position.max_payment:
        raise OverPayment(
            f"Payment {amount} exceeds the {position.max_payment} owed",
            loan_id=loan_id,
            bound=position.max_payment,
        )
    payment = rules.split_repayment(amount, position, draft.constitution.repayment_order, draft.on)
    draft.pay(loan, member_id, payment, "cash", "repayment")
    draft.cash += amount


def plan_recovery(draft: Draft, loan_id: int) -> None:
    """Plan recovering a loan's arrears from its guarantors' pledged savings."""
    loan = draft.open_loan(loan_id)
    position = draft.position(loan)
    arrears = position.overdue_principal + position.overdue_charge + position.penalty_due
    outstanding = position.principal_outstanding
    available = {
        g: min(loan.held_for(g, pledge, outstanding), draft.savings_now(draft.member(g).id))
        for g, pledge in loan.guarantees
    }
    split = rules.recovery_split(arrears, available)
    if not any(split.values()):
        raise NothingToRecover(
            f"Loan {loan_id} has no arrears its guarantors can cover", bound=arrears
        )
    for guarantor_id, amount in split.items():
        if amount:
            current = draft.loans[loan.id]
            payment = recovery_payment(draft, current, amount)
            draft.pay(
                current, guarantor_id, payment, ("savings", guarantor_id), "guarantor recovery"
            )
            draft.change_savings(guarantor_id, -amount)


def recovery_payment(draft: Draft, loan: LoanState, amount: int) -> rules.Payment:
    """Split a recovery: overdue first, oldest first (or along the repayment order)."""
    c, position = draft.constitution, draft.position(loan)
    if c.recovery_order is rules.RecoveryOrder.REPAYMENT_ORDER:
        return rules.split_repayment(amount, position, c.repayment_order, draft.on)
    payments = [p.payment for p in loan.paid]
    late = rules.late_instalments(loan.schedule, payments, draft.on)
    return rules.split_recovery(amount, position, late, c.repayment_order, draft.on)


def plan_write_off(draft: Draft, loan_id: int, reason: str) -> None:
    """Plan writing off a loan's outstanding principal by decision of the meeting."""
    loan = draft.open_loan(loan_id)
    outstanding = loan.principal_outstanding
    move(loan.status, LoanStatus.WRITTEN_OFF)
    draft.events.append(PlannedEvent(loan.id, "written_off", outstanding, note=reason))
    draft.finish(loan, LoanStatus.WRITTEN_OFF)
    draft.entry(
        "write-off", [("write_offs", outstanding)], [(("loans", loan.member_id), outstanding)]
    )


def plan_loan(draft: Draft, index: int, request: NewLoan) -> None:
    """Plan a loan within the cap, with guarantors who have unpledged savings."""
    c, where = draft.constitution, f"new_loans.{index}"
    before = len(draft.violations)
    borrower = request.borrower_id
    with draft.checking(f"{where}.borrower", member_id=borrower):
        draft.member(borrower)
    with draft.checking(f"{where}.amount", member_id=borrower):
        positive(request.amount, f"Loan amount must be positive: {request.amount}")
    with draft.checking(f"{where}.term_months", member_id=borrower):
        check_term(request.term_months, c.max_term_months)
    if borrower in draft.state.members:
        with draft.checking(f"{where}.borrower", member_id=borrower):
            if draft.loans_of(borrower) or any(n.borrower_id == borrower for n in draft.new_loans):
                named = draft.state.members[borrower].named
                raise MemberHasOpenLoan(f"{named} already has an open loan")
    if len(draft.violations) == before:
        with draft.checking(f"{where}.amount", member_id=borrower):
            cap = rules.loan_cap(draft.savings_now(borrower), c.loan_multiple, draft.cash)
            if request.amount > cap:
                raise LoanExceedsCap(f"Loan {request.amount} exceeds the cap {cap}", bound=cap)
    pledged_here: dict[int, int] = {}
    guarantors: set[int] = set()
    for j, pledge in enumerate(request.guarantors):
        with draft.checking(f"{where}.guarantors.{j}", member_id=pledge.guarantor_id):
            guarantor = draft.member(pledge.guarantor_id)
            once(guarantor.id, guarantors, guarantor.named)
            check_pledge(draft, request, pledge, pledged_here)
    if len(draft.violations) == before:
        disburse(draft, request)


def check_term(term: int, longest: int) -> None:
    """Refuse a term under one month or over the constitution's longest."""
    if term < 1:
        raise LoanTermTooShort(f"Term {term} is under one month", bound=1)
    if term > longest:
        raise LoanTermTooLong(f"Term {term} exceeds {longest} months", bound=longest)


def check_pledge(
    draft: Draft, request: NewLoan, pledge: Pledge, pledged_here: dict[int, int]
) -> None:
    """Refuse a pledge by the borrower, or beyond the guarantor's unpledged savings."""
    guarantor = draft.member(pledge.guarantor_id)
    if guarantor.id == request.borrower_id:
        raise GuarantorIsBorrower("A borrower cannot guarantee her own loan")
    positive(pledge.amount, f"A pledge must be positive: {pledge.amount}")
    free = (
        draft.savings_now(guarantor.id)
        - pledges_held(draft, guarantor.id)
        - pledged_here.get(guarantor.id, 0)
    )
    if pledge.amount > free:
        raise GuarantorLacksSavings(
            f"{guarantor.named} has {free} unpledged savings, pledges {pledge.amount}",
            bound=free,
        )
    pledged_here[guarantor.id] = pledged_here.get(guarantor.id, 0) + pledge.amount


def pledges_held(draft: Draft, guarantor_id: int) -> int:
    """Return how much of her savings her pledges on open loans hold (loans granted here too)."""
    held = sum(
        loan.held_for(g, pledge)
        for loan in draft.loans.values()
        for g, pledge in loan.guarantees
        if g == guarantor_id
    )
    return held + sum(
        pledge for loan in draft.new_loans for g, pledge in loan.guarantees if g == guarantor_id
    )


def disburse(draft: Draft, request: NewLoan) -> None:
    """Plan the loan's rows (schedule, pledges) and its entry; the fee stays in the fund."""
    c = draft.constitution
    fee = rules.upfront_fee(request.amount, c.charge_method, c.charge_rate)
    loan = PlannedLoan(
        borrower_id=request.borrower_id,
        principal=request.amount,
        fee=fee,
        term_months=request.term_months,
        charge_method=c.charge_method,
        charge_rate=c.charge_rate,
        purpose=request.purpose,
        schedule=rules.loan_instalments(c, request.amount, draft.on, request.term_months),
        guarantees=tuple((p.guarantor_id, p.amount) for p in request.guarantors),
    )
    draft.new_loans.append(loan)
    draft.entry(
        "loan",
        [(("loans", request.borrower_id), request.amount)],
        [("cash", request.amount - fee), ("charges", fee)],
    )
    draft.cash -= request.amount - fee


def plan_statuses(draft: Draft) -> None:
    """Plan each open loan's change of status: in arrears, back to active, or repaid."""
    for loan in draft.loans.values():
        position = draft.position(loan)
        if position.repaid:
            new = LoanStatus.REPAID
        elif position.days_late > 0:
            new = LoanStatus.IN_ARREARS
        else:
            new = LoanStatus.ACTIVE
        if new is not loan.status:
            draft.events.append(PlannedEvent(loan.id, move(loan.status, new)))
