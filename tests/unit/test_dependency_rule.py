"""The one rule of dependencies (ARCHITECTURE.md): ledger <- groups <- reports <- web.

Walks every import statement of every module; Flask and friends only in web/.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB_ONLY = {
    "flask",
    "flask_sqlalchemy",
    "flask_migrate",
    "flask_login",
    "flask_wtf",
    "flask_babel",
    "flask_smorest",
    "werkzeug",
    "marshmallow",
}
ALLOWED_PROJECT_IMPORTS = {
    "ledger": {"ledger"},
    "groups": {"ledger", "groups"},
    "reports": {"ledger", "groups", "reports"},
    "web": {"ledger", "groups", "reports", "web", "bench"},
    # The reports benchmark times reports/ (nothing imports bench but web).
    "bench": {"ledger", "groups", "reports", "bench"},
}
PROJECT = set(ALLOWED_PROJECT_IMPORTS)
PURE_RULE_MODULES = [
    "ledger/money.py",
    "ledger/accounts.py",
    "ledger/entries.py",
    "ledger/statements.py",
    "groups/calendar.py",
    "groups/savings/commands.py",
    "groups/savings/chart.py",
    *(str(p.relative_to(ROOT)) for p in sorted((ROOT / "groups/savings/rules").glob("*.py"))),
]


def imported_roots(path: Path) -> set[str]:
    """Return the top-level names a module imports."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(PROJECT))
def test_a_package_imports_only_what_the_rule_allows(package: str) -> None:
    broken = []
    for path in modules(package):
        roots = imported_roots(path)
        forbidden = (roots & PROJECT) - ALLOWED_PROJECT_IMPORTS[package]
        if package != "web":
            forbidden |= roots & WEB_ONLY
        broken += [f"{path.relative_to(ROOT)} imports {name}" for name in sorted(forbidden)]
    assert broken == []


@pytest.mark.parametrize("module", PURE_RULE_MODULES)
def test_pure_rule_modules_import_neither_flask_nor_sqlalchemy(module: str) -> None:
    assert imported_roots(ROOT / module) & (WEB_ONLY | {"sqlalchemy"}) == set()


def test_the_rule_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from flask import Flask\nimport web.cli\n", encoding="utf-8")
    assert {"flask", "web"} <= imported_roots(bad)


def test_the_ledger_core_knows_no_savings_chart() -> None:
    """No account code nor savings name in ledger/: the chart is in groups/savings/chart.py."""
    found = []
    for path in modules("ledger"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.fullmatch(r"\d{4}(-\d+)?", node.value):
                    found.append(f"{path.relative_to(ROOT)}: {node.value!r}")
            elif isinstance(node, ast.Name) and "SAVINGS" in node.id:
                found.append(f"{path.relative_to(ROOT)}: {node.id}")
    assert found == []
