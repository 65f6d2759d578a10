"""The meeting capture of the API: the state of the next meeting, and recording a meeting.

``POST /funds/{id}/meetings`` is idempotent by its ``Idempotency-Key`` header: the
first request records the meeting (201), any later one with the same key answers
the same meeting (200) and posts nothing. A refusal (422) lists every violation.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, jsonify, make_response, request, url_for
from flask_babel import gettext as _
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from ledger.errors import DomainError
from web.access import Role, roles_required, user, writable_fund
from web.api.auth import bearer_token
from web.api.reads import meeting_data
from web.api.schemas import (
    CaptureOut,
    ErrorOut,
    IdempotencyKeyHeader,
    MeetingIn,
    MeetingOut,
    RefusedOut,
    command,
)
from web.capture.record import record, replay_of
from web.capture.state import capture_state, state_data
from web.capture.today import today
from web.capture.violations import violations_of
from web.extensions import db

blp = Blueprint("api_meetings", __name__, description="Record a meeting (the offline client too)")

F = TypeVar("F", bound=Callable[..., Any])
WRITERS = (Role.ADMIN, Role.FACILITATOR, Role.TREASURER)
FUND = "/funds/<int(max=2147483647):fund_id>"


def fund_writers(view: F) -> F:
    """Let in only those who may change the fund (403/404, as on the web) before reading a body."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        writable_fund(kwargs["fund_id"])
        return view(*args, **kwargs)

    return roles_required(*WRITERS)(cast(F, wrapped))


@blp.route(f"{FUND}/capture")
@fund_writers
@blp.response(200, CaptureOut)
@blp.alt_response(403, schema=ErrorOut)
@blp.alt_response(404, schema=ErrorOut)
def capture(fund_id: int) -> dict[str, Any]:
    """The capture state of the fund's next meeting (members, dues, caps, constitution)."""
    fund = writable_fund(fund_id)
    data = state_data(capture_state(db.session(), fund, today()))
    data["csrf_token"] = None if bearer_token_sent() else generate_csrf()
    return data


def bearer_token_sent() -> bool:
    """Return whether the request authenticates with a token (then it needs no CSRF token)."""
    return bearer_token(request) is not None


@blp.route(f"{FUND}/meetings", methods=["POST"])
@fund_writers
@blp.arguments(IdempotencyKeyHeader, location="headers")
@blp.arguments(MeetingIn)
@blp.response(201, MeetingOut)
@blp.alt_response(200, schema=MeetingOut, description="A replay: the meeting of this key")
@blp.alt_response(422, schema=RefusedOut, description="Refused: every violation")
@blp.alt_response(403, schema=ErrorOut)
@blp.alt_response(404, schema=ErrorOut)
def record_one(headers: dict[str, Any], body: dict[str, Any], fund_id: int) -> Any:
    """Record a meeting; a replay of its key answers the same meeting and posts nothing."""
    key = headers["key"]
    if not key.isalnum():
        abort(422)
    try:
        done = replay_of(db.session(), fund_id, key)
    except DomainError as error:
        return refused([error])
    if done is not None:
        return meeting_data(done), 200
    attempt = record(fund_id, command(body, key), user().username, today())
    if not attempt.ok:
        return refused(attempt.errors)
    assert attempt.value is not None
    location = url_for("meetings.show", fund_id=fund_id, meeting_id=attempt.value.id)
    return meeting_data(attempt.value), 201, {"Location": location}


def refused(errors: list[DomainError]) -> Any:
    """Answer 422 with every violation of the meeting."""
    violations = [v.as_json() for v in violations_of(errors)]
    payload = {
        "code": 422,
        "status": "Unprocessable Entity",
        "message": _("The meeting was not recorded: fix these and send it again."),
        "errors": {},
        "violations": violations,
    }
    return make_response(jsonify(RefusedOut().dump(payload)), 422)
