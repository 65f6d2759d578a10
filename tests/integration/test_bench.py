"""`sandogh bench ledger` and `sandogh bench meetings` run end to end on a tiny workload:
every figure, books that verify.

No timing is asserted (ARCHITECTURE.md): speed is the benchmark's business, not the tests'.
The benchmark makes its own fresh SQLite databases, whatever database the suite runs on.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bench.ledger import TARGETS, BenchConfig, plain_ddl
from bench.meetings import TARGETS as MEETING_TARGETS
from bench.meetings import MeetingsConfig
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


# --- sandogh bench meetings ---------------------------------------------------------------------

MEETING_FIGURES = [
    "meetings_per_s",
    "meeting_p50_ms",
    "meeting_p95_ms",
    "meeting_max_ms",
    "meeting_without_commit_p95_ms",
    "fund_report_p50_ms",
    "fund_report_p95_ms",
    "verify_s",
]


@pytest.fixture(scope="module")
def meeting_figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The figures of a tiny meetings run (2 funds × 5 members × 4 weeks), from its --json file."""
    output = tmp_path_factory.mktemp("bench") / "meetings.json"
    arguments = ["bench", "meetings", "--funds", "2", "--members", "5", "--weeks", "4"]
    result = CliRunner().invoke(main, [*arguments, "--json", str(output)])
    assert result.exit_code == 0, result.output
    assert "One meeting + commit" in result.output
    figures: dict[str, object] = json.loads(output.read_text(encoding="utf-8"))
    return figures


@pytest.mark.parametrize("name", MEETING_FIGURES)
def test_every_meeting_figure_is_a_positive_number(
    meeting_figures: dict[str, object], name: str
) -> None:
    value = meeting_figures[name]
    assert isinstance(value, int | float)
    assert value > 0


def test_every_meeting_of_every_fund_is_recorded_and_the_books_verify(
    meeting_figures: dict[str, object],
) -> None:
    assert meeting_figures["meetings"] == meeting_figures["rows_meetings"] == 2 * 4
    assert meeting_figures["fund_reports"] == 2
    assert meeting_figures["unbalanced_fund_reports"] == 0
    assert meeting_figures["problems"] == []
    assert meeting_figures["books_verify"] is True


def test_the_meeting_target_is_reported_with_its_value(meeting_figures: dict[str, object]) -> None:
    targets = meeting_figures["targets"]
    assert isinstance(targets, dict)
    assert set(targets) == {t.figure for t in MEETING_TARGETS}
    for name, report in targets.items():
        assert report["value"] == meeting_figures[name]
        assert isinstance(report["met"], bool)


def test_a_fund_needs_two_members() -> None:
    with pytest.raises(ValueError, match="at least 2 members"):
        MeetingsConfig(members=1)
