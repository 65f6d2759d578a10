"""PostgreSQL ÷ SQLite: the figures of two runs of one benchmark, side by side.

``sandogh bench ledger`` and ``sandogh bench meetings`` write the same JSON keys on
both databases (``--json``; ``environment.database`` says which). ``compare`` reads
a SQLite and a PostgreSQL file of the same benchmark and returns, for each figure
the issue names, both values and their ratio, with the targets (issue 12): a
meeting's p95 on PostgreSQL at most 1.5× SQLite's in every quarter (so flat across
the year), ``post_many`` at most 2× SQLite's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Figures = dict[str, Any]


@dataclass(frozen=True)
class Ratio:
    """One figure on both databases; ``bound`` is the target for the ratio, if any."""

    figure: str
    sqlite: float
    postgresql: float
    bound: float | None = None

    @property
    def ratio(self) -> float:
        return self.postgresql / self.sqlite if self.sqlite else float("inf")

    @property
    def met(self) -> bool | None:
        return None if self.bound is None else self.ratio <= self.bound

    def line(self) -> str:
        target = (
            "" if self.bound is None else f"  ≤ {self.bound:g}× {'met' if self.met else 'MISSED'}"
        )
        return (
            f"{self.figure:<34}{self.sqlite:>12.2f}{self.postgresql:>12.2f}"
            f"{self.ratio:>9.2f}×{target}"
        )


#: (figure, label, target for PostgreSQL ÷ SQLite) of each benchmark.
LEDGER = (
    ("batch_s", "post_many, seconds", 2.0),
    ("single_post_p50_ms", "single post+commit p50 ms", None),
    ("single_post_p95_ms", "single post+commit p95 ms", None),
    ("verify_s", "verify, seconds", None),
)
MEETINGS = (
    ("meeting_p50_ms", "meeting p50 ms", None),
    ("meeting_p95_ms", "meeting p95 ms", 1.5),
    ("fund_report_p50_ms", "fund report p50 ms", None),
    ("fund_report_p95_ms", "fund report p95 ms", None),
)


def database_of(figures: Figures) -> str:
    """Return which database a run was on (runs from before the key were on SQLite)."""
    return str(figures.get("environment", {}).get("database", "sqlite"))


def kind_of(figures: Figures) -> str:
    """Return which benchmark wrote the figures: ``ledger`` or ``meetings``."""
    return "meetings" if "meeting_p95_ms" in figures else "ledger"


def compare(sqlite: Figures, postgresql: Figures) -> list[Ratio]:
    """Return PostgreSQL ÷ SQLite for the figures of one benchmark's two runs."""
    if kind_of(sqlite) != kind_of(postgresql):
        raise ValueError("Compare two runs of the same benchmark")
    if (database_of(sqlite), database_of(postgresql)) != ("sqlite", "postgresql"):
        raise ValueError("Give a SQLite run, then a PostgreSQL run")
    figures = LEDGER if kind_of(sqlite) == "ledger" else MEETINGS
    ratios = [
        Ratio(label, float(sqlite[key]), float(postgresql[key]), bound)
        for key, label, bound in figures
        if key in sqlite and key in postgresql
    ]
    if kind_of(sqlite) == "meetings":
        ratios += _quarters(sqlite, postgresql)
    return ratios


def _quarters(sqlite: Figures, postgresql: Figures) -> list[Ratio]:
    ratios = []
    pairs = zip(sqlite["meeting_by_quarter"], postgresql["meeting_by_quarter"], strict=True)
    for number, (lite, pg) in enumerate(pairs, start=1):
        ratios.append(Ratio(f"quarter {number} meeting p50 ms", lite["p50_ms"], pg["p50_ms"]))
        ratios.append(Ratio(f"quarter {number} meeting p95 ms", lite["p95_ms"], pg["p95_ms"], 1.5))
    return ratios


def render(ratios: list[Ratio]) -> str:
    """Return the ratios as a table for a terminal."""
    header = f"{'figure':<34}{'SQLite':>12}{'PostgreSQL':>12}{'PG÷SQLite':>10}"
    return "\n".join([header, *(ratio.line() for ratio in ratios)])
