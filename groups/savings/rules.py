"""The rules of a savings fund as pure functions over plain values.

No database, no web: every function here takes ints, dates and Decimals and
returns new frozen values, so the services can be checked against them and
they can be tested with hypothesis.

Invariants and conventions:
- Money is an ``int`` of rials (minor units). Rates are ``Decimal`` fractions
  (0.05 = 5%); each rate applied to money rounds ROUND_HALF_UP, named at the call.
- Splits use the largest-remainder method (``ledger.money.allocate``) or put the
  remainder on the last part, so parts always add up to the whole, to the rial:
  Σ instalment principal = loan principal; Σ payouts + Σ deductions = distributable;
  Σ recovery = min(arrears, Σ available); a split repayment sums to the amount.
- A loan's schedule is fixed at disbursement. Payments are applied oldest
  instalment first: paid principal covers instalments' principal in order, paid
  charges cover their charges in order. Only instalments due on or before a day
  are owed on that day; a prepayment covers the next instalments' principal; the
  charges of instalments due after the day the last principal was repaid are waived.
  A position as of a day ignores payments dated after it.
- A late instalment is one due strictly before the day and not fully paid.
- Dates are Gregorian ``date``; Jalali months come from ``groups.calendar``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import Enum, StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any, TypeVar

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, WEEKLY, rrule

from groups import calendar
from groups.savings.errors import (
    InvalidConstitution,
    LoanTermTooShort,
    NegativeAmount,
    OverPayment,
)
from ledger.money import allocate, apply_rate

E = TypeVar("E", bound=Enum)


class ChargeMethod(StrEnum):
    """How a loan's service charge is computed."""

    FLAT_MONTHLY = "flat_monthly"
    DECLINING_MONTHLY = "declining_monthly"
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
    }
)


def _invalid(name: str, english: str, persian: str) -> InvalidConstitution:
    """Return an InvalidConstitution naming the setting in English and in Persian."""
    return InvalidConstitution(
        f"Constitution setting {name!r} {english}",
        message_fa=f"اساسنامه: {FIELD_NAMES_FA.get(name, name)} {persian}",
    )


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


# -- meeting calendar ----------------------------------------------------------------------


