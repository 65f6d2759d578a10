"""The constitution of a cycle and the enums the rules speak in (pure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum, StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

from groups.savings.errors import (
    InvalidConstitution,
)

E = TypeVar("E", bound=Enum)


class ChargeMethod(StrEnum):
    """How a loan's service charge is computed."""

    FLAT_MONTHLY = "flat_monthly"
    DECLINING_MONTHLY = "declining_monthly"
    #: Equal instalments (principal + charge) on the declining balance, as banks schedule.
    ANNUITY = "annuity"
    UPFRONT_FEE = "upfront_fee"
    NONE = "none"


class MeetingFrequency(StrEnum):
    """How often the fund meets."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    JALALI_MONTHLY = "jalali_monthly"


class ShareOutMethod(StrEnum):
    """How the loan fund is divided at the end of a cycle."""

    PROPORTIONAL = "proportional"
    EQUAL_PROFIT = "equal_profit"
    CHARGES_RETURNED = "charges_returned"


class PenaltyKind(StrEnum):
    """How a late instalment is penalised."""

    NONE = "none"
    FIXED = "fixed"
    PERCENT_OF_OVERDUE = "percent_of_overdue"


class Component(StrEnum):
    """A part of what a borrower owes, in the order repayments may settle them."""

    PENALTY = "penalty"
    CHARGE = "charge"
    PRINCIPAL = "principal"


class RecoveryOrder(StrEnum):
    """What a recovery from guarantors settles first."""

    #: The penalties and the late instalments, oldest first; then what falls due today.
    OVERDUE_FIRST = "overdue_first"
    #: Along the repayment order, as a borrower's own payment (today's charge may come first).
    REPAYMENT_ORDER = "repayment_order"


class Attendance(StrEnum):
    """A member's attendance at a meeting."""

    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    REPRESENTED = "represented"


DEFAULT_REPAYMENT_ORDER = (Component.PENALTY, Component.CHARGE, Component.PRINCIPAL)
WEEKDAY_FREQUENCIES = frozenset({MeetingFrequency.WEEKLY, MeetingFrequency.FORTNIGHTLY})

# -- constitution --------------------------------------------------------------------------

#: Persian names of the constitution's settings, for messages a treasurer reads.
FIELD_NAMES_FA: Mapping[str, str] = MappingProxyType(
    {
        "share_price": "قیمت هر سهم",
        "min_shares": "کمترین تعداد سهم در هر جلسه",
        "max_shares": "بیشترین تعداد سهم در هر جلسه",
        "social_contribution": "سهم صندوق همبستگی در هر جلسه",
        "frequency": "فاصله‌ی جلسه‌ها",
        "meeting_day": "روز جلسه",
        "loan_multiple": "ضریب سقف وام",
        "max_term_months": "بیشترین مدت وام (ماه)",
        "charge_method": "روش کارمزد",
        "charge_rate": "نرخ کارمزد",
        "repayment_order": "ترتیب تسویه‌ی بازپرداخت",
        "penalty_kind": "نوع دیرکرد",
        "penalty_amount": "مبلغ دیرکرد",
        "penalty_rate": "نرخ دیرکرد",
        "fines": "جریمه‌ها",
        "share_out_method": "روش تقسیم سود",
        "leaver_gets_profit": "پرداخت سود به عضو خارج‌شونده",
        "instalment_unit": "واحد گرد کردن قسط (ریال)",
        "grace_meetings": "تنفس وام (تعداد جلسه)",
        "recovery_order": "ترتیب تسویه‌ی برداشت از ضامن‌ها",
    }
)


def _invalid(name: str, english: str, persian: str) -> InvalidConstitution:
    """Return an InvalidConstitution naming the setting in English and in Persian."""
    error = InvalidConstitution(
        f"Constitution setting {name!r} {english}",
        message_fa=f"اساسنامه: {FIELD_NAMES_FA.get(name, name)} {persian}",
    )
    error.setting = name
    return error


