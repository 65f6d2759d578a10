"""Today, as the app sees it (``SANDOGH_TODAY`` pins it, as the demo does for its fixed history)."""

from __future__ import annotations

from datetime import date

from flask import current_app


def today() -> date:
    """Return today's date, or the day the configuration pins."""
    pinned: date | None = current_app.config.get("SANDOGH_TODAY")
    return pinned or date.today()
