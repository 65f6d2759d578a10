"""The fund book: read and written as JSON, replayed all or nothing, exported back the same.

A facilitator types a fund's notebook into a fund book; ``sandogh fund import-book``
replays it through the services, ``export-book`` writes it back and ``report``
prints the fund's state. A broken book is refused with the path of what is wrong;
a book that breaks a rule of the fund names the meeting, the member and the rule.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from marshmallow import Schema, ValidationError, fields
from marshmallow.validate import OneOf
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups.savings import rules
from ledger.balances import trial_balance
from ledger.models import Fund
from web.cli import main
from web.fundbook import BookSchema, ConstitutionSchema, dump_book, load_book

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "small-fund.json"
DEMO = ROOT / "web" / "demo" / "demo-fund.json"
JSON_SCHEMA = ROOT / "docs" / "fund-book.schema.json"
Book = dict[str, Any]


def example() -> Book:
    """The documented example book, as plain JSON data."""
    data: Book = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


def errors_of(book: Any) -> dict[str, list[str]]:
    """Return the dotted-path messages load_book gives for a book."""
    with pytest.raises(ValidationError) as caught:
        load_book(book if isinstance(book, str) else json.dumps(book, ensure_ascii=False))
    messages: dict[str, list[str]] = caught.value.messages  # type: ignore[assignment]
    return messages


# -- reading and writing -------------------------------------------------------------------


@pytest.mark.parametrize("path", [EXAMPLE, DEMO], ids=["example", "demo"])
def test_a_book_loads_with_dates_as_dates_and_dumps_back_to_the_same_json(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    book = load_book(text)
    assert isinstance(book["fund"]["founded_on"], date)
    assert isinstance(book["cycles"][0]["meetings"][0]["date"], date)
    assert json.loads(dump_book(book)) == json.loads(text)


def test_the_example_is_the_fund_the_docs_describe() -> None:
    book = load_book(EXAMPLE.read_text(encoding="utf-8"))
    meetings = book["cycles"][0]["meetings"]
    assert len(book["members"]) == 5
    assert len(meetings) == 7
    assert [m["date"].weekday() for m in meetings] == [0] * 7  # Mondays, as meeting_day 0 says
    assert meetings[1]["new_loans"][0]["guarantors"]
    assert meetings[6]["lines"][1]["repayments"] == [{"loan": "L1", "amount": 212_000}]


def test_jalali_dates_in_persian_or_latin_digits_are_read_and_written_back_as_iso() -> None:
    book = example()
    book["fund"]["founded_on"] = "۱۴۰۴/۰۱/۱۸"
    book["cycles"][0]["started_on"] = "1404/01/18"
    loaded = load_book(json.dumps(book, ensure_ascii=False))
    assert loaded["fund"]["founded_on"] == loaded["cycles"][0]["started_on"] == date(2025, 4, 7)
    assert json.loads(dump_book(loaded))["fund"]["founded_on"] == "2025-04-07"


def test_dump_writes_persian_as_is_with_the_documented_key_order() -> None:
    text = dump_book(load_book(EXAMPLE.read_text(encoding="utf-8")))
    assert "رقیه محمدی" in text
    assert list(json.loads(text)) == ["format", "version", "fund", "members", "cycles"]


def _set(path: str, value: Any) -> Callable[[Book], None]:
    """Return a change that sets the value at a dotted path of the book."""

    def change(book: Book) -> None:
        *parents, last = path.split(".")
        node: Any = book
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


def _delete(path: str) -> Callable[[Book], None]:
    def change(book: Book) -> None:
        *parents, last = path.split(".")
        node: Any = book
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[last]

    return change


M1 = "cycles.0.meetings.1"
M3 = "cycles.0.meetings.3"
LINE = f"{M3}.lines.2"
RULES = "cycles.0.constitution"

INVALID = [
    # (what is wrong, change, path named, words in the message)
    ("float shares", _set(f"{LINE}.shares", 1.5), f"{LINE}.shares", "whole number"),
    ("shares as text", _set(f"{LINE}.shares", "2"), f"{LINE}.shares", "whole number"),
    ("float amount", _set(f"{LINE}.social", 5000.0), f"{LINE}.social", "whole rials"),
    ("bool amount", _set(f"{LINE}.social", True), f"{LINE}.social", "whole rials"),
    ("negative amount", _set(f"{LINE}.social", -5000), f"{LINE}.social", "greater than"),
    ("huge amount", _set(f"{LINE}.social", 10**19), f"{LINE}.social", "less than"),
    ("no such day", _set(f"{M3}.date", "2025-02-30"), f"{M3}.date", "not a real date"),
    ("jalali as iso", _set(f"{M3}.date", "1404-02-08"), f"{M3}.date", "Jalali"),
    ("gregorian/slashes", _set(f"{M3}.date", "2025/04/28"), f"{M3}.date", "YYYY-MM-DD"),
    ("no such jalali day", _set(f"{M3}.date", "1404/12/30"), f"{M3}.date", "not a real"),
    ("date as number", _set(f"{M3}.date", 20250428), f"{M3}.date", "string"),
    ("missing date", _delete(f"{M3}.date"), f"{M3}.date", "Missing data"),
    ("unknown key", _set(f"{LINE}.sharez", 2), f"{LINE}.sharez", "Unknown field"),
    ("attendance", _set(f"{LINE}.attendance", "sick"), f"{LINE}.attendance", "present"),
    ("frequency", _set(f"{RULES}.frequency", "daily"), f"{RULES}.frequency", "weekly"),
    ("charge", _set(f"{RULES}.charge_method", "interest"), f"{RULES}.charge_method", "none"),
    ("penalty", _set(f"{RULES}.penalty_kind", "big"), f"{RULES}.penalty_kind", "fixed"),
    ("method", _set(f"{RULES}.share_out_method", "x"), f"{RULES}.share_out_method", "equal"),
    ("order", _set(f"{RULES}.repayment_order", ["charge"]), f"{RULES}.repayment_order", "once"),
    ("order item", _set(f"{RULES}.repayment_order.0", "fee"), f"{RULES}.repayment_order.0", ""),
    ("rate as float", _set(f"{RULES}.charge_rate", 0.02), f"{RULES}.charge_rate", '"0.05"'),
    ("rate too big", _set(f"{RULES}.charge_rate", "1.5"), f"{RULES}.charge_rate", "less than 1"),
    ("rate not number", _set(f"{RULES}.penalty_rate", "2%"), f"{RULES}.penalty_rate", "decimal"),
    ("flag", _set(f"{RULES}.leaver_gets_profit", "yes"), f"{RULES}.leaver_gets_profit", "true"),
    ("fine", _set(f"{RULES}.fines.late", -1), f"{RULES}.fines.late.value", "greater"),
    ("min > max", _set(f"{RULES}.min_shares", 6), f"{RULES}.min_shares", "max_shares"),
    ("weekday", _set(f"{RULES}.meeting_day", 9), f"{RULES}.meeting_day", "Monday"),
    ("no share price", _delete(f"{RULES}.share_price"), f"{RULES}.share_price", "Missing"),
    ("format", _set("format", "excel"), "format", "sandogh-fund-book"),
    ("version", _set("version", 2), "version", "1"),
    ("currency", _set("fund.currency", "XYZ"), "fund.currency", "IRR"),
    ("role", _set("members.0.roles", ["queen"]), "members.0.roles.0", "chair"),
    ("phone", _set("members.0.phone", "0" * 31), "members.0.phone", "30"),
    ("blank name", _set("members.0.name", "  "), "members.0.name", "empty"),
    ("cash counted", _set(f"{M3}.cash_counted", "1050000"), f"{M3}.cash_counted", "rials"),
    ("loan of 0", _set(f"{M1}.new_loans.0.amount", 0), f"{M1}.new_loans.0.amount", "greater"),
]


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [case[1:] for case in INVALID],
    ids=[case[0] for case in INVALID],
)
def test_an_invalid_value_is_reported_at_its_path(
    change: Callable[[Book], None], path: str, words: str
) -> None:
    book = example()
    change(book)
    errors = errors_of(book)
    assert path in errors, errors
    assert words in " ".join(errors[path])


def _repay(book: Book, meeting: int, line: int, loan: str) -> None:
    book["cycles"][0]["meetings"][meeting]["lines"][line]["repayments"] = [
        {"loan": loan, "amount": 1000}
    ]


BAD_REFS = [
    (
        "unknown member",
        lambda b: _set(f"{LINE}.member", "m9")(b),
        f"{LINE}.member",
        "No member has the ref 'm9'",
    ),
    (
        "unknown loan",
        lambda b: _repay(b, 3, 1, "L7"),
        f"{M3}.lines.1.repayments.0.loan",
        "No loan with the ref 'L7'",
    ),
    (
        "loan used before it is granted",
        lambda b: _repay(b, 0, 1, "L1"),
        "cycles.0.meetings.0.lines.1.repayments.0.loan",
        "granted before",
    ),
    (
        "loan repaid at the meeting that grants it",
        lambda b: _repay(b, 1, 1, "L1"),
        "cycles.0.meetings.1.lines.1.repayments.0.loan",
        "same meeting",
    ),
    (
        "member ref twice",
        lambda b: _set("members.4.ref", "m1")(b),
        "members.4.ref",
        "already used at members.0.ref",
    ),
    (
        "two members with one name",
        lambda b: _set("members.4.name", b["members"][0]["name"] + " ")(b),
        "members.4.name",
        "the same name as members.0.name",
    ),
    (
        "one name in Arabic letters and with a space for a ZWNJ",
        lambda b: (
            b["members"].append(
                {"ref": "twin", "name": "فاطمه زهرا كريمي", "joined_on": "2025-03-24"}
            )
            or b["members"].append(
                {"ref": "twin2", "name": "فاطمه‌زهرا کریمی", "joined_on": "2025-03-24"}
            )
        ),
        "members.6.name",
        "the same name as members.5.name",
    ),
    (
        "loan ref twice",
        lambda b: b["cycles"][0]["meetings"][4].update(
            new_loans=[{"ref": "L1", "borrower": "m3", "amount": 1000, "term_months": 1}]
        ),
        "cycles.0.meetings.4.new_loans.0.ref",
        "already used at cycles.0.meetings.1.new_loans.0.ref",
    ),
    (
        "two lines for one member",
        lambda b: _set(f"{LINE}.member", "m1")(b),
        f"{LINE}.member",
        "appears twice",
    ),
    (
        "unknown guarantor",
        lambda b: _set("cycles.0.meetings.1.new_loans.0.guarantors.1.member", "zz")(b),
        "cycles.0.meetings.1.new_loans.0.guarantors.1.member",
        "'zz'",
    ),
    (
        "unknown leaver",
        lambda b: b["cycles"][0]["meetings"][5].update(leavers=["m6"]),
        "cycles.0.meetings.5.leavers.0",
        "'m6'",
    ),
    (
        "unknown grantee",
        lambda b: _set(f"{M3}.grants.0.member", "m0")(b),
        f"{M3}.grants.0.member",
        "'m0'",
    ),
]


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [case[1:] for case in BAD_REFS],
    ids=[case[0] for case in BAD_REFS],
)
def test_a_bad_ref_is_reported_where_it_is_used(
    change: Callable[[Book], None], path: str, words: str
) -> None:
    book = example()
    change(book)
    errors = errors_of(book)
    assert path in errors, errors
    assert words in " ".join(errors[path])


def test_every_problem_of_a_book_is_reported_at_once() -> None:
    book = example()
    _set(f"{LINE}.shares", 2.0)(book)
    _set("cycles.0.meetings.0.date", "yesterday")(book)
    assert {f"{LINE}.shares", "cycles.0.meetings.0.date"} <= set(errors_of(book))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"format": "sandogh-fund-book",', "Not valid JSON (line 1"),
        ('{"format": "sandogh-fund-book", "format": "x"}', "'format' appears twice"),
        ("[1, 2]", "Invalid input type"),
    ],
    ids=["truncated", "duplicate key", "not an object"],
)
def test_text_that_is_not_a_book_object_is_refused(text: str, words: str) -> None:
    assert words in " ".join(errors_of(text)["book"])


def test_a_minimal_book_needs_only_the_fund_and_the_constitution_share_price() -> None:
    book = load_book(
        json.dumps(
            {
                "format": "sandogh-fund-book",
                "version": 1,
                "fund": {"name": "صندوق", "founded_on": "2025-01-06"},
                "cycles": [{"started_on": "2025-01-06", "constitution": {"share_price": 1000}}],
            }
        )
    )
    assert book["cycles"][0]["constitution"] == {"share_price": 1000}


# -- the JSON Schema says what the marshmallow schemas say ---------------------------------


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Return the object schema a JSON Schema node describes, following $ref and nullable."""
    if "$ref" in node:
        target = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return _resolve({**target, **{k: v for k, v in node.items() if k != "$ref"}}, root)
    if "anyOf" in node and all("pattern" not in option for option in node["anyOf"]):
        (option,) = [o for o in node["anyOf"] if o.get("type") != "null"]
        return _resolve(option, root)
    return node


