"""``sandogh demo``: migrate, load the demo funds when the database is empty, and serve."""

from __future__ import annotations

import click

from web.cli.context import with_app


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--on-existing-data",
    is_flag=True,
    help="Run on a database holding data the demo did not create (adds its known-password users).",
)
@with_app
def demo(host: str, port: int, on_existing_data: bool) -> None:
    """Migrate the database, load the demo if it is empty, create the demo users, and serve.

    Refuses a database holding data the demo did not create (web/demo_serve.py).
    """
    from flask import current_app

    from web.demo_serve import run_demo

    run_demo(current_app._get_current_object(), host, port, on_existing_data)  # type: ignore[attr-defined]
