"""Share-out and the next cycle, a new fund, opening balances from paper, members and roles,
fund books in and out — each form with valid and invalid input (nothing saved when refused)."""

from __future__ import annotations

import io
import json
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groups.savings.models import Cycle, Meeting, Member, SavingsFund, ShareOut
from ledger import balances
from ledger.models import Entry, Fund
from tests.web.conftest import Web, login, post, text
from web.auth.models import FacilitatorAssignment, Role

CONSTITUTION = {
    "started_on": "۱۴۰۴/۰۱/۰۴",
    "share_price": "50,000",
    "min_shares": "1",
    "max_shares": "5",
    "social_contribution": "5000",
    "frequency": "weekly",
    "meeting_day": "0",
    "loan_multiple": "3",
    "max_term_months": "3",
    "charge_method": "flat_monthly",
    "charge_rate": "2",
    "fine_late": "5000",
    "fine_absent": "10000",
    "share_out_method": "proportional",
}


def count(session: Session, model: Any, *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def share_out_form(client: FlaskClient, web: Web) -> dict[str, str]:
    html = text(client.get(f"/funds/{web.fund_id}/share-out"))
    key = html.split('name="idempotency_key" value="')[1].split('"')[0]
    date = html.split('name="date" id="date" value="')[1].split('"')[0]
    return {"idempotency_key": key, "date": date}


def test_a_share_out_refused_shows_why_then_with_the_loan_written_off_it_is_frozen(
    client: FlaskClient, web: Web, session: Session
) -> None:
    login(client, Role.TREASURER)
    values = share_out_form(client, web)
    url = f"/funds/{web.fund_id}/share-out"
    entries = count(session, Entry, Entry.fund_id == web.fund_id)
    refused = post(client, url, {**values, "step": "confirm"})  # آمنه owes more than her share
    assert refused.status_code == 422 and "وام تسویه‌نشده" in text(refused)
    assert count(session, Entry, Entry.fund_id == web.fund_id) == entries

    values[f"writeoff-{web.loan.id}"] = "1"
    preview = post(client, url, {**values, "step": "preview"})
    assert preview.status_code == 200
    assert all(m.name in text(preview) for m in web.fund.members)
    done = post(client, url, {**values, "step": "confirm"})
    assert done.status_code == 302
    again = post(client, url, {**values, "step": "confirm"})  # a double submit: nothing new
    assert again.status_code == 302 and again.headers["Location"] == done.headers["Location"]
    assert count(session, ShareOut) == 1
    result = client.get(done.headers["Location"])
    assert result.status_code == 200 and "بتول" in text(result)
    assert web.fund.cash() == 0  # all of the loan fund paid out

    bad = post(client, f"/funds/{web.fund_id}/cycles/new", {**CONSTITUTION, "min_shares": "9"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in text(bad)
    assert count(session, Cycle, Cycle.fund_id == web.fund_id) == 1
    early = post(client, f"/funds/{web.fund_id}/cycles/new", CONSTITUTION)  # before the share-out
    assert early.status_code == 422 and "پیش از تاریخ تقسیم سود" in text(early)
    assert count(session, Cycle, Cycle.fund_id == web.fund_id) == 1
    on_the_day = {**CONSTITUTION, "started_on": values["date"]}
    started = post(client, f"/funds/{web.fund_id}/cycles/new", on_the_day)
    assert started.status_code == 302
    assert count(session, Cycle, Cycle.fund_id == web.fund_id, Cycle.status == "open") == 1


def test_a_facilitator_starts_a_fund_and_is_assigned_to_it(
    client: FlaskClient, web: Web, session: Session
) -> None:
    login(client, Role.FACILITATOR)
    funds = count(session, Fund)
    bad = post(
        client,
        "/funds/new",
        {
            **CONSTITUTION,
            "name": "صندوق تازه",
            "members": "الف\nب",
            "display_unit": "toman",
            "max_shares": "0",
        },
    )
    assert bad.status_code == 422 and count(session, Fund) == funds
    data = {**CONSTITUTION, "name": "صندوق تازه", "members": "الف\nب\n", "display_unit": "toman"}
    made = post(client, "/funds/new", data)
    assert made.status_code == 302
    fund = session.scalars(select(SavingsFund).order_by(SavingsFund.fund_id.desc())).first()
    assert fund is not None and fund.display_unit == "toman"
    assert count(session, Member, Member.fund_id == fund.fund_id) == 2
    facilitator = web.users[Role.FACILITATOR]
    assert count(
        session,
        FacilitatorAssignment,
        FacilitatorAssignment.user_id == facilitator.id,
        FacilitatorAssignment.fund_id == fund.fund_id,
    )
    cycle = session.scalars(select(Cycle).where(Cycle.fund_id == fund.fund_id)).one()
    assert cycle.constitution["share_price"] == 500_000  # 50,000 toman
    assert client.get(f"/funds/{fund.fund_id}").status_code == 200


def new_fund(client: FlaskClient, session: Session) -> tuple[int, list[Member]]:
    data = {
        **CONSTITUTION,
        "name": "صندوق دفتری",
        "members": "نرگس\nپروین\n",
        "display_unit": "rial",
    }
    assert post(client, "/funds/new", data).status_code == 302
    fund_id = session.scalars(
        select(SavingsFund.fund_id).order_by(SavingsFund.fund_id.desc())
    ).first()
    assert fund_id is not None
    members = list(
        session.scalars(select(Member).where(Member.fund_id == fund_id).order_by(Member.number))
    )
    return fund_id, members


def test_a_fund_moves_in_from_its_paper_notebook(
    client: FlaskClient, web: Web, session: Session
) -> None:
    login(client, Role.ADMIN)
    fund_id, (narges, parvin) = new_fund(client, session)
    url = f"/funds/{fund_id}/opening"
    html = text(client.get(url))
    key = html.split('name="idempotency_key" value="')[1].split('"')[0]
    values = {
        "idempotency_key": key,
        "date": "۱۴۰۴/۰۳/۰۱",
        f"m-{narges.id}-shares": "10",
        f"m-{parvin.id}-shares": "۸",
        "loan-0-borrower": str(parvin.id),
        "loan-0-amount": "300,000",
        "loan-0-term": "2",
        "loan-0-disbursed": "1404/02/01",
        "loan-0-g-0": str(narges.id),
        "loan-0-p-0": "100000",
        "cash": "abc",
        "social": "40000",
    }
    refused = post(client, url, values)
    assert refused.status_code == 422 and 'id="cash-error"' in text(refused)
    assert 'value="300,000"' in text(refused)  # kept
    assert count(session, Meeting, Meeting.fund_id == fund_id) == 0
    done = post(client, url, {**values, "cash": "600000"})
    assert done.status_code == 302
    opening = session.scalars(select(Meeting).where(Meeting.fund_id == fund_id)).one()
    assert opening.kind == "opening" and opening.cash_expected == 640_000
    assert balances.trial_balance(session, fund_id).is_balanced
    twice = post(client, url, {**values, "cash": "600000", "idempotency_key": "other"})
    assert twice.status_code == 422  # a second notebook: refused, nothing posted
    assert count(session, Meeting, Meeting.fund_id == fund_id) == 1


def test_members_are_added_once_and_given_committee_roles(
    client: FlaskClient, web: Web, session: Session
) -> None:
    login(client, Role.TREASURER)
    url = f"/funds/{web.fund_id}/members/new"
    added = post(client, url, {"name": "سمیه", "joined_on": "1404/02/01"})
    assert added.status_code == 302
    twice = post(client, url, {"name": "سمیه", "joined_on": "1404/02/01"})
    assert twice.status_code == 422 and "سمیه" in text(twice)
    assert count(session, Member, Member.fund_id == web.fund_id, Member.name == "سمیه") == 1
    member = web.fund.members[1]
    roles = post(client, f"/funds/{web.fund_id}/members/{member.id}/roles", {"roles": ["chair"]})
    assert roles.status_code == 302
    session.refresh(member)
    assert member.roles == "chair"


def test_a_fund_book_goes_out_and_comes_back_in_all_or_nothing(
    client: FlaskClient, web: Web, session: Session
) -> None:
    login(client, Role.ADMIN)
    exported = client.get(f"/funds/{web.fund_id}/book.json")
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    book = json.loads(exported.get_data(as_text=True))
    funds = count(session, Fund)

    broken = json.loads(json.dumps(book))
    broken["cycles"][0]["meetings"][1]["lines"][0]["shares"] = 9  # above the constitution's 5
    refused = post(
        client,
        "/funds/import",
        {"book": (io.BytesIO(json.dumps(broken).encode()), "book.json")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and "چیزی وارد نشد" in text(refused)
    assert count(session, Fund) == funds

    again = post(
        client,
        "/funds/import",
        {"book": (io.BytesIO(exported.get_data()), "book.json")},
        content_type="multipart/form-data",
    )
    assert again.status_code == 422 and "این دفتر صندوق پیش‌تر وارد شده است" in text(again)
    assert count(session, Fund) == funds

    imported = post(
        client,
        "/funds/import",
        {"book": (io.BytesIO(exported.get_data()), "book.json"), "as_new": "y"},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302
    new_id = int(imported.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    old_tb = balances.trial_balance(session, web.fund_id)
    new_tb = balances.trial_balance(session, new_id)
    assert (new_tb.total_debit, new_tb.total_credit) == (old_tb.total_debit, old_tb.total_credit)
