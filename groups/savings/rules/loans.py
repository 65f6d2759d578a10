"""Loan schedules, what a borrower owes, repayments, penalties and guarantees (pure)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from groups.savings.errors import (
    LoanTermTooShort,
    NegativeAmount,
    OverPayment,
)
from groups.savings.rules.constitution import ChargeMethod, Component, PenaltyKind
from ledger.money import allocate, apply_rate

# -- loans ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instalment:
    """One instalment of a loan: principal and service charge due on a date."""

    number: int
    due: date
    principal: int
    charge: int

    @property
    def total(self) -> int:
        """Return principal plus charge."""
        return self.principal + self.charge


def upfront_fee(principal: int, method: ChargeMethod, rate: Decimal) -> int:
    """Return the fee kept at disbursement: principal × rate (half up) if UPFRONT_FEE, else 0."""
    if method != ChargeMethod.UPFRONT_FEE:
        return 0
    return apply_rate(principal, rate, ROUND_HALF_UP)


def principal_parts(principal: int, count: int) -> list[int]:
    """Return ``count`` equal parts of the principal, the remainder on the last one."""
    base = principal // count
    return [base] * (count - 1) + [principal - base * (count - 1)]


def _instalment_charge(
    method: ChargeMethod, rate: Decimal, principal: int, outstanding: int
) -> int:
    """Return one instalment's charge: on the principal (flat) or the balance (declining,
    annuity)."""
    if method == ChargeMethod.FLAT_MONTHLY:
        return apply_rate(principal, rate, ROUND_HALF_UP)
    if method in (ChargeMethod.DECLINING_MONTHLY, ChargeMethod.ANNUITY):
        return apply_rate(outstanding, rate, ROUND_HALF_UP)
    return 0


def round_to_unit(amount: Fraction | Decimal | int, unit: int) -> int:
    """Return the amount rounded half up to a multiple of ``unit`` rials."""
    units = Fraction(amount) / unit
    whole = math.floor(units)
    return (whole + (1 if units - whole >= Fraction(1, 2) else 0)) * unit


def annuity_payment(principal: int, rate: Decimal, count: int) -> Fraction:
    """Return the exact equal instalment P·r ÷ (1 − (1 + r)^−n) (P ÷ n when r = 0)."""
    if not rate:
        return Fraction(principal, count)
    r = Fraction(rate)
    return principal * r / (1 - (1 + r) ** -count)


def _target_total(
    method: ChargeMethod, principal: int, rate: Decimal, count: int, charge: int
) -> Fraction:
    """Return what an instalment (not the last) would be before rounding to the unit."""
    if method == ChargeMethod.ANNUITY:
        return annuity_payment(principal, rate, count)
    return Fraction(principal // count + charge)


def loan_schedule(
    principal: int,
    method: ChargeMethod,
    rate: Decimal,
    due_dates: Sequence[date],
    unit: int = 1,
    flat_base: int | None = None,
) -> tuple[Instalment, ...]:
    """Return the instalments of a loan, one per due date; Σ principal = principal.

    Each instalment but the last is principal + charge rounded half up to a multiple of
    ``unit`` (its principal takes the rounding, its charge is exact); the last takes the
    principal left. Equal principal (flat, declining, upfront fee, none) or equal
    instalments (annuity: P·r ÷ (1 − (1 + r)^−n), the charge on the balance). A flat
    charge is on ``flat_base`` when given (a loan from paper: the principal as lent).
    """
    if principal <= 0:
        raise NegativeAmount(
            f"A loan's principal must be positive, got {principal}",
            message_fa="مبلغ وام باید بیشتر از صفر باشد.",
        )
    if not due_dates:
        raise LoanTermTooShort("A loan needs at least one instalment")
    count, outstanding, instalments = len(due_dates), principal, []
    for number, due in enumerate(due_dates, start=1):
        charge = _instalment_charge(method, rate, flat_base or principal, outstanding)
        if number == count:
            part = outstanding
        else:
            total = round_to_unit(_target_total(method, principal, rate, count, charge), unit)
            part = min(max(total - charge, 0), outstanding)
        instalments.append(Instalment(number, due, part, charge))
        outstanding -= part
    return tuple(instalments)


def loan_cap(savings: int, multiple: int, loan_fund_cash: int) -> int:
    """Return the largest loan a member may take: min(k × savings, cash), never negative."""
    return max(0, min(multiple * savings, loan_fund_cash))


@dataclass(frozen=True)
class Payment:
    """What one repayment settled, by component."""

    on: date
    penalty: int = 0
    charge: int = 0
    principal: int = 0

    @property
    def total(self) -> int:
        """Return the whole amount paid."""
        return self.penalty + self.charge + self.principal


@dataclass(frozen=True)
class LoanPosition:
    """What a borrower owes on a loan on a given day.

    ``*_due`` is owed now (instalments due on or before the day, less what was
    paid); ``overdue_*`` comes from instalments due strictly before the day.
    """

    principal_outstanding: int
    charge_due: int
    penalty_due: int
    overdue_principal: int
    overdue_charge: int
    #: Days since the oldest late instalment fell due; 0 when none is late.
    days_late: int
    #: The first instalment not fully paid, with the amounts still to pay on it.
    next_due: Instalment | None
    #: Principal of instalments due on or before the day and not yet paid.
    principal_due: int = 0

    @property
    def payable_now(self) -> int:
        """Return what is owed today: penalties, charges and principal due."""
        return self.penalty_due + self.charge_due + self.principal_due

    @property
    def max_payment(self) -> int:
        """Return the most she may pay today: everything due plus all principal (prepayment)."""
        return self.penalty_due + self.charge_due + self.principal_outstanding

    @property
    def repaid(self) -> bool:
        """Return whether nothing is left to pay."""
        return self.principal_outstanding == 0 and self.charge_due == 0 and self.penalty_due == 0


def _unpaid(owed: int, paid: int) -> int:
    """Return what is left of an amount owed after payments, never negative."""
    return max(0, owed - paid)


def _remaining(
    schedule: Sequence[Instalment], paid_principal: int, paid_charge: int
) -> list[Instalment]:
    """Return the instalments with what is left to pay on each, payments applied oldest first."""
    left, principal_before, charge_before = [], 0, 0
    for i in schedule:
        principal = min(i.principal, _unpaid(principal_before + i.principal, paid_principal))
        charge = min(i.charge, _unpaid(charge_before + i.charge, paid_charge))
        left.append(Instalment(i.number, i.due, principal, charge))
        principal_before, charge_before = principal_before + i.principal, charge_before + i.charge
    return left


def _principal_repaid_on(
    schedule: Sequence[Instalment], payments: Sequence[Payment]
) -> date | None:
    """Return the day the last of the principal was repaid, or None if some is still owed."""
    owed, paid = sum(i.principal for i in schedule), 0
    for payment in sorted(payments, key=lambda p: p.on):
        paid += payment.principal
        if paid >= owed:
            return payment.on
    return None


def _waive_later_charges(
    schedule: Sequence[Instalment], payments: Sequence[Payment]
) -> list[Instalment]:
    """Return the schedule without the charges of instalments due after the principal was repaid."""
    repaid_on = _principal_repaid_on(schedule, payments)
    if repaid_on is None:
        return list(schedule)
    return [dataclasses.replace(i, charge=0) if i.due > repaid_on else i for i in schedule]


def loan_position(
    schedule: Sequence[Instalment], payments: Sequence[Payment], penalties: int, as_of: date
) -> LoanPosition:
    """Return what is owed on a loan on ``as_of``, given its payments and penalties assessed.

    Payments dated after ``as_of`` are ignored; ``penalties`` is the total assessed.
    """
    payments = [p for p in payments if p.on <= as_of]
    schedule = _waive_later_charges(schedule, payments)
    paid_principal = sum(p.principal for p in payments)
    paid_charge = sum(p.charge for p in payments)
    left = [i for i in _remaining(schedule, paid_principal, paid_charge) if i.total]
    due, late = [i for i in left if i.due <= as_of], [i for i in left if i.due < as_of]
    return LoanPosition(
        principal_outstanding=_unpaid(sum(i.principal for i in schedule), paid_principal),
        charge_due=sum(i.charge for i in due),
        penalty_due=_unpaid(penalties, sum(p.penalty for p in payments)),
        overdue_principal=sum(i.principal for i in late),
        overdue_charge=sum(i.charge for i in late),
        days_late=(as_of - late[0].due).days if late else 0,
        next_due=left[0] if left else None,
        principal_due=sum(i.principal for i in due),
    )


def check_repayment_order(order: Sequence[Component]) -> None:
    """Raise ValueError unless the order names each component exactly once."""
    if sorted(order) != sorted(Component):
        raise ValueError(f"A repayment order names each component once, got {list(order)}")


def _check_payment(amount: int, position: LoanPosition, order: Sequence[Component]) -> None:
    """Refuse a negative payment, one above ``position.max_payment``, or a wrong order."""
    if amount < 0:
        raise NegativeAmount(f"A repayment cannot be negative: {amount}")
    if amount > position.max_payment:
        raise OverPayment(f"Payment {amount} exceeds the {position.max_payment} owed")
    check_repayment_order(order)


def _fill(
    parts: dict[Component, int],
    left: int,
    order: Sequence[Component],
    owed: Mapping[Component, int],
) -> int:
    """Add to each part, along the order, what is left up to what is owed; return the rest."""
    for component in order:
        take = min(left, owed.get(component, 0))
        parts[component] += take
        left -= take
    return left


def _payment(on: date, parts: Mapping[Component, int]) -> Payment:
    return Payment(
        on, parts[Component.PENALTY], parts[Component.CHARGE], parts[Component.PRINCIPAL]
    )


def split_repayment(
    amount: int, position: LoanPosition, order: Sequence[Component], on: date
) -> Payment:
    """Split a repayment along the order: penalty due, charge due, then any principal.

    Principal may be prepaid up to all that is outstanding; more than
    ``position.max_payment`` raises OverPayment.
    """
    _check_payment(amount, position, order)
    owed = {
        Component.PENALTY: position.penalty_due,
        Component.CHARGE: position.charge_due,
        Component.PRINCIPAL: position.principal_outstanding,
    }
    parts = dict.fromkeys(Component, 0)
    _fill(parts, amount, order, owed)
    return _payment(on, parts)


def late_instalments(
    schedule: Sequence[Instalment], payments: Sequence[Payment], as_of: date
) -> list[Instalment]:
    """Return the instalments due strictly before the day, oldest first, with what is left
    to pay on each (payments applied oldest first, as ``loan_position`` does)."""
    payments = [p for p in payments if p.on <= as_of]
    schedule = _waive_later_charges(schedule, payments)
    paid_principal = sum(p.principal for p in payments)
    paid_charge = sum(p.charge for p in payments)
    left = _remaining(schedule, paid_principal, paid_charge)
    return [i for i in left if i.total and i.due < as_of]


def split_recovery(
    amount: int,
    position: LoanPosition,
    late: Sequence[Instalment],
    order: Sequence[Component],
    on: date,
) -> Payment:
    """Split a recovery so that it settles what is overdue first: the penalties, then each
    late instalment oldest first (its charge and principal in the repayment order), then
    what falls due today and any principal, along the order.

    ``late`` is ``late_instalments`` of the loan on the day. More than
    ``position.max_payment`` raises OverPayment.
    """
    _check_payment(amount, position, order)
    parts = dict.fromkeys(Component, 0)
    left = _fill(parts, amount, [Component.PENALTY], {Component.PENALTY: position.penalty_due})
    rest = [c for c in order if c is not Component.PENALTY]
    for i in late:
        left = _fill(
            parts, left, rest, {Component.CHARGE: i.charge, Component.PRINCIPAL: i.principal}
        )
    today = {
        Component.CHARGE: position.charge_due - parts[Component.CHARGE],
        Component.PRINCIPAL: position.principal_outstanding - parts[Component.PRINCIPAL],
    }
    _fill(parts, left, rest, today)
    return _payment(on, parts)


def late_penalty(kind: PenaltyKind, amount: int, rate: Decimal, overdue: int) -> int:
    """Return the penalty for one late instalment: fixed, a share of the overdue (half up), or 0."""
    if overdue <= 0 or kind == PenaltyKind.NONE:
        return 0
    if kind == PenaltyKind.FIXED:
        return amount
    return apply_rate(overdue, rate, ROUND_HALF_UP)


# -- guarantees ----------------------------------------------------------------------------


def pledge_held(
    pledge: int,
    principal: int,
    principal_outstanding: int,
    *,
    her_principal: int = 0,
    her_total: int = 0,
) -> int:
    """Return the part of a pledge still held.

    The pledge is released in proportion as the principal is repaid by others (rounded
    up), and used up by what the guarantor herself paid on the loan (``her_total``, of
    which ``her_principal`` was principal): she never pays more than she pledged.
    """
    if pledge <= 0 or principal <= 0:
        return 0
    outstanding = min(max(principal_outstanding + her_principal, 0), principal)
    return max(0, -(-pledge * outstanding // principal) - her_total)


def recovery_split(arrears: int, pledges_available: Mapping[int, int]) -> dict[int, int]:
    """Split arrears among guarantors in proportion to what each can give, each within it.

    The parts add up to min(arrears, Σ available) (largest remainder); since each
    part is at most the ceiling of its exact share, no one gives more than she has.
    """
    available = {member: max(0, amount) for member, amount in pledges_available.items()}
    total = min(max(arrears, 0), sum(available.values()))
    if total == 0:
        return dict.fromkeys(available, 0)
    return dict(zip(available, allocate(total, list(available.values())), strict=True))
