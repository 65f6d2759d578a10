"""The Flask application: the only package that imports Flask.

Importing ``web`` loads nothing heavy: the app factory imports Flask, the extensions
and the models when it runs, so the ``sandogh`` command (``web.cli``) starts fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from web import config

if TYPE_CHECKING:
    from flask import Flask

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Create the app from the environment, then apply overrides (tests pass theirs)."""
    from flask import Flask

    from web import routing

    app = Flask(
        __name__, instance_path=config.default_instance_path(), instance_relative_config=True
    )
    routing.bound_ids(app)  # before any rule: an id past a column's range is a 404
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config.from_environment(app.instance_path))
    app.config.update(overrides or {})
    config.with_busy_timeout(app.config)
    register_extensions(app)
    register_blueprints(app)
    register_template_filters(app)
    register_error_pages(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations, logins, CSRF, translations and security headers."""
    from web import concurrency, headers
    from web.extensions import db, migrate

    # Database errors are logged without their bound values (a national ID, an income…).
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    options.setdefault("hide_parameters", True)
    db.init_app(app)
    concurrency.init_app(app)  # first: a request's transaction begins after it
    migrate.init_app(app, db, directory=MIGRATIONS)
    register_accounts(app)
    headers.init_app(app)


def register_accounts(app: Flask) -> None:
    """Logins (Flask-Login), CSRF on every form, throttling, languages, access rules."""
    from flask_babel import lazy_gettext

    from web import access
    from web.auth import sessions, throttle
    from web.auth.language import select_locale
    from web.extensions import babel, csrf, login_manager

    if app.debug or app.testing:
        app.config["SESSION_COOKIE_SECURE"] = False  # plain http on a developer's machine
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    sessions.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_locale="fa")
    throttle.init_app(app)
    access.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Mount the app's pages."""
    from web.admin.routes import bp as admin
    from web.auth.routes import bp as auth
    from web.fonts import bp as fonts
    from web.funds.routes import bp as funds
    from web.home import bp as home
    from web.meetings.routes import bp as meetings
    from web.placement.routes import bp as placement
    from web.register.routes import bp as register
    from web.reports.routes import bp as reports
    from web.setup.routes import bp as setup
    from web.shareout.routes import bp as shareout
    from web.training.routes import bp as training

    app.register_blueprint(admin)
    app.register_blueprint(auth)
    app.register_blueprint(fonts)
    app.register_blueprint(funds)
    app.register_blueprint(home)
    app.register_blueprint(meetings)
    app.register_blueprint(reports)
    app.register_blueprint(placement)
    app.register_blueprint(register)
    app.register_blueprint(setup)
    app.register_blueprint(shareout)
    app.register_blueprint(training)
    register_api(app)


def register_api(app: Flask) -> None:
    """Mount the JSON API under /api/v1/ (web/api/)."""
    from web import api
    from web.capture.pwa import bp as pwa
    from web.capture.routes import bp as capture

    app.register_blueprint(capture)
    app.register_blueprint(pwa)
    api.init_app(app)


def register_template_filters(app: Flask) -> None:
    """Install the Persian number, money and date filters."""
    from web import formatting

    app.jinja_env.filters["digits"] = formatting.persian_digits
    app.jinja_env.filters["money"] = formatting.money
    app.jinja_env.filters["jalali"] = formatting.jalali
    app.jinja_env.filters["number"] = formatting.number
    app.jinja_env.filters["difference"] = formatting.difference
    register_template_globals(app)


def register_template_globals(app: Flask) -> None:
    """Give templates the language, the role's navigation and the write check."""
    from web import access, formatting
    from web.home import navigation

    app.jinja_env.globals["current_locale"] = formatting.current_locale
    app.jinja_env.globals["navigation"] = navigation
    app.jinja_env.globals["can_write"] = access.can_write
    app.jinja_env.globals["sep"] = formatting.SEPARATOR
    app.jinja_env.globals["comma"] = formatting.comma
    app.jinja_env.globals["exact_amounts"] = formatting.exact_amounts
    app.jinja_env.globals["exact_toggle_url"] = formatting.exact_toggle_url
    app.jinja_env.globals["difference_word"] = formatting.difference_word


def register_error_pages(app: Flask) -> None:
    """Show friendly error pages, never a stack trace."""
    from web.errors import register

    register(app)
