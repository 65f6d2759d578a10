"""The exported journal is read by Beancount and hledger, and they agree with our books.

A fund keeps a few weeks of books — member sub-accounts, Persian memos full of
quotes, backslashes, semicolons and line breaks, a reversal — then exports them.
``bean-check`` and ``hledger check`` must accept the files, and the balances the
tools compute from them must equal our trial balance, account by account.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from groups.savings.chart import SAVINGS_FUND_CHART
from ledger.balances import trial_balance
from ledger.chart import open_fund, open_member_account, require_account
from ledger.entries import EntryDraft, Posting, Source, SourceType, credit, debit
from ledger.errors import UnknownFund
from ledger.export import account_name, export_journal
from ledger.models import Account, Fund
from ledger.money import minor_unit_exponent
from ledger.posting import post, reverse
from ledger.verify import verify
from web.cli import main

BEAN_CHECK = Path(sys.executable).parent / "bean-check"
FIRST_MEETING = date(2025, 3, 21)  # 1404/01/01

#: Memos a treasurer might really type, including everything that needs escaping.
MEMOS = {
    "opening": 'مانده‌ی افتتاحیه؛ حساب "بانک ملت"',
    "savings": 'جلسه‌ی ۱: پس‌انداز "مریم" و زهرا\\ ; ثبت شد',
    "loan": "وام مریم\nقسط اول: ۱۴۰۴/۰۲/۰۱; کارمزد ۲٪",
    "fine": 'جریمه\\دیرکرد "جلسه‌ی ۲" \\',
    "mistake": "هزینه‌ی اشتباه; باید برگردد",
    "repayment": "بازپرداخت\r\nقسط ۱ (از ۱۲)",
    "transfer": "",
}


@dataclass
class KeptBooks:
    """A fund after a few meetings, and what was written in it."""

    session: Session
    fund: Fund
    memos: list[str]


def keep_a_few_weeks_of_books(session: Session, currency: str) -> KeptBooks:
    """Open a fund with two members and record four meetings, one mistake and its reversal."""
    fund = open_fund(session, 'صندوق "امید"؛ محله\\ ۳', currency=currency, chart=SAVINGS_FUND_CHART)
    maryam, zahra = 7, 12
    cash, bank, opening, charges, fines, expenses = (
        require_account(session, fund.id, code).id
        for code in ("1010", "1030", "3900", "4100", "4200", "5100")
    )
    savings_m = open_member_account(session, fund.id, "3100", maryam, 'مریم "مری" رضایی').id
    savings_z = open_member_account(session, fund.id, "3100", zahra, "زهرا؛ احمدی\\ ج").id
    loan_m = open_member_account(session, fund.id, "1100", maryam, 'مریم "مری" رضایی').id

    def record(memo_key: str, on: date, *postings: Posting) -> int:
        draft = EntryDraft(fund.id, on, MEMOS[memo_key], postings, Source(SourceType.MEETING, "m"))
        return post(session, draft, "treasurer").id

    day_1 = FIRST_MEETING
    record("opening", day_1, debit(bank, 987_654_321_098_765), credit(opening, 987_654_321_098_765))
    record(
        "savings",
        day_1,
        debit(cash, 150_000),
        credit(savings_m, 100_000),
        credit(savings_z, 50_000),
    )
    week_2 = day_1 + timedelta(weeks=2)
    record("loan", week_2, debit(loan_m, 80_000), credit(cash, 80_000))
    record("fine", week_2, debit(cash, 5_001), credit(fines, 5_001))
    week_4 = day_1 + timedelta(weeks=4)
    mistake = record("mistake", week_4, debit(expenses, 12_345), credit(cash, 12_345))
    reverse(session, mistake, actor="facilitator", on=week_4 + timedelta(days=2))
    week_6 = day_1 + timedelta(weeks=6)
    record("repayment", week_6, debit(cash, 41_600), credit(loan_m, 40_000), credit(charges, 1_600))
    record("transfer", week_6, debit(bank, 10_000), credit(cash, 10_000))
    return KeptBooks(session, fund, list(MEMOS.values()))


def our_balances(session: Session, fund_id: int) -> dict[str, int]:
    """Return every account's net debit from our trial balance, keyed by exported name."""
    accounts = {a.id: a for a in session.scalars(select(Account).where(Account.fund_id == fund_id))}
    return {
        account_name(accounts[line.account_id]): line.net_debit
        for line in trial_balance(session, fund_id).lines
    }


def to_minor(amount: Decimal, exponent: int) -> int:
    """Return a major-unit amount read back from a tool as minor units, refusing fractions."""
    minor = amount.scaleb(exponent)
    assert minor == minor.to_integral_value(), f"{amount} has more than {exponent} decimals"
    return int(minor)


