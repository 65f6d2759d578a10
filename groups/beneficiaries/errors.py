"""Named errors of the programme register, training and placement."""

from __future__ import annotations

from ledger.errors import DomainError


class RegisterError(DomainError):
    """Raised when a rule of the programme register is broken."""

    code = "register_error"
    message_fa = "این کار با قواعد دفتر ثبت برنامه سازگار نیست."


class UnknownBeneficiary(RegisterError):
    """Raised when a woman's record does not exist or was merged into another."""

    code = "unknown_beneficiary"
    message_fa = "پرونده‌ی این بانو پیدا نشد (یا با پرونده‌ی دیگری ادغام شده است)."


class InvalidFact(RegisterError):
    """Raised when a value typed by hand does not fit its question."""

    code = "invalid_fact"
    message_fa = "مقدار واردشده با این پرسش سازگار نیست."


class DuplicateNationalId(RegisterError):
    """Raised when a national ID already belongs to another woman's record."""

    code = "duplicate_national_id"
    message_fa = "این کد ملی در پرونده‌ی بانوی دیگری ثبت شده است."


class MergeRefused(RegisterError):
    """Raised when two records cannot be merged (different national IDs, or already merged)."""

    code = "merge_refused"
    message_fa = "این دو پرونده را نمی‌توان ادغام کرد."


class UnknownMerge(RegisterError):
    """Raised when a merge to undo does not exist or was already undone."""

    code = "unknown_merge"
    message_fa = "این ادغام پیدا نشد یا پیش‌تر برگردانده شده است."


class SensitiveAccessDenied(RegisterError):
    """Raised when a role that does not need them asks for a woman's sensitive fields."""

    code = "sensitive_access_denied"
    message_fa = "دسترسی به اطلاعات حساس (کد ملی، درآمد، سلامت) برای این نقش مجاز نیست."


class MappingIncomplete(RegisterError):
    """Raised when an import's column mapping lacks a required field or names an unknown one."""

    code = "mapping_incomplete"
    message_fa = "نگاشت ستون‌های فایل کامل نیست."


class UnreadableFile(RegisterError):
    """Raised when an agency's file is neither CSV (UTF-8) nor XLSX."""

    code = "unreadable_file"
    message_fa = "فایل خوانده نشد؛ فایل CSV (UTF-8) یا XLSX بفرستید."


class FileTooBig(UnreadableFile):
    """Raised when an agency's file has more rows or columns than an import takes."""

    code = "file_too_big"
    message_fa = "این فایل بزرگ‌تر از آن است که یک‌جا وارد شود؛ آن را در چند فایل بفرستید."


class TrainingError(RegisterError):
    """Raised when a training record breaks a rule (unknown course, trainee twice, …)."""

    code = "training_error"
    message_fa = "این ثبت آموزشی با قواعد سازگار نیست."


class PlacementError(RegisterError):
    """Raised when a placement or follow-up breaks a rule."""

    code = "placement_error"
    message_fa = "این ثبت اشتغال با قواعد سازگار نیست."