def _compare(schema: Schema, node: dict[str, Any], root: dict[str, Any], where: str) -> int:
    """Assert the JSON Schema object has the marshmallow schema's keys; return objects checked."""
    node = _resolve(node, root)
    assert node["type"] == "object" and node["additionalProperties"] is False, where
    assert set(node["properties"]) == set(schema.fields), where
    required = {name for name, f in schema.fields.items() if f.required}
    assert set(node.get("required", [])) == required, where
    checked = 1
    for name, field in schema.fields.items():
        prop = _resolve(node["properties"][name], root)
        if isinstance(field, fields.List):
            field, prop = field.inner, _resolve(prop["items"], root)
        if isinstance(field, fields.Nested):
            checked += _compare(field.schema, prop, root, f"{where}.{name}")
        elif isinstance(field.validate, OneOf):
            assert set(prop["enum"]) == set(field.validate.choices), f"{where}.{name}"
    return checked


def test_the_json_schema_has_the_keys_required_keys_and_choices_of_the_marshmallow_schema() -> None:
    root = json.loads(JSON_SCHEMA.read_text(encoding="utf-8"))
    assert root["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert _compare(BookSchema(), root, root, "book") == 22  # every object of the book


def test_the_constitution_schemas_have_exactly_the_rules_settings_and_defaults() -> None:
    defaults = rules.Constitution(share_price=1).to_dict()
    assert set(ConstitutionSchema().fields) == set(defaults)
    documented = json.loads(JSON_SCHEMA.read_text(encoding="utf-8"))["$defs"]["constitution"]
    for name, prop in documented["properties"].items():
        if name != "share_price":
            assert prop["default"] == defaults[name], name


# -- the commands --------------------------------------------------------------------------


def invoke(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(main, ["fund", *args])


def funds(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Fund)) or 0)


