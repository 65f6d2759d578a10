"""Report jobs run in the background: on RQ with Redis, or a thread with its own app context.

With ``SANDOGH_REDIS_URL`` set, ``launch`` puts the job on the queue and ``sandogh
worker`` runs it (``web.jobqueue``: durable, retried, its files cleaned after a while).
Without it — a first-run install on SQLite must print too — a view records a
queued ``ReportJob`` and commits it, then ``launch`` runs it in a daemon thread, one
job at a time across the server's processes (a file lock in the job folder)
(``SANDOGH_JOBS_INLINE``, default under TESTING: in the request itself). The thread pushes its
own app context, so ``db.session`` is a session of its own; it commits the job's
progress after each piece, which the job page reads (SQLite runs in WAL mode, so
readers and this writer do not block each other).

Statements are built with ``statements_of_fund`` (a dozen queries for the whole
fund), then laid out one member at a time — the slow part, so progress moves with
it — and the pages joined into one PDF, each statement starting on a new page and
numbered on its own ("page 1 of 1"). The file goes in the job folder
(``SANDOGH_REPORT_JOBS``), written under a temporary name and renamed, so a
download never reads half a file.
"""

from __future__ import annotations

import fcntl
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.db import writing
from ledger.errors import DomainError
from ledger.models import utc_now
from reports import fundfacts, render
from web import jobqueue
from web.auth.models import as_utc
from web.extensions import db
from web.reports.models import ReportJob

#: Threads of the jobs started by this process, by job id (tests join them).
THREADS: dict[int, threading.Thread] = {}
#: A queued or running job that has not moved for this long was interrupted.
STALE_AFTER = timedelta(minutes=15)
ACTIVE = ("queued", "running")


class NothingToPrint(DomainError):
    """Raised when a batch has nothing to print (a fund without members)."""

    code = "nothing_to_print"
    message_fa = "این صندوق عضوی برای چاپ ندارد."


def job_folder() -> Path:
    """Return the folder of finished files (created on first use)."""
    folder = Path(current_app.config["SANDOGH_REPORT_JOBS"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def is_stale(job: ReportJob, now: datetime | None = None) -> bool:
    """Return whether a queued or running job stopped moving (the server was restarted)."""
    now = now or datetime.now(UTC)
    return job.status in ACTIVE and now - as_utc(job.updated_at) > STALE_AFTER


def active_job(session: Session, fund_id: int, kind: str) -> ReportJob | None:
    """Return the fund's job of this kind still queued or running, if any."""
    query = select(ReportJob).where(
        ReportJob.fund_id == fund_id, ReportJob.kind == kind, ReportJob.status.in_(ACTIVE)
    )
    jobs = [
        job for job in session.scalars(query.order_by(ReportJob.id.desc())) if not is_stale(job)
    ]
    return jobs[0] if jobs else None


def queue_statements(session: Session, fund_id: int, user_id: int | None) -> ReportJob:
    """Record a queued job printing every member's statement of the fund (flushed, not run)."""
    total = len(fundfacts.members_of(session, fund_id))
    job = ReportJob(fund_id=fund_id, kind="statements", total=total, user_id=user_id)
    job.status, job.done = "queued", 0
    session.add(job)
    session.flush()
    return job


def launch(app: Flask, job_id: int) -> None:
    """Run the job in a background thread, or right here when SANDOGH_JOBS_INLINE is set.

    SANDOGH_JOBS_INLINE defaults to TESTING: a test's database session is bound to
    one connection, which a thread must not share.
    """
    if jobqueue.enabled(app):
        jobqueue.enqueue(app, job_id)  # a worker runs it (``sandogh worker``)
        return
    if app.config.get("SANDOGH_JOBS_INLINE", app.testing):
        run(job_id)
        return
    thread = threading.Thread(
        target=_run_in_context, args=(app, job_id), name=f"report-job-{job_id}", daemon=True
    )
    THREADS[job_id] = thread
    thread.start()


def _run_in_context(app: Flask, job_id: int) -> None:
    # One job at a time across the server's processes (two would fight over the CPU and,
    # on SQLite, the write lock); its transactions begin as a writer's, so its progress
    # commits wait for a meeting being recorded instead of failing.
    with app.app_context():
        lock_path = job_folder() / ".runner.lock"
    try:
        with lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            with writing(), app.app_context():
                try:
                    run(job_id)
                finally:
                    db.session.remove()
    finally:
        THREADS.pop(job_id, None)


def run(job_id: int, resume: bool = False) -> None:
    """Run a queued job to its end: done with its file, or failed with a message.

    ``resume`` (a queue's retry) also runs a job left ``running`` by a worker that died;
    a job already done or failed is never run again.
    """
    session = db.session()
    job = session.get(ReportJob, job_id)
    if job is None or job.status not in (("queued", "running") if resume else ("queued",)):
        return
    _step(session, job, status="running")
    try:
        data = statements_pdf(session, job.fund_id, lambda done, _: _step(session, job, done=done))
        job.file_name = _save(job, data)
        _finish(session, job, "done")
    except DomainError as error:
        session.rollback()
        _finish(session, job, "failed", f"{error.message_fa}\n{error}")
    except Exception:
        current_app.logger.exception("Report job %s failed", job_id)
        session.rollback()
        if resume:
            raise  # the queue retries it; it stays "running" until then
        _finish(session, job, "failed")


def _step(session: Session, job: ReportJob, **values: object) -> None:
    """Record the job's progress (or status) and commit it, so the job page sees it."""
    for name, value in values.items():
        setattr(job, name, value)
    job.updated_at = utc_now()
    session.commit()


def _finish(session: Session, job: ReportJob, status: str, error: str | None = None) -> None:
    job.finished_at = utc_now()
    if status == "done":
        job.done = job.total
    _step(session, job, status=status, error=error)


def _save(job: ReportJob, data: bytes) -> str:
    """Write the file under a temporary name, then rename it; return its name."""
    name = f"{job.kind}-{job.fund_id}-{job.id}-{uuid.uuid4().hex[:8]}.pdf"
    target = job_folder() / name
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)
    return name


def statements_pdf(
    session: Session, fund_id: int, progress: Callable[[int, int], None] | None = None
) -> bytes:
    """Return every member's statement of the fund in one PDF, each from a new page."""
    from reports.statement import statements_of_fund

    statements = statements_of_fund(session, fund_id)
    if not statements:
        raise NothingToPrint("This fund has no member to print.")
    pdf, _pages = render.pdf_of_many(statements, progress)
    return pdf


def error_lines(job: ReportJob) -> tuple[str, str] | None:
    """Return the job's error message (Persian, English), or None when there is none to show."""
    if not job.error:
        return None
    persian, _, english = job.error.partition("\n")
    return persian, english or persian
