"""Export a fund's journal as Beancount or hledger text, so accountants can check it.

Account names are ``<Type>:<code>`` (``Assets:1010``, ``Equity:3100-0007``), which
both tools accept; the Persian and English names go in the ``open`` metadata or
comments. Amounts are written in the currency's major unit with its exponent's
decimals; debits positive, credits negative, as both tools expect. The Beancount
journal ends with a balance assertion per account equal to the trial balance, so
``bean-check`` itself proves the export matches the books.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ledger.accounts import AccountType, Side
from ledger.entries import EntryStatus
from ledger.errors import UnknownFund
from ledger.models import Account, Entry, Fund
from ledger.money import minor_unit_exponent

TYPE_ROOTS = {
    AccountType.ASSET: "Assets",
    AccountType.LIABILITY: "Liabilities",
    AccountType.EQUITY: "Equity",
    AccountType.INCOME: "Income",
    AccountType.EXPENSE: "Expenses",
}
FORMATS = ("beancount", "hledger")


def account_name(account: Account) -> str:
    """Return the account's name in Beancount/hledger form."""
    return f"{TYPE_ROOTS[AccountType(account.type)]}:{account.code}"


def format_amount(minor: int, exponent: int) -> str:
    """Return minor units as a plain decimal string in the major unit."""
    return str(Decimal(minor).scaleb(-exponent)) if exponent else str(minor)


def export_journal(session: Session, fund_id: int, fmt: str) -> str:
    """Return the fund's posted journal in the given format (beancount or hledger)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    fund = session.get(Fund, fund_id)
    if fund is None:
        raise UnknownFund(f"No fund {fund_id}")
    writer = _beancount_lines if fmt == "beancount" else _hledger_lines
    return "\n".join(writer(session, fund)) + "\n"


def _accounts(session: Session, fund_id: int) -> list[Account]:
    query = select(Account).where(Account.fund_id == fund_id).order_by(Account.code)
    return list(session.scalars(query))


def _entries(session: Session, fund_id: int) -> Iterator[Entry]:
    query = (
        select(Entry)
        .where(Entry.fund_id == fund_id, Entry.status == EntryStatus.POSTED.value)
        .order_by(Entry.date, Entry.id)
        .options(selectinload(Entry.postings))
        .execution_options(yield_per=1000)
    )
    yield from session.scalars(query)


def _one_line(text: str) -> str:
    """Return the text with every line break (\\n, \\r\\n, a lone \\r, U+2028 …) made a space.

    A browser's textarea sends CRLF, and hledger ends a line at a lone CR too: a
    memo's second line would otherwise be read as a posting to a phantom account.
    """
    return " ".join(text.splitlines())


def _quote(text: str) -> str:
    return '"' + _one_line(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _signed(side: str, amount: int) -> int:
    return amount * Side(side).sign


def _beancount_lines(session: Session, fund: Fund) -> Iterator[str]:
    exponent = minor_unit_exponent(fund.currency)
    accounts = _accounts(session, fund.id)
    names = {a.id: account_name(a) for a in accounts}
    first, last = _date_range(session, fund.id)
    yield f"option {_quote('title')} {_quote(fund.name)}"
    yield f"option {_quote('operating_currency')} {_quote(fund.currency)}"
    yield ""
    for account in accounts:
        yield f"{first.isoformat()} open {names[account.id]} {fund.currency}"
        yield f"  name_fa: {_quote(account.name_fa)}"
        yield f"  name_en: {_quote(account.name_en)}"
    yield ""
    for entry in _entries(session, fund.id):
        yield f"{entry.date.isoformat()} * {_quote(entry.memo)}"
        yield f"  entry_id: {_quote(str(entry.id))}"
        yield f"  source: {_quote(entry.source_type)}"
        for p in entry.postings:
            amount = format_amount(_signed(p.side, p.amount), exponent)
            yield f"  {names[p.account_id]}  {amount} {fund.currency}"
        yield ""
    check_day = (last + timedelta(days=1)).isoformat()
    for account in accounts:
        amount = format_amount(account.balance, exponent)
        yield f"{check_day} balance {names[account.id]}  {amount} {fund.currency}"


def _hledger_lines(session: Session, fund: Fund) -> Iterator[str]:
    exponent = minor_unit_exponent(fund.currency)
    accounts = _accounts(session, fund.id)
    names = {a.id: account_name(a) for a in accounts}
    yield f"; {_one_line(fund.name)} ({fund.currency})"
    yield f"commodity 1.{'0' * exponent} {fund.currency}"
    for account in accounts:
        comment = _one_line(f"{account.name_en} / {account.name_fa}")
        yield f"account {names[account.id]}  ; {comment}"
    yield ""
    for entry in _entries(session, fund.id):
        memo = _one_line(entry.memo).replace(";", ",") or f"entry {entry.id}"
        tags = f"entry_id:{entry.id}, source:{entry.source_type}"
        yield f"{entry.date.isoformat()} * {memo}  ; {tags}"
        for p in entry.postings:
            amount = format_amount(_signed(p.side, p.amount), exponent)
            yield f"    {names[p.account_id]}  {amount} {fund.currency}"
        yield ""


def _date_range(session: Session, fund_id: int) -> tuple[date, date]:
    posted = Entry.status == EntryStatus.POSTED.value
    first, last = session.execute(
        select(func.min(Entry.date), func.max(Entry.date)).where(Entry.fund_id == fund_id, posted)
    ).one()
    fund_created = session.scalar(select(Fund.created_at).where(Fund.id == fund_id))
    fallback = fund_created.date() if fund_created else date.today()
    return (first or fallback), (last or fallback)
