"""De-duplication screens: the queue of likely pairs side by side, merge, reject, undo.

The queue lists pairs the matcher proposed or queued for review, best score
first, each with the two records and what agreed besides the name. A merge keeps
every fact (``groups.beneficiaries.dedup.merge``) and is listed with an undo
button; undoing moves back exactly what the merge moved.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from groups.beneficiaries.dedup import decide, find_duplicates, undo_merge
from groups.beneficiaries.models import Beneficiary, MatchCandidate, Merge
from ledger.errors import DomainError
from web.access import roles_required, user
from web.errors import domain_message
from web.extensions import db
from web.formatting import persian_digits
from web.register.routes import bp
from web.register.scope import STAFF
from web.routing import query_id

OPEN = ("proposed", "review")
PAGE_SIZE = 30


@bp.get("/duplicates")
@roles_required(*STAFF)
def duplicates() -> str:
    """The pairs waiting for a decision, side by side."""
    session = db.session()
    number = max(request.args.get("page", 1, type=query_id) or 1, 1)
    waiting = select(MatchCandidate).where(MatchCandidate.status.in_(OPEN))
    total = session.scalar(select(func.count()).select_from(waiting.subquery())) or 0
    pairs = session.scalars(
        waiting.order_by(MatchCandidate.score.desc(), MatchCandidate.id)
        .offset((number - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    ids = {i for pair in pairs for i in (pair.first_id, pair.second_id)}
    women = {w.id: w for w in session.scalars(select(Beneficiary).where(Beneficiary.id.in_(ids)))}
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template(
        "register/duplicates.html", pairs=pairs, women=women, total=total, page=number, pages=pages
    )


@bp.post("/duplicates/find")
@roles_required(*STAFF)
def find() -> Any:
    """Look for likely pairs among the active records and queue the new ones."""
    result = find_duplicates(db.session())
    db.session.commit()
    flash(
        _(
            "%(records)s records compared: %(proposed)s new pairs proposed, "
            "%(review)s queued for review.",
            records=persian_digits(result.records),
            proposed=persian_digits(result.proposed),
            review=persian_digits(result.review),
        ),
        "success",
    )
    return redirect(url_for("register.duplicates"))


@bp.post("/duplicates/<int:candidate_id>")
@roles_required(*STAFF)
def decide_pair(candidate_id: int) -> Any:
    """Merge a pair (the older record keeps the other's facts) or say they are two women."""
    action = request.form.get("action")
    if action not in ("merge", "reject"):
        flash(_("Choose merge or two different women."), "error")
        return redirect(url_for("register.duplicates")), 303
    session = db.session()
    try:
        done = decide(session, candidate_id, action == "merge", user().username)
    except DomainError as error:
        session.rollback()
        flash(domain_message(error), "error")
        return redirect(url_for("register.duplicates")), 303
    session.commit()
    if done is None:
        flash(_("Kept apart: they are two different women."), "success")
    else:
        flash(_("Merged. Every fact was kept; the merge can be undone."), "success")
    return redirect(url_for("register.duplicates")), 303


@bp.get("/merges")
@roles_required(*STAFF)
def merges() -> str:
    """The latest merges, with an undo button for those not undone."""
    session = db.session()
    rows = session.scalars(select(Merge).order_by(Merge.id.desc()).limit(100)).all()
    ids = {i for merge in rows for i in (merge.survivor_id, merge.merged_id)}
    women = {w.id: w for w in session.scalars(select(Beneficiary).where(Beneficiary.id.in_(ids)))}
    return render_template("register/merges.html", merges=rows, women=women)


@bp.post("/merges/<int:merge_id>/undo")
@roles_required(*STAFF)
def undo(merge_id: int) -> Any:
    """Undo a merge: both records come back with exactly their own facts."""
    session = db.session()
    try:
        undo_merge(session, merge_id, user().username)
    except DomainError as error:
        session.rollback()
        flash(domain_message(error), "error")
    else:
        session.commit()
        flash(_("The merge was undone; the pair is back in the review queue."), "success")
    return redirect(url_for("register.merges")), 303
