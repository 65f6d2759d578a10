"""Schemathesis fuzzes the JSON API against its own OpenAPI document: no 500, answers conform.

Every operation gets generated requests (bodies, headers, path ids), four in five of them
aimed at the fund, member and loan that exist, so the rules run and not only the
404s; each is sent with a live treasurer token. Checks: no server error, the
status is documented, the body matches its schema. Bounded (``EXAMPLES`` per
operation, no shrinking) to keep CI within a couple of minutes.
"""

from __future__ import annotations

import itertools
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from tests.web.conftest import Web
from web.auth.models import Role
from web.auth.tokens import create_token

EXAMPLES = 100
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def real_ids(web: Web) -> dict[str, int]:
    return {"fund_id": web.fund_id, "member_id": web.member.id, "loan_id": web.loan.id}


def test_the_api_survives_generated_requests(app: Flask, web: Web, session: Session) -> None:
    _row, secret = create_token(session, web.users[Role.TREASURER], "fuzz")
    auth = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 5
    ids = real_ids(web)
    for operation in operations:
        fuzz(app, operation, ids, auth)


def fuzz(app: Flask, operation: Any, ids: dict[str, int], auth: dict[str, str]) -> None:
    sent = itertools.count()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        if next(sent) % 5 and case.path_parameters:
            case.path_parameters = {k: ids.get(k, v) for k, v in case.path_parameters.items()}
        with app.app_context():  # each request its own context (its own g), as in production
            case.call_and_validate(headers=auth, checks=CHECKS)

    run()
