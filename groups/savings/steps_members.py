"""Planning steps of a meeting about members and cash: shares, social fund, fines, grants,
other income and expenses, and leavers. Each checks, then changes the ``Draft`` (pure)."""

from __future__ import annotations

from groups.savings import rules
from groups.savings.commands import CashItem, Grant, MemberLine
from groups.savings.draft import Draft, non_negative, not_too_large, positive
from groups.savings.errors import (
    InsufficientCash,
    InsufficientSocialFund,
    MemberHasGuarantees,
    MemberHasOpenLoan,
    MemberListedTwice,
    ShareLimitExceeded,
    UnknownFineType,
)
from groups.savings.planned import PlannedExit, PlannedFine, PlannedLine, PlannedMovement


def plan_lines(draft: Draft, lines: tuple[MemberLine, ...]) -> None:
    """Plan attendance, shares and social-fund contributions (one entry for each)."""
    price = draft.constitution.share_price
    savings_credits, social_total = [], 0
    seen: set[int] = set()
    for line in lines:
        before = len(draft.violations)
        with draft.checking("lines.shares", member_id=line.member_id):
            draft.member(line.member_id)
            once(line.member_id, seen, draft.state.members[line.member_id].named)
            check_shares(draft, line)
        if len(draft.violations) == before:
            with draft.checking("lines.shares", member_id=line.member_id):
                not_too_large(line.shares * price, "shares × share price")
            with draft.checking("lines.social", member_id=line.member_id):
                non_negative(line.social, "social-fund contribution")
        if len(draft.violations) > before:
            continue
        amount = line.shares * price
        draft.lines.append(
            PlannedLine(line.member_id, line.attendance, line.shares, amount, line.social)
        )
        if amount:
            savings_credits.append((("savings", line.member_id), amount))
            draft.change_savings(line.member_id, amount)
        social_total += line.social
    shares_total = sum(amount for _, amount in savings_credits)
    if shares_total:
        draft.entry("shares", [("cash", shares_total)], savings_credits)
        draft.cash += shares_total
    if social_total:
        draft.entry("social fund", [("social_cash", social_total)], [("social", social_total)])
        draft.social_cash += social_total


def once(member_id: int, seen: set[int], named: str) -> None:
    """Refuse a member named a second time where she may be named once."""
    if member_id in seen:
        raise MemberListedTwice(f"{named} is listed twice")
    seen.add(member_id)


def check_shares(draft: Draft, line: MemberLine) -> None:
    """Refuse shares outside the constitution's range (the minimum only for those present)."""
    low, high = draft.constitution.min_shares, draft.constitution.max_shares
    attending = line.attendance is not rules.Attendance.ABSENT
    if line.shares < 0 or line.shares > high or (attending and line.shares < low):
        member = draft.state.members[line.member_id]
        raise ShareLimitExceeded(
            f"{member.named} buys {line.shares} shares; allowed {low}–{high}",
            bound=(low if attending else 0, high),
        )


def plan_fine(draft: Draft, member_id: int, fine_type: str, amount: int) -> None:
    """Plan a fine paid in cash."""
    draft.member(member_id)
    fines = draft.constitution.fines
    if fine_type not in fines:
        raise UnknownFineType(f"The constitution has no fine {fine_type!r}", field="lines.fines")
    non_negative(amount, "fine")
    if not amount:
        return
    draft.fines.append(PlannedFine(member_id, fine_type, amount))
    draft.entry("fine", [("cash", amount)], [("fines", amount)])
    draft.cash += amount


def plan_grant(draft: Draft, grant: Grant) -> None:
    """Plan a social-fund grant to a member."""
    draft.member(grant.member_id)
    positive(grant.amount, f"A grant must be positive: {grant.amount}")
    if grant.amount > draft.social_cash:
        raise InsufficientSocialFund(
            f"Social fund holds {draft.social_cash}, grant {grant.amount}", bound=draft.social_cash
        )
    draft.movements.append(PlannedMovement("grant", grant.amount, grant.reason, grant.member_id))
    draft.entry("grant", [("social", grant.amount)], [("social_cash", grant.amount)])
    draft.social_cash -= grant.amount


def plan_cash_item(draft: Draft, kind: str, item: CashItem) -> None:
    """Plan other income or an expense of the loan fund."""
    amount = item.amount
    positive(amount, f"Amount must be positive: {amount}")
    if kind == "expense" and amount > draft.cash:
        raise InsufficientCash(f"Cash is {draft.cash}, expense {amount}", bound=draft.cash)
    draft.movements.append(PlannedMovement(kind, amount, item.memo))
    if kind == "income":
        draft.entry("other income", [("cash", amount)], [("other_income", amount)])
        draft.cash += amount
    else:
        draft.entry("expense", [("expenses", amount)], [("cash", amount)])
        draft.cash -= amount


def plan_leaver(draft: Draft, member_id: int) -> None:
    """Plan paying a leaver her savings (and profit to date, if the constitution says) less
    what she owes, which is netted from her savings."""
    member = draft.member(member_id)
    if guarantees_open_loan(draft, member_id):
        raise MemberHasGuarantees(f"{member.named} guarantees an open loan; replace her first")
    if any(loan.borrower_id == member_id for loan in draft.new_loans):
        raise MemberHasOpenLoan(f"{member.named} borrows at this meeting; she cannot leave at it")
    savings = draft.savings_now(member_id)
    profit = profit_to_date(draft, savings) if draft.constitution.leaver_gets_profit else 0
    owed_loans = draft.loans_of(member_id)
    owed = sum(draft.position(loan).max_payment for loan in owed_loans)
    paid = savings + profit - owed
    if paid < 0:
        raise MemberHasOpenLoan(f"{member.named} owes {owed}, more than her {savings + profit}")
    if paid > draft.cash:
        raise InsufficientCash(f"Cash is {draft.cash}, her settlement {paid}", bound=draft.cash)
    for loan in owed_loans:
        position = draft.position(loan)
        payment = rules.split_repayment(
            position.max_payment, position, draft.constitution.repayment_order, draft.on
        )
        draft.pay(loan, member_id, payment, ("savings", member_id), "netted on leaving")
    if paid or profit:
        draft.entry(
            "leaving",
            [(("savings", member_id), max(savings - owed, 0)), ("surplus", max(profit, 0))],
            [
                ("cash", paid),
                ("surplus", max(-profit, 0)),
                (("savings", member_id), max(owed - savings, 0)),
            ],
        )
    draft.cash -= paid
    draft.change_savings(member_id, -savings)
    draft.exits.append(PlannedExit(member_id, savings, profit, owed, paid))
    draft.left.add(member_id)


def guarantees_open_loan(draft: Draft, member_id: int) -> bool:
    """Return whether she guarantees an open loan (one granted here included)."""
    return any(g == member_id for loan in draft.loans.values() for g, _ in loan.guarantees) or any(
        g == member_id for loan in draft.new_loans for g, _ in loan.guarantees
    )


def profit_to_date(draft: Draft, savings: int) -> int:
    """Return a member's share of the loan fund's surplus to date, in proportion to savings."""
    total_savings = sum(draft.savings_now(m.id) for m in draft.state.active)
    if not total_savings:
        return 0
    receivables = sum(loan.principal_outstanding for loan in draft.loans.values()) + sum(
        loan.principal for loan in draft.new_loans
    )
    worth = draft.cash + receivables
    return worth * savings // total_savings - savings
