"""The JSON API: tokens, the capture state, recording a meeting idempotently, refusals, roles.

The fund of tests/web/conftest.py (three members, four meetings, a loan to the
first member). Requests carry a personal token (``Authorization: Bearer``) or the
browser session with its CSRF token in ``X-CSRFToken``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups.savings.models import Meeting
from ledger.models import Entry
from tests.savings.conftest import START
from tests.web.conftest import Web, csrf_token, login
from web.auth.models import Role
from web.auth.tokens import ApiToken, create_token
from web.cli.token import token as token_group

TODAY = START + timedelta(weeks=4)


def bearer(session: Session, web: Web, role: Role = Role.TREASURER) -> dict[str, str]:
    _row, secret = create_token(session, web.users[role], "test")
    return {"Authorization": f"Bearer {secret}"}


def body(web: Web, **changes: Any) -> dict[str, Any]:
    """A week: everyone buys one share; the borrower pays 1,000 on her loan."""
    lines = [{"member": m.id, "shares": 1} for m in web.fund.members]
    lines[0]["repayments"] = [{"loan": web.loan.id, "amount": 1_000}]
    return {"date": TODAY.isoformat(), "lines": lines, "cash_counted": None, **changes}


def meetings_of(session: Session, fund_id: int) -> int:
    return int(session.scalar(select(func.count(Meeting.id)).where(Meeting.fund_id == fund_id)))


def test_a_token_is_printed_once_stored_hashed_and_revocable(
    app: Flask, web: Web, session: Session, client: FlaskClient
) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(token_group, ["create", "treasurer", "--name", "county"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[0]
    assert secret.startswith("sandogh_")
    stored = session.scalars(select(ApiToken.token_hash)).all()
    assert secret not in stored and len(stored) == 1
    headers = {"Authorization": f"Bearer {secret}"}
    answer = client.get(f"/api/v1/funds/{web.fund_id}", headers=headers)
    assert answer.status_code == 200
    assert answer.json["balances"]["loans_outstanding"] > 0
    listed = runner.invoke(token_group, ["list", "treasurer"])
    token_id = listed.output.split("\t")[0]
    assert "live" in listed.output
    assert runner.invoke(token_group, ["revoke", token_id]).exit_code == 0
    assert client.get(f"/api/v1/funds/{web.fund_id}", headers=headers).status_code == 401
    wrong = {"Authorization": "Bearer sandogh_not-a-token"}
    assert client.get(f"/api/v1/funds/{web.fund_id}", headers=wrong).json["code"] == 401


def test_the_capture_state_has_members_dues_caps_and_defaults(
    app: Flask, web: Web, session: Session, client: FlaskClient
) -> None:
    app.config["SANDOGH_TODAY"] = TODAY
    try:
        state = client.get(f"/api/v1/funds/{web.fund_id}/capture", headers=bearer(session, web))
    finally:
        del app.config["SANDOGH_TODAY"]
    assert state.status_code == 200, state.json
    data = state.json
    assert data["today"] == TODAY.isoformat()
    assert data["constitution"]["min_shares"] == 1 and data["constitution"]["max_shares"] == 5
    first, second = data["members"][0], data["members"][1]
    assert first["last_shares"] == 1  # she bought one share at the last meeting
    assert first["loans"][0]["id"] == web.loan.id and first["loan_cap"] == 0
    assert second["loan_cap"] > 0 and second["loans"] == []
    assert data["csrf_token"] is None  # a token needs no CSRF token


def test_a_meeting_posts_once_and_a_replay_answers_the_same_meeting(
    web: Web, session: Session, client: FlaskClient
) -> None:
    headers = {**bearer(session, web), "Idempotency-Key": "week5abc123"}
    before = session.scalar(select(func.count(Entry.id)))
    first = client.post(f"/api/v1/funds/{web.fund_id}/meetings", json=body(web), headers=headers)
    assert first.status_code == 201, first.json
    entries = session.scalar(select(func.count(Entry.id)))
    assert entries > before
    again = client.post(f"/api/v1/funds/{web.fund_id}/meetings", json=body(web), headers=headers)
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    assert session.scalar(select(func.count(Entry.id))) == entries
    assert first.headers["Location"].endswith(f"/meetings/{first.json['id']}")


def test_a_refused_meeting_answers_422_with_its_violations_and_posts_nothing(
    web: Web, session: Session, client: FlaskClient
) -> None:
    headers = {**bearer(session, web), "Idempotency-Key": "refused0001"}
    count = meetings_of(session, web.fund_id)
    sheet = body(web)
    sheet["lines"][1]["shares"] = 7
    answer = client.post(f"/api/v1/funds/{web.fund_id}/meetings", json=sheet, headers=headers)
    assert answer.status_code == 422
    violation = answer.json["violations"][0]
    assert violation["code"] == "share_limit_exceeded"
    assert violation["member"] == web.fund.members[1].id and violation["field"] == "shares"
    assert meetings_of(session, web.fund_id) == count
    future = body(web, date=(TODAY + timedelta(days=3650)).isoformat())
    answer = client.post(f"/api/v1/funds/{web.fund_id}/meetings", json=future, headers=headers)
    assert answer.status_code == 422
    assert answer.json["violations"][0]["code"] == "meeting_date_in_future"
    assert answer.json["violations"][0]["bound"]  # today


def test_a_malformed_body_is_a_json_422_naming_the_field(
    web: Web, session: Session, client: FlaskClient
) -> None:
    headers = {**bearer(session, web), "Idempotency-Key": "malformed01"}
    sheet = body(web, date="1403/05/12")
    answer = client.post(f"/api/v1/funds/{web.fund_id}/meetings", json=sheet, headers=headers)
    assert answer.status_code == 422
    assert "date" in answer.json["errors"]["json"]


def test_the_browser_session_writes_with_its_csrf_token(
    web: Web, session: Session, client: FlaskClient
) -> None:
    login(client, Role.TREASURER)
    url = f"/api/v1/funds/{web.fund_id}/meetings"
    headers = {"Idempotency-Key": "session0001"}
    refused = client.post(url, json=body(web), headers=headers)
    assert refused.status_code == 400 and refused.json["code"] == 400
    headers["X-CSRFToken"] = csrf_token(client)
    assert client.post(url, json=body(web), headers=headers).status_code == 201


def test_roles_are_the_webs(web: Web, session: Session, client: FlaskClient) -> None:
    url = f"/api/v1/funds/{web.fund_id}/capture"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer(session, web, Role.VIEWER)).status_code == 403
    assert client.get(url, headers=bearer(session, web, Role.MEMBER)).status_code == 403
    other = f"/api/v1/funds/{web.other.fund_id}/capture"
    assert client.get(other, headers=bearer(session, web)).status_code == 404
    member = bearer(session, web, Role.MEMBER)
    assert client.get(f"/api/v1/members/{web.member.id}", headers=member).status_code == 200
    theirs = web.fund.members[1].id
    assert client.get(f"/api/v1/members/{theirs}", headers=member).status_code == 404


def test_the_openapi_document_and_its_page_are_served_locally(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/funds/{fund_id}/meetings" in spec["paths"]
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "POST /api/v1/funds/{fund_id}/meetings" in page and "<script" not in page


def test_every_broken_rule_of_a_meeting_comes_back_at_once(
    web: Web, session: Session, client: FlaskClient
) -> None:
    headers = {**bearer(session, web), "Idempotency-Key": "twoproblems"}
    sheet = body(web)
    sheet["lines"][1]["shares"] = 7
    sheet["lines"][2]["shares"] = 9
    answer = client.post(f"/api/v1/funds/{web.fund_id}/meetings", json=sheet, headers=headers)
    assert answer.status_code == 422
    members = {v["member"] for v in answer.json["violations"]}
    assert {web.fund.members[1].id, web.fund.members[2].id} <= members
    assert all(v["bound"] for v in answer.json["violations"])
