"""The Flask application: the only package that imports Flask."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from web import config
from web.extensions import db, migrate

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Create the app from the environment, then apply overrides (tests pass theirs)."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config.from_environment(app.instance_path))
    app.config.update(overrides or {})
    register_extensions(app)
    register_blueprints(app)
    register_template_filters(app)
    register_error_pages(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the database and migrations to the app."""
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)


def register_blueprints(app: Flask) -> None:
    """Mount the app's pages."""
    from web.home import bp as home

    app.register_blueprint(home)


def register_template_filters(app: Flask) -> None:
    """Install the Persian number, money and date filters."""
    from web import formatting

    app.jinja_env.filters["digits"] = formatting.persian_digits
    app.jinja_env.filters["money"] = formatting.money
    app.jinja_env.filters["jalali"] = formatting.jalali


def register_error_pages(app: Flask) -> None:
    """Show friendly error pages, never a stack trace."""
    from web.errors import register

    register(app)
