"""Hostile names through every PDF: nothing is attached, nothing is read, the name prints as typed.

A fund, village, member or county named like ``X</style><link rel=attachment
href=file:///…/secret_key><style>X`` once made WeasyPrint attach a server file to the
PDF (the fund's name is written into the ``@page`` header's CSS). Each test puts such
names in the books, fetches every PDF route of the web app and every PDF the CLI
writes, and checks with ``pdfdetach -list`` that the PDF embeds no file, that the
secret's text is nowhere in it, and with ``pdftotext`` that the name reads as typed.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.savings.models import Cycle, Meeting, SavingsFund
from ledger.models import Fund
from reports import fonts, render, resources
from tests.reports.pdf import reads, require_vazirmatn
from tests.savings.conftest import START, make_fund
from tests.web.conftest import Web, login, post
from web.auth.models import Role
from web.cli import main

SECRET = "CANARY-7f3a9c-SECRET"


@pytest.fixture
def secret() -> Iterator[str]:
    """A short file: URL of a file holding SECRET (short: a county is at most 100 characters)."""
    with tempfile.TemporaryDirectory(prefix="s", dir="/tmp") as folder:
        path = Path(folder) / "k"
        path.write_text(SECRET)
        yield path.as_uri()


def hostile(letter: str, url: str) -> str:
    """Return a name that closes the style sheet and asks for the URL as an attachment."""
    return f"{letter}</style><link rel=attachment href={url}><style>{letter}"


def attachments(pdf: bytes, tmp_path: Path) -> str:
    """Return what ``pdfdetach -list`` says about the PDF's embedded files."""
    path = tmp_path / "hostile.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdfdetach", "-list", str(path)], check=True, capture_output=True, text=True
    )
    return result.stdout.strip()


