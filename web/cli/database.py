"""``sandogh db …``: Flask-Migrate's commands (``db upgrade`` …), loaded only when run.

Flask-Migrate's group imports Alembic; ``DeferredGroup`` imports it when a ``db``
command runs (or its help is asked for), so no other command pays for it.
"""

from __future__ import annotations

import importlib
from typing import Any

import click


class DeferredGroup(click.Group):
    """A group that becomes ``module:attribute`` (its options, callback, commands) when used.

    Listing it in ``sandogh --help`` reads only its help text; parsing its arguments
    (running it, or ``sandogh db --help``) imports the real group first.
    """

    def __init__(self, name: str, target: str, help: str) -> None:
        super().__init__(name, help=help)
        self.target = target
        self.loaded = False

    def load(self) -> None:
        """Import the real group and take its options, callback and commands."""
        if self.loaded:
            return
        module, _, attribute = self.target.partition(":")
        real: click.Group = getattr(importlib.import_module(module), attribute)
        self.params, self.callback, self.commands = real.params, real.callback, real.commands
        self.loaded = True

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        self.load()
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """Give Flask-Migrate's commands the ScriptInfo they need (the test runner's, or ours)."""
        from flask.cli import ScriptInfo

        from web import create_app

        if not isinstance(ctx.obj, ScriptInfo):
            ctx.obj = ScriptInfo(create_app=create_app)
        return super().invoke(ctx)


db = DeferredGroup(
    "db", "flask_migrate.cli:db", help="Migrate the database schema (Flask-Migrate: db upgrade …)."
)
