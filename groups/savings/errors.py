"""Named errors of the savings funds.

Every rule of a fund has its own error class, named after the broken rule, so
the web layer can map it once to a message a treasurer understands:
``str(error)`` is the English text (with the figures), ``message_fa`` the
Persian one shown in the form, and ``code`` the stable name used by the API.
All of them are ``SavingsError``, hence ``ledger.errors.DomainError``.
"""

from __future__ import annotations

from ledger.errors import DomainError


class SavingsError(DomainError):
    """Raised when a rule of a savings fund is broken; the base of the savings errors."""

    code = "savings_error"
    message_fa = "این کار با قواعد صندوق سازگار نیست."


# -- constitution and cycle ----------------------------------------------------------------


class InvalidConstitution(SavingsError):
    """Raised when a constitution has a missing, unknown or out-of-range setting."""

    code = "invalid_constitution"
    message_fa = "اساسنامه‌ی صندوق درست پر نشده است؛ مقدارهای آن را بازبینی کنید."
    #: The setting at fault (``min_shares``, …), when one is.
    setting: str | None = None


class NoOpenCycle(SavingsError):
    """Raised when the fund has no open cycle to record business in."""

    code = "no_open_cycle"
    message_fa = "این صندوق دوره‌ی بازی ندارد؛ نخست یک دوره‌ی تازه آغاز کنید."


class CycleAlreadyOpen(SavingsError):
    """Raised when a cycle is started while the fund still has an open one."""

    code = "cycle_already_open"
    message_fa = (
        "این صندوق هم‌اکنون یک دوره‌ی باز دارد؛ پیش از آغاز دوره‌ی تازه، "
        "تقسیم سود دوره‌ی فعلی را انجام دهید."
    )


class CycleBeforeShareOut(SavingsError):
    """Raised when a new cycle would start before the previous cycle's share-out."""

    code = "cycle_before_share_out"
    message_fa = "دوره‌ی تازه نمی‌تواند پیش از تاریخ تقسیم سود دوره‌ی قبل آغاز شود."


class ShareOutAlreadyDone(NoOpenCycle):
    """Raised when business is recorded in, or a share-out asked of, a shared-out cycle."""

    code = "share_out_already_done"
    message_fa = (
        "تقسیم سود این دوره پیش‌تر انجام شده و دوره بسته است؛ "
        "برای ثبت کار تازه، دوره‌ی بعد را آغاز کنید."
    )


class UnknownFineType(SavingsError):
    """Raised when a fine is recorded under a type the constitution does not list."""

    code = "unknown_fine_type"
    message_fa = "این نوع جریمه در اساسنامه‌ی صندوق تعریف نشده است."


# -- members -------------------------------------------------------------------------------


class UnknownMember(SavingsError):
    """Raised when a member who does not belong to the fund is referenced."""

    code = "unknown_member"
    message_fa = "این عضو در این صندوق پیدا نشد."


class DuplicateMember(SavingsError):
    """Raised when a member is added twice to the same fund."""

    code = "duplicate_member"
    message_fa = "عضوی با همین مشخصات در این صندوق ثبت شده است."


class MemberNotActive(SavingsError):
    """Raised when a member who has left (or not yet joined) takes part in a meeting."""

    code = "member_not_active"
    message_fa = "این شخص اکنون عضو فعال صندوق نیست."


class MemberHasGuarantees(SavingsError):
    """Raised when a member leaves while she still guarantees an open loan."""

    code = "member_has_guarantees"
    message_fa = (
        "این عضو ضامن وامی است که هنوز تسویه نشده؛ پیش از خروج او، ضامن دیگری به جایش تعیین کنید."
    )


class MemberHasOpenLoan(SavingsError):
    """Raised when a member with an unsettled loan borrows again, leaves or is paid out."""

    code = "member_has_open_loan"
    message_fa = "این عضو هنوز وام تسویه‌نشده دارد."


class MemberListedTwice(SavingsError):
    """Raised when a meeting lists a member twice (two sheet rows, or two pledges, one loan)."""

    code = "member_listed_twice"
    message_fa = (
        "نام این عضو دو بار آمده است؛ هر عضو در هر جلسه یک ردیف دارد "
        "و برای هر وام یک بار ضامن می‌شود."
    )


class ShareLimitExceeded(SavingsError):
    """Raised when a member buys fewer or more shares in a meeting than the constitution allows."""

    code = "share_limit_exceeded"
    message_fa = "تعداد سهم‌های خریداری‌شده بیرون از کمینه و بیشینه‌ی اساسنامه است."


