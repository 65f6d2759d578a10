"""Start a fund (with its first constitution and members), move in from paper (opening
balances), add members and set committee roles, import and export fund books.

Who: a new fund or an import, admin and facilitators (a facilitator is assigned
the fund she creates); the rest, those who may change the fund (writable_fund);
the export, everyone who reads the whole fund.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from groups.savings import queries
from groups.savings.commands import OpeningBalances, OpeningLoan, OpeningMember, Pledge
from groups.savings.fundbook import export_book, import_book
from groups.savings.funds import add_member, create_fund, open_from_paper, set_roles, start_cycle
from groups.savings.models import SavingsFund
from ledger.errors import DomainError
from web.access import Role, roles_required, user, visible_fund, visible_member, writable_fund
from web.auth.models import FacilitatorAssignment
from web.errors import domain_message, form_error
from web.extensions import db
from web.fundbook import dump_book, error_lines, load_book
from web.meetings.routes import READERS, WRITERS, typed_date
from web.meetings.sheet import Sheet
from web.setup.forms import ImportForm, MemberForm, NewFundForm, RolesForm, refused

bp = Blueprint("setup", __name__)

FOUNDERS = (Role.ADMIN, Role.FACILITATOR)
#: Rows of open loans offered on the opening-balances form.
OPENING_LOAN_ROWS = 3


@bp.route("/funds/new", methods=["GET", "POST"])
@roles_required(*FOUNDERS)
def new_fund() -> Any:
    """Create a fund, its first cycle and its members in one go."""
    form = NewFundForm(unit=request.form.get("display_unit", "rial"))
    if form.validate_on_submit():
        session = db.session()
        try:
            fund = _create(session, form)
        except DomainError as error:
            refused(form, error)
        else:
            session.commit()
            flash(_("The fund was created."), "success")
            return redirect(url_for("funds.fund", fund_id=fund.fund_id))
    return _page("setup/new_fund.html", form=form)


def _create(session: Any, form: NewFundForm) -> SavingsFund:
    constitution = form.constitution()
    constitution.validate()
    fund = create_fund(
        session,
        name=form.name.data.strip(),
        founded_on=form.starts_on(),
        village=form.village.data or "",
        display_unit=form.display_unit.data,
    )
    start_cycle(session, fund.fund_id, form.starts_on(), constitution)
    for name in form.members.data.splitlines():
        if name.strip():
            add_member(session, fund.fund_id, name, form.starts_on())
    me = user()
    if me.role == Role.FACILITATOR:
        session.add(FacilitatorAssignment(user_id=me.id, fund_id=fund.fund_id))
    session.flush()
    return fund


def _page(template: str, status_ok: int = 200, **values: Any) -> tuple[str, int]:
    form = values.get("form")
    failed = request.method == "POST" and form is not None and (form.errors or form.form_errors)
    return render_template(template, **values), 422 if failed else status_ok


@bp.route("/funds/<int:fund_id>/members/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def new_member(fund_id: int) -> Any:
    """Add a member to the fund."""
    fund = writable_fund(fund_id)
    form = MemberForm()
    if form.validate_on_submit():
        session = db.session()
        try:
            add_member(session, fund_id, form.name.data, form.joined(), phone=form.phone.data or "")
        except DomainError as error:
            session.rollback()
            form_error(form, error, "name")
        else:
            session.commit()
            flash(_("The member was added."), "success")
            return redirect(url_for("funds.fund", fund_id=fund_id))
    return _page("setup/member.html", form=form, fund=fund)


@bp.route("/funds/<int:fund_id>/members/<int:member_id>/roles", methods=["GET", "POST"])
@roles_required(*WRITERS)
def roles(fund_id: int, member_id: int) -> Any:
    """Set a member's committee roles."""
    fund = writable_fund(fund_id)
    member = visible_member(fund_id, member_id)
    form = RolesForm(data={"roles": [r for r in member.roles.split(",") if r]})
    if form.validate_on_submit():
        set_roles(member, tuple(form.roles.data))
        db.session.commit()
        flash(_("The roles were saved."), "success")
        return redirect(url_for("funds.member", fund_id=fund_id, member_id=member_id))
    return _page("setup/roles.html", form=form, fund=fund, member=member)


