"""The fund book: a whole fund as one document, replayed through the services or written back.

``import_book`` takes the document already validated and loaded (dates as
``date``; see web/fundbook.py for its marshmallow schemas and docs/fund-book.md
for the format). Members and loans are named by ``ref`` strings inside the
book. Everything is replayed through the same services a treasurer uses, in
one savepoint: all or nothing. A broken rule is reported as ``FundBookError``
naming the cycle, the meeting, the member and the rule.

``export_book`` writes the same document back from the database, so
import → export → import gives the same books.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from groups.savings import rules
from groups.savings.chart import CODES
from groups.savings.commands import (
    CashItem,
    FinePaid,
    Grant,
    MeetingInput,
    MemberLine,
    NewLoan,
    OpeningBalances,
    OpeningLoan,
    OpeningMember,
    Pledge,
)
from groups.savings.errors import AmountTooLarge, BookAlreadyImported, SavingsError
from groups.savings.funds import add_member, create_fund, open_from_paper, start_cycle
from groups.savings.locking import lock_fund
from groups.savings.meetings import record_meeting, reopen_last_meeting
from groups.savings.models import (
    CashMovement,
    Cycle,
    Fine,
    Loan,
    LoanEvent,
    Meeting,
    MeetingLine,
    Member,
    MemberExit,
    Repayment,
    SavingsFund,
    ShareOut,
    new_book_id,
)
from groups.savings.shareout import confirm_share_out
from ledger.errors import DomainError, UnknownFund

T = TypeVar("T")
FORMAT = "sandogh-fund-book"
#: The largest amount a BIGINT column holds.
MAX_BIGINT = 2**63 - 1
VERSION = 1
Book = Mapping[str, Any]


class FundBookError(SavingsError):
    """Raised when a fund book breaks a rule; says where (cycle, meeting, member) and which rule."""

    code = "fund_book_error"

    def __init__(self, where: str, error: DomainError) -> None:
        super().__init__(
            f"{where}: {error} [{error.code}]", message_fa=f"{where}: {error.message_fa}"
        )
        self.where = where
        self.rule = error.code
        self.cause = error


class _Refs:
    """Maps a book's member and loan refs to database ids while replaying."""

    def __init__(self) -> None:
        self.members: dict[str, int] = {}
        self.loans: dict[str, int] = {}

    def member(self, ref: str) -> int:
        if ref not in self.members:
            raise FundBookError(f"member {ref!r}", SavingsError(f"unknown member ref {ref!r}"))
        return self.members[ref]

    def loan(self, ref: str) -> int:
        if ref not in self.loans:
            raise FundBookError(f"loan {ref!r}", SavingsError(f"unknown loan ref {ref!r}"))
        return self.loans[ref]


