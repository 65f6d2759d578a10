"""Reading a fund's state: its cycle, meetings, loans and what each member owes or pledges.

Only rows of closed meetings count (see models.py on voiding). Money amounts
come from the ledger or are summed from repayments; nothing here writes.

The queries a meeting runs once per loan are built once, at import, with bound
parameters: building and cache-keying a SQLAlchemy statement costs more than SQLite
takes to run it. A loan's status is its latest status event, and ``open_loans``
filters on it in SQL (a correlated subquery) rather than asking loan by loan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import BindParameter, ColumnElement, ScalarSelect, bindparam, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from groups.savings import rules
from groups.savings.errors import NoOpenCycle, ShareOutAlreadyDone, UnknownLoan, UnknownMember
from groups.savings.models import (
    Cycle,
    Guarantee,
    Instalment,
    Loan,
    LoanEvent,
    Meeting,
    MeetingLine,
    Member,
    Repayment,
)
from groups.savings.reads import COUNTED

#: Only rows of meetings that count (closed, not voided): ``reads.COUNTED``.
CLOSED = COUNTED
#: Statuses of a loan that is no longer open.
FINISHED = ("repaid", "written_off")
#: A list of loan ids, for the queries of many loans at once.
_LOANS: BindParameter[int] = bindparam("loan_ids", expanding=True)


def open_cycle(session: Session, fund_id: int) -> Cycle:
    """Return the fund's open cycle (ShareOutAlreadyDone after a share-out, else NoOpenCycle)."""
    latest = session.scalars(
        select(Cycle).where(Cycle.fund_id == fund_id).order_by(Cycle.number.desc()).limit(1)
    ).one_or_none()
    if latest is None:
        raise NoOpenCycle(f"Fund {fund_id} has no cycle yet")
    if latest.status == "shared_out":
        raise ShareOutAlreadyDone(f"Cycle {latest.number} of fund {fund_id} is shared out")
    return latest


def constitution_of(cycle: Cycle) -> rules.Constitution:
    """Return the cycle's constitution as a value."""
    return rules.Constitution.from_dict(cycle.constitution)


def last_meeting(session: Session, fund_id: int, on: date | None = None) -> Meeting | None:
    """Return the fund's latest closed meeting (held on or before `on` if given), or None."""
    query = select(Meeting).where(Meeting.fund_id == fund_id, CLOSED)
    if on is not None:
        query = query.where(Meeting.date <= on)
    query = query.order_by(Meeting.date.desc(), Meeting.number.desc(), Meeting.id.desc())
    return session.scalars(query.limit(1)).first()


def member_of(session: Session, fund_id: int, member_id: int) -> Member:
    """Return the fund's member, or raise UnknownMember."""
    member = session.get(Member, member_id)
    if member is None or member.fund_id != fund_id:
        raise UnknownMember(f"Fund {fund_id} has no member {member_id}")
    return member


_LOAN = (
    select(Loan)
    .join(Meeting, Meeting.id == Loan.meeting_id)
    .where(Loan.id == bindparam("loan_id"), Loan.fund_id == bindparam("fund_id"), CLOSED)
)


def loan_of(session: Session, fund_id: int, loan_id: int) -> Loan:
    """Return a loan of the fund granted at a closed meeting, or raise UnknownLoan."""
    loan = session.scalars(_LOAN, {"loan_id": loan_id, "fund_id": fund_id}).one_or_none()
    if loan is None:
        raise UnknownLoan(f"Fund {fund_id} has no loan {loan_id}")
    return loan


def schedule_of(loan: Loan) -> tuple[rules.Instalment, ...]:
    """Return the loan's schedule as values."""
    return tuple(
        rules.Instalment(i.number, i.due_on, i.principal, i.charge) for i in loan.instalments
    )


_PAYMENTS = (
    select(Repayment.paid_on, Repayment.penalty, Repayment.charge, Repayment.principal)
    .join(Meeting, Meeting.id == Repayment.meeting_id)
    .where(Repayment.loan_id == bindparam("loan_id"), CLOSED)
    .order_by(Repayment.paid_on, Repayment.id)
)


def payments_of(session: Session, loan_id: int) -> list[rules.Payment]:
    """Return the repayments applied to a loan at closed meetings, oldest first."""
    rows = session.execute(_PAYMENTS, {"loan_id": loan_id})
    return [
        rules.Payment(on, penalty, charge, principal) for on, penalty, charge, principal in rows
    ]


