"""The capture form's defaults and its explicit decisions (write-off, schedule, cash difference).

- Defaults: everyone present, shares as at the last meeting, the social fund for
  those present, each instalment due today filled in.
- A write-off is a decision, not a text box: it needs a reason *and* the
  confirmation box; either alone is refused with a message.
- A date far from the schedule is asked about (``date_confirmed``), not refused.
- A cash count that differs from the expected cash by more than
  ``CASH_TOLERANCE`` rials needs an explanation before it can post.
Form values keep the meeting sheet's names (web/meetings/sheet.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from reports import persian
from web.capture.state import CaptureState
from web.capture.violations import Violation
from web.fields import amount_text
from web.formatting import jalali, money
from web.formatting import persian_digits as digits

#: The largest difference between counted and expected cash that posts without a word (rials).
CASH_TOLERANCE = 10_000


def member_defaults(state: CaptureState) -> dict[str, str]:
    """Return each member row's starting values."""
    social = state.constitution.social_contribution
    values: dict[str, str] = {}
    for m in state.members:
        values[f"m-{m.id}-attendance"] = "present"
        values[f"m-{m.id}-shares"] = digits(m.last_shares)
        if social:
            values[f"m-{m.id}-social"] = amount_text(social, state.unit)
        for loan in m.loans:
            if loan.payable_now:
                values[f"m-{m.id}-repay-{loan.id}"] = amount_text(loan.payable_now, state.unit)
    return values


def normalised(form: Mapping[str, str], state: CaptureState) -> MultiDict[str, str]:
    """Return the posted values as the sheet reads them: no social fund from the absent,
    and a write-off only when its reason and its confirmation were both given."""
    values = MultiDict({k: v for k, v in form.items() if not k.startswith("writeoff-")})
    for m in state.members:
        if values.get(f"m-{m.id}-attendance") == "absent":
            values[f"m-{m.id}-social"] = ""
        for loan in m.loans:
            reason = (form.get(f"writeoff-{loan.id}-reason") or "").strip()
            if reason and form.get(f"writeoff-{loan.id}-confirm"):
                values[f"writeoff-{loan.id}"] = reason
            values[f"writeoff-{loan.id}-reason"] = reason
            values[f"writeoff-{loan.id}-confirm"] = form.get(f"writeoff-{loan.id}-confirm", "")
    return values


def problems(values: Mapping[str, str], state: CaptureState) -> list[Violation]:
    """Return the half-made decisions: a write-off with a reason but no confirmation, or back."""
    found = []
    for m in state.members:
        for loan in m.loans:
            reason = values.get(f"writeoff-{loan.id}-reason")
            confirmed = values.get(f"writeoff-{loan.id}-confirm")
            if reason and not confirmed:
                message = _("Tick the box to confirm the meeting writes this loan off.")
            elif confirmed and not reason:
                message = _("Write why the meeting writes this loan off.")
            else:
                continue
            found.append(Violation("write_off_unconfirmed", message, "write_off", m.id, loan.id))
    return found


def off_schedule_question(on: date, scheduled: date) -> Violation:
    """Return the question asked of a date far from the schedule."""
    days = persian.persian_digits(abs((on - scheduled).days))
    message = _(
        "This date is %(days)s days from the scheduled meeting (%(scheduled)s). "
        "Tick the box below the date if it is right.",
        days=days,
        scheduled=jalali(scheduled),
    )
    return Violation("meeting_date_off_schedule", message, "date", bound=scheduled)


def preview_of(record: Any) -> dict[str, Any]:
    """Copy what the cards show out of the rows the rollback will expire."""
    meeting = record.meeting
    return {
        "cash_expected": meeting.cash_expected,
        "cash_counted": meeting.cash_counted,
        "discrepancy": record.discrepancy,
        "paid": {member_id: record.paid_by(member_id) for member_id in record.names},
        "loans": [
            (loan.member_id, loan.principal, loan.fee, loan.term_months)
            for loan in record.new_loans
        ],
    }


def cash_problems(
    values: Mapping[str, str], state: CaptureState, preview: dict[str, Any]
) -> list[Violation]:
    """Return the cash difference beyond the tolerance that has no explanation yet."""
    difference = preview["discrepancy"]
    if difference is None or abs(difference) <= CASH_TOLERANCE:
        return []
    if (values.get("cash_explanation") or "").strip():
        return []
    message = _(
        "The cash counted differs from the expected %(expected)s by %(difference)s: "
        "write what happened before posting.",
        expected=money(preview["cash_expected"], state.unit),
        difference=money(abs(difference), state.unit),
    )
    return [Violation("cash_difference_unexplained", message, "cash_explanation", bound=difference)]
