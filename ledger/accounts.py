"""Account types, their normal side, and the chart-of-accounts template of a fund.

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


#: The chart every new savings fund gets. Codes are stable: services refer to them.
SAVINGS_FUND_CHART: tuple[AccountSpec, ...] = (
    AccountSpec("1010", "نقد صندوق وام", "Loan fund cash", AccountType.ASSET),
    AccountSpec("1020", "نقد صندوق همبستگی", "Social fund cash", AccountType.ASSET),
    AccountSpec("1030", "حساب بانکی", "Bank account", AccountType.ASSET),
    AccountSpec("1100", "وام اعضا", "Loans to members", AccountType.ASSET, per_member=True),
    AccountSpec("1200", "کارمزد دریافتنی", "Charges receivable", AccountType.ASSET),
    AccountSpec("2100", "بدهی به اعضا", "Payable to members", AccountType.LIABILITY),
    AccountSpec("3100", "پس‌انداز اعضا", "Member savings", AccountType.EQUITY, per_member=True),
    AccountSpec("3200", "صندوق همبستگی", "Social fund", AccountType.EQUITY),
    AccountSpec("3300", "مازاد انباشته", "Retained surplus", AccountType.EQUITY),
    AccountSpec("3900", "مانده‌های افتتاحیه", "Opening balances", AccountType.EQUITY),
    AccountSpec("4100", "کارمزد وام", "Loan service charges", AccountType.INCOME),
    AccountSpec("4200", "جریمه‌ها", "Fines", AccountType.INCOME),
    AccountSpec("4300", "دیرکرد", "Late penalties", AccountType.INCOME),
    AccountSpec("4400", "سایر درآمدها", "Other income", AccountType.INCOME),
    AccountSpec("5100", "هزینه‌ها", "Expenses", AccountType.EXPENSE),
    AccountSpec("5200", "سوخت وام", "Loan write-offs", AccountType.EXPENSE),
)


def member_account_code(parent_code: str, member_id: int) -> str:
    """Return the code of a member's sub-account under a per-member parent account."""
    return f"{parent_code}-{member_id:04d}"
