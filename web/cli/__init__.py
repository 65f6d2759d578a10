"""The ``sandogh`` command: one click group, its commands registered here, explicitly.

Each command lives in a module of this package (``ledger``, ``fund``, ``report``,
``register``, ``token``, ``ops`` (serve, worker, backup, restore), ``bench``, ``demo``,
``database``) and is added below with
``add_command``, as in Flask's tutorial: what ``sandogh`` offers is read in one place,
and no module looks another's group up by name.

A command module imports only click (and the standard library) at its top; what a
command needs (SQLAlchemy, the services, WeasyPrint, openpyxl, the Flask app) is
imported when it runs. So ``sandogh --help`` loads nothing else, and the commands of
the books (``ledger verify``, ``fund report``) open the database without building the
web app (``web/cli/context.py``). ``tests/web/test_cli_start.py`` keeps it so.
"""

from __future__ import annotations

import click

from web.cli import bench, database, demo, fund, ledger, ops, register, report, token


@click.group()
def main() -> None:
    """Sandogh: the ledger of community savings funds."""


main.add_command(demo.demo)
main.add_command(database.db)
main.add_command(ledger.ledger)
main.add_command(fund.fund)
main.add_command(register.register)
main.add_command(report.report)
report.report.add_command(register.programme_command)
main.add_command(token.token)
main.add_command(ops.serve)
main.add_command(ops.worker)
main.add_command(ops.backup_command)
main.add_command(ops.restore_command)
main.add_command(bench.bench)
bench.bench.add_command(ops.bench_concurrency)
