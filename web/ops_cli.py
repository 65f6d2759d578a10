"""``sandogh serve``, ``backup`` and ``restore``: running Sandogh for a programme.

``serve`` runs the app under gunicorn (settings in ``web/gunicorn_config.py``) after
bringing the schema up to date; ``backup -o FILE`` writes a consistent copy of the
configured database while the app runs, ``restore FILE`` puts one into an empty
database (``web.backup``). See the README, "Run it for a programme".
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from web.backup import BackupError, backup, restore

GUNICORN_CONFIG = "python:web.gunicorn_config"


@click.command("serve")
@click.option("--bind", help="host:port to listen on (default SANDOGH_BIND or 127.0.0.1:8000).")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes.")
@click.option("--no-upgrade", is_flag=True, help="Do not bring the schema up to date first.")
@with_appcontext
def serve(bind: str | None, workers: int | None, no_upgrade: bool) -> None:
    """Serve the app with gunicorn and several workers (the production server)."""
    if not no_upgrade:
        upgrade(directory=current_app.extensions["migrate"].directory)
    argv = [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG]
    argv += ["--bind", bind] if bind else []
    argv += ["--workers", str(workers)] if workers else []
    argv.append("web:create_app()")
    sys.stdout.flush()
    os.execv(sys.executable, argv)  # gunicorn takes over this process (signals, reloads)


@click.command("backup")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(output: Path) -> None:
    """Write a consistent copy of the database (SQLite: online backup; PostgreSQL: pg_dump -Fc)."""
    try:
        backup(current_app.config["SQLALCHEMY_DATABASE_URI"], output)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Wrote {output} ({output.stat().st_size:,} bytes)", err=True)


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Restore a backup into the configured database, which must be empty."""
    try:
        restore(file, current_app.config["SQLALCHEMY_DATABASE_URI"])
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {file}; check it with: sandogh ledger verify", err=True)


def attach(main: click.Group) -> None:
    """Add the commands to the ``sandogh`` group."""
    for command in (serve, backup_command, restore_command):
        main.add_command(command)
