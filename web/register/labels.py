"""Names shown for the register's questions and codes, in the page's language.

The questionnaire's labels come from ``groups.beneficiaries.fields`` (each field
knows its Persian and English label, and the Persian words of its choices), so
they are not repeated in the catalogs; the codes of services, needs, courses and
placements are translated here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from groups.beneficiaries.fields import BY_NAME
from web.formatting import comma, current_locale, jalali, money, persian_digits

REGISTER_LABELS: dict[str, dict[str, Any]] = {
    "need": {
        "life_skills": _l("life skills"),
        "vocational": _l("vocational training"),
        "finance": _l("finance (a fund, a loan)"),
        "counselling": _l("counselling"),
        "employment": _l("employment"),
    },
    "service": {
        "counselling": _l("counselling"),
        "legal": _l("legal advice"),
        "health": _l("health"),
        "psychological": _l("psychological support"),
        "referral": _l("referral"),
        "other": _l("other"),
    },
    "course": {
        "life_skills": _l("life skills"),
        "vocational": _l("vocational"),
        "fund_members": _l("fund management (members)"),
        "fund_facilitators": _l("fund management (facilitators)"),
    },
    "trainee": {
        "woman": _l("woman of the register"),
        "fund_member": _l("fund member"),
        "facilitator": _l("facilitator"),
    },
    "placement": {"employment": _l("employment"), "self_employment": _l("self-employment")},
    "employer": {"workshop": _l("workshop"), "employer": _l("employer")},
    "pair": {
        "proposed": _l("proposed"),
        "review": _l("to review"),
        "merged": _l("merged"),
        "rejected": _l("rejected"),
    },
    "evidence": {
        "national_id": _l("national ID"),
        "birth_date": _l("birth date"),
        "father_name": _l("father's name"),
        "phone": _l("phone"),
        "village": _l("village"),
    },
}


def register_label(kind: str, value: object) -> Any:
    """Return the translated name of a register code, or the code itself when unknown."""
    return REGISTER_LABELS.get(kind, {}).get(str(value), str(value))


def question(name: str) -> str:
    """Return a question's label in the page's language."""
    spec = BY_NAME[name]
    return spec.label_fa if current_locale() == "fa" else spec.label_en


def lazy_question(name: str) -> LazyString:
    """Return a question's label, chosen when it is shown (form labels are built once)."""
    return LazyString(question, name)


def choice(name: str, code: str) -> str:
    """Return the name of a choice's code: its first Persian word, or the code in English."""
    words = BY_NAME[name].choices.get(code)
    if current_locale() == "fa" and words:
        return words[0]
    return code.replace("_", " ")


def shown(name: str, value: object) -> Markup:
    """Return a record's value of a question as the page shows it (HTML-escaped)."""
    if value is None or value == "":
        return Markup("")
    kind = BY_NAME[name].kind
    if kind == "choice":
        return escape(choice(name, str(value)))
    if kind == "bool":
        return escape(_l("yes") if value in (True, "1") else _l("no"))
    if kind == "date":
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        return escape(jalali(day))
    if kind == "money":
        return escape(money(int(str(value))))
    if kind == "int":
        return escape(persian_digits(value))
    if kind in ("national_id", "phone"):
        return Markup('<bdi dir="ltr">{}</bdi>').format(persian_digits(value))
    if kind == "list":
        return escape(comma().join(str(value).split(";")))
    return escape(str(value))