def _integer(name: str, value: object) -> int:
    """Return the value as an int (digit strings accepted); refuse bools and floats."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise _invalid(name, f"must be a whole number, got {value!r}", "باید عدد صحیح باشد.")


def _rate(name: str, value: object) -> Decimal:
    """Return the value as a finite Decimal; floats are read from their shortest repr."""
    try:
        if isinstance(value, Decimal):
            rate = value
        elif isinstance(value, int | str | float) and not isinstance(value, bool):
            rate = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
        else:
            raise InvalidOperation
    except InvalidOperation:
        raise _invalid(name, f"must be a decimal number, got {value!r}", "باید عدد باشد.") from None
    if not rate.is_finite():
        raise _invalid(name, f"must be a finite number, got {value!r}", "باید عدد باشد.")
    return rate


def _enum(kind: type[E]) -> Callable[[str, object], E]:
    """Return a coercer of a value (or its string) to the enum ``kind``."""

    def coerce(name: str, value: object) -> E:
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(str(member.value) for member in kind)
            raise _invalid(
                name, f"must be one of {allowed}, got {value!r}", "مقدار معتبری ندارد."
            ) from None

    return coerce


def _order(name: str, value: object) -> tuple[Component, ...]:
    """Return a repayment order as a tuple of Components."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise _invalid(name, "must be a list of components", "باید فهرستی از اجزای بدهی باشد.")
    coerce = _enum(Component)
    return tuple(coerce(name, item) for item in value)


def _fines(name: str, value: object) -> Mapping[str, int]:
    """Return the fines as a read-only mapping of fine type to rials."""
    if not isinstance(value, Mapping):
        raise _invalid(name, "must map fine types to amounts", "باید نام و مبلغ هر جریمه را بدهد.")
    fines: dict[str, int] = {}
    for fine_type, amount in value.items():
        if not isinstance(fine_type, str) or not fine_type.strip():
            raise _invalid(name, f"has a fine without a name: {fine_type!r}", "جریمه‌ی بی‌نام دارد.")
        fines[fine_type] = _integer(name, amount)
    return MappingProxyType(fines)


def _flag(name: str, value: object) -> bool:
    """Return the value if it is a bool."""
    if not isinstance(value, bool):
        raise _invalid(name, f"must be true or false, got {value!r}", "باید بله یا خیر باشد.")
    return value


_COERCE: Mapping[str, Callable[[str, object], object]] = MappingProxyType(
    {
        "share_price": _integer,
        "min_shares": _integer,
        "max_shares": _integer,
        "social_contribution": _integer,
        "frequency": _enum(MeetingFrequency),
        "meeting_day": _integer,
        "loan_multiple": _integer,
        "max_term_months": _integer,
        "charge_method": _enum(ChargeMethod),
        "charge_rate": _rate,
        "repayment_order": _order,
        "penalty_kind": _enum(PenaltyKind),
        "penalty_amount": _integer,
        "penalty_rate": _rate,
        "fines": _fines,
        "share_out_method": _enum(ShareOutMethod),
        "leaver_gets_profit": _flag,
        "instalment_unit": _integer,
        "grace_meetings": _integer,
        "recovery_order": _enum(RecoveryOrder),
    }
)


def _require(ok: bool, name: str, english: str, persian: str) -> None:
    """Raise InvalidConstitution about a setting unless ``ok``."""
    if not ok:
        raise _invalid(name, english, persian)


