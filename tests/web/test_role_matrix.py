"""Every route × every role (and anonymous): who gets in (200/302) and who is kept out (403/404).

Each endpoint of ``app.url_map`` (static files aside) needs an entry in
EXPECTED; a new endpoint without one fails this test. Routes with a fund in
their URL are walked twice: for the fund the users work in, and for another
fund, which only admin and viewer may reach (everyone else gets 404).
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from tests.web.conftest import Web, login, post
from tests.web.register_data import register_values
from tests.web.report_jobs import job_id_of
from web.auth.models import Role

ADMIN, FACILITATOR, TREASURER, MEMBER, VIEWER = (r.value for r in Role)
EVERYONE = frozenset(r.value for r in Role)
FUND_READERS = frozenset({ADMIN, FACILITATOR, TREASURER, VIEWER})
WRITERS = frozenset({ADMIN, FACILITATOR, TREASURER})
PUBLIC = "public"
#: The programme register: its staff (admin, viewer) change it; a facilitator reads.
PROGRAMME_STAFF = frozenset({ADMIN, VIEWER})
REGISTER_READERS = frozenset({ADMIN, VIEWER, FACILITATOR})

#: endpoint -> the roles let in (PUBLIC: anonymous visitors too).
EXPECTED: dict[str, Any] = {
    "auth.login": PUBLIC,
    "auth.language": PUBLIC,
    "fonts.font": PUBLIC,
    "auth.logout": EVERYONE,
    "auth.change_password": EVERYONE,
    "home.index": EVERYONE,
    "home.trial_balance": FUND_READERS,
    "funds.fund": FUND_READERS,
    "funds.member": EVERYONE,
    "funds.loan": EVERYONE,
    "meetings.new": WRITERS,
    "meetings.show": FUND_READERS,
    "meetings.reopen": WRITERS,
    "shareout.preview": WRITERS,
    "shareout.result": FUND_READERS,
    "shareout.new_cycle": WRITERS,
    "setup.new_fund": {ADMIN, FACILITATOR},
    "setup.import_fund": {ADMIN, FACILITATOR},
    "setup.new_member": WRITERS,
    "setup.roles": WRITERS,
    "setup.opening": WRITERS,
    "setup.export_fund": FUND_READERS,
    "reports.dashboard": FUND_READERS,
    "reports.monitoring": FUND_READERS,
    "reports.statement": EVERYONE,
    "reports.minutes": FUND_READERS,
    "reports.share_out": FUND_READERS,
    "reports.loan_schedule": EVERYONE,
    "reports.financials": FUND_READERS,
    "reports.new_visit": {ADMIN, FACILITATOR},
    "reports.print_statements": FUND_READERS,
    "reports.job": FUND_READERS,
    "reports.job_status": FUND_READERS,
    "reports.job_file": FUND_READERS,
    "register.search_page": REGISTER_READERS,
    "register.show": REGISTER_READERS,
    "register.new": PROGRAMME_STAFF,
    "register.edit": PROGRAMME_STAFF,
    "register.new_assessment": PROGRAMME_STAFF,
    "register.new_service": PROGRAMME_STAFF,
    "register.new_aid": PROGRAMME_STAFF,
    "register.import_upload": PROGRAMME_STAFF,
    "register.import_mapping": PROGRAMME_STAFF,
    "register.import_dry_run": PROGRAMME_STAFF,
    "register.import_problems": PROGRAMME_STAFF,
    "register.import_apply": PROGRAMME_STAFF,
    "register.duplicates": PROGRAMME_STAFF,
    "register.find": PROGRAMME_STAFF,
    "register.decide_pair": PROGRAMME_STAFF,
    "register.merges": PROGRAMME_STAFF,
    "register.undo": PROGRAMME_STAFF,
    "register.report": PROGRAMME_STAFF,
    "register.report_download": PROGRAMME_STAFF,
    "training.courses": PROGRAMME_STAFF,
    "training.new_course": PROGRAMME_STAFF,
    "training.course": PROGRAMME_STAFF,
    "training.new_session": PROGRAMME_STAFF,
    "training.new_completion": PROGRAMME_STAFF,
    "placement.employers": PROGRAMME_STAFF,
    "placement.new_employer": PROGRAMME_STAFF,
    "placement.new_placement": PROGRAMME_STAFF,
    "placement.new_follow_up": PROGRAMME_STAFF,
    "admin.users": {ADMIN},
    "admin.new_user": {ADMIN},
    "admin.edit_user": {ADMIN},
    "admin.reset_password": {ADMIN},
    "admin.security_events": {ADMIN},
    # The JSON API (web/api/): the same rules as the pages; its documents are public.
    "api-docs.openapi_json": PUBLIC,
    "api_docs.page": PUBLIC,
    "api_reads.fund": FUND_READERS,
    "api_reads.member": EVERYONE,
    "api_reads.loan": EVERYONE,
    "api_meetings.capture": WRITERS,
    "api_meetings.record_one": WRITERS,
    # The phone capture and the installable app's files (web/capture/).
    "capture.capture": WRITERS,
    "pwa.manifest": PUBLIC,
    "pwa.service_worker": PUBLIC,
}
#: Roles that may reach any fund; the others only their own.
ALL_FUNDS = frozenset({ADMIN, VIEWER})
#: Endpoints left out of the walk: (reason).
SKIPPED = {"static": "Flask's own static files"}


def url_values(web: Web, other: bool) -> dict[str, Any]:
    """The values of URL parameters, for the users' fund or for the other one."""
    fund = web.other if other else web.fund
    return {
        "fund_id": fund.fund_id,
        "member_id": fund.members[0].id,
        "loan_id": (web.other_loan if other else web.loan).id,
        "meeting_id": (web.other_loan if other else web.loan).meeting_id,
        "cycle_id": (web.other_loan if other else web.loan).cycle_id,
        "user_id": web.users[Role.MEMBER].id,
        "name": "sandogh-regular.ttf",
        "fmt": "csv",
        "job_id": job_id_of(fund.fund_id),
        **register_values(web),
    }


def rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED]


def request(client: FlaskClient, rule: Rule, values: dict[str, Any]) -> Any:
    url = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
    if "GET" in (rule.methods or ()):
        return client.get(url)
    return post(client, url, {})


def allowed(response: Any) -> bool:
    if response.status_code in (302, 303) and "/login?next=" in response.headers.get(
        "Location", ""
    ):
        return False  # sent to log in
    return response.status_code not in (401, 403, 404, 405)


def test_every_endpoint_has_an_expectation(app: Flask) -> None:
    missing = sorted({rule.endpoint for rule in rules(app)} - set(EXPECTED))
    assert not missing, f"add these endpoints to EXPECTED in test_role_matrix.py: {missing}"


def test_anonymous_visitors_reach_only_the_public_pages(app: Flask, web: Web) -> None:
    client = app.test_client()
    for rule in rules(app):
        response = request(client, rule, url_values(web, other=False))
        public = EXPECTED[rule.endpoint] == PUBLIC
        assert response.status_code < 500, rule.endpoint  # never a crash
        assert allowed(response) == public, (rule.endpoint, response.status_code)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_reaches_exactly_its_pages(
    app: Flask, web: Web, client: FlaskClient, role: str
) -> None:
    seen = []
    login(client, role)
    for other in (False, True):
        for rule in rules(app):
            if other and "fund_id" not in rule.arguments:
                continue
            expected = EXPECTED[rule.endpoint]
            let_in = expected == PUBLIC or role in expected
            if other and role not in ALL_FUNDS and expected != PUBLIC:
                let_in = False
            response = request(client, rule, url_values(web, other))
            seen.append((rule.endpoint, other, response.status_code))
            assert response.status_code < 500, (rule.endpoint, other, role)  # never a crash
            if rule.endpoint == "auth.logout":
                login(client, role)
            assert allowed(response) == let_in, (rule.endpoint, other, response.status_code)
            if not let_in:
                assert response.status_code in (403, 404), (rule.endpoint, response.status_code)
    assert len(seen) >= len(EXPECTED)


def test_a_member_sees_only_her_own_passbook_and_loans(web: Web, client: FlaskClient) -> None:
    login(client, Role.MEMBER)
    other_member = web.fund.members[1]
    assert client.get(f"/funds/{web.fund_id}/members/{other_member.id}").status_code == 404
    assert client.get(f"/funds/{web.fund_id}/members/{web.member.id}").status_code == 200
    assert client.get(f"/funds/{web.fund_id}/loans/{web.loan.id}").status_code == 200
    assert client.get(f"/funds/{web.fund_id}/trial-balance").status_code == 403
