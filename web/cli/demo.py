"""``sandogh demo``: migrate, load the demo funds when the database is empty, and serve."""

from __future__ import annotations

import click

from web.cli.context import with_app


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_app
def demo(host: str, port: int) -> None:
    """Migrate the database, load the demo fund if it is empty, and serve the app."""
    from flask import current_app
    from flask_migrate import upgrade
    from werkzeug.serving import run_simple

    from ledger.db import analyze
    from web.demo import DEMO_PASSWORD, DEMO_TODAY, create_demo_users, load_demo_if_empty
    from web.extensions import db
    from web.headers import QuietRequestHandler
    from web.i18n import compile_catalogs

    compile_catalogs()
    upgrade(directory=current_app.extensions["migrate"].directory)
    if load_demo_if_empty(db.session()):
        analyze(db.session())  # a bulk load (PostgreSQL: fresh statistics for the planner)
        db.session.commit()
        click.echo("Loaded the demo funds and the demo register.")
    users = create_demo_users(db.session())
    db.session.commit()
    current_app.config["SESSION_COOKIE_SECURE"] = False  # the demo serves plain http
    current_app.config["REMEMBER_COOKIE_SECURE"] = False
    # The demo's meetings end on a fixed day: monitoring looks at the funds as of that day.
    current_app.config["SANDOGH_TODAY"] = DEMO_TODAY
    # The login page lists the demo users, in demo mode only (never set otherwise).
    current_app.config["SANDOGH_DEMO_USERS"] = (users, DEMO_PASSWORD)
    click.echo(f"Demo users (demo mode only), all with the password {DEMO_PASSWORD!r}:")
    for username, role in users:
        click.echo(f"  {username:12} {role}")
    click.echo(f"Sandogh is at http://{host}:{port}/ — open it in a browser and log in.")
    run_simple(
        host,
        port,
        current_app._get_current_object(),  # type: ignore[attr-defined]
        threaded=True,
        request_handler=QuietRequestHandler,
    )
