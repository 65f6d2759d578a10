"""The JSON API, version 1 (``/api/v1/``): flask-smorest resources over marshmallow schemas.

- ``GET  /api/v1/funds/{id}``            a fund's read model (balances, last meeting)
- ``GET  /api/v1/members/{id}``, ``/loans/{id}``  a member's and a loan's read model
- ``GET  /api/v1/funds/{id}/capture``    the capture state of the next meeting
- ``POST /api/v1/funds/{id}/meetings``   record a meeting (``Idempotency-Key`` header):
  201 with the meeting, 200 with the same meeting on a replay, 422 with every violation
- ``GET  /api/v1/openapi.json`` the OpenAPI document; ``/api/v1/docs`` the same, rendered
  on the server (no script, no CDN).

Who may call it: the browser's session (writes carry the CSRF token in the
``X-CSRFToken`` header) or a personal token (``Authorization: Bearer …``, see
web/auth/tokens.py), with exactly the web's role rules (web/access.py). Errors
are JSON ``{"code", "status", "message", "errors"}`` in the caller's language.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api

PREFIX = "/api/v1"


class SandoghApi(Api):  # type: ignore[misc]
    """flask-smorest's Api; error answers stay with web/errors.py (JSON under /api/)."""

    def _register_error_handlers(self) -> None:
        """Do not take over the app's HTTP error handler (web/errors.py answers JSON here)."""


SETTINGS: dict[str, Any] = {
    "API_TITLE": "Sandogh",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": PREFIX,
    "OPENAPI_JSON_PATH": "openapi.json",
}

SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "sandogh token create USERNAME"},
    "session": {"type": "apiKey", "in": "cookie", "name": "session"},
}


def init_app(app: Flask) -> None:
    """Mount the API and its documents on the app."""
    from web.api import auth, docs, meetings, reads

    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    api = SandoghApi()
    app.extensions["sandogh_api"] = api
    api.init_app(
        app,
        spec_kwargs={
            "info": {"description": (__doc__ or "").split("\n\n")[0]},
            "servers": [{"url": "/"}],
        },
    )
    api.spec.components.security_scheme("bearer", SECURITY_SCHEMES["bearer"])
    api.spec.components.security_scheme("session", SECURITY_SCHEMES["session"])
    api.spec.options["security"] = [{"bearer": []}, {"session": []}]
    for blueprint in (reads.blp, meetings.blp):
        api.register_blueprint(blueprint, url_prefix=PREFIX)
    app.register_blueprint(docs.bp)
    auth.init_app(app, [reads.blp, meetings.blp])
