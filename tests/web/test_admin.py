"""The administrator's user screens: create, edit, assign funds, reset passwords; mistakes shown."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.web.conftest import PASSWORD, Web, login, post, text
from web.auth.models import FacilitatorAssignment, Role, User


def user_named(session: Session, username: str) -> User | None:
    session.expire_all()
    return session.scalar(select(User).where(User.username == username))


def test_the_users_page_lists_everyone_with_role_and_funds(web: Web, client: FlaskClient) -> None:
    login(client, Role.ADMIN)
    html = text(client.get("/admin/users"))
    for role in Role:
        assert f"<bdi>{role.value}</bdi>" in html
    assert "تسهیلگر" in html and "صندوق آزمون" in html


def test_creating_a_treasurer(web: Web, client: FlaskClient, session: Session) -> None:
    login(client, Role.ADMIN)
    form = {"username": "zahra", "password": "long-password-1", "role": "treasurer"}
    form |= {"locale": "fa", "fund_id": str(web.other.fund_id), "member_id": "", "active": "y"}
    response = post(client, "/admin/users/new", form)
    assert response.status_code == 302
    user = user_named(session, "zahra")
    assert user is not None and user.role == "treasurer" and user.fund_id == web.other.fund_id
    assert user.check_password("long-password-1")
    login(client, "zahra", "long-password-1")
    assert client.get(f"/funds/{web.other.fund_id}").status_code == 200
    assert client.get(f"/funds/{web.fund_id}").status_code == 404


def test_mistakes_are_shown_next_to_their_fields_the_input_kept_and_nothing_saved(
    web: Web, client: FlaskClient, session: Session
) -> None:
    login(client, Role.ADMIN)
    form = {"username": "member", "password": "short", "role": "treasurer", "locale": "fa"}
    response = post(client, "/admin/users/new", form)
    html = text(response)
    assert response.status_code == 200
    assert "دست‌کم ۱۰ نویسه." in html
    form["password"] = "long enough password"
    html = text(post(client, "/admin/users/new", form))
    assert "این نام کاربری پیش‌تر گرفته شده است." in html
    assert "صندوق‌دار باید صندوقش را داشته باشد." in html
    assert 'value="member"' in html
    form |= {"username": "new-member", "role": "member"}
    html = text(post(client, "/admin/users/new", form))
    assert "حساب یک عضو باید به پرونده‌ی عضویت او وصل باشد." in html
    assert user_named(session, "new-member") is None


def test_a_member_account_takes_its_fund_from_the_member(
    web: Web, client: FlaskClient, session: Session
) -> None:
    login(client, Role.ADMIN)
    target = web.other.members[1]
    form = {"username": "maryam", "password": "long-password-2", "role": "member", "locale": "en"}
    form |= {"member_id": str(target.id), "fund_id": str(web.fund_id), "active": "y"}
    assert post(client, "/admin/users/new", form).status_code == 302
    user = user_named(session, "maryam")
    assert user is not None
    assert (user.member_id, user.fund_id, user.locale) == (target.id, web.other.fund_id, "en")


def test_editing_a_user_into_a_facilitator_of_two_funds(
    web: Web, client: FlaskClient, session: Session
) -> None:
    login(client, Role.ADMIN)
    viewer = web.users[Role.VIEWER]
    form = {"username": "viewer", "role": "facilitator", "locale": "fa", "active": "y"}
    assigned = [("assignments", str(web.fund_id)), ("assignments", str(web.other.fund_id))]
    data = [*form.items(), *assigned]
    from werkzeug.datastructures import MultiDict

    from tests.web.conftest import csrf_token

    payload = MultiDict([*data, ("csrf_token", csrf_token(client))])
    assert client.post(f"/admin/users/{viewer.id}", data=payload).status_code == 302
    session.expire_all()
    funds = session.scalars(
        select(FacilitatorAssignment.fund_id).where(FacilitatorAssignment.user_id == viewer.id)
    ).all()
    assert sorted(funds) == sorted([web.fund_id, web.other.fund_id])
    assert session.get(User, viewer.id).role == "facilitator"  # type: ignore[union-attr]


def test_deactivating_a_user_logs_her_out_for_good(
    web: Web, client: FlaskClient, session: Session
) -> None:
    login(client, Role.ADMIN)
    treasurer = web.users[Role.TREASURER]
    form = {"username": "treasurer", "role": "treasurer", "locale": "fa"}
    form |= {"fund_id": str(web.fund_id)}  # "active" unticked
    assert post(client, f"/admin/users/{treasurer.id}", form).status_code == 302
    post(client, "/logout")
    response = post(client, "/login", {"username": "treasurer", "password": PASSWORD})
    assert "غیرفعال" in text(response)


def test_the_admin_cannot_remove_her_own_access(web: Web, client: FlaskClient) -> None:
    login(client, Role.ADMIN)
    admin = web.users[Role.ADMIN]
    form = {"username": "admin", "role": "viewer", "locale": "fa", "active": "y"}
    html = text(post(client, f"/admin/users/{admin.id}", form))
    assert "نمی‌توانید دسترسی مدیریت خودتان را بردارید." in html


def test_resetting_a_password_unlocks_the_account(
    web: Web, client: FlaskClient, session: Session
) -> None:
    member = web.users[Role.MEMBER]
    for _ in range(5):
        post(client, "/login", {"username": "member", "password": "wrong"})
    login(client, Role.ADMIN)
    too_short = post(client, f"/admin/users/{member.id}/password", {"reset-password": "x"})
    assert too_short.status_code == 400 and "دست‌کم ۱۰ نویسه." in text(too_short)
    response = post(
        client, f"/admin/users/{member.id}/password", {"reset-password": "fresh-pass-99"}
    )
    assert response.status_code == 302
    login(client, Role.MEMBER, "fresh-pass-99")