def write(tmp_path: Path, book: Book | str, name: str = "book.json") -> Path:
    path = tmp_path / name
    text = book if isinstance(book, str) else json.dumps(book, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def import_file(app: Flask, path: Path, *options: str) -> int:
    result = invoke(app, "import-book", str(path), *options)
    assert result.exit_code == 0, result.output
    return int(result.stdout.strip())


def export(app: Flask, fund_id: int) -> str:
    result = invoke(app, "export-book", str(fund_id))
    assert result.exit_code == 0, result.output
    return result.stdout


def books_of(session: Session, fund_id: int) -> list[tuple[str, int, int]]:
    """The fund's trial balance by account name (member accounts carry ids in their codes)."""
    return [
        (line.name_en, line.debit, line.credit) for line in trial_balance(session, fund_id).lines
    ]


#: Opening balances from paper, a guaranteed loan, a write-off, a share-out with a
#: re-investment, and a second cycle under an upfront fee in which a borrower leaves.
WHOLE_LIFE: Book = {
    "format": "sandogh-fund-book",
    "version": 1,
    "fund": {"name": "صندوق آزمون", "founded_on": "2024-01-01", "display_unit": "toman"},
    "members": [
        {"ref": "a", "name": "آمنه", "joined_on": "2024-01-01", "roles": ["treasurer", "chair"]},
        {"ref": "b", "name": "بتول", "joined_on": "2024-01-01"},
        {"ref": "c", "name": "کبری", "joined_on": "2024-01-01", "phone": "09120000000"},
    ],
    "cycles": [
        {
            "started_on": "2025-03-03",
            "constitution": {"share_price": 10_000, "charge_rate": "0.05", "fines": {"late": 1000}},
            "opening": {
                "date": "2025-03-17",
                "members": [
                    {"member": "a", "shares": 10},
                    {"member": "b", "shares": 8, "savings": 85_000},
                    {"member": "c", "shares": 5},
                ],
                "loans": [
                    {
                        "ref": "old",
                        "borrower": "b",
                        "principal_remaining": 60_000,
                        "term_months_remaining": 2,
                        "disbursed_on": "2025-02-17",
                        "purpose": "دفتری",
                        "guarantors": [{"member": "a", "pledge": 30_000}],
                    }
                ],
                "loan_fund_cash": 150_000,
                "social_fund_cash": 20_000,
            },
            "meetings": [
                {
                    "date": "2025-03-24",
                    "lines": [
                        {"member": "a", "shares": 1, "social": 1000},
                        {"member": "b", "shares": 1, "social": 1000},
                        {
                            "member": "c",
                            "attendance": "late",
                            "shares": 1,
                            "fines": [{"type": "late", "amount": 1000}],
                        },
                    ],
                    "new_loans": [
                        {
                            "ref": "new",
                            "borrower": "c",
                            "amount": 90_000,
                            "term_months": 2,
                            "guarantors": [{"member": "a", "pledge": 50_000}],
                        }
                    ],
                    "other_income": [{"amount": 5000, "memo": "هدیه"}],
                },
                {
                    "date": "2025-04-21",
                    "lines": [
                        {"member": "a", "shares": 2},
                        {
                            "member": "b",
                            "shares": 1,
                            "repayments": [{"loan": "old", "amount": 33_000}],
                        },
                        {
                            "member": "c",
                            "shares": 1,
                            "repayments": [{"loan": "new", "amount": 49_500}],
                        },
                    ],
                },
                {
                    "date": "2025-05-19",
                    "lines": [
                        {"member": "a", "shares": 1},
                        {
                            "member": "b",
                            "shares": 1,
                            "repayments": [{"loan": "old", "amount": 31_500}],
                        },
                        {"member": "c", "shares": 1},
                    ],
                    "write_offs": [{"loan": "new", "reason": "ناتوانی در بازپرداخت"}],
                },
            ],
            "share_out": {"date": "2025-05-26", "reinvest": [{"member": "a", "amount": 20_000}]},
        },
        {
            "started_on": "2025-06-02",
            "constitution": {
                "share_price": 10_000,
                "charge_method": "upfront_fee",
                "charge_rate": "0.03",
            },
            "meetings": [
                {"date": "2025-06-02", "lines": [{"member": m, "shares": 5} for m in "abc"]},
                {
                    "date": "2025-06-09",
                    "lines": [{"member": m, "shares": 5} for m in "abc"],
                    "new_loans": [
                        {"ref": "x", "borrower": "c", "amount": 40_000, "term_months": 1}
                    ],
                },
                {
                    "date": "2025-06-16",
                    "lines": [
                        {"member": "a", "shares": 1},
                        {"member": "b", "shares": 1},
                        # She repays part in cash, then leaves: the rest is netted.
                        {
                            "member": "c",
                            "shares": 1,
                            "repayments": [{"loan": "x", "amount": 15_000}],
                        },
                    ],
                    "leavers": ["c"],
                },
            ],
        },
    ],
}


@pytest.mark.parametrize("book", [EXAMPLE, DEMO, WHOLE_LIFE], ids=["example", "demo", "whole-life"])
def test_import_export_import_gives_the_same_books_and_the_same_export(
    app: Flask, session: Session, tmp_path: Path, book: Path | Book
) -> None:
    first = import_file(app, book if isinstance(book, Path) else write(tmp_path, book))
    exported = export(app, first)
    second = import_file(app, write(tmp_path, exported, "exported.json"), "--as-new")

    assert books_of(session, second) == books_of(session, first)
    assert trial_balance(session, first).is_balanced
    exported_again = json.loads(export(app, second))
    assert exported_again.pop("id") != json.loads(exported).pop("id")  # a copy is a new book
    assert exported_again == {k: v for k, v in json.loads(exported).items() if k != "id"}


@pytest.mark.parametrize("exported", [False, True], ids=["written-by-hand", "exported"])
def test_the_same_book_twice_is_refused_unless_imported_as_new(
    app: Flask, session: Session, tmp_path: Path, exported: bool
) -> None:
    path = write(tmp_path, WHOLE_LIFE)
    first = import_file(app, path)
    if exported:
        path = write(tmp_path, export(app, first), "exported.json")
    before = funds(session)

    result = invoke(app, "import-book", str(path))

    assert result.exit_code == 1
    assert f"already fund {first}" in result.output and "--as-new" in result.output
    assert "Traceback" not in result.output
    assert funds(session) == before
    copy = import_file(app, path, "--as-new")
    assert copy != first and books_of(session, copy) == books_of(session, first)


def test_a_leaver_s_cash_repayment_is_exported_apart_from_what_her_leaving_nets(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    fund_id = import_file(app, write(tmp_path, WHOLE_LIFE))
    leaving = json.loads(export(app, fund_id))["cycles"][1]["meetings"][-1]

    (line,) = [line for line in leaving["lines"] if line["member"] == "m3"]  # c, exported
    assert line["repayments"] == [{"loan": "L3", "amount": 15_000}]
    assert leaving["leavers"] == ["m3"]


def test_the_example_imports_with_the_cash_it_says_was_counted(
    app: Flask, session: Session
) -> None:
    fund_id = import_file(app, EXAMPLE)
    report = json.loads(invoke(app, "report", str(fund_id), "--json").stdout)
    assert report["as_of"] == "2025-05-19"
    assert report["cash"] == {"loan_fund": 2_377_000, "social_fund": 110_000}
    assert sum(report["cash"].values()) == example()["cycles"][0]["meetings"][-1]["cash_counted"]
    assert report["trial_balance"]["balanced"]


def test_a_broken_rule_names_the_meeting_the_member_and_the_rule_and_saves_nothing(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    book = example()
    _set("cycles.0.meetings.2.lines.3.shares", 6)(book)  # m4 buys 6; the constitution allows 1–5
    before = funds(session)

    result = invoke(app, "import-book", str(write(tmp_path, book)))

    assert result.exit_code == 1
    assert "cycle 1, meeting 3 (2025-04-21), member 'm4'" in result.stderr
    assert "[share_limit_exceeded]" in result.stderr
    assert "nothing was saved" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert funds(session) == before


def test_a_broken_guarantee_is_named_at_the_meeting_that_grants_the_loan(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    book = example()
    _set("cycles.0.meetings.1.new_loans.0.guarantors.0.pledge", 5_000_000)(book)
    before = funds(session)
    result = invoke(app, "import-book", str(write(tmp_path, book)))
    assert result.exit_code == 1
    assert "cycle 1, meeting 2 (2025-04-14), member '" in result.stderr
    assert "[guarantor_lacks_savings]" in result.stderr
    assert funds(session) == before


def test_an_invalid_book_lists_each_problem_by_path_and_saves_nothing(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    book = example()
    _set(f"{LINE}.shares", 1.5)(book)
    _set(f"{LINE}.member", "m9")(book)
    before = funds(session)
    result = invoke(app, "import-book", str(write(tmp_path, book)))
    assert result.exit_code == 1
    assert "is not a valid fund book" in result.stderr
    assert f"  {LINE}.shares: Must be a whole number." in result.stderr
    assert "Traceback" not in result.output
    assert funds(session) == before


def test_a_file_that_is_not_utf8_is_refused_without_a_traceback(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "book.json"
    path.write_bytes('{"fund": "صندوق"}'.encode("utf-16"))
    result = invoke(app, "import-book", str(path))
    assert result.exit_code == 1
    assert "not UTF-8" in result.stderr


def test_export_book_writes_a_file_with_o(app: Flask, session: Session, tmp_path: Path) -> None:
    fund_id = import_file(app, EXAMPLE)
    path = tmp_path / "out.json"
    result = invoke(app, "export-book", str(fund_id), "-o", str(path))
    assert result.exit_code == 0, result.output
    assert load_book(path.read_text(encoding="utf-8"))["members"][0]["name"] == "رقیه محمدی"


def test_export_and_report_refuse_an_unknown_fund(app: Flask, session: Session) -> None:
    for args in (["export-book", "999999"], ["report", "999999", "--json"]):
        result = invoke(app, *args)
        assert result.exit_code == 1
        assert "No savings fund 999999" in result.output


def test_report_as_of_a_jalali_or_iso_date_prints_that_days_state_as_json(
    app: Flask, session: Session
) -> None:
    fund_id = import_file(app, EXAMPLE)
    for as_of in ("2025-04-21", "۱۴۰۴/۰۲/۰۱"):
        result = invoke(app, "report", str(fund_id), "--json", "--as-of", as_of)
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        assert report["as_of"] == "2025-04-21"
        assert sum(report["cash"].values()) == 780_000  # counted at meeting 3
        assert report["fund"]["name"] == "صندوق زنان محله‌ی امید"
        assert "\\u" not in result.stdout  # Persian is written as is


def test_report_needs_json_and_a_real_date(app: Flask, session: Session) -> None:
    fund_id = import_file(app, EXAMPLE)
    assert invoke(app, "report", str(fund_id)).exit_code == 2
    result = invoke(app, "report", str(fund_id), "--json", "--as-of", "2025-02-30")
    assert result.exit_code == 2
    assert "not a real date" in result.output


def test_an_amount_the_database_cannot_hold_is_refused_where_it_arises(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    """9,224 shares of 10^15 rials is 9.224 × 10^18, past a BIGINT (2^63 − 1 ≈ 9.223 × 10^18):
    each figure is within the format's limits, their product is not."""
    book: Book = {
        "format": "sandogh-fund-book",
        "version": 1,
        "fund": {"name": "صندوق سرریز", "founded_on": "2025-01-06"},
        "members": [{"ref": "a", "name": "آمنه", "joined_on": "2025-01-06"}],
        "cycles": [
            {
                "started_on": "2025-01-06",
                "constitution": {"share_price": 10**15, "max_shares": 10_000},
                "meetings": [{"date": "2025-01-06", "lines": [{"member": "a", "shares": 9_224}]}],
            }
        ],
    }
    before = funds(session)

    result = invoke(app, "import-book", str(write(tmp_path, book)))

    assert result.exit_code == 1
    assert "cycle 1, meeting 1 (2025-01-06)" in result.output
    assert "larger than the books can hold" in result.output
    assert "[amount_too_large]" in result.output and "Traceback" not in result.output
    assert funds(session) == before