def book_identity(book: Book) -> str:
    """Return the identity of a book: its ``id``, or the digest of its contents if it has none.

    A book exported by Sandogh carries its fund's ``id``; one written by hand is known by
    what it says, so the same file imported twice is the same book.
    """
    if book.get("id"):
        return str(book["id"])
    canonical = json.dumps(book, sort_keys=True, ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _refuse_imported(session: Session, identity: str) -> None:
    query = select(SavingsFund.fund_id).where(SavingsFund.book_id == identity)
    fund_id = session.scalar(query)
    if fund_id is not None:
        raise BookAlreadyImported(
            f"This fund book ({identity}) is already fund {fund_id}; "
            "import it with --as-new to make a copy"
        )


def import_book(session: Session, book: Book, actor: str, *, as_new: bool = False) -> int:
    """Replay a fund book through the services, all or nothing; return the new fund's id.

    A book already imported (same identity, ``book_identity``) is refused with
    ``BookAlreadyImported``; ``as_new`` makes a copy under a new identity instead.
    """
    identity = new_book_id() if as_new else book_identity(book)
    if not as_new:
        _refuse_imported(session, identity)
    with session.begin_nested():
        fund = book["fund"]
        savings_fund = _guarded(
            "fund",
            lambda: create_fund(
                session,
                name=fund["name"],
                founded_on=fund["founded_on"],
                village=fund.get("village", ""),
                facilitator=fund.get("facilitator", ""),
                currency=fund.get("currency", "IRR"),
                display_unit=fund.get("display_unit", "rial"),
            ),
        )
        fund_id = savings_fund.fund_id
        savings_fund.book_id = identity
        lock_fund(session, fund_id)  # a new fund no one sees yet; its replays lock it too
        refs = _Refs()
        for member in book.get("members", []):
            refs.members[member["ref"]] = _guarded(
                f"member {member['ref']!r}", partial(_add_member, session, fund_id, member)
            )
        for number, cycle in enumerate(book.get("cycles", []), 1):
            _replay_cycle(session, fund_id, number, cycle, refs, actor)
        return fund_id


def _add_member(session: Session, fund_id: int, member: Book) -> int:
    return add_member(
        session,
        fund_id,
        member["name"],
        member["joined_on"],
        phone=member.get("phone", ""),
        roles=tuple(member.get("roles", ())),
    ).id


def _replay_cycle(
    session: Session, fund_id: int, number: int, cycle: Book, refs: _Refs, actor: str
) -> None:
    where = f"cycle {number}"
    _guarded(
        where,
        lambda: start_cycle(
            session,
            fund_id,
            cycle["started_on"],
            rules.Constitution.from_dict(cycle["constitution"]),
        ),
    )
    if cycle.get("opening"):
        _guarded(
            f"{where}, opening balances",
            lambda: _replay_opening(session, fund_id, cycle["opening"], refs, actor, number),
        )
    for index, meeting in enumerate(cycle.get("meetings", []), 1):
        here = f"{where}, meeting {index} ({meeting['date']})"
        recorded = _replay_meeting(
            session, fund_id, here, meeting, refs, actor, f"{number}:{index}"
        )
        if meeting.get("reopened"):
            _replay_reopen(session, fund_id, here, recorded, meeting["reopened"], actor)
    share_out = cycle.get("share_out")
    if share_out:
        _guarded(
            f"{where}, share-out",
            lambda: confirm_share_out(
                session,
                fund_id,
                share_out["date"],
                actor,
                f"book:{fund_id}:{number}:share-out",
                write_off=[refs.loan(r) for r in share_out.get("write_off", [])],
                reinvest={
                    refs.member(r["member"]): r["amount"] for r in share_out.get("reinvest", [])
                },
            ),
        )


def _guarded(where: str, action: Callable[[], T]) -> T:
    try:
        with _overflow_refused():
            return action()
    except FundBookError:
        raise
    except DomainError as error:
        raise FundBookError(where, error) from error


@contextmanager
def _overflow_refused() -> Iterator[None]:
    """Turn an amount the database cannot hold into AmountTooLarge, a broken rule like any
    other: SQLite refuses it as it binds it, PostgreSQL as it stores it."""
    try:
        yield
    except (OverflowError, DataError) as error:
        if isinstance(error, DataError) and "out of range" not in str(error.orig):
            raise
        raise AmountTooLarge(
            "An amount (or shares × share price) is larger than the books can hold "
            f"({MAX_BIGINT:,} rials)"
        ) from None


def _replay_opening(
    session: Session, fund_id: int, opening: Book, refs: _Refs, actor: str, cycle_number: int
) -> None:
    balances = OpeningBalances(
        date=opening["date"],
        idempotency_key=f"book:{fund_id}:{cycle_number}:opening",
        members=tuple(
            OpeningMember(
                refs.member(m["member"]), m["shares"], m.get("savings"), m.get("charges_paid", 0)
            )
            for m in opening.get("members", [])
        ),
        loans=tuple(
            OpeningLoan(
                refs.member(loan["borrower"]),
                loan["principal_remaining"],
                loan["term_months_remaining"],
                loan["disbursed_on"],
                loan.get("purpose", ""),
                _pledges(loan, refs),
                principal=loan.get("principal"),
                charge_rate=_rate(loan.get("charge_rate")),
                arrears=loan.get("arrears", 0),
                charges_unpaid=loan.get("charges_unpaid", 0),
                penalties=loan.get("penalties", 0),
            )
            for loan in opening.get("loans", [])
        ),
        loan_fund_cash=opening.get("loan_fund_cash", 0),
        social_fund_cash=opening.get("social_fund_cash", 0),
    )
    meeting = open_from_paper(session, fund_id, balances, actor)
    _remember_new_loans(session, meeting.id, opening.get("loans", []), refs)


def _rate(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _pledges(loan: Book, refs: _Refs) -> tuple[Pledge, ...]:
    return tuple(Pledge(refs.member(g["member"]), g["pledge"]) for g in loan.get("guarantors", []))


def _replay_meeting(
    session: Session, fund_id: int, where: str, meeting: Book, refs: _Refs, actor: str, key: str
) -> Meeting:
    lines = []
    for line in meeting.get("lines", []):
        lines.append(
            MemberLine(
                member_id=refs.member(line["member"]),
                attendance=rules.Attendance(line.get("attendance", "present")),
                shares=line.get("shares", 0),
                social=line.get("social", 0),
                repayments={refs.loan(r["loan"]): r["amount"] for r in line.get("repayments", [])},
                fines=tuple(FinePaid(f["type"], f["amount"]) for f in line.get("fines", [])),
            )
        )
    command = MeetingInput(
        date=meeting["date"],
        idempotency_key=f"book:{fund_id}:{key}",
        lines=tuple(lines),
        new_loans=tuple(
            NewLoan(
                refs.member(n["borrower"]),
                n["amount"],
                n["term_months"],
                n.get("purpose", ""),
                _pledges(n, refs),
            )
            for n in meeting.get("new_loans", [])
        ),
        grants=tuple(
            Grant(refs.member(g["member"]), g["amount"], g.get("reason", ""))
            for g in meeting.get("grants", [])
        ),
        other_income=tuple(
            CashItem(i["amount"], i.get("memo", "")) for i in meeting.get("other_income", [])
        ),
        expenses=tuple(
            CashItem(i["amount"], i.get("memo", "")) for i in meeting.get("expenses", [])
        ),
        recoveries=tuple(refs.loan(r) for r in meeting.get("recoveries", [])),
        write_offs={
            refs.loan(w["loan"]): w.get("reason", "") for w in meeting.get("write_offs", [])
        },
        leavers=tuple(refs.member(r) for r in meeting.get("leavers", [])),
        cash_counted=meeting.get("cash_counted"),
        cash_explanation=meeting.get("cash_explanation", ""),
    )
    try:
        with _overflow_refused():
            recorded = record_meeting(session, fund_id, command, actor)
    except DomainError as error:
        raise FundBookError(where + _member_named(error, refs), error) from error
    _remember_new_loans(session, recorded.id, meeting.get("new_loans", []), refs)
    return recorded


def _replay_reopen(
    session: Session, fund_id: int, where: str, meeting: Meeting, reopened: Book, actor: str
) -> None:
    """Reopen a meeting the book records as corrected: it is voided, as it was in the fund."""
    _guarded(
        f"{where}, reopened",
        lambda: reopen_last_meeting(
            session, fund_id, meeting.id, reopened.get("reason", ""), actor, reopened["on"]
        ),
    )


def _member_named(error: DomainError, refs: _Refs) -> str:
    """Return ", member 'm3'" when the error is about a member of the book."""
    ref = next((r for r, i in refs.members.items() if i == error.member_id), None)
    return f", member {ref!r}" if ref else ""


def _remember_new_loans(
    session: Session, meeting_id: int, loans: Sequence[Book], refs: _Refs
) -> None:
    created = session.scalars(
        select(Loan).where(Loan.meeting_id == meeting_id).order_by(Loan.id)
    ).all()
    for book_loan, loan in zip(loans, created, strict=True):
        refs.loans[book_loan["ref"]] = loan.id


# -- export -----------------------------------------------------------------------------


def export_book(session: Session, fund_id: int) -> dict[str, Any]:
    """Return the fund as a fund book (dates as ``date``; the web layer dumps it as JSON)."""
    savings_fund = session.get(SavingsFund, fund_id)
    if savings_fund is None:
        raise UnknownFund(f"No savings fund {fund_id}")
    members = list(
        session.scalars(select(Member).where(Member.fund_id == fund_id).order_by(Member.number))
    )
    member_ref = {m.id: f"m{m.number}" for m in members}
    # Loans of reopened meetings too: the book replays the voided version before its redo.
    loans = session.scalars(select(Loan).where(Loan.fund_id == fund_id).order_by(Loan.id)).all()
    loan_ref = {loan.id: f"L{n}" for n, loan in enumerate(loans, 1)}
    cycles = session.scalars(
        select(Cycle).where(Cycle.fund_id == fund_id).order_by(Cycle.number)
    ).all()
    return {
        "format": FORMAT,
        "version": VERSION,
        "id": savings_fund.book_id,
        "fund": {
            "name": savings_fund.fund.name,
            "village": savings_fund.village,
            "facilitator": savings_fund.facilitator,
            "currency": savings_fund.fund.currency,
            "display_unit": savings_fund.display_unit,
            "founded_on": savings_fund.founded_on,
        },
        "members": [
            {
                "ref": member_ref[m.id],
                "name": m.name,
                "phone": m.phone,
                "joined_on": m.joined_on,
                "roles": m.role_list,
            }
            for m in members
        ],
        "cycles": [_export_cycle(session, c, member_ref, loan_ref) for c in cycles],
    }


def _export_cycle(
    session: Session, cycle: Cycle, member_ref: dict[int, str], loan_ref: dict[int, str]
) -> dict[str, Any]:
    # In the order recorded, reopened ones included: a correction is part of the history.
    meetings = session.scalars(
        select(Meeting).where(Meeting.cycle_id == cycle.id).order_by(Meeting.id)
    ).all()
    exported: dict[str, Any] = {
        "started_on": cycle.started_on,
        "constitution": cycle.constitution,
        "meetings": [
            _export_meeting(session, m, member_ref, loan_ref)
            for m in meetings
            if m.kind == "regular"
        ],
    }
    opening = next((m for m in meetings if m.kind == "opening"), None)
    if opening is not None:
        exported["opening"] = _export_opening(session, opening, member_ref, loan_ref)
    share_out_meeting = next((m for m in meetings if m.kind == "share_out"), None)
    if share_out_meeting is not None:
        exported["share_out"] = _export_share_out(session, share_out_meeting, member_ref, loan_ref)
    return exported


def _guarantors(loan: Loan, member_ref: dict[int, str]) -> list[dict[str, Any]]:
    return [{"member": member_ref[g.guarantor_id], "pledge": g.pledge} for g in loan.guarantees]


def _export_opening(
    session: Session, meeting: Meeting, member_ref: dict[int, str], loan_ref: dict[int, str]
) -> dict[str, Any]:
    loans = session.scalars(
        select(Loan).where(Loan.meeting_id == meeting.id).order_by(Loan.id)
    ).all()
    social = meeting.cash_expected - _opening_cash(session, meeting)
    return {
        "date": meeting.date,
        "members": [
            {
                "member": member_ref[line.member_id],
                "shares": line.shares,
                "savings": line.savings,
                "charges_paid": line.charges_paid,
            }
            for line in meeting.lines
        ],
        "loans": [
            _export_paper_loan(session, loan, meeting, member_ref, loan_ref) for loan in loans
        ],
        "loan_fund_cash": _opening_cash(session, meeting),
        "social_fund_cash": social,
    }


def _export_paper_loan(
    session: Session,
    loan: Loan,
    meeting: Meeting,
    member_ref: dict[int, str],
    loan_ref: dict[int, str],
) -> dict[str, Any]:
    """Return a loan from paper as the opening lists it: what the notebook said of it."""
    behind = next((i for i in loan.instalments if i.due_on == meeting.date), None)
    penalties = sum(
        e.amount
        for e in _recorded_at(session, LoanEvent, meeting)
        if e.loan_id == loan.id and e.kind == "penalty"
    )
    constitution = session.get(Cycle, loan.cycle_id)
    assert constitution is not None
    own_rate = (
        Decimal(loan.charge_rate)
        != rules.Constitution.from_dict(constitution.constitution).charge_rate
    )
    return {
        "ref": loan_ref[loan.id],
        "borrower": member_ref[loan.member_id],
        "principal_remaining": loan.principal,
        "term_months_remaining": loan.term_months,
        "disbursed_on": loan.disbursed_on,
        "purpose": loan.purpose,
        "guarantors": _guarantors(loan, member_ref),
        "principal": loan.original_principal,
        "charge_rate": loan.charge_rate if own_rate else None,
        "arrears": behind.principal if behind else 0,
        "charges_unpaid": behind.charge if behind else 0,
        "penalties": penalties,
    }


def _opening_cash(session: Session, meeting: Meeting) -> int:
    """Return the loan-fund cash the opening balances posted."""
    from ledger.entries import SourceType
    from ledger.models import Account, Entry, PostingRow

    query = (
        select(PostingRow.amount)
        .join(Entry, Entry.id == PostingRow.entry_id)
        .join(Account, Account.id == PostingRow.account_id)
        .where(
            Entry.source_type == SourceType.OPENING_BALANCE.value,
            Entry.source_ref == str(meeting.id),
            Account.code == CODES["cash"],
            PostingRow.side == "debit",
        )
    )
    return int(session.scalar(query) or 0)


def _export_meeting(
    session: Session, meeting: Meeting, member_ref: dict[int, str], loan_ref: dict[int, str]
) -> dict[str, Any]:
    repayments = _recorded_at(session, Repayment, meeting)
    fines = _recorded_at(session, Fine, meeting)
    exits = _recorded_at(session, MemberExit, meeting)
    by_borrower = _paid_in_cash(session, repayments, {e.member_id for e in exits})
    recovered = sorted(
        {r.loan_id for r in repayments if r.payer_id != _borrower(session, r.loan_id)},
        key=loan_ref.__getitem__,
    )
    return {
        "date": meeting.date,
        "lines": [
            _export_line(line, by_borrower, fines, member_ref, loan_ref) for line in meeting.lines
        ],
        "new_loans": [
            _export_new_loan(loan, member_ref, loan_ref)
            for loan in _recorded_at(session, Loan, meeting)
        ],
        **_export_cash_movements(_recorded_at(session, CashMovement, meeting), member_ref),
        "recoveries": [loan_ref[loan_id] for loan_id in recovered],
        "write_offs": [
            {"loan": loan_ref[e.loan_id], "reason": e.note}
            for e in _recorded_at(session, LoanEvent, meeting)
            if e.kind == "written_off"
        ],
        "leavers": [member_ref[e.member_id] for e in exits],
        "cash_counted": meeting.cash_counted,
        "cash_explanation": meeting.cash_explanation,
        **_export_reopen(meeting),
    }


def _export_reopen(meeting: Meeting) -> dict[str, Any]:
    """Return ``{"reopened": {"on", "reason"}}`` for a voided meeting, else nothing."""
    if meeting.status != "reopened":
        return {}
    on = meeting.reopened_on or meeting.date  # reopened before the day was kept
    return {"reopened": {"on": on, "reason": meeting.reopen_reason}}


def _recorded_at(session: Session, model: Any, meeting: Meeting) -> Sequence[Any]:
    """Return a meeting's rows of one table (repayments, fines, …), in the order recorded."""
    query = select(model).where(model.meeting_id == meeting.id).order_by(model.id)
    return session.scalars(query).all()


def _export_new_loan(
    loan: Loan, member_ref: dict[int, str], loan_ref: dict[int, str]
) -> dict[str, Any]:
    return {
        "ref": loan_ref[loan.id],
        "borrower": member_ref[loan.member_id],
        "amount": loan.principal,
        "term_months": loan.term_months,
        "purpose": loan.purpose,
        "guarantors": _guarantors(loan, member_ref),
    }


def _export_cash_movements(
    movements: Sequence[CashMovement], member_ref: dict[int, str]
) -> dict[str, list[dict[str, Any]]]:
    """Return a meeting's grants, other income and expenses, as the book lists them."""
    return {
        "grants": [
            {"member": member_ref[m.member_id], "amount": m.amount, "reason": m.memo}
            for m in movements
            if m.kind == "grant" and m.member_id is not None
        ],
        "other_income": [
            {"amount": m.amount, "memo": m.memo} for m in movements if m.kind == "income"
        ],
        "expenses": [
            {"amount": m.amount, "memo": m.memo} for m in movements if m.kind == "expense"
        ],
    }


def _paid_in_cash(
    session: Session, repayments: Sequence[Repayment], leaver_ids: set[int]
) -> list[Repayment]:
    """Return the repayments a borrower made in cash at the meeting.

    A leaver's settlement nets each of her open loans from her savings after her cash
    repayments, one repayment per loan and always the last: it is left out, since
    importing ``leavers`` nets it again.
    """
    netted = {
        r.loan_id: r.id
        for r in repayments  # in the order recorded: the last per loan wins
        if r.payer_id in leaver_ids and r.payer_id == _borrower(session, r.loan_id)
    }
    return [
        r
        for r in repayments
        if r.payer_id == _borrower(session, r.loan_id) and netted.get(r.loan_id) != r.id
    ]


def _borrower(session: Session, loan_id: int) -> int:
    loan = session.get(Loan, loan_id)
    assert loan is not None
    return loan.member_id


def _export_line(
    line: MeetingLine,
    repayments: Sequence[Repayment],
    fines: Sequence[Fine],
    member_ref: dict[int, str],
    loan_ref: dict[int, str],
) -> dict[str, Any]:
    paid: dict[int, int] = {}
    for r in repayments:
        if r.payer_id == line.member_id:
            paid[r.loan_id] = paid.get(r.loan_id, 0) + r.total
    return {
        "member": member_ref[line.member_id],
        "attendance": line.attendance,
        "shares": line.shares,
        "social": line.social,
        "repayments": [
            {"loan": loan_ref[loan_id], "amount": amount} for loan_id, amount in paid.items()
        ],
        "fines": [
            {"type": f.fine_type, "amount": f.amount}
            for f in fines
            if f.member_id == line.member_id
        ],
    }


def _export_share_out(
    session: Session, meeting: Meeting, member_ref: dict[int, str], loan_ref: dict[int, str]
) -> dict[str, Any]:
    share_out = session.scalars(select(ShareOut).where(ShareOut.meeting_id == meeting.id)).one()
    events = session.scalars(
        select(LoanEvent).where(LoanEvent.meeting_id == meeting.id, LoanEvent.kind == "written_off")
    ).all()
    return {
        "date": meeting.date,
        "write_off": [loan_ref[e.loan_id] for e in events],
        "reinvest": [
            {"member": member_ref[p.member_id], "amount": p.reinvested}
            for p in share_out.payouts
            if p.reinvested
        ],
    }