def _next_weekday(weekday: int, day: date) -> date:
    """Return the first date on or after ``day`` that falls on ``weekday`` (0 = Monday)."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _gregorian_dates(
    frequency: MeetingFrequency, meeting_day: int, start: date, until: date
) -> list[date]:
    """Return the weekly, fortnightly or Gregorian-monthly meeting dates in [start, until]."""
    end = datetime.combine(until, datetime.min.time())
    if frequency == MeetingFrequency.MONTHLY:
        # The latest existing day among 28…meeting_day: day 31 is clamped to the month's end.
        days = tuple(range(min(meeting_day, 28), meeting_day + 1))
        first = datetime.combine(start, datetime.min.time())
        rule = rrule(MONTHLY, bymonthday=days, bysetpos=-1, dtstart=first, until=end)
    else:
        first = datetime.combine(_next_weekday(meeting_day, start), datetime.min.time())
        interval = 2 if frequency == MeetingFrequency.FORTNIGHTLY else 1
        rule = rrule(WEEKLY, interval=interval, dtstart=first, until=end)
    return [moment.date() for moment in rule]


def _jalali_monthly_dates(meeting_day: int, start: date, until: date) -> list[date]:
    """Return the Jalali-monthly meeting dates in [start, until], day clamped to month end."""
    year, month, _ = calendar.to_jalali(start)
    dates = []
    while (day := calendar.jalali_month_day(year, month, meeting_day)) <= until:
        if day >= start:
            dates.append(day)
        year, month = calendar.shift_jalali_month(year, month, 1)
    return dates


def meeting_dates(
    frequency: MeetingFrequency, meeting_day: int, start: date, until: date
) -> list[date]:
    """Return the scheduled meeting dates in [start, until]; fortnights count from the first."""
    if until < start:
        return []
    if frequency == MeetingFrequency.JALALI_MONTHLY:
        return _jalali_monthly_dates(meeting_day, start, until)
    return _gregorian_dates(MeetingFrequency(frequency), meeting_day, start, until)


def next_meeting_on_or_after(
    frequency: MeetingFrequency, meeting_day: int, day: date, anchor: date | None = None
) -> date:
    """Return the first scheduled meeting on or after ``day``.

    Fortnightly meetings fall every 14 days from the first meeting on or after
    ``anchor`` (default: ``day`` itself, i.e. the next meeting weekday).
    """
    if frequency == MeetingFrequency.FORTNIGHTLY:
        first = _next_weekday(meeting_day, anchor or day)
        fortnights = -(-(day - first).days // 14)
        return first + timedelta(days=14 * fortnights)
    if frequency == MeetingFrequency.WEEKLY:
        return _next_weekday(meeting_day, day)
    return meeting_dates(frequency, meeting_day, day, day + timedelta(days=62))[0]


def months_after(day: date, months: int, frequency: MeetingFrequency) -> date:
    """Return the same day ``months`` months later: Jalali months for Jalali-monthly funds."""
    if frequency == MeetingFrequency.JALALI_MONTHLY:
        return calendar.add_jalali_months(day, months)
    moved: date = day + relativedelta(months=months)
    return moved


def instalment_due_dates(
    disbursed_on: date, term_months: int, frequency: MeetingFrequency, meeting_day: int
) -> list[date]:
    """Return one due date a month: the first meeting on or after disbursement + i months.

    The dates are strictly increasing; fortnights count from the disbursement.
    """
    if term_months < 1:
        raise LoanTermTooShort(f"A loan needs a term of at least one month, got {term_months}")
    dues: list[date] = []
    for i in range(1, term_months + 1):
        target = months_after(disbursed_on, i, frequency)
        if dues:
            target = max(target, dues[-1] + timedelta(days=1))
        dues.append(next_meeting_on_or_after(frequency, meeting_day, target, disbursed_on))
    return dues


# -- loans ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instalment:
    """One instalment of a loan: principal and service charge due on a date."""

    number: int
    due: date
    principal: int
    charge: int

    @property
    def total(self) -> int:
        """Return principal plus charge."""
        return self.principal + self.charge


def upfront_fee(principal: int, method: ChargeMethod, rate: Decimal) -> int:
    """Return the fee kept at disbursement: principal × rate (half up) if UPFRONT_FEE, else 0."""
    if method != ChargeMethod.UPFRONT_FEE:
        return 0
    return apply_rate(principal, rate, ROUND_HALF_UP)


def principal_parts(principal: int, count: int) -> list[int]:
    """Return ``count`` equal parts of the principal, the remainder on the last one."""
    base = principal // count
    return [base] * (count - 1) + [principal - base * (count - 1)]


def _instalment_charge(
    method: ChargeMethod, rate: Decimal, principal: int, outstanding: int
) -> int:
    """Return one instalment's charge: on the principal (flat) or the balance (declining)."""
    if method == ChargeMethod.FLAT_MONTHLY:
        return apply_rate(principal, rate, ROUND_HALF_UP)
    if method == ChargeMethod.DECLINING_MONTHLY:
        return apply_rate(outstanding, rate, ROUND_HALF_UP)
    return 0


def loan_schedule(
    principal: int, method: ChargeMethod, rate: Decimal, due_dates: Sequence[date]
) -> tuple[Instalment, ...]:
    """Return the instalments of a loan, one per due date; Σ principal = principal."""
    if principal <= 0:
        raise NegativeAmount(
            f"A loan's principal must be positive, got {principal}",
            message_fa="مبلغ وام باید بیشتر از صفر باشد.",
        )
    if not due_dates:
        raise LoanTermTooShort("A loan needs at least one instalment")
    outstanding, instalments = principal, []
    for number, (due, part) in enumerate(
        zip(due_dates, principal_parts(principal, len(due_dates)), strict=True), start=1
    ):
        charge = _instalment_charge(method, rate, principal, outstanding)
        instalments.append(Instalment(number, due, part, charge))
        outstanding -= part
    return tuple(instalments)


def loan_cap(savings: int, multiple: int, loan_fund_cash: int) -> int:
    """Return the largest loan a member may take: min(k × savings, cash), never negative."""
    return max(0, min(multiple * savings, loan_fund_cash))


@dataclass(frozen=True)
class Payment:
    """What one repayment settled, by component."""

    on: date
    penalty: int = 0
    charge: int = 0
    principal: int = 0

    @property
    def total(self) -> int:
        """Return the whole amount paid."""
        return self.penalty + self.charge + self.principal


