"""Visits (issue 15, item 10): recorded with notes and actions; open actions follow the fund.

A facilitator records a visit with two agreed actions; the monitoring page, the next
visit report (PDF text) and the dashboard show them open; a later visit ticks one
done and it is gone from all three. Treasurers and viewers may not record a visit.
"""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.savings.visits import FundVisit, VisitAction
from tests.reports.pdf import pdf_text, reads, require_vazirmatn
from tests.web.conftest import Web, login, post, text
from web.auth.models import Role


def visit(client: FlaskClient, fund_id: int, **values: str) -> object:
    form = {"visited_on": "1404/02/01", "notes": "دفتر مرتب بود؛ دو عضو غایب بودند."}
    form.update(values)
    return post(client, f"/funds/{fund_id}/visits/new", form)


def test_a_visit_and_its_actions_show_until_done(
    web: Web, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    login(client, Role.FACILITATOR)
    recorded = visit(
        client,
        web.fund_id,
        **{
            "actions-0-action": "تماس با اعضای غایب",
            "actions-0-who": "رئیس صندوق",
            "actions-0-due_on": "1404/02/15",
            "actions-1-action": "شمارش دوبارهٔ صندوق",
        },
    )
    assert recorded.status_code == 302  # type: ignore[attr-defined]
    saved = session.scalars(select(FundVisit)).one()
    assert saved.visited_by == "facilitator" and "دو عضو غایب" in saved.notes
    actions = session.scalars(select(VisitAction).order_by(VisitAction.id)).all()
    assert [(a.action, a.who) for a in actions] == [
        ("تماس با اعضای غایب", "رئیس صندوق"),
        ("شمارش دوبارهٔ صندوق", ""),
    ]
    monitoring = text(client.get(f"/funds/{web.fund_id}/monitoring?as_of=1404/02/20"))
    assert "تماس با اعضای غایب" in monitoring and "شمارش دوبارهٔ صندوق" in monitoring
    assert "۲ اقدام باز" in text(client.get("/dashboard?as_of=1404/02/20"))
    require_vazirmatn()
    pdf = client.get(f"/funds/{web.fund_id}/monitoring.pdf?as_of=1404/02/20").data
    page = pdf_text(pdf, tmp_path)
    assert reads(page, "تماس با اعضای غایب") and reads(page, "دو عضو غایب بودند")
    assert reads(page, "تسهیلاتگر") and reads(page, "خزانه‌دار")  # signatures

    visit(client, web.fund_id, visited_on="1404/03/01", done=str(actions[0].id))
    session.expire_all()
    assert session.get(VisitAction, actions[0].id).done_on is not None  # type: ignore[union-attr]
    later = text(client.get(f"/funds/{web.fund_id}/monitoring?as_of=1404/03/05"))
    assert "تماس با اعضای غایب" not in later and "شمارش دوبارهٔ صندوق" in later


def test_a_visit_without_a_day_is_refused_and_nothing_is_saved(
    web: Web, client: FlaskClient, session: Session
) -> None:
    login(client, Role.FACILITATOR)
    response = visit(client, web.fund_id, visited_on="1404/13/40")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "تاریخ بازدید" in text(response)  # the message names the field
    assert session.scalars(select(FundVisit)).first() is None


def test_only_facilitators_and_the_administrator_record_visits(
    web: Web, client: FlaskClient
) -> None:
    for role in (Role.TREASURER, Role.VIEWER, Role.MEMBER):
        login(client, role)
        assert client.get(f"/funds/{web.fund_id}/visits/new").status_code == 403
