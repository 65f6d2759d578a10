"""Where a refused rule goes on the capture form: the planner's dotted fields and the codes."""

from __future__ import annotations

import pytest

from web.capture.violations import Violation, field_kind, form_field


@pytest.mark.parametrize(
    ("field", "code", "kind"),
    [
        ("lines.shares", "share_limit_exceeded", "shares"),
        ("lines.repayments", "over_payment", "repay"),
        ("lines.fines", "unknown_fine_type", "fine"),
        ("new_loans.0.amount", "loan_exceeds_cap", "loan_amount"),
        ("new_loans.0.term_months", "loan_term_too_long", "loan_term"),
        ("new_loans.0.guarantors.1", "guarantor_lacks_savings", "pledge"),
        ("date", "meeting_date_not_after_previous", "date"),
        (None, "share_limit_exceeded", "shares"),
        (None, "no_such_rule", "top"),
    ],
)
def test_a_field_is_named_the_captures_way(field: str | None, code: str, kind: str) -> None:
    assert field_kind(field, code) == kind


def test_each_violation_goes_to_its_input() -> None:
    assert form_field(Violation("x", "m", "shares", member=7)) == "m-7-shares"
    assert form_field(Violation("x", "m", "repay", member=7, loan=3)) == "m-7-repay-3"
    assert form_field(Violation("x", "m", "loan_amount")) == "loan-loan_amount"
    assert form_field(Violation("x", "m", "cash_explanation")) == "cash_explanation"
    assert form_field(Violation("x", "m", "grant")) == "top"