_EVENT_TOTAL = (
    select(func.coalesce(func.sum(LoanEvent.amount), 0))
    .join(Meeting, Meeting.id == LoanEvent.meeting_id)
    .where(LoanEvent.loan_id == bindparam("loan_id"), LoanEvent.kind == bindparam("kind"), CLOSED)
)


def _event_total(session: Session, loan_id: int, kind: str) -> int:
    return int(session.scalar(_EVENT_TOTAL, {"loan_id": loan_id, "kind": kind}) or 0)


def penalties_assessed(session: Session, loan_id: int) -> int:
    """Return the late penalties assessed on a loan at closed meetings."""
    return _event_total(session, loan_id, "penalty")


_PENALISED = (
    select(LoanEvent.instalment_number)
    .join(Meeting, Meeting.id == LoanEvent.meeting_id)
    .where(LoanEvent.loan_id == bindparam("loan_id"), LoanEvent.kind == "penalty", CLOSED)
)


def penalised_instalments(session: Session, loan_id: int) -> set[int]:
    """Return the numbers of the instalments a late penalty was already assessed for."""
    return {n for n in session.scalars(_PENALISED, {"loan_id": loan_id}) if n is not None}


_PENALISED_OF_LOANS = (
    select(LoanEvent.loan_id, LoanEvent.instalment_number)
    .join(Meeting, Meeting.id == LoanEvent.meeting_id)
    .where(LoanEvent.loan_id.in_(_LOANS), LoanEvent.kind == "penalty", CLOSED)
)


def penalised_instalments_of(session: Session, loan_ids: Sequence[int]) -> dict[int, set[int]]:
    """Return penalised_instalments() of each loan that has any, by loan id, in one query."""
    done: dict[int, set[int]] = {}
    if loan_ids:
        for loan_id, number in session.execute(_PENALISED_OF_LOANS, {"loan_ids": list(loan_ids)}):
            if number is not None:
                done.setdefault(loan_id, set()).add(number)
    return done


_STATUS = (
    select(LoanEvent.kind)
    .join(Meeting, Meeting.id == LoanEvent.meeting_id)
    .where(LoanEvent.loan_id == bindparam("loan_id"), LoanEvent.kind != "penalty", CLOSED)
    .order_by(LoanEvent.id.desc())
    .limit(1)
)


def _status_of_loan() -> ColumnElement[str]:
    """Return loan_status() of the loan of the enclosing query, as a correlated subquery.

    It has its own alias of ``meetings``, so it correlates with the loan only.
    """
    meeting = aliased(Meeting)
    latest = (
        select(LoanEvent.kind)
        .join(meeting, meeting.id == LoanEvent.meeting_id)
        .where(LoanEvent.loan_id == Loan.id, LoanEvent.kind != "penalty")
        .where(meeting.status == "closed")
        .order_by(LoanEvent.id.desc())
        .limit(1)
        .correlate(Loan)
        .scalar_subquery()
    )
    return func.coalesce(latest, "active")


#: The status of the loan of the enclosing query (its latest status event at a closed meeting).
STATUS_OF_LOAN = _status_of_loan()
#: True for a loan of the enclosing query that is neither repaid nor written off.
_IS_OPEN = _status_of_loan().not_in(FINISHED)


def loan_status(session: Session, loan_id: int) -> str:
    """Return the loan's latest status: active, in_arrears, repaid or written_off."""
    return session.scalar(_STATUS, {"loan_id": loan_id}) or "active"


_STATUSES = select(Loan.id, _status_of_loan()).where(Loan.id.in_(_LOANS))


def loan_statuses(
    session: Session, loan_ids: Sequence[int], as_of: date | None = None
) -> dict[int, str]:
    """Return loan_status() of each loan, by loan id, in one query; as it stood on a day
    when ``as_of`` is given (its latest status event up to that day)."""
    if not loan_ids:
        return {}
    if as_of is None:
        rows = session.execute(_STATUSES, {"loan_ids": list(loan_ids)})
        return {loan_id: status for loan_id, status in rows}
    return _statuses_as_of(session, loan_ids, as_of)


def _statuses_as_of(session: Session, loan_ids: Sequence[int], as_of: date) -> dict[int, str]:
    query = (
        select(LoanEvent.loan_id, LoanEvent.kind)
        .join(Meeting, Meeting.id == LoanEvent.meeting_id)
        .where(
            LoanEvent.loan_id.in_(list(loan_ids)),
            LoanEvent.kind != "penalty",
            LoanEvent.on <= as_of,
            CLOSED,
        )
        .order_by(LoanEvent.loan_id, LoanEvent.id)
    )
    statuses: dict[int, str] = dict.fromkeys(loan_ids, "active")
    for loan_id, kind in session.execute(query):
        statuses[loan_id] = kind  # the last one up to the day wins
    return statuses


