"""Trial balance, balance sheet and income statement as plain values, built from account lines.

Pure: no database. Amounts are integers of minor units. ``AccountLine.net_debit``
is Σ debit − Σ credit; ``normal`` reads it on the account type's normal side.
A balance sheet balances when assets = liabilities + equity + the period's
surplus (income − expenses not yet closed into equity).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ledger.accounts import AccountType


@dataclass(frozen=True)
class AccountLine:
    """One account and its net-debit balance."""

    account_id: int
    code: str
    name_fa: str
    name_en: str
    type: AccountType
    net_debit: int

    @property
    def normal(self) -> int:
        """Return the balance read on the account's normal side."""
        return self.type.normal_balance(self.net_debit)

    @property
    def debit(self) -> int:
        """Return the balance when it is a debit balance, else 0."""
        return max(self.net_debit, 0)

    @property
    def credit(self) -> int:
        """Return the balance when it is a credit balance, else 0."""
        return max(-self.net_debit, 0)


@dataclass(frozen=True)
class TrialBalance:
    """Every account of a fund with its balance on a date."""

    fund_id: int
    as_of: date | None
    lines: tuple[AccountLine, ...]

    @property
    def total_debit(self) -> int:
        """Return the sum of debit balances."""
        return sum(line.debit for line in self.lines)

    @property
    def total_credit(self) -> int:
        """Return the sum of credit balances."""
        return sum(line.credit for line in self.lines)

    @property
    def is_balanced(self) -> bool:
        """Return True when debit balances equal credit balances."""
        return self.total_debit == self.total_credit

    def by_code(self) -> dict[str, AccountLine]:
        """Return the lines keyed by account code."""
        return {line.code: line for line in self.lines}


@dataclass(frozen=True)
class Section:
    """A titled group of lines on a statement, with its total on the normal side."""

    type: AccountType
    lines: tuple[AccountLine, ...]

    @property
    def total(self) -> int:
        """Return the section total, read on the normal side."""
        return sum(line.normal for line in self.lines)


@dataclass(frozen=True)
class BalanceSheet:
    """Assets against liabilities and equity on a date."""

    fund_id: int
    as_of: date
    assets: Section
    liabilities: Section
    equity: Section
    #: Income − expenses to date not yet closed into equity.
    surplus: int

    @property
    def liabilities_and_equity(self) -> int:
        """Return liabilities + equity + surplus: equals total assets when the books balance."""
        return self.liabilities.total + self.equity.total + self.surplus

    @property
    def is_balanced(self) -> bool:
        """Return True when assets equal liabilities plus equity plus surplus."""
        return self.assets.total == self.liabilities_and_equity


@dataclass(frozen=True)
class IncomeStatement:
    """Income and expenses of a period (both dates included)."""

    fund_id: int
    start: date
    end: date
    income: Section
    expenses: Section

    @property
    def net(self) -> int:
        """Return income − expenses: positive is a surplus, negative a deficit."""
        return self.income.total - self.expenses.total


def section(lines: Iterable[AccountLine], account_type: AccountType) -> Section:
    """Return the lines of one account type as a statement section."""
    return Section(account_type, tuple(line for line in lines if line.type is account_type))


def build_balance_sheet(fund_id: int, as_of: date, lines: Iterable[AccountLine]) -> BalanceSheet:
    """Arrange balances to date into a balance sheet."""
    lines = tuple(lines)
    income = section(lines, AccountType.INCOME).total
    expenses = section(lines, AccountType.EXPENSE).total
    return BalanceSheet(
        fund_id=fund_id,
        as_of=as_of,
        assets=section(lines, AccountType.ASSET),
        liabilities=section(lines, AccountType.LIABILITY),
        equity=section(lines, AccountType.EQUITY),
        surplus=income - expenses,
    )


def build_income_statement(
    fund_id: int, start: date, end: date, lines: Iterable[AccountLine]
) -> IncomeStatement:
    """Arrange the period's movements into an income statement."""
    lines = tuple(lines)
    return IncomeStatement(
        fund_id=fund_id,
        start=start,
        end=end,
        income=section(lines, AccountType.INCOME),
        expenses=section(lines, AccountType.EXPENSE),
    )
