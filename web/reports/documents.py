"""Document views: a member's statement, minutes, share-out, loan schedule, financial statements.

Each view builds its document with the ``reports`` function and either shows it
(``reports/document.html``: the same tables in the user's language) or, with a
format in the URL (``….pdf``, ``….csv``, ``….xlsx``), sends the file. Access is
the fund's: ``visible_fund``/``visible_member`` (404 for what the user may not
see), and a member reaches only her own statement and loans.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from groups.locale import parse_jalali, to_jalali
from groups.savings.models import Cycle, Loan, Meeting, ShareOut
from reports import render
from reports.document import Document
from web.access import Role, roles_required, visible_fund, visible_member
from web.extensions import db
from web.funds.labels import endpoint_exists
from web.funds.routes import FUND_READERS
from web.reports.blueprint import bp
from web.reports.cells import cell_text, title_of
from web.reports.download import FORMATS, attachment

bp.add_app_template_filter(cell_text, "report_cell")
bp.add_app_template_global(title_of, "report_title")

FORMAT = "<any(" + ",".join(FORMATS) + "):fmt>"


def typed_day(name: str) -> tuple[date | None, str | None]:
    """Return the Jalali date typed in the query argument, or the message saying what is wrong."""
    text = request.args.get(name, "").strip()
    if not text:
        return None, None
    try:
        return parse_jalali(text), None
    except ValueError:
        return None, _("Write a Jalali date like 1403/05/12.")


def period() -> tuple[date | None, date | None, list[str]]:
    """Return the period asked for (``from``, ``to``) and what is wrong with it."""
    start, start_error = typed_day("from")
    end, end_error = typed_day("to")
    errors = [e for e in (start_error, end_error) if e]
    if start and end and start > end:
        errors.append(_("The first day is after the last day."))
        start = end = None
    return start, end, errors


def file_links(query: dict[str, str]) -> dict[str, str]:
    """Return this view's URL in each file format, keeping the period."""
    assert request.endpoint is not None and request.view_args is not None
    values = {k: v for k, v in request.view_args.items() if k != "fmt"}
    return {fmt: url_for(request.endpoint, **{**values, "fmt": fmt, **query}) for fmt in FORMATS}


def show(
    build: Callable[[], Document],
    fmt: str | None,
    file_name: tuple[str, str],
    back: tuple[str, str],
    dates: tuple[date | None, date | None, list[str]] | None = None,
) -> ResponseReturnValue:
    """Show the document, or send it as a file: (Persian name, ASCII name) without extension."""
    start, end, errors = dates or (None, None, [])
    if fmt is not None and errors:
        abort(400)
    document = build()
    if fmt is not None:
        return attachment(render.render(document, fmt), fmt, *file_name)
    query = {k: to_jalali(v, persian=False) for k, v in (("from", start), ("to", end)) if v}
    return render_template(
        "reports/document.html",
        document=document,
        links=file_links(query),
        back=back,
        period_form=dates is not None,
        errors=errors,
        start=start,
        end=end,
    )


def _day_name(day: date | None) -> str:
    return to_jalali(day, persian=False).replace("/", "-") if day else ""


@bp.get("/funds/<int:fund_id>/members/<int:member_id>/statement")
@bp.get(f"/funds/<int:fund_id>/members/<int:member_id>/statement.{FORMAT}")
@roles_required(*Role)
def statement(fund_id: int, member_id: int, fmt: str | None = None) -> ResponseReturnValue:
    """A member's statement for a period (default: the cycle so far); a member sees her own."""
    from reports.statement import member_statement

    fund = visible_fund(fund_id)
    member = visible_member(fund_id, member_id)
    dates = period()
    stem = " - ".join(
        p for p in ("صورت‌حساب", member.name, fund.fund.name, _day_name(dates[1])) if p
    )
    return show(
        lambda: member_statement(db.session(), fund_id, member_id, dates[0], dates[1]),
        fmt,
        (stem, f"statement-{fund_id}-{member.number}"),
        (url_for("funds.member", fund_id=fund_id, member_id=member_id), member.name),
        dates,
    )