_SCHEDULE = (
    select(Instalment.number, Instalment.due_on, Instalment.principal, Instalment.charge)
    .where(Instalment.loan_id == bindparam("loan_id"))
    .order_by(Instalment.number)
)


def position_of(session: Session, loan: Loan, as_of: date) -> rules.LoanPosition:
    """Return what the borrower owes on a loan as of a date.

    The schedule is read as rows: the same as ``schedule_of(loan)``, without loading
    ``loan.instalments`` (which costs more than the query).
    """
    schedule = tuple(
        rules.Instalment(number, due, principal, charge)
        for number, due, principal, charge in session.execute(_SCHEDULE, {"loan_id": loan.id})
    )
    return rules.loan_position(
        schedule,
        payments_of(session, loan.id),
        penalties_assessed(session, loan.id),
        as_of,
    )


_SCHEDULES_OF_LOANS = (
    select(
        Instalment.loan_id,
        Instalment.number,
        Instalment.due_on,
        Instalment.principal,
        Instalment.charge,
    )
    .where(Instalment.loan_id.in_(_LOANS))
    .order_by(Instalment.loan_id, Instalment.number)
)
_PAYMENTS_OF_LOANS = (
    select(
        Repayment.loan_id,
        Repayment.paid_on,
        Repayment.penalty,
        Repayment.charge,
        Repayment.principal,
    )
    .join(Meeting, Meeting.id == Repayment.meeting_id)
    .where(Repayment.loan_id.in_(_LOANS), CLOSED)
    .order_by(Repayment.loan_id, Repayment.paid_on, Repayment.id)
)
_PENALTIES_OF_LOANS = (
    select(LoanEvent.loan_id, func.coalesce(func.sum(LoanEvent.amount), 0))
    .join(Meeting, Meeting.id == LoanEvent.meeting_id)
    .where(
        LoanEvent.loan_id.in_(_LOANS),
        LoanEvent.kind == "penalty",
        LoanEvent.on <= bindparam("as_of"),
        CLOSED,
    )
    .group_by(LoanEvent.loan_id)
)


def schedules_of(
    session: Session, loans: Sequence[Loan]
) -> dict[int, tuple[rules.Instalment, ...]]:
    """Return schedule_of() of each loan, by loan id, in one query."""
    return schedules_of_ids(session, [loan.id for loan in loans])


def schedules_of_ids(
    session: Session, loan_ids: Sequence[int]
) -> dict[int, tuple[rules.Instalment, ...]]:
    """Return the schedule of each loan, by loan id, in one query."""
    schedules: dict[int, list[rules.Instalment]] = {loan_id: [] for loan_id in loan_ids}
    if loan_ids:
        ids = {"loan_ids": list(schedules)}
        for loan_id, number, due, principal, charge in session.execute(_SCHEDULES_OF_LOANS, ids):
            schedules[loan_id].append(rules.Instalment(number, due, principal, charge))
    return {loan_id: tuple(schedule) for loan_id, schedule in schedules.items()}


def positions_of(
    session: Session, loans: Sequence[Loan], as_of: date
) -> dict[int, rules.LoanPosition]:
    """Return position_of() of each loan, by loan id, in three queries for all of them."""
    if not loans:
        return {}
    ids = {"loan_ids": [loan.id for loan in loans]}
    schedules = schedules_of(session, loans)
    payments: dict[int, list[rules.Payment]] = {loan.id: [] for loan in loans}
    for loan_id, on, penalty, charge, principal in session.execute(_PAYMENTS_OF_LOANS, ids):
        payments[loan_id].append(rules.Payment(on, penalty, charge, principal))
    penalties = {
        loan_id: int(total)
        for loan_id, total in session.execute(_PENALTIES_OF_LOANS, {**ids, "as_of": as_of})
    }
    return {
        loan.id: rules.loan_position(
            schedules[loan.id], payments[loan.id], penalties.get(loan.id, 0), as_of
        )
        for loan in loans
    }


_OPEN_LOANS = (
    select(Loan)
    .join(Meeting, Meeting.id == Loan.meeting_id)
    .where(Loan.fund_id == bindparam("fund_id"), CLOSED, _IS_OPEN)
    .order_by(Loan.id)
)
_MEMBERS_OPEN_LOANS = _OPEN_LOANS.where(Loan.member_id == bindparam("member_id"))