def on_one_line(memo: str) -> str:
    """Return the memo as the tools should read it back: line breaks become spaces."""
    return memo.replace("\r\n", " ").replace("\n", " ")


def write_export(session: Session, fund_id: int, fmt: str, path: Path) -> Path:
    """Export the fund's journal in the format to a file and return its path."""
    path.write_text(export_journal(session, fund_id, fmt), encoding="utf-8")
    return path


def bean_check(path: Path) -> subprocess.CompletedProcess[str]:
    """Run bean-check from the test environment on a file."""
    assert BEAN_CHECK.exists(), f"bean-check is not installed next to {sys.executable}"
    return subprocess.run([str(BEAN_CHECK), str(path)], capture_output=True, text=True, check=False)


def hledger(*args: str) -> subprocess.CompletedProcess[str]:
    """Run hledger; CI installs it, so its absence is a failure, never a skip."""
    executable = shutil.which("hledger")
    if executable is None:
        pytest.fail("hledger is not installed (CI installs it: apt-get install hledger)")
    return subprocess.run([executable, *args], capture_output=True, text=True, check=False)


def beancount_balances(path: Path, currency: str, exponent: int) -> dict[str, int]:
    """Return each opened account's balance as Beancount computes it from the postings."""
    entries, errors, _options = loader.load_file(str(path))
    assert errors == []
    totals: dict[str, int] = {e.account: 0 for e in entries if isinstance(e, data.Open)}
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                assert posting.units.currency == currency
                totals[posting.account] += to_minor(posting.units.number, exponent)
    return totals


def hledger_balances(path: Path, currency: str, exponent: int) -> dict[str, int]:
    """Return each account's balance as ``hledger bal`` computes it (absent accounts are 0)."""
    report = hledger("-f", str(path), "bal", "-N", "--flat", "-O", "csv")
    assert report.returncode == 0, report.stderr
    rows = list(csv.reader(io.StringIO(report.stdout)))
    assert rows[0] == ["account", "balance"]
    totals: dict[str, int] = {}
    for account, amount in rows[1:]:
        match = re.fullmatch(rf"(-?[\d,]+(?:\.\d+)?)(?: {currency})?", amount)
        assert match is not None, f"unexpected hledger amount {amount!r}"
        totals[account] = to_minor(Decimal(match.group(1).replace(",", "")), exponent)
    return totals


def with_zeros(balances: dict[str, int], names: dict[str, int]) -> dict[str, int]:
    """Return the balances for every name, 0 where the tool listed nothing."""
    return {name: balances.get(name, 0) for name in names}


CURRENCIES = ["IRR", "USD", "IQD"]


