"""The programme report screen: figures for a period and an area, PDF and XLSX downloads.

The period is typed in Jalali dates (default: from 1 Farvardin of this year to
today); the area is any of county, district, village. The downloads take the
same query string as the screen.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from groups import calendar
from groups.beneficiaries.programme import Area, ProgrammeFigures, programme_figures
from reports.programme import KINDS, programme_document
from web.access import roles_required
from web.extensions import db
from web.fields import JalaliDateField
from web.funds.views import today
from web.register.routes import bp
from web.register.scope import STAFF

MIMETYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


class PeriodForm(FlaskForm):  # type: ignore[misc]
    """A period and an area, read from the query string."""

    class Meta:
        csrf = False

    start = JalaliDateField(_l("From"), validators=[Optional()])
    end = JalaliDateField(_l("To"), validators=[Optional()])
    county = StringField(_l("County"), validators=[Optional(), Length(max=100)])
    district = StringField(_l("District"), validators=[Optional(), Length(max=100)])
    village = StringField(_l("Village"), validators=[Optional(), Length(max=100)])

    def period(self) -> tuple[date, date]:
        """Return the period typed, or this Jalali year up to today."""
        end = self.end.data or today()
        start = self.start.data or calendar.from_jalali(calendar.to_jalali(end)[0], 1, 1)
        return start, end

    def area(self) -> Area:
        """Return the area typed (empty parts mean everywhere)."""
        return Area(
            (self.county.data or "").strip() or None,
            (self.district.data or "").strip() or None,
            (self.village.data or "").strip() or None,
        )


def _figures() -> tuple[PeriodForm, ProgrammeFigures | None]:
    form = PeriodForm(request.args)
    if request.args and not form.validate():
        return form, None
    start, end = form.period()
    if end < start:
        form.end.errors = [_l("The period ends before it starts.")]
        return form, None
    return form, programme_figures(db.session(), start, end, form.area())


@bp.get("/report")
@roles_required(*STAFF)
def report() -> Any:
    """The programme's figures on screen, with links to the PDF and the XLSX."""
    form, figures = _figures()
    if figures is not None and not request.args:
        form.start.data, form.end.data = figures.start, figures.end
    html = render_template("register/report.html", form=form, figures=figures, kinds=KINDS)
    return html, 200 if figures is not None else 422


def _day(day: date) -> str:
    """Return a Jalali date for a file name (Latin digits, dashes)."""
    return "{:04d}-{:02d}-{:02d}".format(*calendar.to_jalali(day))


@bp.get("/report.<any(pdf, xlsx, csv):fmt>")
@roles_required(*STAFF)
def report_download(fmt: str) -> Any:
    """The programme report as a Persian PDF, an XLSX workbook or CSV."""
    form, figures = _figures()
    if figures is None:
        return render_template("register/report.html", form=form, figures=None, kinds=KINDS), 422
    name = f"programme-{_day(figures.start)}-{_day(figures.end)}"
    return Response(
        programme_document(figures, fmt),
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )
