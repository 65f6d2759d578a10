"""The fund book's boundary: marshmallow schemas that read and write it as JSON.

The format ("sandogh-fund-book", version 1) is documented in docs/fund-book.md and
docs/fund-book.schema.json; ``groups.savings.fundbook`` replays a loaded book through
the services and exports one back. This module only checks the shape of the text:

- Amounts are JSON integers of rials, never negative; floats, strings and booleans
  are refused. Rates (``charge_rate``, ``penalty_rate``) are decimal strings.
- Dates are ISO ``YYYY-MM-DD``; a Jalali ``1403/05/12`` (Persian or Latin digits) is
  accepted on reading. Dates are always written back as ISO.
- Members and loans are named by ``ref`` strings, unique in the book; a member ref
  must be in ``members``, a loan ref must be granted (opening or ``new_loans``) at an
  earlier meeting than the one that uses it.
- Arrays and objects nest at most MAX_NESTING deep (the format's own depth): a deeper
  text is refused before it is parsed, so no upload can exhaust the parser's recursion.
- Unknown keys are errors. Every error is reported under the dotted path of what is
  wrong, e.g. ``cycles.0.meetings.3.lines.2.shares``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema
from marshmallow.validate import Equal, Length, OneOf, Range

from groups.beneficiaries.normalise import joined_key
from groups.savings import rules
from groups.savings.errors import InvalidConstitution
from groups.savings.fundbook import FORMAT, VERSION
from groups.savings.funds import ROLES
from ledger.money import CURRENCY_EXPONENTS
from reports.persian import latin_digits, parse_jalali

#: No fund holds a quadrillion rials; a larger number is a typing mistake (and overflows BIGINT).
MAX_AMOUNT = 10**15
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: How deep arrays and objects nest in a fund book (book > cycles > meeting > line > fines …,
#: the depth of docs/fund-book.schema.json); a deeper text is refused unparsed.
MAX_NESTING = 9
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_AS_SQUARE = str.maketrans("{}", "[]")
Where = tuple[str | int, ...]


# -- fields ------------------------------------------------------------------------------


def parse_book_date(text: str) -> date:
    """Return the date of ``2024-08-02`` or of a Jalali ``1403/05/12``; raise ValueError."""
    latin = latin_digits(text.strip())
    if _ISO_DATE.match(latin):
        try:
            day = date.fromisoformat(latin)
        except ValueError:
            raise ValueError(f"{text!r} is not a real date.") from None
        if day.year < 1700:
            raise ValueError(f"{text!r} looks like a Jalali date: write it as {latin[:4]}/…/….")
        return day
    if "/" in latin:
        if not latin.strip().startswith(("13", "14", "15")):
            raise ValueError(f"{text!r} looks like a Gregorian date: write it as YYYY-MM-DD.")
        try:
            return parse_jalali(latin)
        except ValueError:
            raise ValueError(f"{text!r} is not a real Jalali date.") from None
    raise ValueError(f"Not a date: {text!r}; write YYYY-MM-DD (or a Jalali date as 1403/05/12).")


class BookDate(fields.Field):  # type: ignore[type-arg]  # not generic in marshmallow 3
    """A date: ISO in the file (a Jalali date is accepted on reading), ``date`` in Python."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str):
            raise ValidationError('A date must be a string such as "2025-03-24".')
        try:
            return parse_book_date(value)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return value.isoformat() if isinstance(value, date) else value


class RateString(fields.String):
    """A rate as a decimal string in [0, 1), e.g. ``"0.05"`` for 5%; numbers are refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError(f'Write a rate as a decimal string, e.g. "0.05", not {value!r}.')
        try:
            rate = Decimal(value.strip())
        except InvalidOperation:
            raise ValidationError(f"{value!r} is not a decimal number.") from None
        if not rate.is_finite() or not 0 <= rate < 1:
            raise ValidationError("A rate must be at least 0 and less than 1 (0.05 is 5%).")
        return value.strip()

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value)


class StrictBoolean(fields.Boolean):
    """true or false, nothing else (not 1, not "yes")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Must be true or false.")
        return value


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be empty.")


def _amount(minimum: int = 0, **kwargs: Any) -> fields.Integer:
    """Return a field of rials: a JSON integer from ``minimum`` up (floats and strings refused)."""
    return fields.Integer(
        strict=True,
        validate=Range(min=minimum, max=MAX_AMOUNT),
        error_messages={"invalid": "Amounts are whole rials: write an integer such as 250000."},
        **kwargs,
    )


def _count(minimum: int = 0, maximum: int | None = None, **kwargs: Any) -> fields.Integer:
    """Return a field of a whole number (shares, months, a day) from ``minimum`` up."""
    return fields.Integer(
        strict=True,
        validate=Range(min=minimum, max=maximum),
        error_messages={"invalid": "Must be a whole number."},
        **kwargs,
    )


def _text(maximum: int = 2000, **kwargs: Any) -> fields.String:
    """Return a field of free text (memo, reason, purpose) of at most ``maximum`` characters."""
    return fields.String(validate=Length(max=maximum), **kwargs)


def _ref(**kwargs: Any) -> fields.String:
    """Return a field naming a member or loan of the book by its ref."""
    return fields.String(required=True, validate=[Length(min=1, max=40), _not_blank], **kwargs)


def _choice(values: Sequence[str], **kwargs: Any) -> fields.String:
    """Return a field whose value is one of ``values``."""
    return fields.String(validate=OneOf(values), **kwargs)


def _values(kind: Any) -> list[str]:
    return [str(member.value) for member in kind]


# -- schemas -----------------------------------------------------------------------------


class FundSchema(Schema):
    """The fund's community facts."""

    name = fields.String(required=True, validate=[Length(min=1, max=200), _not_blank])
    village = _text(200)
    facilitator = _text(200)
    currency = _choice(sorted(CURRENCY_EXPONENTS))
    display_unit = _choice(["rial", "toman"])
    founded_on = BookDate(required=True)


class MemberSchema(Schema):
    """A member of the fund, named in the rest of the book by her ref."""

    ref = _ref()
    name = fields.String(required=True, validate=[Length(min=1, max=200), _not_blank])
    phone = _text(30)
    joined_on = BookDate(required=True)
    roles = fields.List(_choice(ROLES))


class ConstitutionSchema(Schema):
    """``Constitution.to_dict()``: only ``share_price`` is required, the rest have defaults."""

    share_price = _amount(1, required=True)
    min_shares = _count()
    max_shares = _count(1)
    social_contribution = _amount()
    frequency = _choice(_values(rules.MeetingFrequency))
    meeting_day = _count(0, 31)
    loan_multiple = _count(1)
    max_term_months = _count(1)
    charge_method = _choice(_values(rules.ChargeMethod))
    charge_rate = RateString()
    repayment_order = fields.List(_choice(_values(rules.Component)))
    penalty_kind = _choice(_values(rules.PenaltyKind))
    penalty_amount = _amount()
    penalty_rate = RateString()
    fines = fields.Dict(keys=fields.String(validate=[Length(max=40), _not_blank]), values=_amount())
    share_out_method = _choice(_values(rules.ShareOutMethod))
    leaver_gets_profit = StrictBoolean()
    instalment_unit = _amount(1)
    grace_meetings = _count(0, 52)
    recovery_order = _choice(_values(rules.RecoveryOrder))

    @validates_schema
    def check_settings_together(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Check what no single field can (min ≤ max, the meeting day, the repayment order)
        with the rules' own check, ``rules.Constitution.from_dict``: one check, not two."""
        try:
            rules.Constitution.from_dict(data)
        except InvalidConstitution as error:
            raise ValidationError(str(error), field_name=error.setting or "_schema") from None


class GuarantorSchema(Schema):
    """A member who pledges part of her savings for a loan."""

    member = _ref()
    pledge = _amount(1, required=True)


class OpeningMemberSchema(Schema):
    """A member's shares (and savings, if not shares × price) from the paper notebook."""

    member = _ref()
    shares = _count(required=True)
    savings = _amount(allow_none=True)
    charges_paid = _amount()


class OpeningLoanSchema(Schema):
    """An open loan from the notebook, given a ref for later repayments."""

    ref = _ref()
    borrower = _ref()
    principal_remaining = _amount(1, required=True)
    term_months_remaining = _count(1, required=True)
    disbursed_on = BookDate(required=True)
    purpose = _text()
    guarantors = fields.List(fields.Nested(GuarantorSchema))
    principal = _amount(1, allow_none=True)
    charge_rate = RateString(allow_none=True)
    arrears = _amount()
    charges_unpaid = _amount()
    penalties = _amount()


class OpeningSchema(Schema):
    """A running fund's notebook, posted as opening balances before the first meeting."""

    date = BookDate(required=True)
    members = fields.List(fields.Nested(OpeningMemberSchema))
    loans = fields.List(fields.Nested(OpeningLoanSchema))
    loan_fund_cash = _amount()
    social_fund_cash = _amount()


class RepaymentSchema(Schema):
    """What a borrower pays on one of her loans today."""

    loan = _ref()
    amount = _amount(required=True)


class FineSchema(Schema):
    """A fine paid, of a type the constitution lists."""

    type = fields.String(required=True, validate=[Length(max=40), _not_blank])
    amount = _amount(required=True)


class LineSchema(Schema):
    """One member's row of the meeting sheet."""

    member = _ref()
    attendance = _choice(_values(rules.Attendance))
    shares = _count()
    social = _amount()
    repayments = fields.List(fields.Nested(RepaymentSchema))
    fines = fields.List(fields.Nested(FineSchema))


class NewLoanSchema(Schema):
    """A loan the meeting grants, given a ref for later repayments."""

    ref = _ref()
    borrower = _ref()
    amount = _amount(1, required=True)
    term_months = _count(1, required=True)
    purpose = _text()
    guarantors = fields.List(fields.Nested(GuarantorSchema))


class GrantSchema(Schema):
    """A social-fund grant."""

    member = _ref()
    amount = _amount(1, required=True)
    reason = _text()


class CashItemSchema(Schema):
    """Other income or an expense of the loan fund."""

    amount = _amount(1, required=True)
    memo = _text()


class WriteOffSchema(Schema):
    """A loan the meeting writes off, and why."""

    loan = _ref()
    reason = _text()


class ReopenedSchema(Schema):
    """A meeting reopened to be recorded again: its entries were reversed, its rows void."""

    on = BookDate(required=True)
    reason = _text()


class MeetingSchema(Schema):
    """Everything recorded at one meeting, in the order of business.

    A meeting with ``reopened`` was voided (reversed on its own day) and is followed by
    the meeting recorded again in its place; its loans cannot be used later.
    """

    date = BookDate(required=True)
    lines = fields.List(fields.Nested(LineSchema))
    new_loans = fields.List(fields.Nested(NewLoanSchema))
    grants = fields.List(fields.Nested(GrantSchema))
    other_income = fields.List(fields.Nested(CashItemSchema))
    expenses = fields.List(fields.Nested(CashItemSchema))
    recoveries = fields.List(_ref())
    write_offs = fields.List(fields.Nested(WriteOffSchema))
    leavers = fields.List(_ref())
    cash_counted = _amount(allow_none=True)
    cash_explanation = _text()
    reopened = fields.Nested(ReopenedSchema, allow_none=True)


class ReinvestSchema(Schema):
    """Part of a member's payout she leaves in the fund as next cycle's savings."""

    member = _ref()
    amount = _amount(1, required=True)


class ShareOutSchema(Schema):
    """The end of a cycle: loans written off, payouts reinvested."""

    date = BookDate(required=True)
    write_off = fields.List(_ref())
    reinvest = fields.List(fields.Nested(ReinvestSchema))


class CycleSchema(Schema):
    """A cycle: its constitution, opening balances, meetings and share-out."""

    started_on = BookDate(required=True)
    constitution = fields.Nested(ConstitutionSchema, required=True)
    opening = fields.Nested(OpeningSchema, allow_none=True)
    meetings = fields.List(fields.Nested(MeetingSchema))
    share_out = fields.Nested(ShareOutSchema, allow_none=True)


class BookSchema(Schema):
    """A whole fund: its facts, members and cycles; refs checked across the book."""

    format = fields.String(required=True, validate=Equal(FORMAT, error=f'Must be "{FORMAT}".'))
    version = fields.Integer(strict=True, required=True, validate=Equal(VERSION))
    #: The book's identity: the same book is not imported twice (``--as-new`` copies it).
    id = fields.String(validate=[Length(min=1, max=80), _not_blank])
    fund = fields.Nested(FundSchema, required=True)
    members = fields.List(fields.Nested(MemberSchema))
    cycles = fields.List(fields.Nested(CycleSchema))

    @validates_schema
    def check_refs(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Check refs are unique and each member or loan a book names is defined before."""
        problems = _RefCheck().run(data)
        if problems:
            raise ValidationError(_nest(problems))


# -- cross-checks ------------------------------------------------------------------------


@dataclass
class _RefCheck:
    """Walks a loaded book in order, collecting (path, message) for every bad ref."""

    problems: list[tuple[Where, str]] = field(default_factory=list)
    #: member or loan ref → where the book defines it.
    members: dict[str, Where] = field(default_factory=dict)
    loans: dict[str, Where] = field(default_factory=dict)
    #: loan ref → the position (opening, meeting or share-out, counted across cycles) granting it.
    granted_at: dict[str, int] = field(default_factory=dict)
    position: int = 0

    def run(self, book: Mapping[str, Any]) -> list[tuple[Where, str]]:
        names: dict[str, Where] = {}
        for i, member in enumerate(book.get("members", [])):
            self._define(self.members, member["ref"], ("members", i, "ref"), "member")
            name = joined_key(member["name"])  # spelling aside, as the register compares
            if name in names:
                self._problem(
                    ("members", i, "name"),
                    f"{member['name']!r} is the same name as {_dotted(names[name])} "
                    "(ي/ی, ك/ک, a ZWNJ or a space aside).",
                )
            names.setdefault(name, ("members", i, "name"))
        for c, cycle in enumerate(book.get("cycles", [])):
            self._cycle(("cycles", c), cycle)
        return self.problems

    def _cycle(self, at: Where, cycle: Mapping[str, Any]) -> None:
        if cycle.get("opening"):
            self.position += 1
            self._opening((*at, "opening"), cycle["opening"])
        for m, meeting in enumerate(cycle.get("meetings", [])):
            self.position += 1
            self._meeting((*at, "meetings", m), meeting)
        if cycle.get("share_out"):
            self.position += 1
            here = (*at, "share_out")
            self._loans_used(here, "write_off", cycle["share_out"].get("write_off", []))
            self._members_in(here, "reinvest", cycle["share_out"].get("reinvest", []), unique=True)

    def _opening(self, at: Where, opening: Mapping[str, Any]) -> None:
        self._members_in(at, "members", opening.get("members", []), unique=True)
        self._new_loans(at, "loans", opening.get("loans", []))

    def _meeting(self, at: Where, meeting: Mapping[str, Any]) -> None:
        self._new_loans(at, "new_loans", meeting.get("new_loans", []))
        lines = meeting.get("lines", [])
        self._members_in(at, "lines", lines, unique=True)
        for i, line in enumerate(lines):
            loan_refs = [repayment["loan"] for repayment in line.get("repayments", [])]
            for j, loan_ref in enumerate(loan_refs):
                self._loan((*at, "lines", i, "repayments", j, "loan"), loan_ref)
            self._unique((*at, "lines", i, "repayments"), loan_refs, "loan")
        self._members_in(at, "grants", meeting.get("grants", []))
        self._loans_used(at, "recoveries", meeting.get("recoveries", []))
        written_off = [write_off["loan"] for write_off in meeting.get("write_offs", [])]
        for i, loan_ref in enumerate(written_off):
            self._loan((*at, "write_offs", i, "loan"), loan_ref)
        self._unique((*at, "write_offs"), written_off, "loan")
        leavers = meeting.get("leavers", [])
        for i, leaver in enumerate(leavers):
            self._member((*at, "leavers", i), leaver)
        self._unique((*at, "leavers"), leavers, None)
        if meeting.get("reopened"):  # its loans are void with it
            for loan in meeting.get("new_loans", []):
                if self.granted_at.get(loan["ref"]) == self.position:
                    del self.granted_at[loan["ref"]]

    def _new_loans(self, at: Where, key: str, loans: Sequence[Mapping[str, Any]]) -> None:
        for i, loan in enumerate(loans):
            self._member((*at, key, i, "borrower"), loan["borrower"])
            self._members_in((*at, key, i), "guarantors", loan.get("guarantors", []), unique=True)
            if self._define(self.loans, loan["ref"], (*at, key, i, "ref"), "loan"):
                self.granted_at[loan["ref"]] = self.position

    def _members_in(
        self, at: Where, key: str, rows: Sequence[Mapping[str, Any]], unique: bool = False
    ) -> None:
        for i, row in enumerate(rows):
            self._member((*at, key, i, "member"), row["member"])
        if unique:
            self._unique((*at, key), [row["member"] for row in rows], "member")

    def _loans_used(self, at: Where, key: str, loan_refs: Sequence[str]) -> None:
        for i, loan_ref in enumerate(loan_refs):
            self._loan((*at, key, i), loan_ref)
        self._unique((*at, key), loan_refs, None)

    def _member(self, at: Where, member_ref: str) -> None:
        if member_ref not in self.members:
            self._problem(at, f"No member has the ref {member_ref!r}.")

    def _loan(self, at: Where, loan_ref: str) -> None:
        if loan_ref not in self.granted_at:
            self._problem(at, f"No loan with the ref {loan_ref!r} is granted before this.")
        elif self.granted_at[loan_ref] == self.position:
            self._problem(at, f"Loan {loan_ref!r} is granted at this same meeting; use it later.")

    def _define(self, known: dict[str, Where], new_ref: str, at: Where, kind: str) -> bool:
        """Record a new ref; return False (and a problem) if it is taken."""
        if new_ref in known:
            self._problem(
                at, f"The {kind} ref {new_ref!r} is already used at {_dotted(known[new_ref])}."
            )
            return False
        known[new_ref] = at
        return True

    def _unique(self, at: Where, refs: Sequence[str], key: str | None) -> None:
        seen: set[str] = set()
        for i, item in enumerate(refs):
            if item in seen:
                self._problem((*at, i, key) if key else (*at, i), f"{item!r} appears twice here.")
            seen.add(item)

    def _problem(self, at: Where, message: str) -> None:
        self.problems.append((at, message))


def _nest(problems: Sequence[tuple[Where, str]]) -> dict[str | int, Any]:
    """Return problems as marshmallow's nested error messages."""
    nested: dict[str | int, Any] = {}
    for path, message in problems:
        node = nested
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node.setdefault(path[-1], []).append(message)
    return nested


def _dotted(path: Where) -> str:
    return ".".join(str(part) for part in path)


def flatten_messages(messages: Any, path: Where = ()) -> dict[str, list[str]]:
    """Return marshmallow's nested messages as {"cycles.0.meetings.3.date": [...]}."""
    if isinstance(messages, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            inner = path if key == "_schema" else (*path, key)
            for where, texts in flatten_messages(value, inner).items():
                flat.setdefault(where, []).extend(texts)
        return flat
    texts = list(messages) if isinstance(messages, list | tuple) else [str(messages)]
    return {_dotted(path) or "book": [str(t) for t in texts]}


# -- reading and writing -----------------------------------------------------------------


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        raise ValueError(f"the key {twice[0]!r} appears twice in one object")
    return dict(pairs)


def nests_deeper_than(text: str, levels: int) -> bool:
    """Return True when arrays and objects in a JSON text nest deeper than ``levels``.

    Strings are dropped, then everything but brackets, and ``{}`` become ``[]``; each
    ``replace("[]", "")`` then removes exactly the innermost level, so ``levels`` of
    them empty any text nested that deep. A few linear passes in C: a text of a
    million ``[`` costs milliseconds, never a recursion. Unbalanced brackets stop the
    passes early and are left for the JSON parser to report.
    """
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)).translate(_AS_SQUARE)
    for _ in range(levels):
        peeled = brackets.replace("[]", "")
        if peeled == brackets:
            return False
        brackets = peeled
    return bool(brackets)


def load_book(text: str) -> dict[str, Any]:
    """Return the fund book a JSON text holds, dates as ``date``; raise ValidationError.

    The error's messages map dotted paths (``cycles.0.meetings.3.lines.2.shares``) to
    lists of messages.
    """
    if nests_deeper_than(text, MAX_NESTING):
        message = f"Arrays and objects nest deeper than a fund book's {MAX_NESTING} levels."
        raise ValidationError({"book": [message]})
    try:
        data = json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise ValidationError({"book": [f"Not valid JSON ({where}): {error.msg}."]}) from None
    except ValueError as error:
        raise ValidationError({"book": [f"Not a valid fund book: {error}."]}) from None
    except RecursionError:  # unbalanced, deeper than the parser goes: not a fund book either
        raise ValidationError({"book": ["Not valid JSON: it nests too deep."]}) from None
    try:
        book: dict[str, Any] = BookSchema().load(data)
    except ValidationError as error:
        raise ValidationError(flatten_messages(error.messages)) from None
    return book


def dump_book(book: Mapping[str, Any]) -> str:
    """Return the fund book as JSON text: keys in the documented order, dates ISO."""
    return json.dumps(BookSchema().dump(book), ensure_ascii=False, indent=2) + "\n"


def error_lines(error: ValidationError) -> Iterator[str]:
    """Yield one "path: message" line per problem of a load_book error."""
    for where, texts in flatten_messages(error.messages).items():
        for message in texts:
            yield f"{where}: {message}"
