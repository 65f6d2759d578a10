"""Reading balances: the stored current balance, balances as of a date, and statements.

Current balances come from ``accounts.balance`` (kept by the posting trigger);
balances as of a date and movements over a period are summed from posted
postings, using the indexes on ``postings.account_id`` and ``entries(fund_id, date)``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from ledger.accounts import AccountType
from ledger.entries import EntryStatus
from ledger.errors import UnknownAccount
from ledger.models import Account, Entry, PostingRow
from ledger.statements import (
    AccountLine,
    BalanceSheet,
    IncomeStatement,
    TrialBalance,
    build_balance_sheet,
    build_income_statement,
)

#: Σ debit − Σ credit of the selected postings.
NET_DEBIT = func.coalesce(
    func.sum(case((PostingRow.side == "debit", PostingRow.amount), else_=-PostingRow.amount)), 0
)


def balance(session: Session, account_id: int) -> int:
    """Return the account's current balance on its normal side, from the stored balance."""
    row = session.execute(
        select(Account.type, Account.balance).where(Account.id == account_id)
    ).one_or_none()
    if row is None:
        raise UnknownAccount(f"No account {account_id}")
    return AccountType(row.type).normal_balance(row.balance)


def balance_as_of(session: Session, account_id: int, as_of: date) -> int:
    """Return the account's balance at the end of a day, on its normal side."""
    account_type = session.scalar(select(Account.type).where(Account.id == account_id))
    if account_type is None:
        raise UnknownAccount(f"No account {account_id}")
    query = _posted(select(NET_DEBIT)).where(
        PostingRow.account_id == account_id, Entry.date <= as_of
    )
    return AccountType(account_type).normal_balance(int(session.scalar(query) or 0))


def trial_balance(session: Session, fund_id: int, as_of: date | None = None) -> TrialBalance:
    """Return every account of the fund with its balance (current, or at the end of a day)."""
    if as_of is None:
        lines = _stored_lines(session, fund_id)
    else:
        lines = _summed_lines(session, fund_id, None, as_of)
    return TrialBalance(fund_id, as_of, lines)


def balance_sheet(session: Session, fund_id: int, as_of: date) -> BalanceSheet:
    """Return the fund's balance sheet at the end of a day."""
    return build_balance_sheet(fund_id, as_of, _summed_lines(session, fund_id, None, as_of))


def income_statement(session: Session, fund_id: int, start: date, end: date) -> IncomeStatement:
    """Return the fund's income and expenses from start to end, both days included."""
    return build_income_statement(fund_id, start, end, _summed_lines(session, fund_id, start, end))


def _posted(query: Select[tuple[int]]) -> Select[tuple[int]]:
    return (
        query.select_from(PostingRow)
        .join(Entry, Entry.id == PostingRow.entry_id)
        .where(Entry.status == EntryStatus.POSTED.value)
    )


def _account_line(account: Account, net_debit: int) -> AccountLine:
    return AccountLine(
        account.id,
        account.code,
        account.name_fa,
        account.name_en,
        AccountType(account.type),
        net_debit,
    )


def _fund_accounts(session: Session, fund_id: int) -> list[Account]:
    query = select(Account).where(Account.fund_id == fund_id).order_by(Account.code)
    return list(session.scalars(query).all())


def _stored_lines(session: Session, fund_id: int) -> tuple[AccountLine, ...]:
    accounts = _fund_accounts(session, fund_id)
    stored = dict(
        session.execute(select(Account.id, Account.balance).where(Account.fund_id == fund_id)).all()
    )
    return tuple(_account_line(a, stored[a.id]) for a in accounts)


def _summed_lines(
    session: Session, fund_id: int, start: date | None, end: date
) -> tuple[AccountLine, ...]:
    query = (
        select(PostingRow.account_id, NET_DEBIT)
        .join(Entry, Entry.id == PostingRow.entry_id)
        .where(
            Entry.fund_id == fund_id,
            Entry.status == EntryStatus.POSTED.value,
            Entry.date <= end,
        )
        .group_by(PostingRow.account_id)
    )
    if start is not None:
        query = query.where(Entry.date >= start)
    sums = {account_id: int(net) for account_id, net in session.execute(query)}
    return tuple(_account_line(a, sums.get(a.id, 0)) for a in _fund_accounts(session, fund_id))
