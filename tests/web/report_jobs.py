"""Helpers for tests of report jobs: a job row per fund (for the role matrix), PDF text."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import select

from web.extensions import db
from web.reports.models import ReportJob


def job_id_of(fund_id: int) -> int:
    """Return the id of a print job of the fund, recording a failed one on first call."""
    session = db.session()
    query = select(ReportJob.id).where(ReportJob.fund_id == fund_id).order_by(ReportJob.id)
    found = session.scalars(query).first()
    if found is not None:
        return found
    job = ReportJob(fund_id=fund_id, kind="statements", status="failed", done=0, total=3)
    session.add(job)
    session.flush()
    return job.id


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """Return the text of a PDF (pdftotext, layout kept)."""
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_pages(data: bytes, tmp_path: Path) -> int:
    """Return the number of pages of a PDF (pdfinfo)."""
    path = tmp_path / "pages.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    line = next(x for x in info.stdout.splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])
