"""The JSON API's boundary objects: marshmallow schemas of requests and responses.

Amounts are integers of rials (the fund's minor unit), never floats; dates are
ISO ``YYYY-MM-DD`` (Gregorian: clients convert to Jalali for display). A meeting's
body has the shape of the fund book's meeting (docs/fund-book.md) with database
ids where the book has refs. Every number and list is bounded, so no request can
overflow a column or make the server do unbounded work.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load
from marshmallow.validate import Length, OneOf, Range

from groups.savings.commands import (
    CashItem,
    FinePaid,
    Grant,
    MeetingInput,
    MemberLine,
    NewLoan,
    Pledge,
)
from groups.savings.rules import Attendance

#: The largest amount accepted (10^15 rials); sums of a meeting stay inside BIGINT.
MAX_AMOUNT = 10**15
#: Database ids are 32-bit.
MAX_ID = 2**31 - 1
MAX_ROWS = 500


def _id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=Range(1, MAX_ID), **kwargs)


def _amount(minimum: int = 0, **kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=Range(minimum, MAX_AMOUNT), **kwargs)


def _text(maximum: int = 500) -> fields.String:
    return fields.String(load_default="", validate=Length(max=maximum))


def _rows(schema: type[Schema]) -> fields.List[Any]:
    return fields.List(fields.Nested(schema), load_default=list, validate=Length(max=MAX_ROWS))


# -- the meeting a client sends -------------------------------------------------------------


class RepaymentIn(Schema):
    """What a borrower pays on one of her loans today."""

    loan = _id(required=True)
    amount = _amount(required=True)


class FineIn(Schema):
    """A fine paid, of a type the constitution lists."""

    type = fields.String(required=True, validate=Length(1, 40))
    amount = _amount(required=True)


class LineIn(Schema):
    """One member's row: attendance, shares, social fund, repayments, fines."""

    member = _id(required=True)
    attendance = fields.String(
        load_default=Attendance.PRESENT.value, validate=OneOf([a.value for a in Attendance])
    )
    shares = fields.Integer(strict=True, load_default=0, validate=Range(0, 1000))
    social = _amount(load_default=0)
    repayments = _rows(RepaymentIn)
    fines = _rows(FineIn)


class GuarantorIn(Schema):
    """A member who pledges part of her savings for a new loan."""

    member = _id(required=True)
    pledge = _amount(1, required=True)


class NewLoanIn(Schema):
    """A loan the meeting grants."""

    borrower = _id(required=True)
    amount = _amount(1, required=True)
    term_months = fields.Integer(strict=True, required=True, validate=Range(1, 120))
    purpose = _text()
    guarantors = _rows(GuarantorIn)


class GrantIn(Schema):
    """A social-fund grant."""

    member = _id(required=True)
    amount = _amount(1, required=True)
    reason = _text()


class CashItemIn(Schema):
    """Other income or an expense of the loan fund."""

    amount = _amount(1, required=True)
    memo = _text()


class WriteOffIn(Schema):
    """A loan the meeting writes off, and why."""

    loan = _id(required=True)
    reason = fields.String(required=True, validate=Length(1, 500))


