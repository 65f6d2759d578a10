"""``sandogh bench compare``: PostgreSQL ÷ SQLite of two runs, with the issue's targets."""

from __future__ import annotations

import pytest

from bench.compare import compare, render


def run(database: str, **figures: object) -> dict[str, object]:
    return {"environment": {"database": database}, **figures}


def test_ledger_runs_give_post_many_and_single_post_ratios() -> None:
    ratios = compare(
        run("sqlite", batch_s=10.0, single_post_p50_ms=2.0, single_post_p95_ms=4.0, verify_s=1.0),
        run(
            "postgresql", batch_s=25.0, single_post_p50_ms=3.0, single_post_p95_ms=4.0, verify_s=2.0
        ),
    )
    by_name = {r.figure: r for r in ratios}
    assert by_name["post_many, seconds"].ratio == 2.5 and by_name["post_many, seconds"].met is False
    assert by_name["single post+commit p50 ms"].ratio == 1.5
    assert by_name["single post+commit p50 ms"].met is None  # no target: a figure
    assert "MISSED" in render(ratios)


def test_meetings_runs_compare_every_quarter_against_one_and_a_half() -> None:
    quarters = [{"p50_ms": 10.0, "p95_ms": 20.0}] * 2
    slower = [{"p50_ms": 12.0, "p95_ms": 29.0}, {"p50_ms": 12.0, "p95_ms": 31.0}]
    ratios = compare(
        run("sqlite", meeting_p50_ms=10.0, meeting_p95_ms=20.0, meeting_by_quarter=quarters),
        run("postgresql", meeting_p50_ms=12.0, meeting_p95_ms=29.0, meeting_by_quarter=slower),
    )
    by_name = {r.figure: r for r in ratios}
    assert by_name["quarter 1 meeting p95 ms"].met is True
    assert by_name["quarter 2 meeting p95 ms"].met is False


def test_runs_in_the_wrong_order_or_of_two_benchmarks_are_refused() -> None:
    with pytest.raises(ValueError, match="SQLite run, then a PostgreSQL"):
        compare(run("postgresql", batch_s=1.0), run("sqlite", batch_s=1.0))
    with pytest.raises(ValueError, match="same benchmark"):
        compare(run("sqlite", batch_s=1.0), run("postgresql", meeting_p95_ms=1.0))
