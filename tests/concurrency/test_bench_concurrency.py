"""``sandogh bench concurrency`` in miniature (seconds, loopback only): clients on funds of
their own and two on one fund, through gunicorn; no error, no duplicate, books verify."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from web.cli import main


def test_many_clients_through_gunicorn_post_each_meeting_once(
    fresh_urls: tuple[str, str], tmp_path: Path
) -> None:
    url, _ = fresh_urls
    figures_file = tmp_path / "figures.json"
    arguments = ["bench", "concurrency", "--clients", "2", "--shared-clients", "2"]
    arguments += ["--seconds", "3", "--workers", "2", "--database-url", url]
    result = CliRunner().invoke(main, [*arguments, "--json", str(figures_file)])

    assert result.exit_code == 0, result.output
    figures = json.loads(figures_file.read_text())
    assert figures["errors"] == 0 and figures["duplicates"] == 0 and figures["verify_ok"]
    assert figures["meetings_posted"] == figures["meetings_in_database"] > 0