@pytest.mark.parametrize("currency", CURRENCIES)
def test_bean_check_accepts_the_export_and_beancount_agrees_with_every_balance(
    session: Session, tmp_path: Path, currency: str
) -> None:
    books = keep_a_few_weeks_of_books(session, currency)
    path = write_export(session, books.fund.id, "beancount", tmp_path / "fund.beancount")

    checked = bean_check(path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    ours = our_balances(session, books.fund.id)
    assert "Equity:3100-0007" in ours and "Assets:1100-0007" in ours
    exponent = minor_unit_exponent(currency)
    assert beancount_balances(path, currency, exponent) == ours


@pytest.mark.parametrize("currency", CURRENCIES)
def test_hledger_reads_the_export_and_agrees_with_every_balance(
    session: Session, tmp_path: Path, currency: str
) -> None:
    books = keep_a_few_weeks_of_books(session, currency)
    path = write_export(session, books.fund.id, "hledger", tmp_path / "fund.journal")

    checked = hledger("-f", str(path), "check", "--strict")
    assert checked.returncode == 0, checked.stderr
    ours = our_balances(session, books.fund.id)
    theirs = hledger_balances(path, currency, minor_unit_exponent(currency))
    assert set(theirs) <= set(ours)
    assert with_zeros(theirs, ours) == ours


def test_every_memo_reads_back_from_beancount_on_one_line(session: Session, tmp_path: Path) -> None:
    books = keep_a_few_weeks_of_books(session, "IRR")
    path = write_export(session, books.fund.id, "beancount", tmp_path / "fund.beancount")

    entries, errors, options = loader.load_file(str(path))
    assert errors == []
    assert options["title"] == books.fund.name
    narrations = [e.narration for e in entries if isinstance(e, data.Transaction)]
    for memo in books.memos:
        assert on_one_line(memo) in narrations
    assert any(n.startswith("Reversal of entry #") for n in narrations)
    assert len(narrations) == len(books.memos) + 1  # the reversal


def test_every_hledger_transaction_keeps_its_entry_id_and_postings(
    session: Session, tmp_path: Path
) -> None:
    books = keep_a_few_weeks_of_books(session, "IRR")
    path = write_export(session, books.fund.id, "hledger", tmp_path / "fund.journal")

    report = hledger("-f", str(path), "reg", "-O", "csv", "tag:entry_id")
    assert report.returncode == 0, report.stderr
    postings = list(csv.DictReader(io.StringIO(report.stdout)))
    assert len(postings) == 2 + 3 + 2 + 2 + 2 + 2 + 3 + 2  # every posting of the eight entries
    descriptions = {p["description"] for p in postings}
    for memo in filter(None, books.memos):
        assert on_one_line(memo).replace(";", ",") in descriptions


def test_line_breaks_in_fund_and_member_names_do_not_break_either_journal(
    session: Session, tmp_path: Path
) -> None:
    fund = open_fund(session, "صندوق محله\r\nشماره‌ی ۳", chart=SAVINGS_FUND_CHART)
    member = open_member_account(session, fund.id, "3100", 5, "فاطمه\nکریمی; از فهرست سازمان")
    cash = require_account(session, fund.id, "1010").id
    draft = EntryDraft(fund.id, FIRST_MEETING, "پس‌انداز", (debit(cash, 10), credit(member.id, 10)))
    post(session, draft, "treasurer")

    beancount_file = write_export(session, fund.id, "beancount", tmp_path / "names.beancount")
    hledger_file = write_export(session, fund.id, "hledger", tmp_path / "names.journal")

    checked = bean_check(beancount_file)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    checked = hledger("-f", str(hledger_file), "check", "--strict")
    assert checked.returncode == 0, checked.stderr
    assert hledger_balances(hledger_file, "IRR", 0) == {"Assets:1010": 10, "Equity:3100-0005": -10}


def test_bean_check_catches_a_stored_balance_that_disagrees_with_the_postings(
    session: Session, tmp_path: Path
) -> None:
    books = keep_a_few_weeks_of_books(session, "IRR")
    cash = require_account(session, books.fund.id, "1010")
    tamper = text("UPDATE accounts SET balance = balance + 1 WHERE id = :id")
    session.execute(tamper, {"id": cash.id})
    session.expire_all()
    path = write_export(session, books.fund.id, "beancount", tmp_path / "tampered.beancount")

    checked = bean_check(path)
    assert checked.returncode != 0
    assert "Assets:1010" in checked.stdout + checked.stderr


def test_a_fund_without_entries_exports_files_both_tools_accept(
    session: Session, tmp_path: Path
) -> None:
    fund = open_fund(session, "صندوق تازه", currency="USD", chart=SAVINGS_FUND_CHART)
    beancount_file = write_export(session, fund.id, "beancount", tmp_path / "empty.beancount")
    hledger_file = write_export(session, fund.id, "hledger", tmp_path / "empty.journal")

    assert bean_check(beancount_file).returncode == 0
    assert hledger("-f", str(hledger_file), "check", "--strict").returncode == 0
    assert set(beancount_balances(beancount_file, "USD", 2).values()) == {0}


def test_an_unknown_format_or_fund_is_refused(session: Session) -> None:
    fund = open_fund(session, "صندوق", chart=SAVINGS_FUND_CHART)
    with pytest.raises(ValueError, match="ledger"):
        export_journal(session, fund.id, "ledger")
    with pytest.raises(UnknownFund):
        export_journal(session, fund.id + 1_000, "beancount")


def test_sandogh_ledger_export_writes_a_file_bean_check_accepts(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    books = keep_a_few_weeks_of_books(session, "IRR")
    path = tmp_path / "cli.beancount"
    args = ["ledger", "export", "--fund", str(books.fund.id), "--format", "beancount"]

    result = app.test_cli_runner().invoke(main, [*args, "-o", str(path)])

    assert result.exit_code == 0, result.output
    checked = bean_check(path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert beancount_balances(path, "IRR", 0) == our_balances(session, books.fund.id)


def test_sandogh_ledger_export_prints_the_hledger_journal_without_a_file(
    app: Flask, session: Session
) -> None:
    books = keep_a_few_weeks_of_books(session, "IRR")
    args = ["ledger", "export", "--fund", str(books.fund.id), "--format", "hledger"]

    result = app.test_cli_runner().invoke(main, args)

    assert result.exit_code == 0, result.output
    assert result.stdout == export_journal(session, books.fund.id, "hledger")


def test_sandogh_ledger_verify_says_ok_for_sound_books(app: Flask, session: Session) -> None:
    books = keep_a_few_weeks_of_books(session, "IRR")

    result = app.test_cli_runner().invoke(main, ["ledger", "verify", "--fund", str(books.fund.id)])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "OK"


def test_sandogh_ledger_verify_reports_a_tampered_balance_and_fails(
    app: Flask, session: Session
) -> None:
    books = keep_a_few_weeks_of_books(session, "IRR")
    savings = require_account(session, books.fund.id, "3100-0012")
    session.execute(text("UPDATE accounts SET balance = 999 WHERE id = :id"), {"id": savings.id})

    result = app.test_cli_runner().invoke(main, ["ledger", "verify", "--fund", str(books.fund.id)])

    assert result.exit_code == 1
    assert "OK" not in result.output
    assert "stored_balance_mismatch" in result.output
    assert "3100-0012" in result.output and "stores 999" in result.output
    assert "postings give -50000" in result.output
    assert verify(session, books.fund.id) != []


# --- every fund in one file ------------------------------------------------------------------


def export_every_fund(app: Flask, fmt: str, path: Path) -> Path:
    """Run ``sandogh ledger export --all`` into a file and return its path."""
    args = ["ledger", "export", "--all", "--format", fmt, "-o", str(path)]
    result = app.test_cli_runner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return path


def qualified_balances(session: Session, fund_id: int) -> dict[str, int]:
    """Return the fund's trial balance keyed by the whole-ledger export's account names."""
    return {
        name.replace(":", f":F{fund_id}:", 1): amount
        for name, amount in our_balances(session, fund_id).items()
    }


@pytest.fixture
def two_funds(session: Session) -> list[KeptBooks]:
    """Two funds in different currencies, each with a few weeks of books."""
    return [keep_a_few_weeks_of_books(session, "IRR"), keep_a_few_weeks_of_books(session, "USD")]


def test_every_fund_in_one_beancount_file_bean_check_accepts(
    app: Flask, session: Session, tmp_path: Path, two_funds: list[KeptBooks]
) -> None:
    path = export_every_fund(app, "beancount", tmp_path / "all.beancount")
    checked = bean_check(path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    text = path.read_text(encoding="utf-8")
    assert text.count('option "title"') == 1
    assert text.count(" balance ") >= sum(len(our_balances(session, b.fund.id)) for b in two_funds)
    entries, errors, _options = loader.load_file(str(path))
    assert errors == []
    for books in two_funds:
        ours = qualified_balances(session, books.fund.id)
        exponent = minor_unit_exponent(books.fund.currency)
        found = dict.fromkeys(ours, 0)
        for entry in entries:
            for posting in getattr(entry, "postings", []):
                if f":F{books.fund.id}:" in posting.account:
                    assert posting.units.currency == books.fund.currency
                    found[posting.account] += to_minor(posting.units.number, exponent)
        assert found == ours


def test_every_fund_in_one_hledger_file_totals_zero_and_each_fund_equals_its_books(
    app: Flask, session: Session, tmp_path: Path, two_funds: list[KeptBooks]
) -> None:
    path = export_every_fund(app, "hledger", tmp_path / "all.journal")
    checked = hledger("-f", str(path), "check", "--strict")
    assert checked.returncode == 0, checked.stderr
    total = hledger("-f", str(path), "bal", "-O", "csv")
    assert total.returncode == 0, total.stderr
    assert list(csv.reader(io.StringIO(total.stdout)))[-1] == ["total", "0"]
    for books in two_funds:
        fund = books.fund
        found = hledger_balances_of(path, fund.id, fund.currency)
        ours = qualified_balances(session, fund.id)
        assert with_zeros(found, ours) == ours and set(found) <= set(ours)


def hledger_balances_of(path: Path, fund_id: int, currency: str) -> dict[str, int]:
    """Return the balances ``hledger bal :F<id>:`` computes for the accounts of one fund."""
    report = hledger("-f", str(path), "bal", "-N", "--flat", "-O", "csv", f":F{fund_id}:")
    assert report.returncode == 0, report.stderr
    exponent = minor_unit_exponent(currency)
    totals: dict[str, int] = {}
    for account, amount in list(csv.reader(io.StringIO(report.stdout)))[1:]:
        match = re.fullmatch(rf"(-?[\d,]+(?:\.\d+)?)(?: {currency})?", amount)
        assert match is not None, f"unexpected hledger amount {amount!r}"
        totals[account] = to_minor(Decimal(match.group(1).replace(",", "")), exponent)
    return totals


def test_export_needs_one_fund_or_all(app: Flask) -> None:
    result = app.test_cli_runner().invoke(main, ["ledger", "export", "--format", "hledger"])
    assert result.exit_code == 2 and "--fund ID or --all" in result.output
