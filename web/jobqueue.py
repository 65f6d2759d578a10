"""Durable background jobs on RQ with Redis, when ``SANDOGH_REDIS_URL`` is set.

Without Redis (the embedded default) a job runs in a thread of the web process
(``web.reports.jobs.launch``), one at a time across the server's processes (a file
lock in the job folder). With Redis:

- the web process records the job's row (``report_jobs``, committed) and puts only its
  id on the queue ``SANDOGH_QUEUE`` (default ``sandogh``); a web restart loses nothing;
- ``sandogh worker`` (``work``) runs the jobs: each in a fresh process (RQ's work horse)
  that makes its own app from the environment, so it needs the same ``SANDOGH_*``
  settings as the web server;
- progress is the row's ``done``/``total``, committed after each piece, which the job
  page polls;
- a job that fails on an error of the machine (not of the fund) is retried up to
  ``RETRIES`` times, after 10 s, 60 s and 5 min; running one again is safe: it starts
  from its row (queued or interrupted while running) and writes its file under a
  temporary name, renamed at the end, so a retry never leaves two files or half a one;
- finished files older than ``SANDOGH_JOB_RETENTION_DAYS`` (default 7) are deleted
  (``clean_old_files``), by the worker when it starts and before each job.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from flask import Flask

RETRIES = 3
RETRY_INTERVALS = [10, 60, 300]
#: How long RQ keeps what it knows of a job (the row in the database is the record).
KEEP_RESULT_S = 24 * 3600


def enabled(app: Flask) -> bool:
    """Return whether jobs go to Redis."""
    return bool(app.config.get("SANDOGH_REDIS_URL"))


def queue(app: Flask):  # type: ignore[no-untyped-def]
    """Return the app's RQ queue."""
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(app.config["SANDOGH_REDIS_URL"])
    return Queue(app.config.get("SANDOGH_QUEUE", "sandogh"), connection=connection)


def enqueue(app: Flask, job_id: int) -> None:
    """Put the report job on the queue (once: the RQ job id is derived from it)."""
    from rq import Retry

    queue(app).enqueue(
        "web.jobqueue.run_report_job",
        job_id,
        job_id=f"report-job-{job_id}",
        retry=Retry(max=RETRIES, interval=RETRY_INTERVALS),
        job_timeout=3600,
        result_ttl=KEEP_RESULT_S,
        failure_ttl=KEEP_RESULT_S,
    )


def run_report_job(job_id: int) -> None:
    """Run a report job in a worker: an app of its own, made from the environment."""
    from web import create_app

    app = create_app()
    run_in_app(app, job_id, retry=True)


def run_in_app(app: Flask, job_id: int, retry: bool = False) -> None:
    """Run the job inside the app, as a writer, then release the database."""
    from ledger.db import writing
    from web.extensions import db
    from web.reports import jobs

    with writing(), app.app_context():
        try:
            clean_old_files(jobs.job_folder(), retention(app))
            jobs.run(job_id, resume=retry)
        finally:
            db.session.remove()
            db.engine.dispose()


def retention(app: Flask) -> timedelta:
    """Return how long finished files are kept."""
    return timedelta(days=float(app.config.get("SANDOGH_JOB_RETENTION_DAYS", 7)))


def clean_old_files(folder: Path, keep: timedelta, now: float | None = None) -> int:
    """Delete the folder's finished files older than ``keep``; return how many."""
    limit = (now if now is not None else time.time()) - keep.total_seconds()
    old = [p for p in folder.glob("*.pdf") if p.stat().st_mtime < limit]
    old += [p for p in folder.glob("*.part") if p.stat().st_mtime < limit]
    for path in old:
        path.unlink(missing_ok=True)
    return len(old)


def work(app: Flask, burst: bool = False) -> None:
    """Run a worker on the app's queue until stopped (or, with ``burst``, until it is empty)."""
    from rq import Worker

    from web.extensions import db
    from web.reports import jobs

    with app.app_context():
        clean_old_files(jobs.job_folder(), retention(app))
        db.engine.dispose()  # the work horses are forks: they must not share connections
    job_queue = queue(app)
    Worker([job_queue], connection=job_queue.connection).work(burst=burst, with_scheduler=True)
