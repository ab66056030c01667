"""``cscperf benchmarks import|show``: the DfE's published figures into the store, and an
LA's KPIs beside them. Thin: the work is in :mod:`cscperf.api`."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import click

from cscperf import api
from cscperf.benchmarks.compare import Comparison
from cscperf.benchmarks.emit import emit
from cscperf.benchmarks.errors import BenchImportError
from cscperf.cli_options import DB_OPTION, fail, parse_date
from cscperf.store.db import StoreError

COLUMNS = (
    "la_code",
    "la_name",
    "year",
    "kpi_id",
    "title",
    "source",
    "value",
    "symbol",
    "sn_shown",
    "sn_value",
    "sn_mean",
    "sn_median",
    "sn_min",
    "sn_max",
    "sn_position",
    "sn_place",
    "sn_available",
    "sn_model",
    "region",
    "region_value",
    "england_value",
    "rank",
    "rank_of",
    "rank_basis",
    "quartile",
    "polarity",
    "computed",
    "difference",
    "note",
    # appended: the computed period, quartile reading, 3-year direction
    "period_type",
    "period_end",
    "compared",
    "quartile_basis",
    "change_from",
    "change",
    "england_change",
    "direction",
    "change_basis",
)
#: the short table the terminal shows (csv/json/parquet carry every column)
TABLE_COLUMNS = (
    "kpi_id",
    "value",
    "sn_shown",
    "sn_value",
    "sn_available",
    "sn_position",
    "region_value",
    "england_value",
    "rank",
    "quartile",
    "computed",
    "difference",
    "direction",
    "source",
)


@click.group()
def benchmarks() -> None:
    """The DfE's published figures (EES, LAIT), statistical neighbours, region and England."""


@benchmarks.command("import")
@DB_OPTION
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def import_cmd(db: str, paths: tuple[str, ...]) -> None:
    """Import published files or folders (EES CSV, LAIT bds_long/dictionary, SN models,
    LA code list, ONS population) as one batch; a file imported again replaces its rows."""
    t = time.perf_counter()
    try:
        report = api.import_benchmarks(paths, db=db)
    except (BenchImportError, StoreError) as exc:
        fail(str(exc))
        return
    for f in report.files:
        click.echo(
            f"{f.path}: {f.kind}: rows read {f.rows_read}, loaded {f.rows_loaded}, "
            f"refused {f.rows_refused}; values {f.values_loaded}, "
            f"suppressed {f.values_suppressed}" + (f" ({f.note})" if f.note else "")
        )
    for s in report.skipped:
        click.echo(f"{s}: skipped (not .csv, .parquet or .xlsx)")
    click.echo(f"{len(report.files)} files imported in {time.perf_counter() - t:.1f} s", err=True)


def _r(v: float | None, d: int) -> float | None:
    return None if v is None else round(v, d)


def record(c: Comparison) -> dict[str, Any]:
    """One comparison as an output row, rounded as the DfE publishes (averages one more place)."""
    d = c.decimals
    return {
        "la_code": c.la_code,
        "la_name": c.la_name,
        "year": c.year,
        "kpi_id": c.kpi_id,
        "title": c.title,
        "source": c.source,
        "value": _r(c.value, d),
        "symbol": c.symbol,
        "sn_shown": c.sn_label,
        "sn_value": _r(c.sn_value, d + 1),
        "sn_mean": _r(c.sn_mean, d + 1),
        "sn_median": _r(c.sn_median, d + 1),
        "sn_min": _r(c.sn_min, d),
        "sn_max": _r(c.sn_max, d),
        "sn_position": c.sn_position,
        "sn_place": c.sn_place,
        "sn_available": c.sn_availability,
        "sn_model": c.sn_model,
        "region": c.region_name,
        "region_value": _r(c.region_value, d),
        "england_value": _r(c.england_value, d),
        "rank": c.rank,
        "rank_of": c.rank_of,
        "rank_basis": c.rank_basis,
        "quartile": c.quartile,
        "polarity": c.polarity,
        "computed": _r(c.computed, d + 1),
        "difference": _r(c.difference, d),
        "note": c.note,
        "period_type": c.period_type,
        "period_end": c.period_end.isoformat() if c.period_end else None,
        "compared": c.compared,
        "quartile_basis": c.quartile_basis,
        "change_from": c.change_from,
        "change": _r(c.change, d),
        "england_change": _r(c.england_change, d),
        "direction": c.direction,
        "change_basis": c.change_basis,
    }


