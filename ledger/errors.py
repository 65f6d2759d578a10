"""Named errors of the ledger.

Every rule the ledger enforces has its own error class, so callers can map a
broken rule to a message a treasurer understands. ``message_fa`` is the Persian
text, ``str(error)`` the English one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NoReturn

#: The figure that bounds a refused value: a cap, a limit, what is owed, a date.
Bound = int | date | tuple[int, int] | None


@dataclass(frozen=True)
class Violation:
    """One broken rule, where it is (field, member, loan) and the figure that bounds it.

    The value a planner returns and a ``DomainError`` carries: ``error.violation`` and
    ``violation.error()`` turn one into the other, so a form places both the same way.
    """

    kind: type[DomainError]
    message: str
    message_fa: str
    field: str | None = None
    member_id: int | None = None
    loan_id: int | None = None
    bound: Bound = None

    @property
    def code(self) -> str:
        """Return the broken rule's stable name."""
        return self.kind.code

    def error(self) -> DomainError:
        """Return the error that says this."""
        return self.kind(
            self.message,
            message_fa=self.message_fa,
            field=self.field,
            member_id=self.member_id,
            loan_id=self.loan_id,
            bound=self.bound,
        )

    def raise_(self) -> NoReturn:
        """Raise the error that says this."""
        raise self.error()


class DomainError(Exception):
    """Raised when a business rule of Sandogh is broken; the base of every named error.

    It carries where it is, when known: the form ``field``, the ``member_id`` and
    ``loan_id`` it is about and the ``bound`` (cap, range, amount owed) it broke.
    """

    code = "domain_error"
    message_fa = "این کار با قواعد صندوق سازگار نیست."
    field: str | None = None
    member_id: int | None = None
    loan_id: int | None = None
    bound: Bound = None

    def __init__(
        self,
        message: str | None = None,
        *,
        message_fa: str | None = None,
        field: str | None = None,
        member_id: int | None = None,
        loan_id: int | None = None,
        bound: Bound = None,
    ) -> None:
        super().__init__(message or self.__doc__ or self.code)
        if message_fa is not None:
            self.message_fa = message_fa
        for name, value in (
            ("field", field),
            ("member_id", member_id),
            ("loan_id", loan_id),
            ("bound", bound),
        ):
            if value is not None:
                setattr(self, name, value)

    @property
    def violation(self) -> Violation:
        """Return this error as a value."""
        return Violation(
            type(self),
            str(self),
            self.message_fa,
            self.field,
            self.member_id,
            self.loan_id,
            self.bound,
        )


class LedgerError(DomainError):
    """Raised when a ledger rule is broken."""

    code = "ledger_error"


class UnbalancedEntry(LedgerError):
    """Raised when an entry's debits do not equal its credits."""

    code = "unbalanced_entry"
    message_fa = "جمع بدهکار و بستانکار این سند برابر نیست."


class TooFewPostings(LedgerError):
    """Raised when an entry has fewer than two postings."""

    code = "too_few_postings"
    message_fa = "هر سند دست‌کم دو ردیف لازم دارد."


class InvalidAmount(LedgerError):
    """Raised when a posting amount is not a positive whole number of minor units."""

    code = "invalid_amount"
    message_fa = "مبلغ باید عددی صحیح و بزرگ‌تر از صفر باشد."


class UnknownAccount(LedgerError):
    """Raised when a posting names an account that does not exist."""

    code = "unknown_account"
    message_fa = "حساب موردنظر پیدا نشد."


class AccountOfAnotherFund(LedgerError):
    """Raised when an entry posts to an account of another fund or currency."""

    code = "account_of_another_fund"
    message_fa = "همه‌ی ردیف‌های یک سند باید به حساب‌های همین صندوق و همین ارز باشند."


class AccountClosed(LedgerError):
    """Raised when an entry posts to a closed account, or a closed account is closed again."""

    code = "account_closed"
    message_fa = "این حساب بسته شده است و نمی‌توان در آن ثبت کرد."


class AccountNotEmpty(LedgerError):
    """Raised when an account with a balance is closed."""

    code = "account_not_empty"
    message_fa = "حسابی که مانده دارد بسته نمی‌شود."


class DuplicateAccountCode(LedgerError):
    """Raised when a fund already has an account with the same code."""

    code = "duplicate_account_code"
    message_fa = "این کد حساب در این صندوق تکراری است."


class PeriodClosed(LedgerError):
    """Raised when an entry is dated on or before the fund's closed date."""

    code = "period_closed"
    message_fa = "دوره‌ی این تاریخ بسته شده است؛ برای اصلاح، سند برگشتی با تاریخ امروز ثبت کنید."


class PeriodAlreadyClosed(LedgerError):
    """Raised when a period is closed on or before a date that is already closed."""

    code = "period_already_closed"
    message_fa = "این تاریخ پیش‌تر بسته شده است."


class AlreadyReversed(LedgerError):
    """Raised when an entry that already has a reversal is reversed again."""

    code = "already_reversed"
    message_fa = "این سند پیش‌تر برگشت خورده است."


class CannotReverseReversal(LedgerError):
    """Raised when a reversing entry is itself reversed; post a new entry instead."""

    code = "cannot_reverse_reversal"
    message_fa = "سند برگشتی را نمی‌توان دوباره برگشت زد؛ سند تازه ثبت کنید."


class ReversalBeforeOriginal(LedgerError):
    """Raised when a reversal is dated before the entry it reverses."""

    code = "reversal_before_original"
    message_fa = "تاریخ سند برگشتی نمی‌تواند پیش از تاریخ سند اصلی باشد."


class EntryNotFound(LedgerError):
    """Raised when an entry that does not exist, or is not posted, is referenced."""

    code = "entry_not_found"
    message_fa = "سند موردنظر پیدا نشد."


class IdempotencyKeyReused(LedgerError):
    """Raised when an idempotency key is reused for a different entry."""

    code = "idempotency_key_reused"
    message_fa = "این درخواست پیش‌تر با محتوای دیگری ثبت شده است."


class UnknownFund(LedgerError):
    """Raised when a fund that does not exist is referenced."""

    code = "unknown_fund"
    message_fa = "صندوق موردنظر پیدا نشد."


class UnknownCurrency(LedgerError):
    """Raised when a currency code is not in the table of known currencies."""

    code = "unknown_currency"
    message_fa = "واحد پول شناخته نیست."
