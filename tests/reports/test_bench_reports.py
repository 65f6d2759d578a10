"""`sandogh bench reports` runs end to end on a tiny workload and reports every figure.

No timing is asserted (ARCHITECTURE.md): speed is the benchmark's business, not the tests'.
The benchmark makes its own SQLite database, whatever database the suite runs on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.reports import TARGETS, ReportsConfig
from web.cli import main


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The figures of one tiny run (2 funds, 3 weeks, the 30-member batch), from --json."""
    folder: Path = tmp_path_factory.mktemp("bench")
    arguments = ["bench", "reports", "--funds", "2", "--weeks", "3", "--samples", "1"]
    arguments += ["--database", str(folder / "reports.db"), "--json", str(folder / "r.json")]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    assert "Targets:" in result.output
    figures: dict[str, object] = json.loads((folder / "r.json").read_text(encoding="utf-8"))
    return figures


def test_the_database_has_a_snapshot_per_meeting(figures: dict[str, object]) -> None:
    assert figures["funds"] == 3  # two funds and the batch's fund
    assert figures["snapshots"] == figures["meetings"] == 2 * 3 + 12


def test_the_batch_prints_a_page_per_member_and_a_statement_one_page(
    figures: dict[str, object],
) -> None:
    assert figures["batch_members"] == figures["batch_pages"] == 30
    assert figures["statement_pages"] == 1


def test_the_dashboard_reads_every_fund_and_equals_its_recomputation(
    figures: dict[str, object],
) -> None:
    assert figures["dashboard_funds"] == figures["programme_funds"] == 3
    assert figures["dashboard_equals_recomputed"] is True


def test_every_target_is_reported_with_its_positive_value(figures: dict[str, object]) -> None:
    targets = figures["targets"]
    assert isinstance(targets, dict) and set(targets) == {t.figure for t in TARGETS}
    for name, report in targets.items():
        assert report["value"] == figures[name] and report["value"] > 0
        assert isinstance(report["met"], bool)


def test_a_count_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ReportsConfig(funds=0)