def pdf_words(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "hostile-text.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    )
    return result.stdout


def assert_inert(pdf: bytes, tmp_path: Path, *names: str) -> None:
    """The PDF attaches nothing, holds no secret, and prints each name as typed."""
    assert pdf[:4] == b"%PDF"
    assert attachments(pdf, tmp_path) == "0 embedded files"
    text = pdf_words(pdf, tmp_path)
    assert SECRET not in text and SECRET.encode() not in pdf
    for name in names:
        assert reads(text, name), f"{name!r} not printed as typed in:\n{text}"


def make_hostile(session: Session, web: Web, url: str) -> dict[str, str]:
    """Rename the web fund, its village and its first member to hostile names."""
    names = {
        "fund": hostile("F", url),
        "village": f'V"}}@page{{@top-center{{content:url({url})}}}}<a rel=attachment href={url}>V',
        "member": f"M<link rel=attachment href={url}>M",
    }
    session.get(Fund, web.fund_id).name = names["fund"]  # type: ignore[union-attr]
    session.get(SavingsFund, web.fund_id).village = names["village"]  # type: ignore[union-attr]
    web.member.name = names["member"]
    session.flush()
    return names


#: Every route that answers a PDF, by endpoint (the test below fails when one is added).
PDF_ENDPOINTS = {
    "reports.statement",
    "reports.minutes",
    "reports.share_out",
    "reports.loan_schedule",
    "reports.financials",
    "reports.monitoring",
    "reports.job_file",
    "register.report_download",
}


def test_every_pdf_route_is_covered_by_these_tests(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "pdf" in rule.rule}
    assert endpoints | {"reports.job_file"} == PDF_ENDPOINTS


def loanless_fund(session: Session, names: dict[str, str]) -> tuple[int, int]:
    """Return a hostile fund with no open loan (a share-out preview needs one) and its cycle."""
    fund = make_fund(session, names=(names["member"], "بتول"))
    session.get(Fund, fund.fund_id).name = names["fund"]  # type: ignore[union-attr]
    session.get(SavingsFund, fund.fund_id).village = names["village"]  # type: ignore[union-attr]
    fund.meet(START, *fund.everyone_buys(2))
    cycle = session.scalars(select(Cycle.id).where(Cycle.fund_id == fund.fund_id)).one()
    return fund.fund_id, cycle


def fund_pdf_urls(session: Session, web: Web, names: dict[str, str]) -> dict[str, str]:
    fund = f"/funds/{web.fund_id}"
    meeting = session.scalars(select(Meeting.id).where(Meeting.fund_id == web.fund_id)).first()
    return {
        "reports.statement": f"{fund}/members/{web.member.id}/statement.pdf",
        "reports.minutes": f"{fund}/meetings/{meeting}/minutes.pdf",
        "reports.share_out": "/funds/{}/cycles/{}/share-out/report.pdf".format(
            *loanless_fund(session, names)
        ),
        "reports.loan_schedule": f"{fund}/loans/{web.loan.id}/schedule.pdf",
        "reports.financials": f"{fund}/financials.pdf",
        "reports.monitoring": f"{fund}/monitoring.pdf",
    }


def test_hostile_names_in_every_fund_pdf_of_the_web_app_attach_and_read_nothing(
    session: Session, web: Web, client: FlaskClient, secret: str, tmp_path: Path
) -> None:
    require_vazirmatn()
    names = make_hostile(session, web, secret)
    login(client, Role.ADMIN)
    for endpoint, url in fund_pdf_urls(session, web, names).items():
        response = client.get(url)
        assert response.status_code == 200, (endpoint, response.status_code)
        printed = [names["fund"]]
        if endpoint in ("reports.statement", "reports.loan_schedule"):
            printed.append(names["member"])  # her statement; she borrowed the loan
        if endpoint != "reports.monitoring":
            printed.append(names["village"])
        assert_inert(response.data, tmp_path, *printed)


def test_hostile_names_in_the_batch_of_statements_attach_and_read_nothing(
    session: Session, web: Web, client: FlaskClient, secret: str, tmp_path: Path
) -> None:
    require_vazirmatn()
    names = make_hostile(session, web, secret)
    login(client, Role.ADMIN)
    job_page = post(client, f"/funds/{web.fund_id}/statements/print").headers["Location"]
    download = client.get(job_page + ".json").get_json()["download"]
    assert download.endswith("/file")
    pdf = client.get(download)
    assert pdf.status_code == 200
    assert_inert(pdf.data, tmp_path, names["fund"], names["member"], names["village"])


def test_a_hostile_county_in_the_programme_report_attaches_and_reads_nothing(
    web: Web, client: FlaskClient, secret: str, tmp_path: Path
) -> None:
    require_vazirmatn()
    county = hostile("C", secret)
    assert len(county) <= 100  # the form's limit: the attack fits in it
    login(client, Role.VIEWER)
    response = client.get("/register/report.pdf", query_string={"county": county})
    assert response.status_code == 200
    assert_inert(response.data, tmp_path, county)


@pytest.mark.parametrize(
    "command",
    [
        ["statements", "{fund}"],
        ["minutes", "{fund}", "{meeting}"],
        ["share-out", "{loanless}"],
        ["loan", "{fund}", "{loan}"],
        ["financials", "{fund}"],
        ["visit", "{fund}"],
    ],
    ids=lambda command: command[0],
)
def test_hostile_names_in_every_pdf_the_cli_writes_attach_and_read_nothing(
    app: Flask,
    session: Session,
    web: Web,
    secret: str,
    tmp_path: Path,
    command: list[str],
) -> None:
    require_vazirmatn()
    names = make_hostile(session, web, secret)
    meeting = session.scalars(select(Meeting.id).where(Meeting.fund_id == web.fund_id)).first()
    loanless = loanless_fund(session, names)[0]
    ids = {"fund": web.fund_id, "meeting": meeting, "loan": web.loan.id, "loanless": loanless}
    output = tmp_path / "out.pdf"
    arguments = ["report", *(part.format(**ids) for part in command), "-o", str(output)]
    result = app.test_cli_runner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    assert_inert(output.read_bytes(), tmp_path, names["fund"])


def test_a_hostile_county_in_the_programme_report_cli_attaches_and_reads_nothing(
    app: Flask, session: Session, secret: str, tmp_path: Path
) -> None:
    require_vazirmatn()
    county = hostile("C", secret)
    output = tmp_path / "programme.pdf"
    arguments = ["report", "programme", "--county", county, "-o", str(output)]
    result = app.test_cli_runner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    assert_inert(output.read_bytes(), tmp_path, county)


# -- the fetcher on its own ------------------------------------------------------------------


def test_the_fetcher_serves_the_packaged_fonts_and_inline_charts_only(secret: str) -> None:
    font = next(iter(resources.allowed_files()))
    assert resources.read_allowed(font.as_uri())[1] == "font/ttf"
    chart = "data:image/svg+xml;base64,PHN2Zy8+"
    assert resources.read_allowed(chart) == (b"<svg/>", "image/svg+xml")
    refused = [
        secret,
        secret.replace("file://", "file://localhost"),
        font.as_uri() + "/../../../../../../../etc/passwd",
        "http://127.0.0.1:5000/",
        "https://example.org/font.ttf",
        "ftp://example.org/x",
        "data:text/plain;base64,Q0FOQVJZ",
        "data:image/svg+xml,<svg/>",
        "file:///etc/passwd",
    ]
    for url in refused:
        with pytest.raises(resources.RefusedResource):
            resources.read_allowed(url)


def test_a_page_that_asks_for_a_server_file_gets_nothing(secret: str, tmp_path: Path) -> None:
    """Even HTML written by hand (no template escaping) reads nothing and attaches nothing."""
    html = (
        f'<html><head><link rel="attachment" href="{secret}">'
        f'<link rel="stylesheet" href="{secret}"></head>'
        f'<body><p>hello</p><a rel="attachment" href="{secret}">a</a>'
        f'<img src="{secret}"><img src="http://127.0.0.1:9/x.png"></body></html>'
    )
    pdf = render.pdf_from_html(html)
    assert attachments(pdf, tmp_path) == "0 embedded files"
    assert SECRET.encode() not in pdf


def test_css_strings_escape_everything_but_letters_digits_and_spaces() -> None:
    quoted = str(render.css_string('آمنه 12 </style>"\\\n'))
    assert quoted.startswith('"آمنه 12 ') and quoted.endswith('"')
    assert not any(char in quoted[1:-1] for char in '<>"\n/') and quoted.count('"') == 2
    assert "\\00003c\\00002f" in quoted


def test_the_fonts_and_charts_the_templates_use_still_load(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """No resource of a real page is refused (no warning), and the packaged font is embedded."""
    from reports.document import Heading
    from reports.visit import data_uri

    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><rect width="9"/></svg>'
    template = render.environment().from_string(
        '{% extends "base.html" %}{% block body %}<p>آمنه</p>'
        '<img src="{{ chart }}" alt="chart">{% endblock %}'
    )
    heading = Heading("صورت‌حساب", "Statement", "صندوق")
    page = template.render(documents=[], heading=heading, running="صندوق", chart=data_uri(svg))
    with caplog.at_level("WARNING"):
        pdf = render.pdf_from_html(page)
    assert not [r for r in caplog.records if r.name.startswith(("weasyprint", "reports"))]
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    listed = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True)
    embedded = [line.split()[0] for line in listed.stdout.splitlines()[2:]]
    assert embedded and all(name.endswith("+" + fonts.FAMILY) for name in embedded)  # no fallback
