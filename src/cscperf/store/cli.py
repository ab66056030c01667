"""`cscperf returns`: list the returns loaded, and withdraw one (thin, over :mod:`cscperf.api`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import cast

import click
import duckdb

from cscperf import api
from cscperf.cli_options import DB_OPTION, FORMAT_OPTION, fail
from cscperf.output import render
from cscperf.store.db import StoreError
from cscperf.store.returns import COLLECTIONS, tables_of


def _files_cell(files: list[str], fmt: str) -> object:
    """Every path in JSON; '; '-joined in CSV; short in a table (the folder once)."""
    if fmt == "json":
        return files
    if fmt == "csv" or not files:
        return "; ".join(files)
    folders = {str(Path(f).parent) for f in files}
    if len(files) > 1 and len(folders) == 1:
        return f"{len(files)} files in {folders.pop()}"
    return ", ".join(files) if len(folders) > 1 else os.path.basename(files[0])


@click.group(invoke_without_command=True)
@DB_OPTION
@click.option("--la", "la_code", help="Only this LA's returns.")
@FORMAT_OPTION
@click.pass_context
def returns(ctx: click.Context, db: str, la_code: str | None, fmt: str) -> None:
    """List the returns loaded: collection, year, files, when loaded, rows, quarantined.

    A return is one LA's 903, CIN census, Annex A or local template for one return
    year; ingesting it again replaces it, `cscperf returns withdraw` removes it.
    """
    ctx.obj = db
    if ctx.invoked_subcommand is not None:
        return
    try:
        cols, rows = api.returns(db, la_code)
    except StoreError as exc:
        fail(str(exc))
        return
    files_at = cols.index("files")
    shown = [
        tuple(
            _files_cell(cast(list[str], v or []), fmt) if i == files_at else v
            for i, v in enumerate(r)
        )
        for r in rows
    ]
    click.echo(render(cols, shown, fmt))


def _collection(value: str) -> str:
    if value in COLLECTIONS or (value.startswith("local:") and tables_of(value)):
        return value
    raise click.BadParameter(
        f"{value!r}: one of {', '.join(COLLECTIONS)} or local:<template> (see `cscperf templates`)"
    )


@returns.command()
@click.option("--la", "la_code", required=True, help="DfE 3-digit LA code, e.g. 883.")
@click.option(
    "--collection",
    required=True,
    help="903, cin, annex-a or local:<template>, e.g. local:sw_workforce.",
)
@click.option(
    "--year", type=int, required=True, help="Return year (year ending 31 March): 2025 is 2024-25."
)
@click.option(
    "--db",
    default=None,
    type=click.Path(dir_okay=False),
    help="DuckDB store file (default: the one given to `returns`).",
)
@click.pass_obj
def withdraw(obj: str, la_code: str, collection: str, year: int, db: str | None) -> None:
    """Remove one return and everything derived from it.

    Its rows, quarantined rows, ingest log and registry row go, and the LA's KPI
    values (compute them again); rows of an earlier return that it had replaced
    come back.
    """
    try:
        collection = _collection(collection)
    except click.BadParameter as exc:
        fail(f"--collection {exc.message}")
        return
    store = db or obj
    if store != ":memory:" and not Path(store).exists():
        fail(f"{store}: no such store")
        return
    try:
        change = api.withdraw(la_code, collection, year, store)
    except (api.NoSuchReturn, StoreError) as exc:
        fail(str(exc))
        return
    except duckdb.Error as exc:
        fail(f"store error, nothing withdrawn: {str(exc).splitlines()[0]}")
        return
    click.echo(change.describe())
