"""No server error for odd ids: an id beyond what an id column holds, in any URL, is a 404.

The test walks the app's URL map: every rule with an ``int`` part is asked for with
ids just past the 32-bit column range (PostgreSQL's ``integer``), past SQLite's and
PostgreSQL's 64-bit integers, and far beyond, by GET and by POST (with a CSRF token),
as the administrator (who may see everything), and must answer 404.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter, Rule

from tests.web.conftest import Web, csrf_token, login
from web.auth.models import Role
from web.routing import MAX_ID

ODD_IDS = (2**31, 2**63 - 1, 2**63, 2**64, 10**30)


def int_rules(app: Flask) -> list[Rule]:
    """Return the rules with at least one int part (static files and fonts have none)."""
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values())
    ]


def _substitute(rule_text: str, name: str, value: object) -> str:
    start = rule_text.index("<")
    while True:
        end = rule_text.index(">", start)
        if rule_text[start:end].endswith(name) or rule_text[start:end].endswith(":" + name):
            return rule_text[:start] + str(value) + rule_text[end + 1 :]
        start = rule_text.index("<", end)


def odd_urls(app: Flask, web: Web) -> list[tuple[str, str]]:
    """Return (method, URL) for every int rule, each int part in turn odd, the others real."""
    real = {"fund_id": web.fund_id, "member_id": web.member.id, "loan_id": web.loan.id}
    urls = []
    for rule in int_rules(app):
        int_parts = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        for odd_part in int_parts:
            for odd in ODD_IDS:
                values: dict[str, object] = {}
                for name, converter in rule._converters.items():
                    if name == odd_part:
                        values[name] = odd
                    elif isinstance(converter, IntegerConverter):
                        values[name] = real.get(name, 1)
                    else:
                        values[name] = "pdf" if name == "fmt" else "x"
                url = rule.rule
                for name, value in values.items():
                    url = _substitute(url, name, value)
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    urls.append((method, url))
    return urls


def test_the_id_converter_is_bounded_to_what_a_column_holds(app: Flask) -> None:
    assert MAX_ID == 2**31 - 1
    assert int_rules(app), "the URL map has id routes"
    for rule in int_rules(app):
        for converter in rule._converters.values():
            if isinstance(converter, IntegerConverter):
                assert converter.max == MAX_ID, rule.rule


def test_every_route_answers_an_id_beyond_the_column_range_with_404(
    app: Flask, web: Web, client: FlaskClient
) -> None:
    login(client, Role.ADMIN)
    token = csrf_token(client)
    answers = {}
    for method, url in odd_urls(app, web):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        answers[(method, url)] = response.status_code
    wrong = {key: status for key, status in answers.items() if status != 404}
    assert len(answers) > 100 and not wrong


@pytest.mark.parametrize("odd", [2**31, 2**63, 10**30])
def test_the_largest_id_a_column_holds_is_still_a_route(
    app: Flask, web: Web, client: FlaskClient, odd: int
) -> None:
    login(client, Role.ADMIN)
    assert client.get(f"/funds/{MAX_ID}").status_code == 404  # routed, not found
    assert client.get(f"/funds/{odd}").status_code == 404


@pytest.mark.parametrize("odd", [2**31, 2**63, 10**30])
def test_ids_and_page_numbers_in_query_strings_past_the_range_are_no_server_error(
    web: Web, client: FlaskClient, odd: int
) -> None:
    login(client, Role.ADMIN)
    assert client.get(f"/funds/{web.fund_id}/meetings/new?write_off={odd}").status_code == 200
    assert client.get(f"/register?q=a&page={odd}").status_code == 200
    assert client.get(f"/register/duplicates?page={odd}").status_code == 200
