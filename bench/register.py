"""The register benchmark: import three agencies' files, de-duplicate, report; dedup at scale.

The caller hands over an engine on a freshly migrated, empty database. The run:

1. generates ``women`` women (``groups.beneficiaries.demo``: generated, not real) and
   the three agencies' files, ``overlap`` of all rows being a second agency's
   (misspelt) copy of a woman — 4,800 women give 6,000 rows, 1,200 of them repeats;
2. times, per file, validation + planning (``plan_import``) and applying
   (``apply_plan``) with one commit, then de-duplication (``find_duplicates``) and
   merging the proposed pairs (``merge_proposed``), committed;
3. records a generated programme year (untimed) and times ``programme_figures``
   for the whole period (best and mean of ``report_runs`` runs);
4. runs the matching alone, in memory, on ``dedup_records`` generated records
   (10 % misspelt copies) — blocking and scoring, no database — with the peak
   resident memory of the process.

Times are wall-clock (``time.perf_counter``). ``TARGETS`` are reported, met or not.
"""

from __future__ import annotations

import random
import resource
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from time import perf_counter
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from groups.beneficiaries import demo
from groups.beneficiaries.dedup import find_duplicates, merge_proposed
from groups.beneficiaries.demo_programme import RECEIVED, record_programme_year
from groups.beneficiaries.imports import apply_plan, file_hash, plan_import
from groups.beneficiaries.matching import BlockingStats, find_matches
from groups.beneficiaries.models import Beneficiary
from groups.beneficiaries.programme import programme_figures
from groups.beneficiaries.tables import read_table

Figures = dict[str, Any]
Progress = Callable[[str], None]
TARGETS = {
    "import_seconds": 10.0,
    "dedup_million_seconds": 300.0,
    "dedup_peak_mb": 2048.0,
    "report_seconds": 1.0,
}


@dataclass(frozen=True)
class RegisterConfig:
    """How big the run is."""

    women: int = 4_800
    overlap: float = 0.2
    dedup_records: int = 1_000_000
    report_runs: int = 5


def run(engine: Engine, config: RegisterConfig, progress: Progress = print) -> Figures:
    """Run the benchmark and return its figures."""
    figures: Figures = {"config": asdict(config)}
    progress("importing the three agencies' files …")
    figures["import"] = time_import(engine, config)
    progress("recording a programme year and timing the report …")
    figures["report"] = time_report(engine, config.report_runs)
    progress(f"matching {config.dedup_records:,} records in memory …")
    figures["dedup_scale"] = time_dedup_at_scale(config.dedup_records)
    figures["targets"] = {
        "import_seconds": figures["import"]["total_seconds"] < TARGETS["import_seconds"],
        "dedup_million_seconds": figures["dedup_scale"]["seconds"]
        < TARGETS["dedup_million_seconds"],
        "dedup_peak_mb": figures["dedup_scale"]["peak_rss_mb"] < TARGETS["dedup_peak_mb"],
        "report_seconds": figures["report"]["best_seconds"] < TARGETS["report_seconds"],
    }
    return figures


def time_import(engine: Engine, config: RegisterConfig) -> Figures:
    """Import the three files, de-duplicate and merge, each step committed; return the times."""
    rows = demo.agency_rows(demo.generate_women(config.women), overlap=config.overlap)
    files = {a: demo.file_bytes(a, rows[a]) for a in demo.AGENCIES}
    figures: Figures = {"files": []}
    total = 0.0
    with Session(engine) as session:
        for agency, content in files.items():
            name = demo.FILE_NAMES[agency]
            started = perf_counter()
            plan = plan_import(
                session,
                agency,
                name,
                file_hash(content),
                read_table(name, content),
                RECEIVED,
                demo.MAPPINGS[agency],
            )
            validated = perf_counter()
            apply_plan(session, plan, "bench")
            session.commit()
            done = perf_counter()
            total += done - started
            figures["files"].append(
                {
                    "file": name,
                    "rows": plan.rows_read,
                    **plan.counts,
                    "validate_plan_seconds": round(validated - started, 3),
                    "apply_commit_seconds": round(done - validated, 3),
                }
            )
        started = perf_counter()
        found = find_duplicates(session)
        merges = merge_proposed(session, "bench")
        session.commit()
        dedup_seconds = perf_counter() - started
        active = session.scalar(
            select(func.count())
            .select_from(Beneficiary)
            .where(Beneficiary.merged_into_id.is_(None))
        )
    figures.update(
        rows=sum(f["rows"] for f in figures["files"]),
        dedup_seconds=round(dedup_seconds, 3),
        pairs_compared=found.stats.pairs_compared,
        proposed=found.proposed,
        review=found.review,
        merged=len(merges),
        women_after=active,
        women_generated=config.women,
        total_seconds=round(total + dedup_seconds, 3),
    )
    return figures


