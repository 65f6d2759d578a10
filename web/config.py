"""Configuration read from the environment when the app is created, never at import time."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any


def from_environment(instance_path: str) -> dict[str, Any]:
    """Return the app configuration from SANDOGH_* variables, with SQLite in the instance folder."""
    return {
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("SANDOGH_DATABASE_URL", sqlite_in_instance(instance_path))
        ),
        "SECRET_KEY": os.environ.get("SANDOGH_SECRET_KEY") or _instance_secret(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Seconds a SQLite writer waits for another (see with_busy_timeout).
        "SANDOGH_BUSY_TIMEOUT": float(os.environ.get("SANDOGH_BUSY_TIMEOUT") or 15),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure cookies unless SANDOGH_SECURE_COOKIES=0 (plain http); debug and tests turn it off.
        "SESSION_COOKIE_SECURE": os.environ.get("SANDOGH_SECURE_COOKIES", "1") != "0",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # A session unused this long ends (web/auth/sessions.py); 8 hours unless configured.
        "SANDOGH_IDLE_TIMEOUT": idle_timeout(os.environ.get("SANDOGH_IDLE_MINUTES", "")),
        # A CSRF token lasts as long as the session: a long meeting sheet must not expire.
        "WTF_CSRF_TIME_LIMIT": None,
        # The dashboard's flag thresholds (reports.flags.Thresholds): "par30=0.15,attendance=0.6".
        "SANDOGH_FLAGS": flag_thresholds(os.environ.get("SANDOGH_FLAGS", "")),
        # The largest request (an uploaded file) in bytes; larger ones get a friendly 413.
        "MAX_CONTENT_LENGTH": _megabytes(os.environ.get("SANDOGH_MAX_UPLOAD_MB", "10")),
        # The register import refuses files with more data rows or columns than these.
        "SANDOGH_IMPORT_MAX_ROWS": int(os.environ.get("SANDOGH_IMPORT_MAX_ROWS", "100000")),
        "SANDOGH_IMPORT_MAX_COLUMNS": int(os.environ.get("SANDOGH_IMPORT_MAX_COLUMNS", "200")),
        # Where files printed in the background are kept (web/reports/jobs.py).
        "SANDOGH_REPORT_JOBS": os.environ.get("SANDOGH_REPORT_JOBS")
        or str(Path(instance_path) / "report-jobs"),
        # Durable jobs on RQ (web/jobqueue.py) when set, e.g. redis://127.0.0.1:6379/0.
        "SANDOGH_REDIS_URL": os.environ.get("SANDOGH_REDIS_URL", ""),
        "SANDOGH_QUEUE": os.environ.get("SANDOGH_QUEUE", "sandogh"),
        "SANDOGH_JOB_RETENTION_DAYS": float(os.environ.get("SANDOGH_JOB_RETENTION_DAYS") or 7),
    }


def idle_timeout(minutes: str) -> int:
    """Return the idle timeout in seconds: ``minutes`` if it is a positive number, else 8 hours."""
    return int(minutes) * 60 if minutes.strip().isdigit() and int(minutes) > 0 else 8 * 3600


def default_instance_path() -> str:
    """Return the instance folder as Flask finds it for the ``web`` package, without Flask.

    ``instance/`` next to the package in a checkout; ``<prefix>/var/web-instance`` when
    installed. The app factory passes it to Flask, so the CLI's database-only commands
    (``web/cli/context.py``) and the app always agree on where the default database is.
    """
    root = Path(__file__).resolve().parent.parent
    prefix = Path(sys.prefix).resolve()
    if root.is_relative_to(prefix):
        return str(prefix / "var" / "web-instance")
    if root.name.lower() == "site-packages":
        lib = root.parent if root.parent.name.lower() == "lib" else root.parent.parent
        return str(lib.parent / "var" / "web-instance")
    return str(root / "instance")


def sqlite_in_instance(instance_path: str) -> str:
    """Return the URL of the default SQLite database in the instance folder."""
    return "sqlite:///" + str(Path(instance_path) / "sandogh.sqlite3")


def with_busy_timeout(config: dict[str, Any]) -> None:
    """On SQLite, make a writer wait for the lock up to SANDOGH_BUSY_TIMEOUT seconds (the
    driver's ``timeout``) instead of failing; engine options that set their own are kept."""
    if not str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        return
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("connect_args", {"timeout": config.get("SANDOGH_BUSY_TIMEOUT", 15)})
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def flag_thresholds(text: str) -> dict[str, str]:
    """Return the flag thresholds written as ``name=value`` pairs separated by commas."""
    pairs = (item.split("=", 1) for item in text.split(",") if item.strip())
    return {name.strip(): value.strip() for name, value in pairs}


def _megabytes(text: str) -> int:
    """Return a size given in megabytes (decimals allowed) in bytes."""
    return int(float(text) * 1024 * 1024)


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(instance_path: str) -> str:
    """Return a secret key kept in the instance folder, creating it on first run."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
