"""Share-out: who gets what, to the rial (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from groups.savings.errors import (
    NegativeAmount,
)
from groups.savings.rules.constitution import ShareOutMethod
from ledger.money import allocate

# -- share-out -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberStake:
    """A member's claim on the loan fund at share-out."""

    member_id: int
    savings: int
    charges_paid: int = 0
    #: Her open-loan balance, netted against her payout.
    owes: int = 0


@dataclass(frozen=True)
class Payout:
    """What a member receives at share-out: payout = savings + profit − deduction."""

    member_id: int
    savings: int
    #: May be negative when the fund lost money.
    profit: int
    deduction: int
    payout: int


def _equal(total: int, count: int) -> list[int]:
    """Return ``total`` split in ``count`` equal parts by largest remainder."""
    return allocate(total, [1] * count)


def _spread(amount: int, stakes: Sequence[int]) -> list[int]:
    """Split a profit in equal parts; a loss in proportion to each member's stake.

    An equal split of a loss would ask a member with little or no savings to pay in;
    a loss is borne like savings are held, so nobody loses more than she put in.
    """
    if amount >= 0 or not any(stakes):
        return _equal(amount, len(stakes))
    return [-part for part in allocate(-amount, list(stakes))]


def _gross_shares(
    method: ShareOutMethod, stakes: Sequence[MemberStake], distributable: int
) -> list[int]:
    """Return each member's gross share (savings + profit) under the method."""
    savings = [s.savings for s in stakes]
    if method == ShareOutMethod.PROPORTIONAL:
        return (
            allocate(distributable, savings) if any(savings) else _equal(distributable, len(stakes))
        )
    if method == ShareOutMethod.EQUAL_PROFIT:
        profits = _spread(distributable - sum(savings), savings)
        return [s + p for s, p in zip(savings, profits, strict=True)]
    claims = [s.savings + s.charges_paid for s in stakes]
    rest = _spread(distributable - sum(claims), claims)
    return [c + r for c, r in zip(claims, rest, strict=True)]


def share_out(
    method: ShareOutMethod, stakes: Sequence[MemberStake], distributable: int
) -> tuple[Payout, ...]:
    """Divide the distributable fund among members; Σ payouts + Σ deductions = distributable.

    ``distributable`` is the loan-fund cash plus the receivables netted against
    payouts (each member's ``owes``). A payout is negative when she owes more
    than her gross share; the caller decides what to do then.
    """
    if not stakes:
        if distributable:
            raise ValueError(f"No members to share out {distributable} among")
        return ()
    for s in stakes:
        if min(s.savings, s.charges_paid, s.owes) < 0:
            raise NegativeAmount(f"Member {s.member_id} has a negative stake: {s}")
    gross = _gross_shares(ShareOutMethod(method), stakes, distributable)
    return tuple(
        Payout(s.member_id, s.savings, g - s.savings, s.owes, g - s.owes)
        for s, g in zip(stakes, gross, strict=True)
    )


def value_per_share(distributable: int, total_shares: int | Fraction) -> Fraction:
    """Return the distributable fund ÷ the shares bought in the cycle (0 when none were)."""
    if not total_shares:
        return Fraction(0)
    return Fraction(distributable) / Fraction(total_shares)


def expected_cash(opening: int, inflows: Iterable[int], outflows: Iterable[int]) -> int:
    """Return the cash the box should hold: opening + Σ inflows − Σ outflows."""
    return opening + sum(inflows) - sum(outflows)
