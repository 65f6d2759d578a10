"""The loan schedule (جدول اقساط) of one loan: instalments, payments, guarantors, what is owed.

Invariants: Σ instalment principal = the loan's principal; each instalment's
``paid`` columns apply the loan's payments oldest instalment first (as
``groups.savings.rules.loan_position`` does); the guarantors' ``held`` is the part
of their pledge still held as of the document's day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.savings import queries, rules
from groups.savings.models import Meeting, Repayment
from reports import fundfacts, persian
from reports.document import Column, Heading, Table, column_sums

CHARGE_METHODS_FA = {
    "flat_monthly": "ماهانه ثابت بر اصل وام",
    "declining_monthly": "ماهانه بر مانده وام",
    "annuity": "اقساط مساوی، کارمزد بر مانده وام",
    "upfront_fee": "کارمزد یک‌جا هنگام پرداخت",
    "none": "بدون کارمزد",
}


@dataclass(frozen=True)
class LoanSchedule:
    """A loan's schedule as of a day, with its payments and guarantors; amounts in rials."""

    heading: Heading
    loan_id: int
    borrower: str
    principal: int
    fee: int
    disbursed_on: date
    status: str
    instalments: tuple[tuple[int, date, int, int, int, int, int], ...]
    payments: tuple[tuple[date, str, int, int, int, int], ...]
    guarantors: tuple[tuple[str, int, int], ...]
    position: rules.LoanPosition
    template: str = "loan.html"

    @property
    def signing_guarantors(self) -> list[tuple[str, str]]:
        """Return a signature line (role, name) for each guarantor."""
        return [("ضامن", name) for name, _, _ in self.guarantors]

    def instalment_table(self) -> Table:
        """Return the instalments with what was paid on each."""
        columns = (
            Column("number", "قسط", "no.", "count"),
            Column("due", "سررسید", "due", "date"),
            Column("principal", "اصل", "principal", "money"),
            Column("charge", "کارمزد", "charge", "money"),
            Column("total", "جمع قسط", "instalment", "money"),
            Column("paid", "پرداخت‌شده", "paid", "money"),
            Column("left", "مانده", "left", "money"),
        )
        sums = column_sums(self.instalments, range(2, 7))
        return Table(
            "schedule",
            "اقساط",
            "instalments",
            columns,
            self.instalments,
            ("جمع", None, *sums),
        )

    def payment_table(self) -> Table:
        """Return the payments made on the loan, by the borrower or from a guarantor."""
        columns = (
            Column("on", "تاریخ", "date", "date"),
            Column("payer", "پرداخت‌کننده", "paid by"),
            Column("principal", "اصل", "principal", "money"),
            Column("charge", "کارمزد", "charge", "money"),
            Column("penalty", "دیرکرد", "penalty", "money"),
            Column("total", "جمع", "total", "money"),
        )
        sums = column_sums(self.payments, range(2, 6))
        return Table(
            "payments", "پرداخت‌ها", "payments", columns, self.payments, ("جمع", None, *sums)
        )

    def guarantor_table(self) -> Table:
        """Return the guarantors with their pledge and the part still held."""
        columns = (
            Column("name", "ضامن", "guarantor"),
            Column("pledge", "مبلغ ضمانت", "pledge", "money"),
            Column("held", "در گرو", "still held", "money"),
        )
        return Table("guarantors", "ضامنان", "guarantors", columns, self.guarantors)

    def tables(self) -> list[Table]:
        """Return the instalments, payments and guarantors."""
        return [self.instalment_table(), self.payment_table(), self.guarantor_table()]


def loan_schedule(
    session: Session, fund_id: int, loan_id: int, as_of: date | None = None
) -> LoanSchedule:
    """Return the schedule of a loan of the fund as of a day (default: the last meeting)."""
    loan = queries.loan_of(session, fund_id, loan_id)
    if as_of is None:
        last = queries.last_meeting(session, fund_id)
        as_of = last.date if last else loan.disbursed_on
    info = fundfacts.fund_info(session, fund_id, loan.disbursed_on)
    names = {m.id: m.name for m in fundfacts.members_of(session, fund_id)}
    position = queries.positions_of(session, [loan], as_of)[loan.id]
    held = queries.held_by_guarantee(session, [loan], {loan.id: position}, as_of)
    schedule = queries.schedule_of(loan)
    payments = [p for p in queries.payments_of(session, loan.id) if p.on <= as_of]
    status = fundfacts.statuses_on(session, [loan.id], as_of)[loan.id]
    heading = Heading(
        "جدول اقساط وام",
        "loan schedule",
        info.name,
        info.village,
        None,
        as_of,
        info.unit,
        facts=(
            ("وام‌گیرنده", names.get(loan.member_id, "")),
            ("مبلغ وام", persian.format_money(loan.principal, info.unit)),
            ("تاریخ پرداخت", persian.to_jalali(loan.disbursed_on)),
            ("مدت", f"{persian.persian_digits(loan.term_months)} ماه"),
            ("کارمزد", _charge_text(loan.charge_method, loan.charge_rate)),
            ("وضعیت", fundfacts.STATUS_FA.get(status, status)),
        ),
    )
    return LoanSchedule(
        heading,
        loan.id,
        names.get(loan.member_id, ""),
        loan.principal,
        loan.fee,
        loan.disbursed_on,
        status,
        _instalment_rows(schedule, payments),
        _payment_rows(session, loan.id, names, as_of),
        tuple(
            (
                names.get(g.guarantor_id, ""),
                g.pledge,
                held[(loan.id, g.guarantor_id)] if status not in queries.FINISHED else 0,
            )
            for g in loan.guarantees
        ),
        position,
    )


def _charge_text(method: str, rate: str) -> str:
    percent = persian.format_percent(Decimal(rate), 1)
    return f"{CHARGE_METHODS_FA.get(method, method)} {percent if method != 'none' else ''}".strip()


def _instalment_rows(
    schedule: tuple[rules.Instalment, ...], payments: list[rules.Payment]
) -> tuple[tuple[int, date, int, int, int, int, int], ...]:
    """Return (number, due, principal, charge, total, paid, left) with payments applied in order."""
    principal_paid = sum(p.principal for p in payments)
    charge_paid = sum(p.charge for p in payments)
    rows = []
    for i in schedule:
        on_principal = min(i.principal, principal_paid)
        on_charge = min(i.charge, charge_paid)
        principal_paid -= on_principal
        charge_paid -= on_charge
        paid = on_principal + on_charge
        rows.append((i.number, i.due, i.principal, i.charge, i.total, paid, i.total - paid))
    return tuple(rows)


def _payment_rows(
    session: Session, loan_id: int, names: dict[int, str], as_of: date
) -> tuple[tuple[date, str, int, int, int, int], ...]:
    query = (
        select(Repayment)
        .join(Meeting, Meeting.id == Repayment.meeting_id)
        .where(Repayment.loan_id == loan_id, queries.CLOSED, Repayment.paid_on <= as_of)
        .order_by(Repayment.paid_on, Repayment.id)
    )
    return tuple(
        (r.paid_on, names.get(r.payer_id, ""), r.principal, r.charge, r.penalty, r.total)
        for r in session.scalars(query)
    )