@bp.route("/funds/<int:fund_id>/opening", methods=["GET", "POST"])
@roles_required(*WRITERS)
def opening(fund_id: int) -> Any:
    """A running fund moves in from its notebook: shares to date, open loans, cash."""
    fund = writable_fund(fund_id)
    session = db.session()
    members = queries.active_members(session, fund_id)
    if request.method == "GET":
        cycle = queries.open_cycle(session, fund_id)
        values = {"date": typed_date_text(cycle.started_on), "idempotency_key": uuid.uuid4().hex}
        return _opening_page(
            fund, members, Sheet(values, fund.display_unit, [m.id for m in members])
        )
    sheet = Sheet(request.form, fund.display_unit, [m.id for m in members])
    on = typed_date(sheet.get("date"))
    if isinstance(on, str):
        sheet.error("date", on)
        return _opening_page(fund, members, sheet)
    command = _opening_command(sheet, on, [m.id for m in members])
    if sheet.ok:
        try:
            open_from_paper(session, fund_id, command, user().username)
        except DomainError as error:
            session.rollback()
            sheet.place_error(error, domain_message(error))
        else:
            session.commit()
            flash(_("The opening balances were recorded."), "success")
            return redirect(url_for("funds.fund", fund_id=fund_id))
    return _opening_page(fund, members, sheet)


def typed_date_text(day: Any) -> str:
    """Return a date as the form shows it."""
    from web.formatting import jalali

    return jalali(day)


def _opening_command(sheet: Sheet, on: Any, member_ids: list[int]) -> OpeningBalances:
    loans = []
    for i in range(OPENING_LOAN_ROWS):
        borrower = sheet.member(f"loan-{i}-borrower")
        if borrower is None:
            continue
        disbursed = typed_date(sheet.get(f"loan-{i}-disbursed"))
        if isinstance(disbursed, str):
            sheet.error(f"loan-{i}-disbursed", disbursed)
            continue
        guarantor = sheet.member(f"loan-{i}-g-0")
        pledges = (Pledge(guarantor, sheet.amount(f"loan-{i}-p-0")),) if guarantor else ()
        loans.append(
            OpeningLoan(
                borrower_id=borrower,
                principal_remaining=sheet.amount(f"loan-{i}-amount"),
                term_months_remaining=sheet.count(f"loan-{i}-term", 1),
                disbursed_on=disbursed,
                purpose=sheet.get(f"loan-{i}-purpose"),
                guarantors=pledges,
            )
        )
    return OpeningBalances(
        date=on,
        idempotency_key=sheet.get("idempotency_key") or uuid.uuid4().hex,
        members=tuple(OpeningMember(m, sheet.count(f"m-{m}-shares")) for m in member_ids),
        loans=tuple(loans),
        loan_fund_cash=sheet.amount("cash"),
        social_fund_cash=sheet.amount("social"),
    )


def _opening_page(fund: SavingsFund, members: list[Any], sheet: Sheet) -> tuple[str, int]:
    page = render_template(
        "setup/opening.html", fund=fund, members=members, sheet=sheet, rows=OPENING_LOAN_ROWS
    )
    return page, 200 if sheet.ok else 422


@bp.route("/funds/import", methods=["GET", "POST"])
@roles_required(*FOUNDERS)
def import_fund() -> Any:
    """Upload a fund book: validated, then replayed all or nothing."""
    form = ImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        session = db.session()
        try:
            book = load_book(form.book.data.read().decode("utf-8"))
            fund_id = import_book(
                session, book, actor=user().username, as_new=bool(form.as_new.data)
            )
        except ValidationError as error:
            problems = list(error_lines(error))
        except UnicodeDecodeError:
            problems = [_("The file is not UTF-8 text.")]
        except DomainError as error:
            session.rollback()
            problems = [domain_message(error)]
        else:
            if user().role == Role.FACILITATOR:
                session.add(FacilitatorAssignment(user_id=user().id, fund_id=fund_id))
            session.commit()
            flash(_("The fund book was imported."), "success")
            return redirect(url_for("funds.fund", fund_id=fund_id))
    status = 422 if problems or form.errors else 200
    return render_template("setup/import.html", form=form, problems=problems), status


@bp.get("/funds/<int:fund_id>/book.json")
@roles_required(*READERS)
def export_fund(fund_id: int) -> Response:
    """Download the fund's book (JSON), which import reads back into the same books."""
    visible_fund(fund_id)
    text = dump_book(export_book(db.session(), fund_id))
    return Response(
        text,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="fund-{fund_id}.json"'},
    )
