"""The programme report as a printable document: PDF (Persian), HTML, CSV and XLSX.

The figures come from ``groups.beneficiaries.programme.programme_figures``; this
module only lays them out as one table of (figure, value) rows, grouped as the
seed's statistical report lists them, and renders it with ``reports.render``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from groups.beneficiaries.programme import ProgrammeFigures
from reports.document import Cell, Column, Heading, Table
from reports.render import render

TITLE_FA = "گزارش آماری طرح توانمندسازی زنان سرپرست خانوار"
TITLE_EN = "Programme report: empowerment of women heads of household"
KINDS = {
    "life_skills": ("مهارت‌های زندگی", "life skills"),
    "vocational": ("آموزش فنی و حرفه‌ای", "vocational"),
    "fund_members": ("مدیریت صندوق (اعضا)", "fund management, members"),
    "fund_facilitators": ("آموزش تسهیلگران", "facilitators"),
}
_COLUMNS = (
    Column("figure", "شاخص", "Figure"),
    Column("en", "شاخص (انگلیسی)", "Figure (English)"),
    Column("value", "مقدار", "Value", "count"),
)
_MONEY_COLUMNS = (_COLUMNS[0], _COLUMNS[1], Column("value", "مبلغ", "Amount", "money"))


@dataclass
class ProgrammeReport:
    """The programme's figures as a document (``reports.document.Document``)."""

    figures: ProgrammeFigures
    template: str = "programme.html"

    @property
    def heading(self) -> Heading:
        """Return the title, the area as the 'fund' line, and the period."""
        area = self.figures.area
        where = "، ".join(p for p in (area.county, area.district, area.village) if p)
        return Heading(
            TITLE_FA,
            TITLE_EN,
            where or "همه‌ی مناطق طرح",
            start=self.figures.start,
            end=self.figures.end,
        )

    def tables(self) -> Sequence[Table]:
        """Return the register, training, support and money tables."""
        f = self.figures
        register = _table(
            "register",
            "دفتر ثبت",
            "Register",
            [
                ("زنان ثبت‌شده در دوره", "women registered", f.women_registered),
                ("کل پرونده‌ها تا پایان دوره", "records at period end", f.register_size),
                ("نیازسنجی‌شده", "needs assessed", f.needs_assessed),
            ],
        )
        training = _table(
            "training",
            "آموزش",
            "Training",
            [
                row
                for kind, (fa, en) in KINDS.items()
                for row in (
                    (f"کلاس‌های {fa}", f"classes: {en}", f.classes[kind]),
                    (f"آموزش‌دیدگان {fa}", f"people trained: {en}", f.trained[kind]),
                    (f"پایان‌دوره {fa}", f"completed: {en}", f.completed[kind]),
                )
            ],
        )
        support = _table(
            "support",
            "صندوق، اشتغال و خدمات",
            "Funds, jobs and services",
            [
                ("صندوق‌های حمایت‌شده", "funds supported", f.funds_supported),
                ("جلسات آموزشی صندوق‌ها", "fund training sessions", f.fund_sessions),
                ("وام‌گیرندگان", "people who received loans", f.loans["people"]),
                ("وام‌های پرداخت‌شده", "loans paid", f.loans["loans"]),
                ("اشتغال ایجادشده (نفر)", "people placed in work", f.jobs["people"]),
                ("اشتغال در کارگاه/کارفرما", "employment placements", f.jobs["employment"]),
                ("خوداشتغالی", "self-employment", f.jobs["self_employment"]),
                (
                    "شاغل در پیگیری ۶ ماهه",
                    "working at 6-month follow-up",
                    f.jobs["working_at_6_months"],
                ),
                ("مشاوره‌گرفتگان", "people counselled", f.counselling["people"]),
                ("جلسات مشاوره", "counselling sessions", f.counselling["sessions"]),
                ("دریافت‌کنندگان کمک غیرنقدی", "people given in-kind aid", f.in_kind_aid["people"]),
            ],
        )
        money = Table(
            "money",
            "مبالغ",
            "Amounts",
            _MONEY_COLUMNS,
            (
                ("مبلغ وام‌های پرداخت‌شده", "loans paid, amount", f.loans["amount"]),
                ("ارزش کمک‌های غیرنقدی", "in-kind aid, value", f.in_kind_aid["value"]),
            ),
        )
        return (register, training, support, money)


def _table(name: str, fa: str, en: str, rows: list[tuple[str, str, int]]) -> Table:
    cells: tuple[tuple[Cell, ...], ...] = tuple(rows)
    return Table(name, fa, en, _COLUMNS, cells)


def programme_document(figures: ProgrammeFigures, fmt: str) -> bytes:
    """Return the programme report in a format: pdf, html, csv or xlsx."""
    return render(ProgrammeReport(figures), fmt)
