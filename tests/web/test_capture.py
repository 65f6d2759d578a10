"""The phone capture page without script: defaults, every problem at once, decisions, cards, post.

The fund of tests/web/conftest.py (three members, weekly, 1–5 shares, a loan to
the first member). Today is pinned to the day after the next scheduled meeting.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups.savings.models import Loan, Meeting, MeetingLine
from reports import persian
from tests.savings.conftest import START
from tests.web.conftest import Web, login, post, text
from web.auth.models import Role

TODAY = START + timedelta(weeks=8)  # a Monday: the loan's first instalment is due


@pytest.fixture
def today(app: Flask) -> Iterator[None]:
    app.config["SANDOGH_TODAY"] = TODAY
    yield
    del app.config["SANDOGH_TODAY"]


def form_values(page: str) -> dict[str, str]:
    """The values a browser would send from the page's inputs (checked radios, selected options)."""
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        if ('type="radio"' in tag or 'type="checkbox"' in tag) and " checked" not in tag:
            continue
        values[name.group(1)] = value.group(1) if value else ""
    return values


def meetings(session: Session, web: Web) -> int:
    return int(session.scalar(select(func.count(Meeting.id)).where(Meeting.fund_id == web.fund_id)))


def open_capture(client: FlaskClient, web: Web) -> tuple[str, dict[str, str]]:
    login(client, Role.TREASURER)
    page = client.get(f"/funds/{web.fund_id}/capture")
    assert page.status_code == 200
    return text(page), form_values(text(page))


def send(client: FlaskClient, web: Web, values: dict[str, str], step: str) -> Any:
    return post(client, f"/funds/{web.fund_id}/capture", {**values, "step": step})


def test_the_page_starts_from_today_everyone_present_shares_as_last_time_and_dues(
    client: FlaskClient, web: Web, today: None
) -> None:
    page, values = open_capture(client, web)
    first, second = web.fund.members[0], web.fund.members[1]
    assert values["date"] == persian.to_jalali(TODAY)  # Persian digits
    assert values[f"m-{first.id}-attendance"] == "present"
    assert values[f"m-{first.id}-shares"] == "۱" and values[f"m-{second.id}-shares"] == "۱"
    assert values[f"m-{first.id}-repay-{web.loan.id}"]  # her instalment due, filled in
    assert "<script src=" in page and 'href="/manifest.webmanifest"' in page


def test_a_typical_week_is_reviewed_as_cards_and_posted_once(
    client: FlaskClient, web: Web, session: Session, today: None
) -> None:
    _page, values = open_capture(client, web)
    absent = web.fund.members[2]
    values[f"m-{absent.id}-attendance"] = "absent"
    values[f"m-{absent.id}-shares"] = "0"
    review = send(client, web, values, "review")
    assert review.status_code == 200, text(review)
    assert "member-card" in text(review) and 'id="aloud"' in text(review)
    count = meetings(session, web)
    assert send(client, web, values, "post").status_code == 302
    assert send(client, web, values, "post").status_code == 302  # a second tap: nothing new
    assert meetings(session, web) == count + 1
    meeting = session.scalars(select(Meeting).order_by(Meeting.id.desc())).first()
    assert meeting is not None and meeting.date == TODAY
    lines = {line.member_id: line for line in meeting.lines}
    assert lines[absent.id].attendance == "absent" and lines[absent.id].social == 0


def test_every_problem_shows_at_once_next_to_its_field_with_its_bound(
    client: FlaskClient, web: Web, session: Session, today: None
) -> None:
    _page, values = open_capture(client, web)
    first, second = web.fund.members[0], web.fund.members[1]
    values[f"m-{first.id}-social"] = "x"
    values[f"m-{second.id}-shares"] = "۷"
    values["loan-0-borrower"] = str(second.id)
    answer = send(client, web, values, "review")
    page = text(answer)
    assert answer.status_code == 422
    assert 'id="problems"' in page and f'href="#f-m-{first.id}-social"' in page
    assert f'id="e-m-{first.id}-social"' in page  # next to its field
    assert f'id="e-m-{second.id}-shares"' in page  # a rule's refusal beside the input error
    assert "۱ تا ۵" in page  # the bound beside the shares
    assert 'value="x"' in page  # the input kept
    assert meetings(session, web) == 4


def test_dates_today_by_default_never_future_far_ones_confirmed(
    client: FlaskClient, web: Web, session: Session, today: None
) -> None:
    _page, values = open_capture(client, web)
    ahead = persian.to_jalali(TODAY + timedelta(days=30), persian=False)
    answer = send(client, web, {**values, "date": ahead}, "review")
    assert answer.status_code == 422 and "e-date" in text(answer)
    assert persian.to_jalali(TODAY) in text(answer)  # the bound: today
    weeks_ago = persian.to_jalali(TODAY - timedelta(days=20), persian=False)
    far = {**values, "date": weeks_ago}  # after the last meeting, but far from today's schedule
    asked = send(client, web, far, "review")
    assert asked.status_code == 422 and 'name="date_confirmed"' in text(asked)
    confirmed = send(client, web, {**far, "date_confirmed": "1"}, "review")
    assert confirmed.status_code == 200, text(confirmed)


def test_a_write_off_needs_its_reason_and_its_confirmation(
    client: FlaskClient, web: Web, session: Session, today: None
) -> None:
    _page, values = open_capture(client, web)
    loan = web.loan.id
    only_reason = send(client, web, {**values, f"writeoff-{loan}-reason": "moved away"}, "review")
    assert only_reason.status_code == 422
    both = {**values, f"writeoff-{loan}-reason": "moved away", f"writeoff-{loan}-confirm": "1"}
    both.pop(f"m-{web.member.id}-repay-{loan}")
    review = send(client, web, both, "review")
    assert review.status_code == 200, text(review)
    assert "moved away" in text(review)


def test_a_cash_difference_needs_an_explanation_before_it_posts(
    client: FlaskClient, web: Web, session: Session, today: None
) -> None:
    _page, values = open_capture(client, web)
    values["cash_counted"] = "0"
    refused = send(client, web, values, "review")
    assert refused.status_code == 422 and "e-cash_explanation" in text(refused)
    explained = send(client, web, {**values, "cash_explanation": "the box was stolen"}, "review")
    assert explained.status_code == 200


def test_same_as_last_meeting_puts_every_row_back(
    client: FlaskClient, web: Web, today: None
) -> None:
    _page, values = open_capture(client, web)
    first = web.fund.members[0]
    changed = {**values, f"m-{first.id}-shares": "4"}
    again = form_values(text(send(client, web, changed, "same")))
    assert again[f"m-{first.id}-shares"] == "۱"
    assert again["idempotency_key"] == values["idempotency_key"]


def test_readers_cannot_open_the_capture(client: FlaskClient, web: Web) -> None:
    login(client, Role.VIEWER)
    assert client.get(f"/funds/{web.fund_id}/capture").status_code == 403
    login(client, Role.TREASURER)
    assert client.get(f"/funds/{web.other.fund_id}/capture").status_code == 404


__all__ = ["Loan", "MeetingLine"]
