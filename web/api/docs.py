"""The API's documentation page: the OpenAPI document rendered on the server (no script, no CDN)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template

bp = Blueprint("api_docs", __name__)


@bp.get("/api/v1/docs")
def page() -> str:
    """Every path of the API with its parameters, bodies and answers, from the OpenAPI document."""
    spec: dict[str, Any] = current_app.extensions["sandogh_api"].spec.to_dict()
    return render_template("api/docs.html", spec=spec, operations=operations(spec))


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the spec's operations in path order, each with its method and path."""
    found = []
    for path, item in sorted(spec.get("paths", {}).items()):
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                found.append({"path": path, "method": method.upper(), **item[method]})
    return found
