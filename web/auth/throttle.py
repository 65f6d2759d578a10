"""Login throttling: a lockout per account (in the database) and a cap per IP address (in memory).

- Account: after ``MAX_FAILED_LOGINS`` wrong passwords in a row the account is
  locked for ``LOCKOUT``; the lock is stored on the user (``locked_until``), so
  it holds across processes and restarts. A successful login resets the count.
- IP address: more than ``MAX_IP_FAILURES`` failures from one address within
  ``IP_WINDOW`` refuse further attempts from it until the window slides on. The
  counter lives in the process (one per app), which is enough to slow a guesser
  trying many usernames from one machine; it resets when the app restarts.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

from flask import Flask, current_app

from web.auth.models import User

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MAX_IP_FAILURES = 30
IP_WINDOW = timedelta(minutes=15)
_EXTENSION = "sandogh_login_failures"


class IpFailures:
    """Recent failed logins per IP address, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, deque[datetime]] = {}

    def _recent(self, ip: str, now: datetime) -> deque[datetime]:
        times = self._failures.setdefault(ip, deque())
        while times and times[0] <= now - IP_WINDOW:
            times.popleft()
        return times

    def add(self, ip: str, now: datetime) -> None:
        """Count a failed login from this address."""
        with self._lock:
            self._recent(ip, now).append(now)

    def blocked(self, ip: str, now: datetime) -> bool:
        """Return whether this address has failed too often lately."""
        with self._lock:
            return len(self._recent(ip, now)) >= MAX_IP_FAILURES

    def clear(self) -> None:
        """Forget every failure (tests, or an admin after an incident)."""
        with self._lock:
            self._failures.clear()


def init_app(app: Flask) -> None:
    """Give the app its own IP failure counter."""
    app.extensions[_EXTENSION] = IpFailures()


def ip_failures() -> IpFailures:
    """Return the current app's IP failure counter."""
    counter: IpFailures = current_app.extensions[_EXTENSION]
    return counter


def record_failure(user: User | None, ip: str, now: datetime) -> None:
    """Count a failed login against the address and, when it names one, the account."""
    ip_failures().add(ip, now)
    if user is None:
        return
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until = now + LOCKOUT
        user.failed_logins = 0


def record_success(user: User) -> None:
    """Reset the account's failure count after a successful login."""
    user.failed_logins = 0
    user.locked_until = None