def open_loans(session: Session, fund_id: int, member_id: int | None = None) -> list[Loan]:
    """Return the fund's loans (or a borrower's) that are neither repaid nor written off."""
    if member_id is None:
        return list(session.scalars(_OPEN_LOANS, {"fund_id": fund_id}))
    params = {"fund_id": fund_id, "member_id": member_id}
    return list(session.scalars(_MEMBERS_OPEN_LOANS, params))


def principal_outstanding(session: Session, loan: Loan) -> int:
    """Return the loan's principal not yet repaid (0 once written off)."""
    if loan_status(session, loan.id) == "written_off":
        return 0
    repaid = sum(p.principal for p in payments_of(session, loan.id))
    return loan.principal - repaid


def _principal_repaid() -> ScalarSelect[int]:
    """Return the principal repaid on the loan of the enclosing query, at closed meetings."""
    meeting = aliased(Meeting)
    return (
        select(func.coalesce(func.sum(Repayment.principal), 0))
        .join(meeting, meeting.id == Repayment.meeting_id)
        .where(Repayment.loan_id == Loan.id, meeting.status == "closed")
        .correlate(Loan)
        .scalar_subquery()
    )


def _paid_by_guarantor(
    amount: ColumnElement[int] | InstrumentedAttribute[int],
) -> ScalarSelect[int]:
    """Return what the guarantor of the enclosing query paid on its loan, at closed meetings."""
    meeting = aliased(Meeting)
    return (
        select(func.coalesce(func.sum(amount), 0))
        .join(meeting, meeting.id == Repayment.meeting_id)
        .where(
            Repayment.loan_id == Loan.id,
            Repayment.payer_id == Guarantee.guarantor_id,
            meeting.status == "closed",
        )
        .correlate(Loan, Guarantee)
        .scalar_subquery()
    )


_PLEDGES = (
    select(
        Guarantee.pledge,
        Loan.principal,
        _principal_repaid(),
        _paid_by_guarantor(Repayment.principal),
        _paid_by_guarantor(Repayment.penalty + Repayment.charge + Repayment.principal),
    )
    .join(Loan, Loan.id == Guarantee.loan_id)
    .join(Meeting, Meeting.id == Loan.meeting_id)
    .where(
        Guarantee.guarantor_id == bindparam("guarantor_id"),
        Loan.fund_id == bindparam("fund_id"),
        CLOSED,
        _IS_OPEN,
    )
)


def pledges_held(session: Session, fund_id: int, guarantor_id: int) -> int:
    """Return how much of a guarantor's savings her pledges on open loans still hold."""
    rows = session.execute(_PLEDGES, {"fund_id": fund_id, "guarantor_id": guarantor_id})
    return sum(
        rules.pledge_held(
            pledge,
            principal,
            principal - int(repaid),
            her_principal=int(her_principal),
            her_total=int(her_total),
        )
        for pledge, principal, repaid, her_principal, her_total in rows
    )


def paid_by_guarantors_of(
    session: Session, loans: Sequence[Loan], as_of: date | None = None
) -> dict[tuple[int, int], tuple[int, int]]:
    """Return, per (loan, guarantor), the principal and the total she paid on the loan at
    closed meetings (up to a day), for ``rules.pledge_held``; in one query."""
    if not loans:
        return {}
    total = Repayment.penalty + Repayment.charge + Repayment.principal
    query = (
        select(
            Repayment.loan_id, Repayment.payer_id, func.sum(Repayment.principal), func.sum(total)
        )
        .join(Meeting, Meeting.id == Repayment.meeting_id)
        .join(
            Guarantee,
            (Guarantee.loan_id == Repayment.loan_id)
            & (Guarantee.guarantor_id == Repayment.payer_id),
        )
        .where(Repayment.loan_id.in_([loan.id for loan in loans]), CLOSED)
        .group_by(Repayment.loan_id, Repayment.payer_id)
    )
    if as_of is not None:
        query = query.where(Repayment.paid_on <= as_of)
    return {
        (loan_id, payer): (int(principal), int(paid))
        for loan_id, payer, principal, paid in session.execute(query)
    }


