"""`sandogh bench ledger` runs end to end on a tiny workload: every figure, books that verify.

No timing is asserted (ARCHITECTURE.md): speed is the benchmark's business, not the tests'.
The benchmark makes its own fresh SQLite databases, whatever database the suite runs on.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bench.ledger import TARGETS, BenchConfig, plain_ddl
from ledger.models import PostingRow
from web.cli import main

FIGURES = [
    "batch_entries_per_s",
    "batch_postings_per_s",
    "raw_entries_per_s",
    "raw_postings_per_s",
    "batch_vs_raw",
    "single_post_p50_ms",
    "single_post_p95_ms",
    "balance_lookup_p50_ms",
    "balance_lookup_p95_ms",
    "verify_postings_per_s",
    "trial_balance_p50_ms",
    "trial_balance_as_of_p50_ms",
]


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The figures of one tiny run, read back from its --json file."""
    output = tmp_path_factory.mktemp("bench") / "bench.json"
    arguments = ["bench", "ledger", "-n", "200", "--funds", "3", "--single", "20"]
    result = CliRunner().invoke(main, [*arguments, "--json", str(output)])
    assert result.exit_code == 0, result.output
    assert "Batch / raw" in result.output
    figures: dict[str, object] = json.loads(output.read_text(encoding="utf-8"))
    return figures


@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_is_reported_as_a_positive_number(
    figures: dict[str, object], name: str
) -> None:
    value = figures[name]
    assert isinstance(value, int | float)
    assert value > 0


def test_the_books_verify_and_every_trial_balance_balances(figures: dict[str, object]) -> None:
    assert figures["problems"] == []
    assert figures["books_verify"] is True
    assert figures["unbalanced_trial_balances"] == 0


def test_verify_checked_every_batch_and_single_posting(figures: dict[str, object]) -> None:
    assert figures["verify_postings"] == (200 + 20) * 4


def test_every_target_is_reported_with_its_value(figures: dict[str, object]) -> None:
    targets = figures["targets"]
    assert isinstance(targets, dict)
    assert set(targets) == {t.figure for t in TARGETS}
    for name, report in targets.items():
        assert report["value"] == figures[name]
        assert isinstance(report["met"], bool)


def test_a_count_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        BenchConfig(entries=0)


def test_the_raw_reference_has_the_same_columns_and_only_a_primary_key() -> None:
    ddl = plain_ddl(PostingRow.__table__)  # type: ignore[arg-type]
    assert ddl == (
        "CREATE TABLE postings (id INTEGER PRIMARY KEY, entry_id INTEGER, "
        "account_id INTEGER, side VARCHAR(6), amount BIGINT)"
    )
