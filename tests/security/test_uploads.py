"""Uploads are bounded: request size, rows and columns of an import, XLSX dimensions, JSON nesting.

- A request over ``MAX_CONTENT_LENGTH`` (``SANDOGH_MAX_UPLOAD_MB``, default 10 MB) is a
  friendly 413 page in the user's language.
- The register import refuses more rows or columns than its limits, reads XLSX one row
  at a time and ignores a ``<dimension>`` that claims 16,384 columns and a million rows.
- The import wizard parses the file once and keeps its rows, not the file.
- A fund book nested deeper than the format is refused with a message (no 500).
"""

from __future__ import annotations

import io
import json
import re
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook

from groups.beneficiaries.errors import FileTooBig
from groups.beneficiaries.tables import Limits, read_table
from tests.register.conftest import csv_bytes
from tests.web.conftest import Web, login, post, text
from web import config
from web.auth.models import Role
from web.cli import main
from web.fundbook import MAX_NESTING, load_book, nests_deeper_than
from web.register import imports

HEADER = ("کد ملی", "نام", "نام خانوادگی", "تاریخ تولد")
ROWS = [["0013542419", "زهرا", "کریمی", "1360/05/12"], ["", "مریم", "احمدی", "1365/01/20"]]
EXAMPLE_BOOK = Path(__file__).resolve().parents[2] / "docs" / "examples" / "small-fund.json"
SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "fund-book.schema.json"


@pytest.fixture(autouse=True)
def uploads(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "REGISTER_UPLOADS", str(folder))
    return folder


