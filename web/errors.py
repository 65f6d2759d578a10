"""Errors in one place: friendly pages in the user's language, and DomainError -> form message.

- HTTP errors (400, 403, 404, 405, 413, 500, and a missing or stale CSRF token) show
  ``error.html`` with a title and a message in the user's language; never a
  stack trace.
- A DomainError that escapes a view is a 400 page with its message.
- What the database refused because two writers raced (or a lock it waited for too
  long) is a 409 page saying so (``web.concurrency``), never a server error.
- Under ``/api/`` every error is JSON ``{"code", "status", "message", "errors"}``
  instead (the message in the caller's language; webargs' field errors in ``errors``).
- Forms call ``form_error(form, error)``: the message goes next to the field it
  is about (``field`` argument, or the field named by the error's ``field``
  attribute), else at the top of the form; the user's input stays in the form.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ledger.errors import DomainError
from web.concurrency import RACE_MESSAGE, is_lost_race
from web.extensions import db
from web.formatting import current_locale, persian_digits
from web.logsafe import log_unexpected

#: status -> (title, message)
PAGES: dict[int, tuple[Any, Any]] = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    401: (_l("Log in first"), _l("Log in, or send a valid API token.")),
    403: (_l("Not allowed"), _l("You are not allowed to see this page or do this.")),
    404: (_l("Not found"), _l("This page was not found.")),
    405: (_l("Not possible"), _l("This cannot be done on this page.")),
    409: (_l("Changed meanwhile"), RACE_MESSAGE),
    413: (_l("File too large"), _l("The file is too large to be sent.")),
    500: (
        _l("Something went wrong"),
        _l("An error occurred. Try again; if it happens again, tell the administrator."),
    ),
}
CSRF_MESSAGE = _l(
    "This form has expired or was not sent from this site. "
    "Go back, reload the page and send it again."
)


def domain_message(error: DomainError) -> str:
    """Return the error's message in the user's language (English: the error's own text)."""
    return error.message_fa if current_locale() == "fa" else str(error)


def form_error(form: Any, error: DomainError, field: str | None = None) -> None:
    """Show a domain error on a form: next to its field if known, else at the top."""
    name = field or getattr(error, "field", None)
    target = getattr(form, name, None) if name else None
    message = domain_message(error)
    if target is not None and hasattr(target, "errors"):
        target.errors = [*list(target.errors), message]
    else:
        form.form_errors.append(message)


def too_large_message(limit: int | None) -> str:
    """Return "the file is larger than N MB" in the user's language, N in the user's digits."""
    megabytes = f"{(limit or 0) / (1024 * 1024):g}"
    return str(
        _(
            "The file is larger than the %(megabytes)s MB that can be sent. "
            "Send a smaller file, or split it in parts.",
            megabytes=persian_digits(megabytes) if current_locale() == "fa" else megabytes,
        )
    )


def render_error(status: int, message: Any = None) -> tuple[str, int]:
    """Render the friendly error page for this status."""
    title, default = PAGES.get(status) or PAGES[400 if status < 500 else 500]
    page = render_template("error.html", status=status, title=title, message=message or default)
    return page, status


def api_request() -> bool:
    """Return whether the request is the JSON API's (its errors are JSON)."""
    return request.path.startswith("/api/")


def json_error(status: int, message: Any = None, errors: Any = None) -> Any:
    """Answer an API error as ``{"code", "status", "message", "errors"}``."""
    from werkzeug.http import HTTP_STATUS_CODES

    _title, default = PAGES.get(status) or PAGES[400 if status < 500 else 500]
    body = {
        "code": status,
        "status": HTTP_STATUS_CODES.get(status, "Error"),
        "message": str(message or default),
        "errors": errors or {},
    }
    return jsonify(body), status


def register(app: Flask) -> None:
    """Install the error handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> Any:
        if api_request():
            return json_error(400, CSRF_MESSAGE)
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_error: RequestEntityTooLarge) -> Any:
        message = too_large_message(app.config.get("MAX_CONTENT_LENGTH"))
        return json_error(413, message) if api_request() else render_error(413, message)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> Any:
        if api_request():
            return json_error(422, domain_message(error), {"code": error.code})
        return render_error(400, domain_message(error))

    @app.errorhandler(IntegrityError)
    @app.errorhandler(OperationalError)
    def lost_race(error: Exception) -> Any:
        if not is_lost_race(error):
            return unexpected_error(error)
        app.logger.warning("Refused by the database (a concurrent write?): %s", error)
        db.session.rollback()
        message = str(RACE_MESSAGE)
        return json_error(409, message) if api_request() else render_error(409, message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        if api_request():
            data = getattr(error, "data", None) or {}
            return json_error(error.code or 500, None, data.get("messages") or data.get("errors"))
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Any:
        log_unexpected(app.logger, error)  # a database error without the values (web/logsafe.py)
        db.session.rollback()  # the page itself may need the database
        return json_error(500) if api_request() else render_error(500)