@dataclass(frozen=True)
class LoanPosition:
    """What a borrower owes on a loan on a given day.

    ``*_due`` is owed now (instalments due on or before the day, less what was
    paid); ``overdue_*`` comes from instalments due strictly before the day.
    """

    principal_outstanding: int
    charge_due: int
    penalty_due: int
    overdue_principal: int
    overdue_charge: int
    #: Days since the oldest late instalment fell due; 0 when none is late.
    days_late: int
    #: The first instalment not fully paid, with the amounts still to pay on it.
    next_due: Instalment | None
    #: Principal of instalments due on or before the day and not yet paid.
    principal_due: int = 0

    @property
    def payable_now(self) -> int:
        """Return what is owed today: penalties, charges and principal due."""
        return self.penalty_due + self.charge_due + self.principal_due

    @property
    def max_payment(self) -> int:
        """Return the most she may pay today: everything due plus all principal (prepayment)."""
        return self.penalty_due + self.charge_due + self.principal_outstanding

    @property
    def repaid(self) -> bool:
        """Return whether nothing is left to pay."""
        return self.principal_outstanding == 0 and self.charge_due == 0 and self.penalty_due == 0


def _unpaid(owed: int, paid: int) -> int:
    """Return what is left of an amount owed after payments, never negative."""
    return max(0, owed - paid)


def _remaining(
    schedule: Sequence[Instalment], paid_principal: int, paid_charge: int
) -> list[Instalment]:
    """Return the instalments with what is left to pay on each, payments applied oldest first."""
    left, principal_before, charge_before = [], 0, 0
    for i in schedule:
        principal = min(i.principal, _unpaid(principal_before + i.principal, paid_principal))
        charge = min(i.charge, _unpaid(charge_before + i.charge, paid_charge))
        left.append(Instalment(i.number, i.due, principal, charge))
        principal_before, charge_before = principal_before + i.principal, charge_before + i.charge
    return left


def _principal_repaid_on(
    schedule: Sequence[Instalment], payments: Sequence[Payment]
) -> date | None:
    """Return the day the last of the principal was repaid, or None if some is still owed."""
    owed, paid = sum(i.principal for i in schedule), 0
    for payment in sorted(payments, key=lambda p: p.on):
        paid += payment.principal
        if paid >= owed:
            return payment.on
    return None


def _waive_later_charges(
    schedule: Sequence[Instalment], payments: Sequence[Payment]
) -> list[Instalment]:
    """Return the schedule without the charges of instalments due after the principal was repaid."""
    repaid_on = _principal_repaid_on(schedule, payments)
    if repaid_on is None:
        return list(schedule)
    return [dataclasses.replace(i, charge=0) if i.due > repaid_on else i for i in schedule]


def loan_position(
    schedule: Sequence[Instalment], payments: Sequence[Payment], penalties: int, as_of: date
) -> LoanPosition:
    """Return what is owed on a loan on ``as_of``, given its payments and penalties assessed.

    Payments dated after ``as_of`` are ignored; ``penalties`` is the total assessed.
    """
    payments = [p for p in payments if p.on <= as_of]
    schedule = _waive_later_charges(schedule, payments)
    paid_principal = sum(p.principal for p in payments)
    paid_charge = sum(p.charge for p in payments)
    left = [i for i in _remaining(schedule, paid_principal, paid_charge) if i.total]
    due, late = [i for i in left if i.due <= as_of], [i for i in left if i.due < as_of]
    return LoanPosition(
        principal_outstanding=_unpaid(sum(i.principal for i in schedule), paid_principal),
        charge_due=sum(i.charge for i in due),
        penalty_due=_unpaid(penalties, sum(p.penalty for p in payments)),
        overdue_principal=sum(i.principal for i in late),
        overdue_charge=sum(i.charge for i in late),
        days_late=(as_of - late[0].due).days if late else 0,
        next_due=left[0] if left else None,
        principal_due=sum(i.principal for i in due),
    )


def check_repayment_order(order: Sequence[Component]) -> None:
    """Raise ValueError unless the order names each component exactly once."""
    if sorted(order) != sorted(Component):
        raise ValueError(f"A repayment order names each component once, got {list(order)}")


def split_repayment(
    amount: int, position: LoanPosition, order: Sequence[Component], on: date
) -> Payment:
    """Split a repayment along the order: penalty due, charge due, then any principal.

    Principal may be prepaid up to all that is outstanding; more than
    ``position.max_payment`` raises OverPayment.
    """
    if amount < 0:
        raise NegativeAmount(f"A repayment cannot be negative: {amount}")
    if amount > position.max_payment:
        raise OverPayment(f"Payment {amount} exceeds the {position.max_payment} owed")
    check_repayment_order(order)
    caps = {
        Component.PENALTY: position.penalty_due,
        Component.CHARGE: position.charge_due,
        Component.PRINCIPAL: position.principal_outstanding,
    }
    parts, left = {}, amount
    for component in order:
        parts[component] = min(left, caps[component])
        left -= parts[component]
    return Payment(
        on, parts[Component.PENALTY], parts[Component.CHARGE], parts[Component.PRINCIPAL]
    )