# -- meetings ------------------------------------------------------------------------------


class MeetingLocked(SavingsError):
    """Raised when a closed meeting that is not the fund's last one is reopened or changed."""

    code = "meeting_locked"
    message_fa = "این جلسه بسته شده است؛ فقط آخرین جلسه را می‌توان دوباره باز کرد."


class MeetingDateNotAfterPrevious(SavingsError):
    """Raised when a meeting is dated on or before the fund's previous meeting."""

    code = "meeting_date_not_after_previous"
    message_fa = "تاریخ این جلسه باید بعد از تاریخ جلسه‌ی قبلی باشد."


class NegativeAmount(SavingsError):
    """Raised when an amount is negative, or zero where it must be positive."""

    code = "negative_amount"
    message_fa = "مبلغ واردشده درست نیست؛ مبلغ نمی‌تواند منفی باشد."


class InsufficientCash(SavingsError):
    """Raised when a loan, grant, expense or payout needs more than the cash in the box."""

    code = "insufficient_cash"
    message_fa = "موجودی نقد صندوق برای این پرداخت کافی نیست."


class InsufficientSocialFund(SavingsError):
    """Raised when a social-fund grant or loan is larger than the social fund holds."""

    code = "insufficient_social_fund"
    message_fa = "موجودی صندوق همبستگی برای این پرداخت کافی نیست."


# -- loans and guarantees ------------------------------------------------------------------


class UnknownLoan(SavingsError):
    """Raised when a loan that does not belong to the fund (or to the member) is referenced."""

    code = "unknown_loan"
    message_fa = "این وام در این صندوق پیدا نشد."


class LoanExceedsCap(SavingsError):
    """Raised when a loan is larger than k × the borrower's savings or the loan-fund cash."""

    code = "loan_exceeds_cap"
    message_fa = (
        "مبلغ وام از سقف مجاز بیشتر است؛ سقف وام چند برابرِ پس‌انداز عضو (طبق اساسنامه) است "
        "و از موجودی نقد صندوق هم بیشتر نمی‌شود."
    )


class LoanTermTooLong(SavingsError):
    """Raised when a loan's term is longer than the constitution allows."""

    code = "loan_term_too_long"
    message_fa = "مدت بازپرداخت این وام از بیشترین مدتی که اساسنامه اجازه می‌دهد طولانی‌تر است."


class GuarantorLacksSavings(SavingsError):
    """Raised when a guarantor pledges more than her savings not already pledged."""

    code = "guarantor_lacks_savings"
    message_fa = "پس‌انداز آزادِ این ضامن (پس‌اندازی که ضمانت وام دیگری نیست) برای این مبلغ کافی نیست."


class GuarantorIsBorrower(SavingsError):
    """Raised when a borrower is named as a guarantor of her own loan."""

    code = "guarantor_is_borrower"
    message_fa = "وام‌گیرنده نمی‌تواند ضامن وام خودش باشد."


class OverPayment(SavingsError):
    """Raised when a repayment is larger than everything the borrower owes on the loan."""

    code = "over_payment"
    message_fa = "مبلغ پرداختی بیشتر از کل بدهی این وام است."


class NothingToRecover(SavingsError):
    """Raised when recovery from guarantors is asked for a loan with no arrears they can cover."""

    code = "nothing_to_recover"
    message_fa = "این وام قسط عقب‌افتاده‌ای ندارد که بتوان از پس‌انداز ضامن‌ها برداشت کرد."


class LoanTermTooShort(SavingsError):
    """Raised when a loan is given a term of less than one month (no instalment)."""

    code = "loan_term_too_short"
    message_fa = "مدت بازپرداخت وام باید دست‌کم یک ماه باشد."


# -- fund books ----------------------------------------------------------------------------


class BookAlreadyImported(SavingsError):
    """Raised when a fund book whose identity a fund already carries is imported again."""

    code = "book_already_imported"
    message_fa = (
        "این دفتر صندوق پیش‌تر وارد شده است؛ برای ساختن رونوشتی تازه از آن، "
        "آن را به‌عنوان صندوق تازه وارد کنید."
    )


class AmountTooLarge(SavingsError):
    """Raised when an amount, or shares × share price, is more than the books can hold."""

    code = "amount_too_large"
    message_fa = (
        "مبلغی بزرگ‌تر از آنچه دفتر می‌تواند نگه دارد (بیش از ۹٬۲۲۳ تریلیون ریال) به دست آمد؛ "
        "مبلغ‌ها، شمار سهم‌ها و بهای سهم را بازبینی کنید."
    )
