"""Gunicorn's settings for ``sandogh serve`` (``gunicorn -c python:web.gunicorn_config``).

Each value can be changed from the environment without editing this file:
``SANDOGH_BIND`` (default ``127.0.0.1:8000``: TLS is terminated by the web server in
front, which forwards to it), ``SANDOGH_WORKERS`` (processes, default 2 × cores + 1),
``SANDOGH_THREADS`` (threads per process, default 4), ``SANDOGH_TIMEOUT`` (seconds a
request may take, default 120: a large register import or a batch print runs as a job,
not in a request). ``SANDOGH_FORWARDED_ALLOW_IPS``: the proxies trusted for
``X-Forwarded-Proto`` (default ``127.0.0.1``), so secure cookies and links see https.

The app is not preloaded: each worker process makes its own app and database engine
(connections are never shared across a fork).
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("SANDOGH_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SANDOGH_WORKERS") or 2 * multiprocessing.cpu_count() + 1)
worker_class = "gthread"
threads = int(os.environ.get("SANDOGH_THREADS") or 4)
timeout = int(os.environ.get("SANDOGH_TIMEOUT") or 120)
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter): memory stays flat.
max_requests = 2000
max_requests_jitter = 200
preload_app = False
forwarded_allow_ips = os.environ.get("SANDOGH_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("SANDOGH_ACCESS_LOG", "-") or None  # "" turns it off
errorlog = "-"
loglevel = os.environ.get("SANDOGH_LOG_LEVEL", "info")
proc_name = "sandogh"
# No control socket (gunicorn ≥ 27): it sits at one path per user, so two servers on one
# machine would fight over it; stop and reload through signals or the service manager.
control_socket_disable = True
