"""Account types, their normal side, and how a chart-of-accounts template is written.

The ledger knows no particular chart: a fund is opened with the template its
group gives (the savings fund's is ``groups/savings/chart.py``).

Sign convention: a balance is stored as *net debit* (Σ debits − Σ credits).
An account's *normal* balance is the net debit times the sign of its type's
normal side, so an asset with more debits and a liability with more credits
both show a positive normal balance.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Side(enum.StrEnum):
    """The side of a posting."""

    DEBIT = "debit"
    CREDIT = "credit"

    @property
    def sign(self) -> int:
        """Return +1 for debit, -1 for credit: a posting's contribution to net debit."""
        return 1 if self is Side.DEBIT else -1

    @property
    def opposite(self) -> Side:
        """Return the other side."""
        return Side.CREDIT if self is Side.DEBIT else Side.DEBIT


class AccountType(enum.StrEnum):
    """The five account types of double-entry bookkeeping."""

    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"

    @property
    def normal_side(self) -> Side:
        """Return the side on which this type's balance normally grows."""
        return Side.DEBIT if self in (AccountType.ASSET, AccountType.EXPENSE) else Side.CREDIT

    def normal_balance(self, net_debit: int) -> int:
        """Return the balance as read on the normal side, from a net-debit amount."""
        return net_debit * self.normal_side.sign

    @property
    def on_balance_sheet(self) -> bool:
        """Return True for asset, liability and equity accounts."""
        return self in (AccountType.ASSET, AccountType.LIABILITY, AccountType.EQUITY)


@dataclass(frozen=True)
class AccountSpec:
    """One line of a chart-of-accounts template."""

    code: str
    name_fa: str
    name_en: str
    type: AccountType
    #: True when members get their own sub-account under this one.
    per_member: bool = False


def member_account_code(parent_code: str, member_id: int) -> str:
    """Return the code of a member's sub-account under a per-member parent account."""
    return f"{parent_code}-{member_id:04d}"
