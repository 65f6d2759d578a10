"""Every page of the URL map, as anonymous visitors and each role see it (the matrix walk)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.web.conftest import Web, login
from tests.web.test_role_matrix import request, rules, url_values
from web.auth.models import Role


@dataclass
class Visit:
    """One request of the walk: who asked, which endpoint, for which fund, and the answer."""

    who: str
    endpoint: str
    other_fund: bool
    response: TestResponse

    def __str__(self) -> str:
        fund = "other fund" if self.other_fund else "own fund"
        return f"{self.who} {self.endpoint} ({fund}) -> {self.response.status_code}"


def walk(app: Flask, web: Web, client: FlaskClient) -> Iterator[Visit]:
    """Request every endpoint anonymously, then as each role, for both funds."""
    anonymous = app.test_client()
    for rule in rules(app):
        yield Visit(
            "anonymous", rule.endpoint, False, request(anonymous, rule, url_values(web, False))
        )
    for role in Role:
        login(client, role)
        for other in (False, True):
            for rule in rules(app):
                if other and "fund_id" not in rule.arguments:
                    continue
                response = request(client, rule, url_values(web, other))
                yield Visit(role.value, rule.endpoint, other, response)
                if rule.endpoint == "auth.logout":
                    login(client, role)


class InlineCode(HTMLParser):
    """Collects what a strict Content-Security-Policy would refuse in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script":
            self._in_script = True
            if not names.get("src"):
                self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"style= on <{tag}>")
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL in <{tag} {name}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append("code inside <script>")


def inline_code(html: str) -> list[str]:
    """Return what in the page needs 'unsafe-inline' (inline scripts, styles, handlers)."""
    parser = InlineCode()
    parser.feed(html)
    return parser.found
