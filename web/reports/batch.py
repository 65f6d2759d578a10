"""Batch print: every member's statement of a fund in one PDF, made in the background.

``/funds/F/statements/print`` shows the fund's recent print jobs and starts a new
one (POST); the job's page shows its progress — polled from its JSON by
``report-job.js``, or by refreshing itself without JavaScript — and the download
link when it is done. Only users who may see the fund reach its jobs and files.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from groups.locale import to_jalali
from web.access import roles_required, user, visible_fund
from web.auth.models import User
from web.errors import PAGES
from web.extensions import db
from web.formatting import current_locale
from web.formatting import persian_digits as digits
from web.funds.routes import FUND_READERS
from web.reports import jobs
from web.reports.blueprint import bp
from web.reports.download import content_disposition
from web.reports.models import ReportJob

RECENT = 10


def _job(fund_id: int, job_id: int) -> ReportJob:
    """Return the fund's job, or 404 (also when the user may not see the fund)."""
    visible_fund(fund_id)
    job = db.session.get(ReportJob, job_id)
    if job is None or job.fund_id != fund_id:
        abort(404)
    return job


def state(job: ReportJob) -> dict[str, Any]:
    """Return what the job page shows: status, progress, message and the download link."""
    status = "failed" if jobs.is_stale(job) else job.status
    percent = round(100 * job.done / job.total) if job.total else (100 if status == "done" else 0)
    messages = {
        "queued": _("Waiting to start…"),
        "running": _(
            "Printing: %(done)s of %(total)s statements.",
            done=digits(job.done),
            total=digits(job.total),
        ),
        "done": _("Ready: %(total)s statements.", total=digits(job.total)),
        "failed": _failure(job),
    }
    download = (
        url_for(".job_file", fund_id=job.fund_id, job_id=job.id) if status == "done" else None
    )
    return {
        "status": status,
        "done": job.done,
        "total": job.total,
        "percent": percent,
        "message": messages[status],
        "download": download,
    }


def _failure(job: ReportJob) -> str:
    if jobs.is_stale(job):
        return str(_("The printing was interrupted (the server restarted). Start it again."))
    lines = jobs.error_lines(job)
    if lines is None:
        return str(PAGES[500][1])
    return lines[0] if current_locale() == "fa" else lines[1]


@bp.route("/funds/<int:fund_id>/statements/print", methods=["GET", "POST"])
@roles_required(*FUND_READERS)
def print_statements(fund_id: int) -> ResponseReturnValue:
    """Show the fund's recent print jobs; POST starts printing every member's statement."""
    fund = visible_fund(fund_id)
    session = db.session()
    if request.method == "POST":
        job = jobs.active_job(session, fund_id, "statements")
        if job is not None:
            flash(_("These statements are already being printed."), "info")
        else:
            job = jobs.queue_statements(session, fund_id, user().id)
            session.commit()
            jobs.launch(current_app._get_current_object(), job.id)  # type: ignore[attr-defined]
        return redirect(url_for(".job", fund_id=fund_id, job_id=job.id), 303)
    query = select(ReportJob, User.username).outerjoin(User, User.id == ReportJob.user_id)
    recent = session.execute(
        query.where(ReportJob.fund_id == fund_id).order_by(ReportJob.id.desc()).limit(RECENT)
    ).all()
    return render_template(
        "reports/print.html", fund=fund, recent=[(j, name, state(j)) for j, name in recent]
    )


@bp.get("/funds/<int:fund_id>/jobs/<int:job_id>")
@roles_required(*FUND_READERS)
def job(fund_id: int, job_id: int) -> ResponseReturnValue:
    """A print job's progress; the download link when it is done."""
    record = _job(fund_id, job_id)
    asker = db.session.get(User, record.user_id) if record.user_id else None
    return render_template(
        "reports/job.html",
        fund=visible_fund(fund_id),
        job=record,
        asker=asker.username if asker else "",
        state=state(record),
        status_url=url_for(".job_status", fund_id=fund_id, job_id=job_id),
    )


@bp.get("/funds/<int:fund_id>/jobs/<int:job_id>.json")
@roles_required(*FUND_READERS)
def job_status(fund_id: int, job_id: int) -> ResponseReturnValue:
    """The job's progress as JSON (polled by the job page)."""
    response = current_app.json.response(state(_job(fund_id, job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/funds/<int:fund_id>/jobs/<int:job_id>/file")
@roles_required(*FUND_READERS)
def job_file(fund_id: int, job_id: int) -> ResponseReturnValue:
    """The finished PDF; before it is ready, the job's page."""
    record = _job(fund_id, job_id)
    path = jobs.job_folder() / record.file_name if record.file_name else None
    if record.status != "done" or path is None or not path.is_file():
        flash(_("The file is not ready."), "info")
        return redirect(url_for(".job", fund_id=fund_id, job_id=job_id))
    fund = visible_fund(fund_id)
    day = to_jalali(record.created_at.date(), persian=False).replace("/", "-")
    response = send_file(path, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(
        f"صورت‌حساب‌ها - {fund.fund.name} - {day}.pdf", f"statements-{fund_id}-{day}.pdf"
    )
    return response
