"""The `cscperf` command: a thin click layer over :mod:`cscperf.api`.

Errors the user can act on exit with status 2 and one line naming the file and
the reason; no tracebacks.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import click
import duckdb

from cscperf import __version__, api
from cscperf.cli_options import DB_OPTION, FORMAT_OPTION, fail
from cscperf.ingest.pipeline import IngestError, discover
from cscperf.output import render
from cscperf.store.db import StoreError
from cscperf.usererror import OneLineGroup


@click.group(cls=OneLineGroup)
@click.version_option(__version__, prog_name="cscperf")
def main() -> None:
    """Children's social care performance for English local authorities."""


@main.command()
@click.option("--la", "la_code", required=True, help="DfE 3-digit LA code, e.g. 883.")
@DB_OPTION
@click.option(
    "--year", type=int, help="Return year (year ending 31 March) for files that lack one."
)
@click.option("--json", "as_json", is_flag=True, help="Print per-table counts as JSON.")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def ingest(la_code: str, db: str, year: int | None, as_json: bool, paths: tuple[str, ...]) -> None:
    """Ingest SSDA903, CIN census, Annex A and template files (or folders) as one batch.

    The batch is atomic: if any file is refused nothing is loaded (exit 2).
    """
    show_bar = sys.stderr.isatty() and not as_json
    try:
        if show_bar:
            total = len(discover(paths))
            with click.progressbar(
                length=total,
                label="ingesting",
                file=sys.stderr,
                item_show_func=lambda name: name,
            ) as bar:
                report = api.ingest(
                    paths,
                    la_code,
                    db=db,
                    year=year,
                    progress=lambda p: bar.update(1, current_item=p.name),
                )
        else:
            report = api.ingest(paths, la_code, db=db, year=year)
    except (IngestError, StoreError) as exc:
        fail(str(exc))
        return
    except duckdb.Error as exc:
        fail(f"store error, nothing loaded: {exc}")
        return
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in report.results], indent=2))
        return
    cols = ["file", "table", "rows_read", "rows_loaded", "rows_quarantined"]
    rows = [
        (Path(r.file).name, r.table, r.rows_read, r.rows_loaded, r.rows_quarantined)
        for r in report.results
    ]
    click.echo(render(cols, rows, "table"))
    for change in report.returns:
        click.echo(change.describe())
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    for skipped in report.skipped:
        click.echo(f"skipped (not a recognised file): {skipped}", err=True)
    if report.rows_quarantined:
        click.echo(
            f"{report.rows_quarantined} row(s) quarantined: see `cscperf quarantine --db {db}`",
            err=True,
        )


@main.command()
@DB_OPTION
@FORMAT_OPTION
def quarantine(db: str, fmt: str) -> None:
    """List quarantined rows: file, line, field, value and reason."""
    try:
        cols, rows = api.quarantine(db)
    except StoreError as exc:
        fail(str(exc))
        return
    click.echo(render(cols, rows, fmt))


@main.command()
@DB_OPTION
@FORMAT_OPTION
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the result to this file (.csv, .json, .parquet or .xlsx) instead.",
)
@click.argument("sql")
def query(db: str, fmt: str, out: Path | None, sql: str) -> None:
    """Run SQL against the store, read-only: it can read the store and nothing else
    (no other files, no network, no extensions, no settings). --out writes the result."""
    from cscperf.export import ExportError, format_for, write

    try:
        if out is not None:
            format_for(out)  # refuse an unknown extension before running the query
        cols, rows = api.query(sql, db)
        if out is not None:
            write(out, cols, rows)
            click.echo(f"wrote {len(rows)} row(s) to {out}", err=True)
            return
    except (StoreError, ExportError) as exc:
        fail(str(exc))
        return
    except duckdb.Error as exc:
        fail(api.query_error(exc))
        return
    click.echo(render(cols, rows, fmt))


@main.command()
@click.option("--out", type=click.Path(file_okay=False), help="Copy the templates here.")
@click.option("--force", is_flag=True, help="Overwrite templates already filled in there.")
def templates(out: str | None, force: bool) -> None:
    """List the local CSV templates (workforce, fostering, audits, IHAs, RHIs) and the targets
    template, or copy them."""
    from cscperf.io.local_csv import copy_templates, list_templates
    from cscperf.targets.template import TEMPLATE, copy_template

    if out:
        try:
            target = copy_template(Path(out), force=force)  # never overwrites a filled-in file
            copied = [*copy_templates(Path(out), force=force), target]
        except FileExistsError as exc:
            fail(str(exc))
            return
        except OSError as exc:
            fail(f"{out}: cannot copy the templates there: {exc.strerror or exc}")
            return
        for path in copied:
            click.echo(str(path))
        return
    for table, path in [*list_templates().items(), ("targets", TEMPLATE)]:
        click.echo(f"{table:24} {path}")
    click.echo("columns, types and codes: docs/local-templates.md", err=True)


@main.command()
@DB_OPTION
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def population(db: str, paths: tuple[str, ...]) -> None:
    """Load ONS mid-year child population estimates (EES csv, or la_code,year,age_0_17)."""
    from cscperf.reference.population import load_csv
    from cscperf.store.db import connect

    try:
        con = connect(db)
    except StoreError as exc:
        fail(str(exc))
        return
    try:
        for path in paths:
            got = load_csv(con, path)
            suppressed = f", {got.rows_suppressed} suppressed" if got.rows_suppressed else ""
            click.echo(f"{path}: {got.rows_loaded} estimates loaded{suppressed}")
    except (ValueError, duckdb.Error) as exc:
        fail(str(exc).splitlines()[0])
    except OSError as exc:
        fail(f"cannot read population file: {exc.strerror or exc}")
    finally:
        con.close()


#: Commands that live in their own packages: (module, attribute).
PLUGGED = (
    ("cscperf.synth.cli", "synth"),
    ("cscperf.kpis.cli", "kpis"),
    ("cscperf.demo", "demo"),
    ("cscperf.store.cli", "returns"),
    ("cscperf.coverage_cli", "coverage"),
    ("cscperf.benchmarks.cli", "benchmarks"),
    ("cscperf.forecast.cli", "forecast"),
    ("cscperf.targets.cli", "rag"),
    ("cscperf.report.cli", "report"),
    ("cscperf.answers.cli", "answers"),
)
for _module, _attr in PLUGGED:
    try:
        main.add_command(getattr(importlib.import_module(_module), _attr))
    except ModuleNotFoundError as _exc:  # pragma: no cover - during development only
        if _exc.name != _module:
            raise
