"""The rules of a savings fund as pure functions over plain values.

Split by concept into constitution, schedule, loans and shareout; this package
re-exports them so services can say ``rules.loan_schedule``.

No database, no web: every function here takes ints, dates and Decimals and
returns new frozen values, so the services can be checked against them and
they can be tested with hypothesis.

Invariants and conventions:
- Money is an ``int`` of rials (minor units). Rates are ``Decimal`` fractions
  (0.05 = 5%); each rate applied to money rounds ROUND_HALF_UP, named at the call.
- Splits use the largest-remainder method (``ledger.money.allocate``) or put the
  remainder on the last part, so parts always add up to the whole, to the rial:
  Σ instalment principal = loan principal; Σ payouts + Σ deductions = distributable;
  Σ recovery = min(arrears, Σ available); a split repayment sums to the amount.
- A loan's schedule is fixed at disbursement. Payments are applied oldest
  instalment first: paid principal covers instalments' principal in order, paid
  charges cover their charges in order. Only instalments due on or before a day
  are owed on that day; a prepayment covers the next instalments' principal; the
  charges of instalments due after the day the last principal was repaid are waived.
  A position as of a day ignores payments dated after it.
- A late instalment is one due strictly before the day and not fully paid.
- Dates are Gregorian ``date``; Jalali months come from ``groups.calendar``.
"""

from groups.savings.rules.constitution import (
    DEFAULT_REPAYMENT_ORDER,
    WEEKDAY_FREQUENCIES,
    Attendance,
    ChargeMethod,
    Component,
    Constitution,
    MeetingFrequency,
    PenaltyKind,
    RecoveryOrder,
    ShareOutMethod,
)
from groups.savings.rules.loans import (
    Instalment,
    LoanPosition,
    Payment,
    annuity_payment,
    check_repayment_order,
    late_instalments,
    late_penalty,
    loan_cap,
    loan_position,
    loan_schedule,
    pledge_held,
    principal_parts,
    recovery_split,
    round_to_unit,
    split_recovery,
    split_repayment,
    upfront_fee,
)
from groups.savings.rules.schedule import (
    PaperLoan,
    grace_end,
    instalment_due_dates,
    loan_instalments,
    meeting_dates,
    months_after,
    next_meeting_on_or_after,
    paper_loan_instalments,
    voiding_day,
)
from groups.savings.rules.shareout import (
    MemberStake,
    Payout,
    expected_cash,
    share_out,
    value_per_share,
)

__all__ = [
    "DEFAULT_REPAYMENT_ORDER",
    "WEEKDAY_FREQUENCIES",
    "Attendance",
    "ChargeMethod",
    "Component",
    "Constitution",
    "Instalment",
    "LoanPosition",
    "MeetingFrequency",
    "MemberStake",
    "PaperLoan",
    "Payment",
    "Payout",
    "PenaltyKind",
    "RecoveryOrder",
    "ShareOutMethod",
    "annuity_payment",
    "check_repayment_order",
    "expected_cash",
    "grace_end",
    "instalment_due_dates",
    "late_instalments",
    "late_penalty",
    "loan_cap",
    "loan_instalments",
    "loan_position",
    "loan_schedule",
    "meeting_dates",
    "months_after",
    "next_meeting_on_or_after",
    "paper_loan_instalments",
    "pledge_held",
    "principal_parts",
    "recovery_split",
    "round_to_unit",
    "share_out",
    "split_recovery",
    "split_repayment",
    "upfront_fee",
    "value_per_share",
    "voiding_day",
]