def late_penalty(kind: PenaltyKind, amount: int, rate: Decimal, overdue: int) -> int:
    """Return the penalty for one late instalment: fixed, a share of the overdue (half up), or 0."""
    if overdue <= 0 or kind == PenaltyKind.NONE:
        return 0
    if kind == PenaltyKind.FIXED:
        return amount
    return apply_rate(overdue, rate, ROUND_HALF_UP)


# -- guarantees ----------------------------------------------------------------------------


def pledge_held(pledge: int, principal: int, principal_outstanding: int) -> int:
    """Return the part of a pledge still held: released as principal is repaid, rounded up."""
    if pledge <= 0 or principal <= 0:
        return 0
    outstanding = min(max(principal_outstanding, 0), principal)
    return -(-pledge * outstanding // principal)


def recovery_split(arrears: int, pledges_available: Mapping[int, int]) -> dict[int, int]:
    """Split arrears among guarantors in proportion to what each can give, each within it.

    The parts add up to min(arrears, Σ available) (largest remainder); since each
    part is at most the ceiling of its exact share, no one gives more than she has.
    """
    available = {member: max(0, amount) for member, amount in pledges_available.items()}
    total = min(max(arrears, 0), sum(available.values()))
    if total == 0:
        return dict.fromkeys(available, 0)
    return dict(zip(available, allocate(total, list(available.values())), strict=True))


# -- share-out -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberStake:
    """A member's claim on the loan fund at share-out."""

    member_id: int
    savings: int
    charges_paid: int = 0
    #: Her open-loan balance, netted against her payout.
    owes: int = 0


@dataclass(frozen=True)
class Payout:
    """What a member receives at share-out: payout = savings + profit − deduction."""

    member_id: int
    savings: int
    #: May be negative when the fund lost money.
    profit: int
    deduction: int
    payout: int


def _equal(total: int, count: int) -> list[int]:
    """Return ``total`` split in ``count`` equal parts by largest remainder."""
    return allocate(total, [1] * count)


def _gross_shares(
    method: ShareOutMethod, stakes: Sequence[MemberStake], distributable: int
) -> list[int]:
    """Return each member's gross share (savings + profit) under the method."""
    savings = [s.savings for s in stakes]
    if method == ShareOutMethod.PROPORTIONAL:
        return (
            allocate(distributable, savings) if any(savings) else _equal(distributable, len(stakes))
        )
    if method == ShareOutMethod.EQUAL_PROFIT:
        profits = _equal(distributable - sum(savings), len(stakes))
        return [s + p for s, p in zip(savings, profits, strict=True)]
    charges = [s.charges_paid for s in stakes]
    rest = _equal(distributable - sum(savings) - sum(charges), len(stakes))
    return [s + c + r for s, c, r in zip(savings, charges, rest, strict=True)]


def share_out(
    method: ShareOutMethod, stakes: Sequence[MemberStake], distributable: int
) -> tuple[Payout, ...]:
    """Divide the distributable fund among members; Σ payouts + Σ deductions = distributable.

    ``distributable`` is the loan-fund cash plus the receivables netted against
    payouts (each member's ``owes``). A payout is negative when she owes more
    than her gross share; the caller decides what to do then.
    """
    if not stakes:
        if distributable:
            raise ValueError(f"No members to share out {distributable} among")
        return ()
    for s in stakes:
        if min(s.savings, s.charges_paid, s.owes) < 0:
            raise NegativeAmount(f"Member {s.member_id} has a negative stake: {s}")
    gross = _gross_shares(ShareOutMethod(method), stakes, distributable)
    return tuple(
        Payout(s.member_id, s.savings, g - s.savings, s.owes, g - s.owes)
        for s, g in zip(stakes, gross, strict=True)
    )


def value_per_share(distributable: int, total_shares: int | Fraction) -> Fraction:
    """Return the distributable fund ÷ the shares bought in the cycle (0 when none were)."""
    if not total_shares:
        return Fraction(0)
    return Fraction(distributable) / Fraction(total_shares)


def expected_cash(opening: int, inflows: Iterable[int], outflows: Iterable[int]) -> int:
    """Return the cash the box should hold: opening + Σ inflows − Σ outflows."""
    return opening + sum(inflows) - sum(outflows)
