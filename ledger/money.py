"""Money as integers in the currency's minor unit; rates in Decimal; exact splitting.

Invariants:
- An amount is an ``int`` of minor units (for the rial, 1 = one rial). No float
  ever touches money.
- A rate is a ``Decimal`` (0.05 = 5%). Converting a rated amount back to minor
  units names its rounding mode explicitly.
- ``allocate`` splits a whole into parts that always add up to the whole exactly
  (largest-remainder method), so shares and instalments never lose a rial.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ledger.errors import InvalidAmount, UnknownCurrency

#: ISO 4217 minor-unit exponents of the currencies a fund may keep its books in.
#: The Iranian rial has no fractional unit in use, so its exponent is 0.
CURRENCY_EXPONENTS: dict[str, int] = {
    "IRR": 0,
    "AFN": 2,
    "IQD": 3,
    "TRY": 2,
    "USD": 2,
    "EUR": 2,
}

DEFAULT_CURRENCY = "IRR"

#: The largest amount one value of a command may hold (10^15 minor units): far below the
#: database's 2^63, so that the sums of a fund's books stay in range too.
MAX_AMOUNT = 10**15


def minor_unit_exponent(currency: str) -> int:
    """Return how many decimal places the currency's minor unit has."""
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise UnknownCurrency(f"Unknown currency {currency!r}") from None


def require_positive_amount(amount: object) -> int:
    """Return the amount if it is a positive int of minor units, else raise InvalidAmount."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidAmount(f"Amount must be a positive integer of minor units, got {amount!r}")
    return amount


def apply_rate(amount: int, rate: Decimal, rounding: str = ROUND_HALF_UP) -> int:
    """Return amount × rate in minor units, rounded with the named Decimal rounding mode."""
    return int((Decimal(amount) * rate).to_integral_value(rounding=rounding))


def allocate(total: int, weights: Sequence[int | Fraction]) -> list[int]:
    """Split ``total`` in proportion to ``weights``; the parts add up to ``total`` exactly.

    Largest-remainder method: each part gets the floor of its exact share, and
    the units left over go one each to the largest remainders (ties to the
    earlier weight, so the result is deterministic).
    """
    if not weights:
        raise ValueError("allocate needs at least one weight")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(Fraction(w) for w in weights)
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    exact = [Fraction(total) * Fraction(w) / weight_sum for w in weights]
    parts = [int(x // 1) for x in exact]
    left_over = total - sum(parts)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:left_over]:
        parts[i] += 1
    return parts
