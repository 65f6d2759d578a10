"""The ledger's tables: funds, accounts, entries, postings and period closes.

Invariants (enforced by triggers created in the initial migration, and checked
again in ``ledger.posting``):
- An entry is inserted as a draft, its postings are added, then it is posted
  once. Posting checks that it is balanced, has at least two postings, all on
  open accounts of its fund and currency, and is dated after the fund's last
  closed date.
- A posted entry and its postings are never updated or deleted; postings are
  never updated at all.
- ``accounts.balance`` is the net debit of the account's posted postings; the
  posting trigger updates it in the same transaction.
- An entry is reversed at most once (``reverses_id`` is unique).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.accounts import AccountType, Side
from ledger.db import Base
from ledger.entries import EntryStatus, Posting, SourceType


def utc_now() -> datetime:
    """Return the current UTC time."""
    return datetime.now(UTC)


class Fund(Base):
    """A set of books: every account and entry belongs to exactly one fund."""

    __tablename__ = "funds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The fund's name as its members write it.
    name: Mapped[str] = mapped_column(String(200))
    #: ISO 4217 code; every account of the fund is in this currency.
    currency: Mapped[str] = mapped_column(String(3), default="IRR")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    accounts: Mapped[list[Account]] = relationship(back_populates="fund")


class Account(Base):
    """An account of a fund's chart; a member's sub-account names her as owner."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("fund_id", "code"),
        CheckConstraint(
            "type IN ('asset', 'liability', 'equity', 'income', 'expense')", name="type"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    #: Stable code, unique within the fund (e.g. ``1010``, ``3100-0007``).
    code: Mapped[str] = mapped_column(String(40))
    name_fa: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(10))
    currency: Mapped[str] = mapped_column(String(3))
    #: The control account this one rolls up into (a member's sub-account's parent).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    #: The member who owns this sub-account (an id in the community side's tables).
    owner_id: Mapped[int | None] = mapped_column(Integer, index=True)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Net debit of the posted postings (Σ debit − Σ credit), kept by the posting trigger.
    balance: Mapped[int] = mapped_column(BigInteger, default=0)

    fund: Mapped[Fund] = relationship(back_populates="accounts")

    @property
    def account_type(self) -> AccountType:
        """Return the type as an enum."""
        return AccountType(self.type)

    @property
    def normal_balance(self) -> int:
        """Return the stored balance as read on the account's normal side."""
        return self.account_type.normal_balance(self.balance)


class Entry(Base):
    """A journal entry: one business event, balanced, final once posted."""

    __tablename__ = "entries"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'posted')", name="status"),
        CheckConstraint(
            "source_type IN ('meeting', 'loan', 'share_out', 'opening_balance', 'manual')",
            name="source_type",
        ),
        Index("ix_entries_fund_id_date", "fund_id", "date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    currency: Mapped[str] = mapped_column(String(3))
    date: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(Text, default="")
    source_type: Mapped[str] = mapped_column(String(20))
    #: The id of the meeting, loan, share-out … this entry records.
    source_ref: Mapped[str | None] = mapped_column(String(64))
    #: Who recorded it (a user name, or ``system``).
    actor: Mapped[str] = mapped_column(String(120))
    #: A retried request carries the same key and posts nothing new.
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    #: The entry this one reverses; unique, so an entry is reversed at most once.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=EntryStatus.DRAFT.value)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    postings: Mapped[list[PostingRow]] = relationship(
        back_populates="entry", order_by="PostingRow.id"
    )

    @property
    def source(self) -> SourceType:
        """Return the source type as an enum."""
        return SourceType(self.source_type)

    def posting_values(self) -> tuple[Posting, ...]:
        """Return the postings as plain values."""
        return tuple(p.value() for p in self.postings)


class PostingRow(Base):
    """A stored posting: an amount on one side of one account."""

    __tablename__ = "postings"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("side IN ('debit', 'credit')", name="side"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    side: Mapped[str] = mapped_column(String(6))
    amount: Mapped[int] = mapped_column(BigInteger)

    entry: Mapped[Entry] = relationship(back_populates="postings")

    def value(self) -> Posting:
        """Return this row as a plain Posting value."""
        return Posting(self.account_id, Side(self.side), self.amount)


class PeriodClose(Base):
    """A fund's books closed through a date: nothing may be posted on or before it."""

    __tablename__ = "period_closes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    closed_through: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class ChainLink(Base):
    """A posted entry's link in its fund's hash chain (``ledger.chain``); never changed."""

    __tablename__ = "entry_chain"
    __table_args__ = (Index("ix_entry_chain_fund_id_entry_id", "fund_id", "entry_id"),)

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    #: SHA-256 (hex) of the entry, its postings and the fund's previous link's hash.
    hash: Mapped[str] = mapped_column(String(64))
