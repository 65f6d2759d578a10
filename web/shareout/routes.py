"""Share-out screens: a preview per member (choose loans to write off and what each member
re-invests), the confirmation that posts and freezes it, the frozen result, the next cycle.

The preview is ``preview_share_out``; confirming is ``confirm_share_out`` with an
idempotency key carried in the form, so a second submit posts nothing new.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from groups.savings import queries
from groups.savings.funds import start_cycle
from groups.savings.models import Cycle, Meeting, Member, ShareOut, ShareOutPayout
from groups.savings.shareout import confirm_share_out, preview_share_out
from ledger.errors import DomainError
from web.access import roles_required, user, visible_fund, writable_fund
from web.errors import domain_message
from web.extensions import db
from web.formatting import jalali
from web.meetings.context import next_meeting_date
from web.meetings.routes import READERS, WRITERS, typed_date
from web.meetings.sheet import Sheet
from web.setup.forms import SHARE_OUT_METHODS, ConstitutionForm, refused

bp = Blueprint("shareout", __name__)


@bp.route("/funds/<int:fund_id>/share-out", methods=["GET", "POST"])
@roles_required(*WRITERS)
def preview(fund_id: int) -> Any:
    """Preview the share-out; step "confirm" posts it and closes the cycle."""
    fund = writable_fund(fund_id)
    session = db.session()
    done = session.scalars(
        select(Meeting).where(Meeting.idempotency_key == request.form.get("idempotency_key", ""))
    ).first()
    if request.method == "POST" and done is not None and done.fund_id == fund_id:
        flash(_("This share-out was already recorded; nothing was posted again."), "info")
        return redirect(url_for("shareout.result", fund_id=fund_id, cycle_id=done.cycle_id))
    cycle = queries.open_cycle(session, fund_id)
    loans = queries.open_loans(session, fund_id)
    members = queries.active_members(session, fund_id)
    if request.method == "GET":
        on = next_meeting_date(
            queries.constitution_of(cycle), cycle, queries.last_meeting(session, fund_id)
        )
        values = {"date": jalali(on), "idempotency_key": uuid.uuid4().hex}
        sheet = Sheet(values, fund.display_unit, [m.id for m in members])
    else:
        sheet = Sheet(request.form, fund.display_unit, [m.id for m in members])
    day = typed_date(sheet.get("date"))
    if isinstance(day, str):
        sheet.error("date", day)
        return _render(fund, cycle, loans, sheet, None)
    write_off = [loan.id for loan in loans if sheet.get(f"writeoff-{loan.id}")]
    reinvest = {m.id: sheet.amount(f"reinvest-{m.id}") for m in members}
    try:
        result = preview_share_out(session, fund_id, day, write_off)
    except DomainError as error:
        sheet.error("top", domain_message(error))
        return _render(fund, cycle, loans, sheet, None)
    if request.form.get("step") == "confirm" and sheet.ok:
        return _confirm(fund.fund_id, cycle, loans, sheet, result, day, write_off, reinvest)
    return _render(fund, cycle, loans, sheet, result)


def _confirm(
    fund_id: int,
    cycle: Cycle,
    loans: list[Any],
    sheet: Sheet,
    result: Any,
    day: date,
    write_off: list[int],
    reinvest: dict[int, int],
) -> Any:
    session = db.session()
    key = sheet.get("idempotency_key")
    if not key.isalnum():
        abort(400)
    try:
        confirm_share_out(
            session,
            fund_id,
            day,
            user().username,
            key,
            write_off=write_off,
            reinvest={m: a for m, a in reinvest.items() if a},
        )
    except DomainError as error:
        session.rollback()
        sheet.error("top", domain_message(error))
        fund = writable_fund(fund_id)
        return _render(fund, cycle, loans, sheet, result)
    session.commit()
    flash(_("The share-out was recorded; the cycle is closed."), "success")
    return redirect(url_for("shareout.result", fund_id=fund_id, cycle_id=cycle.id))


def _render(
    fund: Any, cycle: Cycle, loans: list[Any], sheet: Sheet, result: Any
) -> tuple[str, int]:
    page = render_template(
        "shareout/preview.html",
        fund=fund,
        cycle=cycle,
        loans=loans,
        sheet=sheet,
        preview=result,
        unit=fund.display_unit,
        methods=SHARE_OUT_METHODS,
        names={
            m.id: m.name
            for m in db.session.scalars(select(Member).where(Member.fund_id == fund.fund_id))
        },
    )
    return page, 200 if sheet.ok else 422


@bp.get("/funds/<int:fund_id>/cycles/<int:cycle_id>/share-out")
@roles_required(*READERS)
def result(fund_id: int, cycle_id: int) -> str:
    """The frozen share-out of a cycle."""
    fund = visible_fund(fund_id)
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or cycle.fund_id != fund_id:
        abort(404)
    share_out = db.session.scalars(select(ShareOut).where(ShareOut.cycle_id == cycle_id)).first()
    if share_out is None:  # not shared out yet: the page says so
        return render_template("shareout/result.html", fund=fund, cycle=cycle, share_out=None)
    payouts = db.session.scalars(
        select(ShareOutPayout).where(ShareOutPayout.share_out_id == share_out.id)
    ).all()
    names = dict(
        db.session.execute(select(Member.id, Member.name).where(Member.fund_id == fund_id)).all()
    )
    meeting = db.session.get(Meeting, share_out.meeting_id)
    return render_template(
        "shareout/result.html",
        fund=fund,
        cycle=cycle,
        share_out=share_out,
        payouts=payouts,
        names=names,
        meeting=meeting,
        unit=fund.display_unit,
        methods=SHARE_OUT_METHODS,
    )


@bp.route("/funds/<int:fund_id>/cycles/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def new_cycle(fund_id: int) -> Any:
    """Start the next cycle under a constitution (the last one's as a starting point)."""
    fund = writable_fund(fund_id)
    session = db.session()
    form = ConstitutionForm(unit=fund.display_unit)
    last = session.scalars(
        select(Cycle).where(Cycle.fund_id == fund_id).order_by(Cycle.number.desc()).limit(1)
    ).first()
    if request.method == "GET" and last is not None:
        form.fill_from(queries.constitution_of(last))
    if form.validate_on_submit():
        try:
            constitution = form.constitution()
            start_cycle(session, fund_id, form.starts_on(), constitution)
        except DomainError as error:
            refused(form, error)
        else:
            session.commit()
            flash(_("The new cycle has started."), "success")
            return redirect(url_for("funds.fund", fund_id=fund_id))
    failed = request.method == "POST"
    return render_template("shareout/new_cycle.html", form=form, fund=fund), 422 if failed else 200
