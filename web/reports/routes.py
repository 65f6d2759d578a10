"""The reports blueprint with all its views: dashboard, documents, batch print."""

from __future__ import annotations

from web.reports import batch, dashboard, documents, visits  # noqa: F401  (views on bp)
from web.reports.blueprint import bp

__all__ = ["bp"]
