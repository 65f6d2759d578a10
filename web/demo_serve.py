"""``sandogh demo``: refuse a database that is not the demo's, bind the port, then create the demo.

The demo creates five users whose password is printed on the screen
(``sandogh-demo``). That is safe only on a database that holds nothing but the
demo, so the command runs only on

- an empty database (no fund, no user, no woman of the register), which it
  loads with the demo and marks ``demo`` (``web.marks``); or
- a database it marked before (a second ``sandogh demo`` on the same file); or
- a database whose only users are the demo's, all still with the demo password
  (one made before the mark existed), which it marks;

anything else is refused with a message, unless ``--on-existing-data`` says
the operator means it. The port is bound before anything is written: when the
address is taken, the command fails and the database is as it was.
"""

from __future__ import annotations

import socket

import click
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, make_server

from web.extensions import db
from web.headers import QuietRequestHandler
from web.marks import DEMO, holds_data, is_marked, mark

REFUSED = (
    "This database holds data that `sandogh demo` did not create. The demo would add "
    "five users whose password everyone knows. Point SANDOGH_DATABASE_URL at another "
    "database, or pass --on-existing-data if you really mean to add them here."
)


def is_demo_database(session: Session) -> bool:
    """Return whether the demo may run here: empty, marked, or holding only the demo's users."""
    if is_marked(session, DEMO) or not holds_data(session):
        return True
    return only_demo_users(session)


def only_demo_users(session: Session) -> bool:
    """Return whether the users are exactly the demo's, each with the demo password."""
    from web.auth.models import User
    from web.demo import DEMO_PASSWORD, DEMO_USERS

    users = session.scalars(select(User)).all()
    if sorted(u.username for u in users) != sorted(DEMO_USERS):
        return False
    try:
        return all(u.check_password(DEMO_PASSWORD) for u in users)
    except ValueError:  # a hash werkzeug does not know: not the demo's
        return False


def bind(app: Flask, host: str, port: int) -> BaseWSGIServer:
    """Bind the address for the app, or fail before anything is written."""
    try:  # bound here, not by werkzeug, which would print and exit on a taken port
        listening = socket.create_server((host, port))
    except OSError as error:
        raise click.ClickException(
            f"Cannot serve at {host}:{port} ({error.strerror or error}); nothing was created."
        ) from error
    with listening:  # werkzeug serves a duplicate of it
        return make_server(
            host,
            port,
            app,
            threaded=True,
            request_handler=QuietRequestHandler,
            fd=listening.fileno(),
        )


def serve(server: BaseWSGIServer) -> None:
    """Serve until interrupted."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def run_demo(app: Flask, host: str, port: int, on_existing_data: bool) -> None:
    """Migrate, check the database is the demo's, bind, load the demo, create its users, serve."""
    from ledger.db import analyze
    from web.demo import DEMO_PASSWORD, DEMO_TODAY, create_demo_users, load_demo_if_empty
    from web.i18n import compile_catalogs

    compile_catalogs()
    upgrade(directory=app.extensions["migrate"].directory)
    session = db.session()
    demo_database = is_demo_database(session)
    if not demo_database and not on_existing_data:
        raise click.ClickException(REFUSED)
    app.config["SESSION_COOKIE_SECURE"] = False  # the demo serves plain http
    app.config["REMEMBER_COOKIE_SECURE"] = False
    # The demo's meetings end on a fixed day: monitoring looks at the funds as of that day.
    app.config["SANDOGH_TODAY"] = DEMO_TODAY
    server = bind(app, host, port)
    if load_demo_if_empty(session):
        analyze(session)  # a bulk load (PostgreSQL: fresh statistics for the planner)
        click.echo("Loaded the demo funds and the demo register.")
    if demo_database:
        mark(session, DEMO)
    users = create_demo_users(session)
    session.commit()
    # The login page lists the demo users, in demo mode only (never set otherwise).
    app.config["SANDOGH_DEMO_USERS"] = (users, DEMO_PASSWORD)
    click.echo(f"Demo users (demo mode only), all with the password {DEMO_PASSWORD!r}:")
    for username, role in users:
        click.echo(f"  {username:12} {role}")
    click.echo(f"Sandogh is at http://{host}:{server.port}/ — open it in a browser and log in.")
    serve(server)
