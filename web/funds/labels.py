"""Names shown for stored codes (statuses, attendance, roles, constitution keys), translated."""

from __future__ import annotations

from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l

from web.formatting import current_locale, persian_digits

LABELS: dict[str, dict[str, object]] = {
    "loan": {
        "active": _l("active"),
        "in_arrears": _l("in arrears"),
        "repaid": _l("repaid"),
        "written_off": _l("written off"),
        "penalty": _l("penalty"),
    },
    "attendance": {
        "present": _l("present"),
        "late": _l("late"),
        "absent": _l("absent"),
        "represented": _l("represented"),
    },
    "meeting": {
        "regular": _l("regular"),
        "opening": _l("opening balances"),
        "share_out": _l("share-out"),
        "closed": _l("recorded"),
        "reopened": _l("reopened"),
    },
    "member": {"active": _l("active"), "left": _l("left")},
    "role": {
        "admin": _l("administrator"),
        "facilitator": _l("facilitator"),
        "treasurer": _l("treasurer"),
        "member": _l("member"),
        "viewer": _l("viewer"),
    },
    "unit": {"rial": _l("rial"), "toman": _l("toman")},
    "frequency": {
        "weekly": _l("weekly"),
        "fortnightly": _l("fortnightly"),
        "monthly": _l("monthly"),
        "jalali_monthly": _l("monthly (Jalali month)"),
    },
    "charge": {
        "flat_monthly": _l("flat, per month"),
        "declining_monthly": _l("on the declining balance, per month"),
        "annuity": _l("equal instalments on the declining balance"),
        "upfront_fee": _l("upfront fee"),
        "none": _l("no charge"),
    },
    "cycle": {"open": _l("open"), "shared_out": _l("shared out")},
}


def label(kind: str, value: object) -> object:
    """Return the translated name of a stored code, or the code itself when unknown."""
    return LABELS.get(kind, {}).get(str(value), str(value))


def endpoint_exists(name: str) -> bool:
    """Return whether the app has this endpoint (pages that part of the app may not have yet)."""
    return name in current_app.view_functions


def percent(rate: object) -> str:
    """Write a rate ("0.05") as a percentage (۵٪ in Persian, 5% in English)."""
    value = (Decimal(str(rate)) * 100).normalize()
    text = f"{value:f}"
    if current_locale() == "fa":
        return persian_digits(text.replace(".", "٫")) + "٪"
    return text + "%"
