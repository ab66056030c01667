"""``cscperf benchmarks import|show``: the DfE's published figures into the store, and an
LA's KPIs beside them. Thin: the work is in :mod:`cscperf.api`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from cscperf import api
from cscperf.benchmarks.compare import Comparison
from cscperf.benchmarks.errors import BenchImportError
from cscperf.cli_options import DB_OPTION, fail
from cscperf.output import render
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
    sn_stat: str | None,
    sn_model: int | None,
    fmt: str,
    out: str | None,
) -> None:
    """An LA's KPIs beside the published figures: SN average, region, England, rank, quartile."""
    try:
        rows = api.benchmarks(
            la_code, year=year, kpis=list(kpis) or None, db=db, sn_stat=sn_stat, sn_model=sn_model
        )
    except (StoreError, KeyError, ValueError) as exc:
        fail(str(exc).strip("'\""))
        return
    records = [record(c) for c in rows]
    if fmt == "parquet":
        if out is None:
            raise click.UsageError("--format parquet needs --out PATH")
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(records), out)
        click.echo(f"wrote {out}", err=True)
        return
    cols = COLUMNS if fmt != "table" else TABLE_COLUMNS
    text = render(list(cols), [[r[c] for c in cols] for r in records], fmt)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {out}", err=True)
    else:
        click.echo(text)


from cscperf.benchmarks.pool_cli import pool_cmd  # noqa: E402  (its own module: see its doc)

benchmarks.add_command(pool_cmd)