class MeetingIn(Schema):
    """Everything recorded at one meeting (the fund book's meeting, with ids)."""

    date = fields.Date(required=True)
    lines = _rows(LineIn)
    new_loans = _rows(NewLoanIn)
    grants = _rows(GrantIn)
    other_income = _rows(CashItemIn)
    expenses = _rows(CashItemIn)
    recoveries = fields.List(_id(), load_default=list, validate=Length(max=MAX_ROWS))
    write_offs = _rows(WriteOffIn)
    leavers = fields.List(_id(), load_default=list, validate=Length(max=MAX_ROWS))
    cash_counted = _amount(load_default=None, allow_none=True)
    cash_explanation = _text(2000)

    @post_load
    def to_command(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """Keep the parsed values; ``command(data, key)`` builds the MeetingInput."""
        return data


def command(data: dict[str, Any], key: str) -> MeetingInput:
    """Return the MeetingInput of a parsed meeting body and its idempotency key."""
    return MeetingInput(
        date=data["date"],
        idempotency_key=key,
        lines=tuple(_line(line) for line in data["lines"]),
        new_loans=tuple(_new_loan(loan) for loan in data["new_loans"]),
        grants=tuple(Grant(g["member"], g["amount"], g["reason"]) for g in data["grants"]),
        other_income=tuple(CashItem(i["amount"], i["memo"]) for i in data["other_income"]),
        expenses=tuple(CashItem(i["amount"], i["memo"]) for i in data["expenses"]),
        recoveries=tuple(dict.fromkeys(data["recoveries"])),
        write_offs={w["loan"]: w["reason"] for w in data["write_offs"]},
        leavers=tuple(dict.fromkeys(data["leavers"])),
        cash_counted=data["cash_counted"],
        cash_explanation=data["cash_explanation"],
    )


def _line(line: dict[str, Any]) -> MemberLine:
    repayments: dict[int, int] = {}
    for r in line["repayments"]:
        repayments[r["loan"]] = repayments.get(r["loan"], 0) + r["amount"]
    return MemberLine(
        member_id=line["member"],
        attendance=Attendance(line["attendance"]),
        shares=line["shares"],
        social=line["social"],
        repayments=repayments,
        fines=tuple(FinePaid(f["type"], f["amount"]) for f in line["fines"]),
    )


def _new_loan(loan: dict[str, Any]) -> NewLoan:
    pledges = tuple(Pledge(g["member"], g["pledge"]) for g in loan["guarantors"])
    return NewLoan(loan["borrower"], loan["amount"], loan["term_months"], loan["purpose"], pledges)


# -- what the API answers --------------------------------------------------------------------


class ViolationOut(Schema):
    """One broken rule: its code, the field it is about, the member/loan, the bounding figure."""

    code = fields.String(required=True)
    field = fields.String(required=True)
    member = fields.Integer(allow_none=True)
    loan = fields.Integer(allow_none=True)
    bound = fields.String(allow_none=True)
    message = fields.String(required=True)


class ErrorOut(Schema):
    """Every error of the API: HTTP code, its name, a message, and details."""

    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String()
    errors = fields.Dict()


class RefusedOut(ErrorOut):
    """A meeting refused by the fund's rules: every violation found."""

    violations = fields.List(fields.Nested(ViolationOut), required=True)


class MeetingOut(Schema):
    """A recorded meeting."""

    id = fields.Integer(required=True)
    fund_id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    date = fields.Date(required=True)
    status = fields.String(required=True)
    idempotency_key = fields.String(required=True)
    cash_expected = fields.Integer(required=True)
    cash_counted = fields.Integer(allow_none=True)
    recorded_by = fields.String(required=True)


class IdempotencyKeyHeader(Schema):
    """The client's key for this meeting: a replay with the same key posts nothing again."""

    key = fields.String(
        data_key="Idempotency-Key",
        required=True,
        validate=Length(8, 64),
        metadata={"pattern": "^[A-Za-z0-9]{8,64}$"},
    )


class DueLoanOut(Schema):
    """A member's open loan: what she owes today and the most she may pay."""

    id = fields.Integer(required=True)
    principal = fields.Integer(required=True)
    payable_now = fields.Integer(required=True)
    max_payment = fields.Integer(required=True)
    days_late = fields.Integer(required=True)


class CaptureMemberOut(Schema):
    """A member as the phone shows her, with her defaults and bounds."""

    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)
    last_shares = fields.Integer(required=True)
    savings = fields.Integer(required=True)
    unpledged = fields.Integer(required=True)
    loan_cap = fields.Integer(required=True)
    due_today = fields.Integer(required=True)
    loans = fields.List(fields.Nested(DueLoanOut), required=True)


class FineTypeOut(Schema):
    """A fine the constitution lists, and its amount."""

    type = fields.String(required=True)
    amount = fields.Integer(required=True)


class CaptureRulesOut(Schema):
    """The constitution's figures the phone checks against (never a copy of the rules)."""

    share_price = fields.Integer(required=True)
    min_shares = fields.Integer(required=True)
    max_shares = fields.Integer(required=True)
    social_contribution = fields.Integer(required=True)
    loan_multiple = fields.Integer(required=True)
    max_term_months = fields.Integer(required=True)
    fines = fields.List(fields.Nested(FineTypeOut), required=True)


class CaptureOut(Schema):
    """The capture state of the fund's next meeting."""

    fund_id = fields.Integer(required=True)
    fund_name = fields.String(required=True)
    unit = fields.String(required=True)
    today = fields.Date(required=True)
    earliest = fields.Date(allow_none=True)
    last_meeting_on = fields.Date(allow_none=True)
    scheduled_on = fields.Date(required=True)
    far_from_schedule_days = fields.Integer(required=True)
    idempotency_key = fields.String(required=True)
    cash = fields.Integer(required=True)
    social_cash = fields.Integer(required=True)
    constitution = fields.Nested(CaptureRulesOut, required=True)
    members = fields.List(fields.Nested(CaptureMemberOut), required=True)
    csrf_token = fields.String(allow_none=True)


class BalancesOut(Schema):
    """A fund's balances now, in rials."""

    cash = fields.Integer(required=True)
    social_cash = fields.Integer(required=True)
    savings = fields.Integer(required=True)
    loans_outstanding = fields.Integer(required=True)


class FundOut(Schema):
    """A savings fund: who, which cycle, balances, last meeting."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    currency = fields.String(required=True)
    unit = fields.String(required=True)
    active_members = fields.Integer(required=True)
    cycle_number = fields.Integer(allow_none=True)
    last_meeting = fields.Nested(MeetingOut, allow_none=True)
    balances = fields.Nested(BalancesOut, required=True)


class MemberOut(Schema):
    """A member's passbook figures."""

    id = fields.Integer(required=True)
    fund_id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    savings = fields.Integer(required=True)
    open_loans = fields.List(fields.Integer(), required=True)


class LoanOut(Schema):
    """A loan: its terms, state and what is left."""

    id = fields.Integer(required=True)
    fund_id = fields.Integer(required=True)
    member_id = fields.Integer(required=True)
    principal = fields.Integer(required=True)
    fee = fields.Integer(required=True)
    term_months = fields.Integer(required=True)
    status = fields.String(required=True)
    principal_outstanding = fields.Integer(required=True)
    meeting_id = fields.Integer(allow_none=True)
