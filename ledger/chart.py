"""Opening funds and accounts: a new fund gets its chart of accounts from its group's template."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.accounts import AccountSpec, AccountType, member_account_code
from ledger.errors import (
    AccountClosed,
    AccountNotEmpty,
    DuplicateAccountCode,
    UnknownAccount,
    UnknownFund,
)
from ledger.models import Account, Fund
from ledger.money import minor_unit_exponent

#: The length of ``accounts.name_fa`` and ``accounts.name_en`` (ledger/models.py).
ACCOUNT_NAME_LENGTH = 200


def open_fund(
    session: Session,
    name: str,
    currency: str = "IRR",
    chart: Iterable[AccountSpec] = (),
) -> Fund:
    """Create a fund with the accounts of a chart template (its group's; none by default)."""
    minor_unit_exponent(currency)  # raises UnknownCurrency
    fund = Fund(name=name, currency=currency)
    session.add(fund)
    session.flush()
    for spec in chart:
        session.add(_account_from_spec(fund, spec))
    session.flush()
    return fund


def _account_from_spec(fund: Fund, spec: AccountSpec) -> Account:
    return Account(
        fund_id=fund.id,
        code=spec.code,
        name_fa=spec.name_fa,
        name_en=spec.name_en,
        type=spec.type.value,
        currency=fund.currency,
        balance=0,
        is_open=True,
    )


def open_account(
    session: Session,
    fund_id: int,
    code: str,
    name_fa: str,
    name_en: str,
    account_type: AccountType,
    *,
    parent_id: int | None = None,
    owner_id: int | None = None,
) -> Account:
    """Add an account to a fund's chart."""
    fund = session.get(Fund, fund_id)
    if fund is None:
        raise UnknownFund(f"No fund {fund_id}")
    if account_by_code(session, fund_id, code) is not None:
        raise DuplicateAccountCode(f"Fund {fund_id} already has an account {code}")
    account = Account(
        fund_id=fund_id,
        code=code,
        # A member's account is named after her (up to 200 characters) plus a prefix:
        # cut to the column's length, which PostgreSQL enforces and SQLite does not.
        name_fa=name_fa[:ACCOUNT_NAME_LENGTH],
        name_en=name_en[:ACCOUNT_NAME_LENGTH],
        type=account_type.value,
        currency=fund.currency,
        parent_id=parent_id,
        owner_id=owner_id,
        balance=0,
        is_open=True,
    )
    session.add(account)
    session.flush()
    return account


def open_member_account(
    session: Session, fund_id: int, parent_code: str, member_id: int, member_name: str
) -> Account:
    """Return the member's sub-account under a per-member control account, opening it if new."""
    parent = require_account(session, fund_id, parent_code)
    code = member_account_code(parent_code, member_id)
    existing = account_by_code(session, fund_id, code)
    if existing is not None:
        return existing
    return open_account(
        session,
        fund_id,
        code,
        f"{parent.name_fa} — {member_name}",
        f"{parent.name_en} — {member_name}",
        parent.account_type,
        parent_id=parent.id,
        owner_id=member_id,
    )


def account_by_code(session: Session, fund_id: int, code: str) -> Account | None:
    """Return the fund's account with this code, or None."""
    query = select(Account).where(Account.fund_id == fund_id, Account.code == code)
    return session.scalars(query).one_or_none()


def require_account(session: Session, fund_id: int, code: str) -> Account:
    """Return the fund's account with this code, or raise UnknownAccount."""
    account = account_by_code(session, fund_id, code)
    if account is None:
        raise UnknownAccount(f"Fund {fund_id} has no account {code}")
    return account


def close_account(session: Session, account_id: int) -> Account:
    """Close an account whose balance is zero; nothing can be posted to it afterwards."""
    account = session.get(Account, account_id, populate_existing=True)
    if account is None:
        raise UnknownAccount(f"No account {account_id}")
    if not account.is_open:
        raise AccountClosed(f"Account {account.code} is already closed")
    if account.balance != 0:
        raise AccountNotEmpty(f"Account {account.code} has a balance of {account.balance}")
    account.is_open = False
    session.flush()
    return account
