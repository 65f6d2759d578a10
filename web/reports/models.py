"""Report jobs: a document printed in the background (e.g. every statement of a fund).

A job moves ``queued -> running -> done`` or ``-> failed``; ``done``/``total`` count
the pieces made so far (members' statements), so a page can show progress. The
finished file lives under the job folder (``SANDOGH_REPORT_JOBS``, in the instance
folder by default) as ``file_name``; ``error`` holds a message fit to show when the
job failed. ``updated_at`` moves with each step: a running job that has not moved
for a long time was interrupted (the server stopped) and is shown as failed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base
from ledger.models import utc_now

STATUSES = ("queued", "running", "done", "failed")
KINDS = ("statements",)


class ReportJob(Base):
    """A document being printed in the background, its progress and its file."""

    __tablename__ = "report_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        CheckConstraint("done >= 0 AND total >= 0", name="progress"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    #: What is printed: ``statements`` (every member's statement in one PDF).
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    #: Pieces made so far, of ``total``.
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    #: The file's name inside the job folder, once done.
    file_name: Mapped[str | None] = mapped_column(String(200))
    #: Why it failed, in words for the user (Persian and English).
    error: Mapped[str | None] = mapped_column(Text)
    #: The user who asked for it.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
