"""The reports blueprint with all its views: dashboard, documents, batch print."""

from __future__ import annotations

from web.reports import batch, dashboard, documents  # noqa: F401  (their views are on bp)
from web.reports.blueprint import bp

__all__ = ["bp"]
