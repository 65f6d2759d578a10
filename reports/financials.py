"""Fund financial statements for a period: trial balance, balance sheet, income statement.

From ``ledger.balances`` (summed from posted postings). Members' sub-accounts
(``3100-0007``, ``1100-0003``) are rolled up into their control account, so the
statements read as the fund's, not 30 members'. Invariants: the trial balance's
debit total = its credit total; assets = liabilities + equity + the surplus not
yet closed; the income statement's net = income − expenses of the period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ledger import balances
from ledger.statements import (
    AccountLine,
    BalanceSheet,
    IncomeStatement,
    Section,
    TrialBalance,
)
from reports import fundfacts
from reports.document import Column, Heading, Table
from reports.statement import default_period

ACCOUNT = Column("account", "حساب", "account")
CODE = Column("code", "کد", "code")


def rolled_up(lines: Iterable[AccountLine]) -> tuple[AccountLine, ...]:
    """Return the lines with sub-accounts (``code-NNNN``) summed into their control account."""
    by_code: dict[str, AccountLine] = {}
    subs: dict[str, int] = {}
    for line in lines:
        parent, _, sub = line.code.partition("-")
        if sub:
            subs[parent] = subs.get(parent, 0) + line.net_debit
        else:
            by_code[line.code] = line
    return tuple(
        AccountLine(
            line.account_id,
            code,
            line.name_fa,
            line.name_en,
            line.type,
            line.net_debit + subs.get(code, 0),
        )
        for code, line in sorted(by_code.items())
    )


@dataclass(frozen=True)
class FinancialStatements:
    """The fund's three statements for [start, end]; amounts in rials."""

    heading: Heading
    trial_balance: TrialBalance
    balance_sheet: BalanceSheet
    income_statement: IncomeStatement
    template: str = "financials.html"

    def trial_balance_table(self) -> Table:
        """Return every account with a balance at the end of the period, debit or credit."""
        tb = self.trial_balance
        rows = tuple((ln.code, ln.name_fa, ln.debit, ln.credit) for ln in tb.lines if ln.net_debit)
        columns = (
            CODE,
            ACCOUNT,
            Column("debit", "بدهکار", "debit", "money"),
            Column("credit", "بستانکار", "credit", "money"),
        )
        totals = ("جمع", None, tb.total_debit, tb.total_credit)
        return Table("trial_balance", "تراز آزمایشی", "trial balance", columns, rows, totals)

    def balance_sheet_table(self) -> Table:
        """Return assets, then liabilities, equity and the surplus, with their totals."""
        bs = self.balance_sheet
        rows: list[tuple[str | None, str, int | None]] = [(None, "دارایی‌ها / assets", None)]
        rows += [(ln.code, ln.name_fa, ln.normal) for ln in bs.assets.lines if ln.net_debit]
        rows.append((None, "جمع دارایی‌ها / total assets", bs.assets.total))
        rows.append((None, "بدهی‌ها و حقوق صاحبان / liabilities and equity", None))
        for group in (bs.liabilities, bs.equity):
            rows += [(ln.code, ln.name_fa, ln.normal) for ln in group.lines if ln.net_debit]
        rows.append((None, "مازاد دوره (بسته‌نشده) / surplus to date", bs.surplus))
        columns = (CODE, ACCOUNT, Column("amount", "مبلغ", "amount", "money"))
        totals = (None, "جمع بدهی‌ها و حقوق صاحبان / total", bs.liabilities_and_equity)
        return Table("balance_sheet", "ترازنامه", "balance sheet", columns, tuple(rows), totals)

    def income_statement_table(self) -> Table:
        """Return the period's income and expenses and the net result."""
        inc = self.income_statement
        rows: list[tuple[str | None, str, int | None]] = [(None, "درآمدها / income", None)]
        rows += [(ln.code, ln.name_fa, ln.normal) for ln in inc.income.lines if ln.net_debit]
        rows.append((None, "جمع درآمدها / total income", inc.income.total))
        rows.append((None, "هزینه‌ها / expenses", None))
        rows += [(ln.code, ln.name_fa, ln.normal) for ln in inc.expenses.lines if ln.net_debit]
        rows.append((None, "جمع هزینه‌ها / total expenses", inc.expenses.total))
        columns = (CODE, ACCOUNT, Column("amount", "مبلغ", "amount", "money"))
        totals = (None, "مازاد (کسری) دوره / net", inc.net)
        return Table(
            "income", "صورت درآمد و هزینه", "income statement", columns, tuple(rows), totals
        )

    def tables(self) -> list[Table]:
        """Return the trial balance, balance sheet and income statement."""
        return [
            self.trial_balance_table(),
            self.balance_sheet_table(),
            self.income_statement_table(),
        ]


def financial_statements(
    session: Session, fund_id: int, start: date | None = None, end: date | None = None
) -> FinancialStatements:
    """Return the fund's statements for [start, end] (default: the cycle to its last meeting)."""
    start, end = default_period(session, fund_id, start, end)
    info = fundfacts.fund_info(session, fund_id, end)
    tb = balances.trial_balance(session, fund_id, as_of=end)
    lines = rolled_up(tb.lines)
    income = balances.income_statement(session, fund_id, start, end)
    heading = Heading(
        "صورت‌های مالی صندوق", "financial statements", info.name, info.village, start, end, info.unit
    )
    sheet = balances.balance_sheet(session, fund_id, end)
    return FinancialStatements(
        heading,
        TrialBalance(fund_id, end, lines),
        BalanceSheet(
            fund_id,
            end,
            _rolled_section(sheet.assets),
            _rolled_section(sheet.liabilities),
            _rolled_section(sheet.equity),
            sheet.surplus,
        ),
        IncomeStatement(
            fund_id,
            start,
            end,
            _rolled_section(income.income),
            _rolled_section(income.expenses),
        ),
    )


def _rolled_section(section: Section) -> Section:
    return Section(section.type, rolled_up(section.lines))