def held_by_guarantee(
    session: Session,
    loans: Sequence[Loan],
    positions: Mapping[int, rules.LoanPosition],
    as_of: date | None = None,
) -> dict[tuple[int, int], int]:
    """Return what each guarantee of the loans still holds of its guarantor's savings, by
    (loan, guarantor): ``rules.pledge_held`` with what she paid herself (one query)."""
    paid = paid_by_guarantors_of(session, loans, as_of)
    held: dict[tuple[int, int], int] = {}
    for loan in loans:
        outstanding = positions[loan.id].principal_outstanding
        for g in loan.guarantees:
            her_principal, her_total = paid.get((loan.id, g.guarantor_id), (0, 0))
            held[(loan.id, g.guarantor_id)] = rules.pledge_held(
                g.pledge,
                loan.principal,
                outstanding,
                her_principal=her_principal,
                her_total=her_total,
            )
    return held


_GUARANTEED_OPEN_LOANS = (
    select(Loan)
    .join(Meeting, Meeting.id == Loan.meeting_id)
    .where(
        Loan.fund_id == bindparam("fund_id"),
        CLOSED,
        _IS_OPEN,
        Loan.id.in_(
            select(Guarantee.loan_id).where(Guarantee.guarantor_id == bindparam("guarantor_id"))
        ),
    )
    .order_by(Loan.id)
)


def guarantees_on_open_loans(session: Session, fund_id: int, guarantor_id: int) -> list[Loan]:
    """Return the open loans a member guarantees."""
    params = {"fund_id": fund_id, "guarantor_id": guarantor_id}
    return list(session.scalars(_GUARANTEED_OPEN_LOANS, params))


def shares_bought(session: Session, cycle_id: int, member_id: int | None = None) -> int:
    """Return the shares bought in a cycle (by one member, or by all)."""
    query = (
        select(func.coalesce(func.sum(MeetingLine.shares), 0))
        .join(Meeting, Meeting.id == MeetingLine.meeting_id)
        .where(Meeting.cycle_id == cycle_id, CLOSED)
    )
    if member_id is not None:
        query = query.where(MeetingLine.member_id == member_id)
    return int(session.scalar(query) or 0)


def charges_paid_by_member(
    session: Session, cycle_id: int, as_of: date | None = None
) -> dict[int, int]:
    """Return the service charges each member paid on loans of a cycle.

    A charge counts for whoever paid it: the borrower, or a guarantor whose savings
    covered it at a recovery (``Repayment.payer_id``). An upfront fee is the
    borrower's, kept at disbursement; charges paid before a fund came from paper are
    in its opening balances (``OpeningMember.charges_paid``).
    """
    repaid = (
        select(Repayment.payer_id, func.coalesce(func.sum(Repayment.charge), 0))
        .join(Loan, Loan.id == Repayment.loan_id)
        .join(Meeting, Meeting.id == Repayment.meeting_id)
        .where(Loan.cycle_id == cycle_id, CLOSED)
        .group_by(Repayment.payer_id)
    )
    fees = (
        select(Loan.member_id, func.coalesce(func.sum(Loan.fee), 0))
        .join(Meeting, Meeting.id == Loan.meeting_id)
        .where(Loan.cycle_id == cycle_id, CLOSED)
        .group_by(Loan.member_id)
    )
    on_paper = (
        select(MeetingLine.member_id, func.coalesce(func.sum(MeetingLine.charges_paid), 0))
        .join(Meeting, Meeting.id == MeetingLine.meeting_id)
        .where(Meeting.cycle_id == cycle_id, Meeting.kind == "opening", CLOSED)
        .group_by(MeetingLine.member_id)
    )
    if as_of is not None:
        repaid = repaid.where(Repayment.paid_on <= as_of)
        fees = fees.where(Loan.disbursed_on <= as_of)
        on_paper = on_paper.where(Meeting.date <= as_of)
    paid: dict[int, int] = {}
    rows = [*session.execute(repaid), *session.execute(fees), *session.execute(on_paper)]
    for member_id, amount in rows:
        paid[member_id] = paid.get(member_id, 0) + int(amount)
    return paid


def active_members(session: Session, fund_id: int) -> list[Member]:
    """Return the fund's active members in register order."""
    query = select(Member).where(Member.fund_id == fund_id, Member.status == "active")
    return list(session.scalars(query.order_by(Member.number)))


def rate_of(loan: Loan) -> Decimal:
    """Return the loan's charge rate."""
    return Decimal(loan.charge_rate)


def repayments_at(session: Session, meeting_id: int) -> Sequence[Repayment]:
    """Return the repayments recorded at a meeting."""
    return list(session.scalars(select(Repayment).where(Repayment.meeting_id == meeting_id)))
