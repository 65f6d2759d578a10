"""The chart of accounts of a savings fund: the template a new fund opens with, and the codes
the savings services post to by role (``CODES["cash"]`` …).

The ledger core knows no chart; ``groups.savings.funds.create_fund`` opens a fund with
this one. Codes are stable: stored accounts, exports and reports refer to them. A
member's savings and loan sub-accounts are opened on first use under the
``per_member`` accounts (``3100-0007``: ``ledger.accounts.member_account_code``).
"""

from __future__ import annotations

from ledger.accounts import AccountSpec, AccountType

#: The codes of the accounts the savings services post to, by their role.
CODES = {
    "cash": "1010",
    "social_cash": "1020",
    "loans": "1100",
    "payable": "2100",
    "savings": "3100",
    "social": "3200",
    "surplus": "3300",
    "opening": "3900",
    "charges": "4100",
    "fines": "4200",
    "penalties": "4300",
    "other_income": "4400",
    "expenses": "5100",
    "write_offs": "5200",
}


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
