"""``sandogh serve``, ``worker``, ``backup``, ``restore`` and ``bench concurrency``.

``serve`` runs the app under gunicorn (settings in ``web/gunicorn_config.py``) after
bringing the schema up to date; ``backup -o FILE`` writes a consistent copy of the
configured database while the app runs, ``restore FILE`` puts one into an empty
database (``web.backup``). See the README, "Run it for a programme".
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from web.cli.context import with_app

GUNICORN_CONFIG = "python:web.gunicorn_config"


@click.command("serve")
@click.option("--bind", help="host:port to listen on (default SANDOGH_BIND or 127.0.0.1:8000).")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes.")
@click.option("--no-upgrade", is_flag=True, help="Do not bring the schema up to date first.")
@with_app
def serve(bind: str | None, workers: int | None, no_upgrade: bool) -> None:
    """Serve the app with gunicorn and several workers (the production server)."""
    from flask import current_app
    from flask_migrate import upgrade

    if not no_upgrade:
        upgrade(directory=current_app.extensions["migrate"].directory)
    argv = [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG]
    argv += ["--bind", bind] if bind else []
    argv += ["--workers", str(workers)] if workers else []
    argv.append("web:create_app()")
    sys.stdout.flush()
    os.execv(sys.executable, argv)  # gunicorn takes over this process (signals, reloads)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_app
def worker(burst: bool) -> None:
    """Run background jobs from Redis (SANDOGH_REDIS_URL): batch statements and the like."""
    from flask import current_app

    from web import jobqueue

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not jobqueue.enabled(app):
        raise click.ClickException("set SANDOGH_REDIS_URL: without Redis, jobs run in the server")
    jobqueue.work(app, burst=burst)


@click.command("backup")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_app
def backup_command(output: Path) -> None:
    """Write a consistent copy of the database (SQLite: online backup; PostgreSQL: pg_dump -Fc)."""
    from flask import current_app

    from web.backup import BackupError, backup

    try:
        backup(current_app.config["SQLALCHEMY_DATABASE_URI"], output)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Wrote {output} ({output.stat().st_size:,} bytes)", err=True)


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_app
def restore_command(file: Path) -> None:
    """Restore a backup into the configured database, which must be empty."""
    from flask import current_app

    from web.backup import BackupError, restore

    try:
        restore(file, current_app.config["SQLALCHEMY_DATABASE_URI"])
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {file}; check it with: sandogh ledger verify", err=True)


@click.command("concurrency")
@click.option("--clients", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--shared-clients", default=2, show_default=True, type=click.IntRange(min=0))
@click.option("--seconds", default=60.0, show_default=True, type=click.FloatRange(min=1))
@click.option("--workers", default=4, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--database-url",
    help="An empty database to use, e.g. postgresql://postgres@127.0.0.1/bench "
    "(default: a temporary SQLite file).",
)
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path))
def bench_concurrency(
    clients: int,
    shared_clients: int,
    seconds: float,
    workers: int,
    database_url: str | None,
    json_path: Path | None,
) -> None:
    """Record meetings from many clients at once through gunicorn on 127.0.0.1.

    Exits with 1 when a request failed, a meeting was duplicated, an answer disagrees
    with the database, or the books do not verify.
    """
    from sqlalchemy.engine import make_url

    from bench.concurrency import ConcurrencyConfig, ok, render
    from web.backup import is_empty
    from web.config import normalise_database_url

    config = ConcurrencyConfig(clients, shared_clients, seconds, workers)
    with tempfile.TemporaryDirectory(prefix="sandogh-bench-") as folder:
        url = normalise_database_url(database_url or f"sqlite:///{Path(folder) / 'race.db'}")
        if not is_empty(url):
            raise click.ClickException("the benchmark needs an empty database")
        figures = _race(url, Path(folder), config)
    click.echo(render(figures, make_url(url).get_backend_name()))
    if json_path is not None:
        json_path.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
    if not ok(figures):
        sys.exit(1)


def _race(url: str, folder: Path, config: Any) -> dict[str, Any]:
    """Set the database up, serve it with gunicorn, let the clients race, check the books."""
    from flask_migrate import upgrade

    from bench.concurrency import check_books, create_funds, figures_of, run_clients
    from web import create_app
    from web.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SANDOGH_REPORT_JOBS": str(folder)})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        funds = create_funds(db.engine, config.clients + 1)
        password = _bench_user(db.session())
        db.session.commit()
        port = _free_port()
        with _server(url, port, config.workers, folder):
            tally, wall = run_clients(
                port, funds[:-1], funds[-1], config, ("bench", password), _echo
            )
        figures = figures_of(tally, wall, check_books(db.engine, tally), config)
        db.session.remove()
        db.engine.dispose()
    return figures


def _bench_user(session: Any) -> str:
    """Create the administrator the clients log in as; return her password."""
    from web.auth.models import Role, User

    password = secrets.token_urlsafe(12)
    user = User(username="bench", role=Role.ADMIN.value, locale="en", active=True)
    user.failed_logins = 0
    user.set_password(password)
    session.add(user)
    return password


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _server(url: str, port: int, workers: int, folder: Path) -> Iterator[None]:
    """Run ``sandogh serve``'s gunicorn on 127.0.0.1:port until the block ends."""
    env = {
        **os.environ,
        "SANDOGH_DATABASE_URL": url,
        "SANDOGH_SECRET_KEY": secrets.token_hex(16),
        "SANDOGH_SECURE_COOKIES": "0",
        "SANDOGH_ACCESS_LOG": "",
        "SANDOGH_REPORT_JOBS": str(folder),
    }
    command = [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "web:create_app()"]
    server = subprocess.Popen(command, env=env)
    try:
        _wait_until_up(port, server)
        yield
    finally:
        server.terminate()
        server.wait(timeout=60)


def _wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise click.ClickException("gunicorn stopped while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise click.ClickException("gunicorn did not start in 120 s")


def _echo(message: str) -> None:
    click.echo(message, err=True)
