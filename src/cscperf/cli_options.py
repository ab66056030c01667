"""Options and helpers the ``cscperf`` sub-commands share.

Why: every sub-command reads ``--db`` and ``--format`` and reports a user
mistake the same way; one declaration keeps their help, defaults and exit code
alike. Imports only click and the store's default path, so any command module
(and ``cscperf.cli``, which imports them all) can use it without a cycle.
"""

from __future__ import annotations

import sys
from datetime import date

import click

from cscperf.store.db import DEFAULT_DB
from cscperf.usererror import EXIT_USER, say_error

DB_OPTION = click.option(
    "--db",
    default=DEFAULT_DB,
    show_default=True,
    type=click.Path(dir_okay=False),
    help="DuckDB store file.",
)
FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)


def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """Option callback: a YYYY-MM-DD value as a date (None when not given)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)") from None


def fail(message: str) -> None:
    """Print one ``cscperf: error:`` line and exit with the user-error code (2)."""
    say_error(message)
    sys.exit(EXIT_USER)
