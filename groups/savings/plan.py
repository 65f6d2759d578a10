"""A meeting as a pure plan: ``plan_meeting(state, command) -> MeetingPlan | Violations``.

The contract (used by the meeting sheet, the phone capture API, the fund-book replay,
the demo and the benchmarks):

- ``state`` is ``groups.savings.state.load_fund_state(session, fund_id, command.date)``;
  the command is a ``commands.MeetingInput``. ``plan_meeting`` reads nothing else: no
  session, no clock; the same state and command always give the same answer.
- It returns ``Violations`` (iterable, never empty) with **every** rule the command
  breaks, in the order of business, each a ``ledger.errors.Violation``: its ``code``,
  English ``message`` and Persian ``message_fa``, the ``field`` of the command it is
  about (``"date"``, ``"lines.shares"``, ``"lines.social"``, ``"lines.repayments"``,
  ``"lines.fines"``, ``"recoveries"``, ``"write_offs"``, ``"new_loans.0.borrower"``,
  ``"new_loans.0.amount"``, ``"new_loans.0.term_months"``, ``"new_loans.0.guarantors.1"``,
  ``"grants.0.amount"``, ``"other_income.0.amount"``, ``"expenses.0.amount"``,
  ``"leavers"``), the ``member_id`` and ``loan_id`` when there are, and the ``bound`` it
  broke (the cap, the (low, high) shares range, what is owed, the cash there is, the
  unpledged savings, the previous meeting's date).
- Or a ``MeetingPlan`` (``planned.py``): every row and ledger entry the meeting will
  write, with what a confirmation shows (``cash_expected``, ``discrepancy``, the new
  loans with their fee and schedule). ``write.write_plan(session, plan, actor)`` writes
  it as it is, in one transaction the caller commits.

A part that breaks a rule is left out and planning goes on, so later parts are checked
against the fund as it would be without it. Order of business (DOMAIN.md): attendance
and shares → social fund → late penalties → repayments → fines → recoveries from
guarantors → write-offs → new loans → grants → other income and expenses → leavers →
loan statuses → the cash expected.
"""

from __future__ import annotations

from datetime import date

from groups.savings.commands import MeetingInput
from groups.savings.draft import Draft, not_too_large
from groups.savings.errors import MeetingDateNotAfterPrevious
from groups.savings.planned import MeetingPlan, Violations
from groups.savings.state import FundState
from groups.savings.steps_loans import (
    plan_loan,
    plan_penalties,
    plan_recovery,
    plan_repayment,
    plan_statuses,
    plan_write_off,
)
from groups.savings.steps_members import (
    plan_cash_item,
    plan_fine,
    plan_grant,
    plan_leaver,
    plan_lines,
)

__all__ = ["MeetingPlan", "Violations", "plan_meeting"]


def plan_meeting(state: FundState, command: MeetingInput) -> MeetingPlan | Violations:
    """Return the meeting's plan, or every rule it breaks (see the module's contract)."""
    if state.on != command.date:
        raise ValueError(f"The state is of {state.on}, the meeting of {command.date}")
    draft = Draft.of(state)
    with draft.checking("date"):
        check_date(state, command)
    if command.cash_counted is not None:
        with draft.checking("cash_counted"):
            not_too_large(command.cash_counted, "cash counted")
    plan_business(draft, command)
    if draft.violations:
        return Violations(tuple(draft.violations))
    return finish(
        draft, command.date, command.idempotency_key, command.cash_counted, command.cash_explanation
    )


def check_date(state: FundState, command: MeetingInput) -> None:
    """Refuse a meeting dated on or before the fund's last one."""
    if state.last_meeting is not None and command.date <= state.last_meeting[1]:
        last = state.last_meeting[1]
        raise MeetingDateNotAfterPrevious(
            f"Meeting date {command.date} is not after {last}", bound=last
        )


def plan_business(draft: Draft, command: MeetingInput) -> None:
    """Plan every part of the meeting in the order of business."""
    plan_lines(draft, command.lines)
    plan_penalties(draft)
    for line in command.lines:
        for loan_id, amount in line.repayments.items():
            with draft.checking("lines.repayments", line.member_id, loan_id):
                plan_repayment(draft, line.member_id, loan_id, amount)
        for fine in line.fines:
            with draft.checking("lines.fines", line.member_id):
                plan_fine(draft, line.member_id, fine.fine_type, fine.amount)
    for loan_id in command.recoveries:
        with draft.checking("recoveries", loan_id=loan_id):
            plan_recovery(draft, loan_id)
    for loan_id, reason in command.write_offs.items():
        with draft.checking("write_offs", loan_id=loan_id):
            plan_write_off(draft, loan_id, reason)
    for i, new_loan in enumerate(command.new_loans):
        plan_loan(draft, i, new_loan)
    for i, grant in enumerate(command.grants):
        with draft.checking(f"grants.{i}.amount", grant.member_id):
            plan_grant(draft, grant)
    for kind, items in (("income", command.other_income), ("expense", command.expenses)):
        for i, item in enumerate(items):
            where = "other_income" if kind == "income" else "expenses"
            with draft.checking(f"{where}.{i}.amount"):
                plan_cash_item(draft, kind, item)
    for member_id in command.leavers:
        with draft.checking("leavers", member_id):
            plan_leaver(draft, member_id)
    plan_statuses(draft)


def finish(
    draft: Draft,
    on: date,
    key: str,
    cash_counted: int | None = None,
    cash_explanation: str = "",
    *,
    kind: str = "regular",
) -> MeetingPlan:
    """Return the plan of a draft that broke no rule."""
    state = draft.state
    return MeetingPlan(
        fund_id=state.fund_id,
        cycle_id=state.cycle_id,
        number=state.last_meeting[0] + 1 if state.last_meeting else 1,
        date=on,
        idempotency_key=key,
        kind=kind,
        cash_counted=cash_counted,
        cash_explanation=cash_explanation,
        cash_expected=draft.cash + draft.social_cash,
        lines=tuple(draft.lines),
        repayments=tuple(draft.repayments),
        fines=tuple(draft.fines),
        events=tuple(draft.events),
        new_loans=tuple(draft.new_loans),
        movements=tuple(draft.movements),
        exits=tuple(draft.exits),
        entries=tuple(draft.entries),
    )
