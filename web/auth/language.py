"""The language of a request: the user's own, else the one chosen in this session, else Persian."""

from __future__ import annotations

from flask import session
from flask_login import current_user

from web.auth.models import LOCALES

DEFAULT_LOCALE = "fa"


def select_locale() -> str:
    """Return 'fa' or 'en' for Flask-Babel."""
    if current_user and current_user.is_authenticated:
        return str(current_user.locale)
    chosen = session.get("locale")
    return chosen if chosen in LOCALES else DEFAULT_LOCALE


def text_direction() -> str:
    """Return 'rtl' for Persian pages and 'ltr' for English ones."""
    return "rtl" if select_locale() == "fa" else "ltr"