def _jsonable(value: object) -> object:
    """Return a JSON-safe form of a constitution value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, Mapping):
        return dict(value)
    return value


@dataclass(frozen=True)
class Constitution:
    """The rules a cycle is run by, fixed when it starts (اساسنامه).

    Construction coerces enum values, rate strings and digit strings, and freezes
    ``fines``; ``validate()`` checks the ranges. ``fines`` takes no part in the hash.
    """

    share_price: int
    min_shares: int = 1
    max_shares: int = 5
    social_contribution: int = 0
    frequency: MeetingFrequency = MeetingFrequency.WEEKLY
    #: Weekday 0 = Monday … 6 = Sunday for weekly/fortnightly; day of month (1–31) for monthly.
    meeting_day: int = 0
    loan_multiple: int = 3
    max_term_months: int = 3
    charge_method: ChargeMethod = ChargeMethod.FLAT_MONTHLY
    #: Per month, or once for an upfront fee.
    charge_rate: Decimal = Decimal("0.05")
    repayment_order: tuple[Component, ...] = DEFAULT_REPAYMENT_ORDER
    penalty_kind: PenaltyKind = PenaltyKind.NONE
    #: FIXED: rials per late instalment.
    penalty_amount: int = 0
    #: PERCENT_OF_OVERDUE: once per late instalment.
    penalty_rate: Decimal = Decimal(0)
    fines: Mapping[str, int] = field(default_factory=dict, hash=False)
    share_out_method: ShareOutMethod = ShareOutMethod.PROPORTIONAL
    leaver_gets_profit: bool = False
    #: Instalments are in multiples of this many rials (the remainder on the last one).
    instalment_unit: int = 1
    #: Meetings after a loan is made before its schedule starts (the first instalment
    #: falls due a month after the last of them).
    grace_meetings: int = 0
    recovery_order: RecoveryOrder = RecoveryOrder.OVERDUE_FIRST

    def __post_init__(self) -> None:
        for name, coerce in _COERCE.items():
            object.__setattr__(self, name, coerce(name, getattr(self, name)))

    def to_dict(self) -> dict[str, object]:
        """Return the constitution as JSON-safe data (Decimals as strings, enums as values)."""
        return {f.name: _jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Constitution:
        """Return the valid constitution the data describes; raise InvalidConstitution if none."""
        if not isinstance(data, Mapping):
            raise InvalidConstitution(
                "A constitution must be a mapping of settings",
                message_fa="اساسنامه باید فهرستی از تنظیم‌ها باشد.",
            )
        unknown = sorted(set(data) - set(_COERCE))
        if unknown:
            raise InvalidConstitution(
                f"Unknown constitution settings: {', '.join(map(str, unknown))}",
                message_fa=f"اساسنامه تنظیم ناشناخته دارد: {'، '.join(map(str, unknown))}",
            )
        _require("share_price" in data, "share_price", "is missing", "تعیین نشده است.")
        settings: dict[str, Any] = dict(data)
        constitution = cls(**settings)
        constitution.validate()
        return constitution

    def validate(self) -> None:
        """Raise InvalidConstitution, naming the setting, unless every setting is in range."""
        _require(self.share_price > 0, "share_price", "must be positive", "باید بیشتر از صفر باشد.")
        for name in ("min_shares", "social_contribution", "penalty_amount"):
            _require(getattr(self, name) >= 0, name, "must not be negative", "نمی‌تواند منفی باشد.")
        _require(self.max_shares >= 1, "max_shares", "must be at least 1", "باید دست‌کم ۱ باشد.")
        _require(
            self.min_shares <= self.max_shares,
            "min_shares",
            "must not exceed max_shares",
            "نمی‌تواند از بیشترین تعداد سهم در هر جلسه بیشتر باشد.",
        )
        self._validate_meeting_day()
        for name in ("loan_multiple", "max_term_months"):
            _require(getattr(self, name) >= 1, name, "must be at least 1", "باید دست‌کم ۱ باشد.")
        for name in ("charge_rate", "penalty_rate"):
            rate = getattr(self, name)
            _require(
                0 <= rate < 1, name, "must be in [0, 1)", "باید از صفر تا کمتر از ۱۰۰ درصد باشد."
            )
        _require(
            sorted(self.repayment_order) == sorted(Component),
            "repayment_order",
            "must name penalty, charge and principal once each",
            "باید دیرکرد، کارمزد و اصل وام را هر کدام دقیقاً یک بار داشته باشد.",
        )
        _require(
            self.instalment_unit >= 1, "instalment_unit", "must be at least 1", "باید دست‌کم ۱ باشد."
        )
        _require(
            0 <= self.grace_meetings <= 52,
            "grace_meetings",
            "must be 0 to 52",
            "باید از ۰ تا ۵۲ جلسه باشد.",
        )
        _require(
            all(amount >= 0 for amount in self.fines.values()),
            "fines",
            "must not have negative amounts",
            "نمی‌تواند مبلغ منفی داشته باشد.",
        )

    def _validate_meeting_day(self) -> None:
        """Raise InvalidConstitution unless the meeting day fits the frequency."""
        if self.frequency in WEEKDAY_FREQUENCIES:
            _require(
                0 <= self.meeting_day <= 6,
                "meeting_day",
                "must be a weekday 0 (Monday) to 6 (Sunday) for weekly meetings",
                "برای جلسه‌های هفتگی و دوهفته‌یک‌بار باید از ۰ (دوشنبه) تا ۶ (یکشنبه) باشد.",
            )
        else:
            _require(
                1 <= self.meeting_day <= 31,
                "meeting_day",
                "must be a day of the month 1 to 31 for monthly meetings",
                "برای جلسه‌های ماهانه باید روزی از ۱ تا ۳۱ ماه باشد.",
            )