@bp.get("/funds/<int:fund_id>/meetings/<int:meeting_id>/minutes")
@bp.get(f"/funds/<int:fund_id>/meetings/<int:meeting_id>/minutes.{FORMAT}")
@roles_required(*FUND_READERS)
def minutes(fund_id: int, meeting_id: int, fmt: str | None = None) -> ResponseReturnValue:
    """A meeting's minutes: attendance, what was recorded, the cash, the signatures."""
    from reports.minutes import meeting_minutes

    fund = visible_fund(fund_id)
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.fund_id != fund_id:
        abort(404)
    stem = f"صورت‌جلسه - {fund.fund.name} - {_day_name(meeting.date)}"
    return show(
        lambda: meeting_minutes(db.session(), fund_id, meeting_id),
        fmt,
        (stem, f"minutes-{fund_id}-{meeting.number}"),
        (url_for("meetings.show", fund_id=fund_id, meeting_id=meeting_id), _("The meeting")),
    )


@bp.get("/funds/<int:fund_id>/cycles/<int:cycle_id>/share-out/report")
@bp.get(f"/funds/<int:fund_id>/cycles/<int:cycle_id>/share-out/report.{FORMAT}")
@roles_required(*FUND_READERS)
def share_out(fund_id: int, cycle_id: int, fmt: str | None = None) -> ResponseReturnValue:
    """A cycle's agreed share-out; for the open cycle, a preview as of its last meeting."""
    from reports.shareout import share_out_report

    fund = visible_fund(fund_id)
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or cycle.fund_id != fund_id:
        abort(404)
    agreed = db.session.scalars(select(ShareOut.id).where(ShareOut.cycle_id == cycle_id)).first()
    if agreed is None and cycle.status != "open":
        abort(404)  # a closed cycle without a share-out has nothing to show
    stem = f"تقسیم سود - {fund.fund.name} - دوره {cycle.number}"
    return show(
        lambda: share_out_report(db.session(), fund_id, cycle_id if agreed else None),
        fmt,
        (stem, f"share-out-{fund_id}-cycle-{cycle.number}"),
        _share_out_back(fund_id, cycle_id, agreed is not None),
    )


def _share_out_back(fund_id: int, cycle_id: int, agreed: bool) -> tuple[str, str]:
    if agreed and endpoint_exists("shareout.result"):
        return url_for("shareout.result", fund_id=fund_id, cycle_id=cycle_id), _("Share-out")
    return url_for("funds.fund", fund_id=fund_id), _("The fund")


@bp.get("/funds/<int:fund_id>/loans/<int:loan_id>/schedule")
@bp.get(f"/funds/<int:fund_id>/loans/<int:loan_id>/schedule.{FORMAT}")
@roles_required(*Role)
def loan_schedule(fund_id: int, loan_id: int, fmt: str | None = None) -> ResponseReturnValue:
    """A loan's schedule with its payments and guarantors; a member sees her own loans."""
    from reports.loans import loan_schedule as build

    fund = visible_fund(fund_id)
    loan = db.session.get(Loan, loan_id)
    if loan is None or loan.fund_id != fund_id:
        abort(404)
    if current_user.role == Role.MEMBER and loan.member_id != current_user.member_id:
        abort(404)
    stem = f"جدول اقساط وام {loan.id} - {fund.fund.name}"
    return show(
        lambda: build(db.session(), fund_id, loan_id),
        fmt,
        (stem, f"loan-{fund_id}-{loan.id}"),
        (url_for("funds.loan", fund_id=fund_id, loan_id=loan_id), _("The loan")),
    )


@bp.get("/funds/<int:fund_id>/financials")
@bp.get(f"/funds/<int:fund_id>/financials.{FORMAT}")
@roles_required(*FUND_READERS)
def financials(fund_id: int, fmt: str | None = None) -> ResponseReturnValue:
    """The fund's trial balance, balance sheet and income statement for a period."""
    from reports.financials import financial_statements

    fund = visible_fund(fund_id)
    dates = period()
    stem = " - ".join(p for p in ("صورت‌های مالی", fund.fund.name, _day_name(dates[1])) if p)
    return show(
        lambda: financial_statements(db.session(), fund_id, dates[0], dates[1]),
        fmt,
        (stem, f"financials-{fund_id}"),
        (url_for("funds.fund", fund_id=fund_id), fund.fund.name),
        dates,
    )
