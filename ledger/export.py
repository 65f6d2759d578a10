"""Export a fund's journal, or every fund's, as Beancount or hledger text for accountants.

One fund (``export_journal``): account names are ``<Type>:<code>`` (``Assets:1010``,
``Equity:3100-0007``). Every fund in one file (``export_all``): ``<Type>:F<fund
id>:<code>`` (``Assets:F12:1010``), options and commodities once. Both tools accept
both; the Persian and English names go in the ``open`` metadata or
comments. Amounts are written in the currency's major unit with its exponent's
decimals; debits positive, credits negative, as both tools expect. The Beancount
journal ends with a balance assertion per account equal to the trial balance, so
``bean-check`` itself proves the export matches the books.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple, TextIO

from sqlalchemy import func, select, text
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


# --- every fund in one file --------------------------------------------------------------

_ALL_FUNDS = """
    SELECT f.id, f.name, f.currency, f.created_at,
           MIN(e.date), MAX(e.date)
    FROM funds f LEFT JOIN entries e ON e.fund_id = f.id AND e.status = 'posted'
    GROUP BY f.id, f.name, f.currency, f.created_at ORDER BY f.id"""
_ALL_ACCOUNTS = """
    SELECT id, fund_id, code, type, name_fa, name_en, balance FROM accounts
    ORDER BY fund_id, code"""
_ALL_ENTRIES = """
    SELECT id, fund_id, date, memo, source_type FROM entries WHERE status = 'posted' ORDER BY id"""
_ALL_POSTINGS = """
    SELECT p.entry_id, p.account_id, p.side, p.amount
    FROM postings p JOIN entries e ON e.id = p.entry_id
    WHERE e.status = 'posted' ORDER BY p.entry_id, p.id"""


def qualified_name(fund_id: int, account_type: str, code: str) -> str:
    """Return an account's name in a whole-ledger export: ``Assets:F12:1010``.

    The fund's id is the second component, so every fund's accounts stay apart and
    each fund's balances can be read with ``hledger bal F12`` (or ``Assets:F12``).
    """
    return f"{TYPE_ROOTS[AccountType(account_type)]}:F{fund_id}:{code}"


def export_all(session: Session, fmt: str, out: TextIO) -> None:
    """Write every fund's posted journal to ``out`` as one Beancount or hledger file.

    Reads plain rows (no ORM objects) and streams them: the entries and their postings
    come in two queries ordered by entry id and are paired as they arrive.
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    connection = session.connection()
    funds = {row[0]: _FundFacts(*row) for row in connection.execute(text(_ALL_FUNDS))}
    accounts = [_AccountRow(*row) for row in connection.execute(text(_ALL_ACCOUNTS))]
    names = {a.id: qualified_name(a.fund_id, a.type, a.code) for a in accounts}
    header = _beancount_header if fmt == "beancount" else _hledger_header
    out.writelines(f"{line}\n" for line in header(funds, accounts, names))
    entries = connection.execute(text(_ALL_ENTRIES))
    postings = connection.execute(text(_ALL_POSTINGS))
    write_entry = _beancount_entry if fmt == "beancount" else _hledger_entry
    for entry, items in _paired(entries, postings):
        fund = funds[entry[1]]
        out.write(write_entry(entry, items, names, fund.currency, fund.exponent))
    if fmt == "beancount":
        out.writelines(f"{line}\n" for line in _balance_assertions(funds, accounts, names))


class _FundFacts:
    """A fund's name, currency and the dates its accounts open and are checked on."""

    def __init__(
        self, fund_id: int, name: str, currency: str, created: Any, first: Any, last: Any
    ) -> None:
        fallback = _day(created) if created is not None else date.today()
        self.id, self.name, self.currency = fund_id, name, currency
        self.exponent = minor_unit_exponent(currency)
        self.first = _day(first) if first is not None else fallback
        self.last = _day(last) if last is not None else fallback


class _AccountRow(NamedTuple):
    id: int
    fund_id: int
    code: str
    type: str
    name_fa: str
    name_en: str
    balance: int


def _day(value: Any) -> date:
    """Return a date from a date, a datetime or SQLite's ISO text."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _paired(entries: Any, postings: Any) -> Iterator[tuple[Any, list[Any]]]:
    """Pair each entry row with its posting rows; both come ordered by entry id."""
    groups = groupby(postings, key=itemgetter(0))
    current = next(groups, None)
    for entry in entries:
        while current is not None and current[0] < entry[0]:
            current = next(groups, None)
        if current is not None and current[0] == entry[0]:
            yield entry, list(current[1])
            current = next(groups, None)
        else:
            yield entry, []


def _beancount_header(
    funds: dict[int, _FundFacts], accounts: list[_AccountRow], names: dict[int, str]
) -> Iterator[str]:
    yield f"option {_quote('title')} {_quote('Sandogh: every fund')}"
    for currency in sorted({f.currency for f in funds.values()}):
        yield f"option {_quote('operating_currency')} {_quote(currency)}"
    yield ""
    for account in accounts:
        fund = funds[account.fund_id]
        yield f"{fund.first.isoformat()} open {names[account.id]} {fund.currency}"
        yield f"  fund: {_quote(fund.name)}"
        yield f"  name_fa: {_quote(account.name_fa)}"
        yield f"  name_en: {_quote(account.name_en)}"
    yield ""


def _hledger_header(
    funds: dict[int, _FundFacts], accounts: list[_AccountRow], names: dict[int, str]
) -> Iterator[str]:
    yield "; Sandogh: every fund. Accounts are <Type>:F<fund id>:<code>."
    for fund in funds.values():
        yield f"; F{fund.id}: {_one_line(fund.name)} ({fund.currency})"
    for currency in sorted({f.currency for f in funds.values()}):
        yield f"commodity 1.{'0' * minor_unit_exponent(currency)} {currency}"
    for account in accounts:
        comment = _one_line(f"{account.name_en} / {account.name_fa}")
        yield f"account {names[account.id]}  ; {comment}"
    yield ""


def _beancount_entry(
    entry: Any, items: list[Any], names: dict[int, str], currency: str, exponent: int
) -> str:
    entry_id, _fund, on, memo, source = entry
    lines = [
        f"{_day(on).isoformat()} * {_quote(memo)}",
        f'  entry_id: "{entry_id}"',
        f'  source: "{source}"',
    ]
    for _entry, account, side, amount in items:
        signed = amount if side == "debit" else -amount
        lines.append(f"  {names[account]}  {format_amount(signed, exponent)} {currency}")
    return "\n".join(lines) + "\n\n"


def _hledger_entry(
    entry: Any, items: list[Any], names: dict[int, str], currency: str, exponent: int
) -> str:
    entry_id, _fund, on, memo, source = entry
    text_memo = _one_line(memo).replace(";", ",") or f"entry {entry_id}"
    lines = [f"{_day(on).isoformat()} * {text_memo}  ; entry_id:{entry_id}, source:{source}"]
    for _entry, account, side, amount in items:
        signed = amount if side == "debit" else -amount
        lines.append(f"    {names[account]}  {format_amount(signed, exponent)} {currency}")
    return "\n".join(lines) + "\n\n"


def _balance_assertions(
    funds: dict[int, _FundFacts], accounts: list[_AccountRow], names: dict[int, str]
) -> Iterator[str]:
    for account in accounts:
        fund = funds[account.fund_id]
        check_day = (fund.last + timedelta(days=1)).isoformat()
        amount = format_amount(account.balance, fund.exponent)
        yield f"{check_day} balance {names[account.id]}  {amount} {fund.currency}"
