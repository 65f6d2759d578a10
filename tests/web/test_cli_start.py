"""The ``sandogh`` command starts fast: each command imports only what it needs.

Each case runs the command in a fresh interpreter (the only way to see its imports)
on an empty, migrated SQLite database and lists the heavy packages it loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from web.cli import main

#: What a command of the books must not load: the web app, migrations, spreadsheets, PDFs,
#: and the register's import and matching (a name normaliser it shares is light).
HEAVY = (
    "flask", "alembic", "openpyxl", "weasyprint", "web.extensions",
    "groups.beneficiaries.imports", "groups.beneficiaries.tables", "groups.beneficiaries.dedup",
)  # fmt: skip

PROBE = """
import json, sys
from web.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    heavy = sorted({name for name in sys.modules for root in ROOTS
                    if name == root or name.startswith(root + ".")})
    print("IMPORTED " + json.dumps(heavy), file=sys.stderr)
"""


def run(args: list[str], database: Path) -> tuple[int, str, list[str]]:
    """Run ``sandogh ARGS`` in a new interpreter: its exit code, stderr, heavy imports."""
    env = {**os.environ, "SANDOGH_DATABASE_URL": f"sqlite:///{database}"}
    script = f"ROOTS = {HEAVY!r}\n{PROBE}"
    result = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, env=env, check=False
    )
    line = next(x for x in result.stderr.splitlines() if x.startswith("IMPORTED "))
    return result.returncode, result.stderr, json.loads(line.removeprefix("IMPORTED "))


@pytest.fixture(scope="module")
def empty_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database with every migration applied."""
    path = tmp_path_factory.mktemp("cli") / "empty.sqlite3"
    env = {**os.environ, "SANDOGH_DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run(
        [sys.executable, "-c", "from web.cli import main; main()", "db", "upgrade"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    return path


def test_help_imports_nothing_heavy(empty_database: Path) -> None:
    code, _, heavy = run(["--help"], empty_database)
    assert code == 0 and heavy == []


def test_verify_opens_the_database_without_the_web_app(empty_database: Path) -> None:
    code, _, heavy = run(["ledger", "verify"], empty_database)
    assert code == 0 and heavy == []


def test_fund_report_opens_the_database_without_the_web_app(empty_database: Path) -> None:
    # No fund in an empty database: the command says so, having loaded only the books.
    code, stderr, heavy = run(["fund", "report", "1", "--json"], empty_database)
    assert code == 1 and "No savings fund 1" in stderr and heavy == []


def test_the_documents_still_get_the_web_app(empty_database: Path) -> None:
    code, _, heavy = run(["report", "kpis", "--json"], empty_database)
    assert code == 0 and "flask" in heavy and "web.extensions" in heavy


def test_every_command_group_is_registered_explicitly() -> None:
    assert sorted(main.commands) == [
        "backup", "bench", "db", "demo", "fund", "ledger", "register", "report", "restore",
        "serve", "token", "worker",
    ]  # fmt: skip
    report = main.commands["report"]
    assert "programme" in report.commands  # type: ignore[attr-defined]
    assert {"register", "concurrency"} <= set(main.commands["bench"].commands)  # type: ignore[attr-defined]


def test_db_upgrade_runs_flask_migrate(app: Flask) -> None:
    result = app.test_cli_runner().invoke(main, ["db", "current"])
    assert result.exit_code == 0, result.output
