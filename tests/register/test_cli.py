"""The command line: import (dry run, problem report), dedup, merge, undo, the programme report."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from sqlalchemy import delete, func, select

from groups.beneficiaries.models import (
    Agency,
    Beneficiary,
    Fact,
    MatchCandidate,
    Merge,
    Source,
    SourceRecord,
)
from tests.register.conftest import csv_bytes
from web.cli import main
from web.extensions import db

ROWS = [
    ["0013542419", "زهرا", "کریمی", "علی", "1360/05/12", "09121234567", "قلعه‌نو"],
    ["", "زهرا", "كريمي", "علي", "1360/05/12", "09121234567", ""],
    ["12", "مریم", "احمدی", "", "", "", ""],
]


def run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(main, list(args))
    return result.exit_code, result.output


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_import_dedup_merge_undo_and_report(app: Flask, tmp_path: Path) -> None:
    file = tmp_path / "agency.csv"
    file.write_bytes(csv_bytes(ROWS))
    problems = tmp_path / "problems.csv"
    try:
        code, out = run(app, "register", "import", str(file), "--agency", "امداد", "--dry-run",
                        "--date", "1393/04/11", "--report", str(problems))  # fmt: skip
        assert code == 0 and "2 would be created" in out and "1 invalid" in out
        assert count(Beneficiary) == 0
        assert "must have 10 digits" in problems.read_text(encoding="utf-8-sig")

        code, out = run(
            app, "register", "import", str(file), "--agency", "امداد", "--date", "1393/04/11"
        )
        assert code == 0 and "2 were created" in out and count(Beneficiary) == 2
        code, out = run(app, "register", "import", str(file), "--agency", "امداد")
        assert "nothing changed" in out and count(Beneficiary) == 2

        code, out = run(app, "register", "dedup")
        assert code == 0 and "1 new pairs proposed" in out
        code, out = run(app, "register", "merge", "--proposed")
        assert code == 0 and "Merged 1 pairs." in out
        merge_id = db.session.scalar(select(Merge.id))
        code, out = run(app, "register", "undo-merge", str(merge_id))
        assert code == 0 and count(Fact) == 7 + 5

        code, out = run(
            app, "report", "programme", "--from", "1393/01/01", "--to", "1393/12/29", "--json"
        )
        figures = json.loads(out)
        assert code == 0 and figures["women_registered"] == 2 and figures["end"] == "2015-03-20"
        code, _ = run(
            app, "report", "programme", "--from", "2014-03-21", "-o", str(tmp_path / "p.xlsx")
        )
        assert code == 0 and (tmp_path / "p.xlsx").read_bytes()[:2] == b"PK"
    finally:
        for model in (Merge, MatchCandidate, Fact, SourceRecord, Beneficiary, Source, Agency):
            db.session.execute(delete(model))
        db.session.commit()
