"""Error pages in the user's language, and domain errors placed on forms."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from wtforms import StringField

from groups.savings.errors import SavingsError
from tests.web.conftest import Web, login, text
from web.auth.models import Role
from web.errors import domain_message, form_error


class SharesTooMany(SavingsError):
    """Raised in this test."""

    code = "test_shares"
    message_fa = "بیش از سقف سهم."


class Form(FlaskForm):  # type: ignore[misc]
    shares = StringField("Shares")

    class Meta:
        csrf = False


def test_a_domain_error_goes_next_to_its_field_or_at_the_top(app: Flask) -> None:
    with app.test_request_context("/"):
        form = Form(formdata=MultiDict({"shares": "9"}))
        form_error(form, SharesTooMany("Too many shares"), field="shares")
        assert form.shares.errors == ["بیش از سقف سهم."]
        assert form.shares.data == "9"  # what she typed stays
        error = SharesTooMany("Too many shares")
        error.field = "nowhere"  # type: ignore[attr-defined]
        form_error(form, error)
        assert form.form_errors == ["بیش از سقف سهم."]


def test_the_english_message_is_the_errors_own_text(app: Flask) -> None:
    with app.test_request_context("/"):
        from flask import session
        from flask_babel import refresh

        session["locale"] = "en"
        refresh()  # Flask-Babel caches the locale of the (test's shared) context
        assert domain_message(SharesTooMany("Too many shares: 6 > 5")) == "Too many shares: 6 > 5"


def test_a_forbidden_page_is_friendly_in_english_too(
    web: Web, client: FlaskClient, session: Session
) -> None:
    web.users[Role.VIEWER].locale = "en"
    session.flush()
    login(client, Role.VIEWER)
    response = client.get("/admin/users")
    assert response.status_code == 403
    html = text(response)
    assert "Not allowed" in html and '<html lang="en" dir="ltr">' in html
    assert "Traceback" not in html


def test_a_missing_page_is_a_friendly_404(web: Web, client: FlaskClient) -> None:
    login(client, Role.ADMIN)
    response = client.get(f"/funds/{web.fund_id}/loans/999999")
    assert response.status_code == 404
    assert "این صفحه پیدا نشد." in text(response)