@benchmarks.command("show")
@DB_OPTION
@click.option("--la", "la_code", required=True, help="DfE 3-digit LA code, e.g. 883.")
@click.option("--kpi", "kpis", multiple=True, help="KPI id (repeat); default every KPI mapped.")
@click.option(
    "--year",
    type=int,
    default=None,
    help="Return year (year ending 31 March); default the latest year with published figures.",
)
@click.option(
    "--period-type",
    type=click.Choice(["year", "quarter", "month"]),
    default=None,
    help="With --period-end, instead of --year: the computed period shown beside the "
    "published year it falls in or after.",
)
@click.option(
    "--period-end",
    callback=parse_date,
    default=None,
    help="YYYY-MM-DD: end of the computed period (with --period-type).",
)
@click.option(
    "--sn-stat",
    type=click.Choice(["mean", "median"]),
    default=None,
    help="SN average shown (default each series' own: the mean, as LAIT).",
)
@click.option(
    "--sn-model",
    type=int,
    default=None,
    help="SN model year (default the latest published by --year).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "parquet"]),
    default="table",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write here instead of standard output (needed for parquet).",
)
def show(
    db: str,
    la_code: str,
    kpis: tuple[str, ...],
    year: int | None,
    period_type: str | None,
    period_end: dt.date | None,
    sn_stat: str | None,
    sn_model: int | None,
    fmt: str,
    out: str | None,
) -> None:
    """An LA's KPIs beside the published figures: SN average, region, England, rank, quartile."""
    if (period_type is None) != (period_end is None):
        raise click.UsageError("--period-type and --period-end go together")
    if period_end is not None and year is not None:
        raise click.UsageError("give --year or --period-type/--period-end, not both")
    try:
        if period_type is not None and period_end is not None:
            rows = api.benchmarks_for_period(
                la_code, period_type, period_end, list(kpis) or None, db, sn_stat, sn_model
            )
            if rows and rows[0].compared:
                click.echo(rows[0].compared, err=True)
        else:
            rows = api.benchmarks(
                la_code,
                year=year,
                kpis=list(kpis) or None,
                db=db,
                sn_stat=sn_stat,
                sn_model=sn_model,
            )
    except (StoreError, KeyError, ValueError) as exc:
        fail(str(exc).strip("'\""))
        return
    records = [record(c) for c in rows]
    cols = COLUMNS if fmt != "table" else TABLE_COLUMNS
    if fmt == "table":  # on screen, a context measure's band must not read as good or bad
        for r in records:
            if r["polarity"] == "context" and r["quartile"]:
                r["quartile"] = f"{r['quartile']} (context: A = highest)"
    emit(records, cols, fmt, out)


@benchmarks.command("download")
@click.option(
    "--dest",
    type=click.Path(file_okay=False),
    default="reference",
    show_default=True,
    help="Folder to write into (dfe-published/, lait/, manifest.json).",
)
@click.option(
    "--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
    help="Seconds to wait for a server before giving up on an attempt.",
)  # fmt: skip
@click.option(
    "--retries", type=click.IntRange(min=0), default=3, show_default=True,
    help="Attempts after the first on a 5xx, connection error, timeout or truncated body.",
)  # fmt: skip
def download_cmd(dest: str, timeout: float, retries: int) -> None:
    """Fetch the latest published files over the network: the EES public API's data sets of
    the CLA, CIN/CP and workforce publications, and LAIT's files. Then run
    `cscperf benchmarks import DEST`."""
    from cscperf.benchmarks.download import Fetched

    def said(f: Fetched) -> None:
        click.echo(f"{f.path}: {f.bytes} bytes, sha256 {f.sha256[:12]} <- {f.url}")

    report = api.download_benchmarks(dest, timeout=timeout, retries=retries, progress=said)
    for e in report.errors:
        click.echo(f"download failed: {e}", err=True)
    if report.manifest:
        click.echo(f"{len(report.files)} files, manifest {report.manifest}", err=True)
    if report.errors:
        fail(f"{len(report.errors)} downloads failed (see above)")


from cscperf.benchmarks.pool_cli import pool_cmd  # noqa: E402  (its own module: see its doc)

benchmarks.add_command(pool_cmd)