def lying_xlsx(header_columns: int, data_rows: int, claimed: str = "A1:XFD1048576") -> bytes:
    """Return an XLSX whose sheet claims ``claimed`` in <dimension>, with a header that wide."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([f"ستون {n}" for n in range(1, header_columns + 1)])
    for row in range(data_rows):
        sheet.append(["0013542419", "زهرا", "کریمی", f"1360/05/{row % 28 + 1:02d}"])
    written = zipfile.ZipFile(io.BytesIO(_saved(book)))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in written.infolist():
            data = written.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                sheet_xml = re.sub(r"<dimension [^>]*/>", "", data.decode("utf-8"))
                dimension = f'<dimension ref="{claimed}"/>'
                data = sheet_xml.replace("</sheetPr>", "</sheetPr>" + dimension, 1).encode()
                assert dimension.encode() in data
            archive.writestr(item.filename, data)
    return patched.getvalue()


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client: FlaskClient, name: str, content: bytes) -> object:
    return post(
        client,
        "/register/import",
        {"agency": "بهزیستی", "received_on": "۱۴۰۳/۰۴/۱۱", "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


# -- the request size ----------------------------------------------------------------------


def test_the_upload_limit_is_configured_in_megabytes_default_ten(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SANDOGH_MAX_UPLOAD_MB", raising=False)
    assert config.from_environment(str(tmp_path))["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024
    monkeypatch.setenv("SANDOGH_MAX_UPLOAD_MB", "2.5")
    assert config.from_environment(str(tmp_path))["MAX_CONTENT_LENGTH"] == int(2.5 * 1024 * 1024)


def test_a_file_over_the_limit_gets_a_friendly_413_in_the_users_language(
    app: Flask, web: Web, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024  # the default, in the test app
    too_big = b"a," * (5 * 1024 * 1024 + 1)  # just over 10 MB
    login(client, Role.VIEWER)
    response = upload(client, "big.csv", too_big)
    assert response.status_code == 413  # type: ignore[attr-defined]
    page = text(response)  # type: ignore[arg-type]
    assert "۱۰ مگابایتی" in page and "Traceback" not in page
    post(client, "/language", {"locale": "en"})
    response = upload(client, "big.csv", too_big)
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert "larger than the 10 MB" in text(response)  # type: ignore[arg-type]
    login(client, Role.ADMIN)  # the fund-book upload too
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    book = {"book": (io.BytesIO(b"{" + b" " * 2048 + b"}"), "book.json")}
    response = post(client, "/funds/import", book, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "۱۰" not in text(response) and "مگابایت" in text(response)


# -- rows, columns and a lying <dimension> ---------------------------------------------------


def test_a_164_kb_xlsx_claiming_16384_columns_is_refused_with_bounded_memory() -> None:
    content = lying_xlsx(header_columns=16_384, data_rows=3_800)
    assert 150_000 < len(content) < 180_000  # ~164 KB
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(FileTooBig, match="more than 200 columns"):
            read_table("agency.xlsx", content)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    print(f"refused in {elapsed:.3f} s (traced), peak {peak / 1e6:.1f} MB")
    assert peak < 64 * 1024 * 1024  # one row at a time: no 16,384 × 3,800 cells


def test_an_xlsx_whose_dimension_lies_is_read_as_its_rows_are() -> None:
    content = lying_xlsx(header_columns=4, data_rows=50)
    table = read_table("agency.xlsx", content)
    assert len(table.header) == 4 and len(table.rows) == 50
    assert all(len(row) == 4 for row in table.rows)


def test_rows_and_columns_past_the_limits_are_refused_csv_and_xlsx() -> None:
    limits = Limits(rows=2, columns=4)
    assert len(read_table("ok.csv", csv_bytes(ROWS, HEADER), limits).rows) == 2
    with pytest.raises(FileTooBig, match="more than 2 data rows"):
        read_table("long.csv", csv_bytes([*ROWS, ROWS[0]], HEADER), limits)
    with pytest.raises(FileTooBig, match="Row 2 has more than 4 columns"):
        read_table("wide.csv", csv_bytes([[*ROWS[0], "x"]], HEADER), limits)
    wide = lying_xlsx(header_columns=5, data_rows=1, claimed="A1:E2")
    with pytest.raises(FileTooBig, match="Row 1 has more than 4 columns"):
        read_table("wide.xlsx", wide, limits)
    long = lying_xlsx(header_columns=4, data_rows=3, claimed="A1:D4")
    with pytest.raises(FileTooBig, match="more than 2 data rows"):
        read_table("long.xlsx", long, limits)


def test_a_csv_field_longer_than_the_csv_module_reads_is_a_message() -> None:
    from groups.beneficiaries.errors import UnreadableFile

    huge_field = b'"' + b"x" * 200_000 + b'"'
    with pytest.raises(UnreadableFile):
        read_table("field.csv", b"a\n" + huge_field)


def test_the_wizard_refuses_a_wide_or_long_file_in_the_users_language(
    app: Flask, web: Web, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, Role.VIEWER)
    response = upload(client, "wide.xlsx", lying_xlsx(header_columns=16_384, data_rows=10))
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "بیش از ۲۰۰ ستون" in text(response)  # type: ignore[arg-type]
    monkeypatch.setitem(app.config, "SANDOGH_IMPORT_MAX_ROWS", 1)
    response = upload(client, "long.csv", csv_bytes(ROWS, HEADER))
    assert "بیش از ۱ ردیف" in text(response)  # type: ignore[arg-type]


def test_the_cli_import_refuses_a_wide_file_with_a_message(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    path.write_bytes(lying_xlsx(header_columns=300, data_rows=2))
    result: Result = app.test_cli_runner().invoke(
        main, ["register", "import", str(path), "--agency", "بهزیستی", "--dry-run"]
    )
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "200" in result.output and "Traceback" not in result.output


# -- the wizard parses once and keeps rows, not the file -----------------------------------


def test_the_wizard_keeps_the_parsed_rows_not_the_file_and_parses_it_once(
    web: Web, client: FlaskClient, uploads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, Role.VIEWER)
    content = csv_bytes(ROWS, HEADER)
    response = upload(client, "relief.csv", content)
    assert response.status_code == 302  # type: ignore[attr-defined]
    mapping_url = response.headers["Location"]  # type: ignore[attr-defined]
    kept = {path.name: path.read_bytes() for path in uploads.iterdir()}
    assert content not in kept.values() and not any(name.endswith(".bin") for name in kept)
    rows_file = next(data for name, data in kept.items() if name.endswith(".rows"))
    assert json.loads(rows_file)["rows"][0][:2] == ["0013542419", "زهرا"]

    def parse_again(*args: object, **kwargs: object) -> object:
        raise AssertionError("the wizard parsed the file again")

    monkeypatch.setattr(imports, "read_table", parse_again)
    chosen = {"col-0": "national_id", "col-1": "first_name", "col-2": "last_name"}
    chosen["col-3"] = "birth_date"
    dry_run = post(client, mapping_url, chosen).headers["Location"]
    assert client.get(mapping_url).status_code == 200
    assert client.get(dry_run).status_code == 200
    assert client.get(dry_run + "/problems.csv").status_code == 200
    applied = post(client, dry_run + "/apply")
    assert applied.status_code == 302
    assert "۲ پرونده‌ی تازه" in text(client.get(applied.headers["Location"]))


# -- the fund book's nesting ------------------------------------------------------------------


def schema_depth(node: dict[str, object], definitions: dict[str, dict[str, object]]) -> int:
    """Return how deep arrays and objects of the fund-book JSON Schema nest."""
    if "$ref" in node:
        return schema_depth(definitions[str(node["$ref"]).split("/")[-1]], definitions)
    if node.get("type") == "object" or "properties" in node:
        children = list(dict(node.get("properties", {})).values())  # type: ignore[call-overload]
        return 1 + max((schema_depth(c, definitions) for c in children), default=0)
    if node.get("type") == "array" or "items" in node:
        return 1 + schema_depth(dict(node.get("items", {})), definitions)  # type: ignore[call-overload]
    branches = [b for key in ("oneOf", "anyOf", "allOf") for b in node.get(key, [])]  # type: ignore[attr-defined]
    return max((schema_depth(b, definitions) for b in branches), default=0)


def test_the_nesting_limit_is_the_formats_own_depth() -> None:
    schema = json.loads(SCHEMA.read_text("utf-8"))
    assert schema_depth(schema, schema.get("$defs", {})) == MAX_NESTING
    example = EXAMPLE_BOOK.read_text("utf-8")
    assert not nests_deeper_than(example, MAX_NESTING) and load_book(example)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,  # balanced, far too deep
        "[" * 100_000,  # unbalanced: the parser would recurse until it fails
        '{"a":' * 50_000 + "1" + "}" * 50_000,
        "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1),  # one level too many
    ],
    ids=["balanced", "unbalanced", "objects", "one-too-many"],
)
def test_a_fund_book_nested_too_deep_is_refused_with_a_message_not_a_500(
    web: Web, client: FlaskClient, text: str
) -> None:
    from marshmallow import ValidationError

    with pytest.raises(ValidationError):
        load_book(text)
    login(client, Role.ADMIN)
    book = {"book": (io.BytesIO(text.encode()), "deep.json")}
    response = post(client, "/funds/import", book, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "nest" in response.get_data(as_text=True)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    assert not nests_deeper_than('{"name": "[[[[[[[[[[[[[[[[[[[[ \\" {{{{{{{{{{{"}', 1)
    assert nests_deeper_than('{"a": [[]]}', 2) and not nests_deeper_than('{"a": [[]]}', 3)