def time_report(engine: Engine, runs: int) -> Figures:
    """Record a programme year (untimed), then time the programme figures."""
    with Session(engine) as session:
        ids = list(
            session.scalars(select(Beneficiary.id).where(Beneficiary.merged_into_id.is_(None)))
        )
        record_programme_year(session, ids, random.Random(14))
        session.commit()
    seconds = []
    for _ in range(runs):
        with Session(engine) as session:
            started = perf_counter()
            figures = programme_figures(session, date(2014, 3, 21), date(2015, 3, 20))
            seconds.append(perf_counter() - started)
    return {
        "best_seconds": round(min(seconds), 4),
        "mean_seconds": round(sum(seconds) / len(seconds), 4),
        "women_registered": figures.women_registered,
        "classes": sum(figures.classes.values()),
    }


def time_dedup_at_scale(records: int) -> Figures:
    """Generate the records, then time blocking + scoring; report the peak memory."""
    started = perf_counter()
    people = list(demo.bench_people(records))
    generated = perf_counter()
    stats = BlockingStats()
    counts = {"proposed": 0, "review": 0}
    for match in find_matches(people, stats):
        counts[match.status] += 1
    done = perf_counter()
    return {
        "records": records,
        "generate_seconds": round(generated - started, 1),
        "seconds": round(done - generated, 1),
        "pairs_compared": stats.pairs_compared,
        "blocks": stats.blocks,
        "oversized_blocks": stats.oversized_blocks,
        "copies_planted": records - round(records * 0.9),
        **counts,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def render(figures: Figures) -> str:
    """Return the figures as a short text report."""
    imp, rep, scale = figures["import"], figures["report"], figures["dedup_scale"]
    ok = figures["targets"]
    lines = [f"Import of {imp['rows']:,} rows ({imp['women_generated']:,} generated women):"]
    for f in imp["files"]:
        lines.append(
            f"  {f['file']}: {f['rows']} rows, created {f['created']}, merged {f['merged']}, "
            f"updated {f['updated']}, invalid {f['invalid']}; "
            f"validate+plan {f['validate_plan_seconds']} s, "
            f"apply+commit {f['apply_commit_seconds']} s"
        )
    lines += [
        f"  dedup + merge: {imp['dedup_seconds']} s ({imp['pairs_compared']:,} pairs, "
        f"{imp['proposed']} proposed, {imp['review']} for review, {imp['merged']} merged)"
        f" -> {imp['women_after']:,} women",
        f"  total {imp['total_seconds']} s (target < 10 s: {_met(ok['import_seconds'])})",
        f"Programme report: best {rep['best_seconds']} s, mean {rep['mean_seconds']} s "
        f"(target < 1 s: {_met(ok['report_seconds'])})",
        f"Dedup in memory, {scale['records']:,} records: {scale['seconds']} s "
        f"(+ {scale['generate_seconds']} s to generate), "
        f"{scale['pairs_compared']:,} pairs compared, {scale['proposed']:,} proposed, "
        f"{scale['review']:,} for review ({scale['copies_planted']:,} copies planted), "
        f"peak RSS {scale['peak_rss_mb']} MB (< 300 s: {_met(ok['dedup_million_seconds'])}; "
        f"< 2 GB: {_met(ok['dedup_peak_mb'])})",
    ]
    return "\n".join(lines)
