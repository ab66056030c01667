"""`cscperf demo`: the whole product on a synthetic LA, in one command.

Generates a Thurrock-like LA (default 883, 7 reporting years) with the
synthetic generator, ingests it into a DuckDB file, loads its population,
computes the catalogue for every year end and month end, prints the scorecard
and writes ``kpi_values`` as CSV and Parquet for Excel and Power BI users.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click

from cscperf.cores import available_cores
from cscperf.ingest.pipeline import ingest_paths
from cscperf.kpis.engine import compute
from cscperf.kpis.periods import period_ends
from cscperf.reference.population import load_csv
from cscperf.scorecard import lines, render
from cscperf.store.db import connect


def _say(message: str) -> None:
    click.echo(message, err=True)


def run_demo(out: Path, la_code: str, first_year: int, last_year: int, seed: int) -> str:
    from cscperf.synth.api import generate  # heavy; only needed here

    out.mkdir(parents=True, exist_ok=True)
    data = out / "data"
    t0 = time.perf_counter()
    # the years are written in parallel, one process per core (same files as serially)
    years = range(first_year, last_year + 1)
    generate([la_code], years, seed=seed, out=data, workers=available_cores())
    _say(f"generated synthetic LA {la_code}, {first_year}-{last_year}, "
         f"in {time.perf_counter() - t0:.1f}s -> {data}")
    db = out / "cscperf.duckdb"
    if db.exists():
        db.unlink()
    con = connect(db)
    t0 = time.perf_counter()
    report = ingest_paths(con, [data / la_code], la_code)
    for pop in sorted((data / la_code).rglob("population.csv")):
        load_csv(con, pop)
    read = sum(r.rows_read for r in report.results)
    _say(f"ingested {read:,} rows ({report.rows_quarantined} quarantined) "
         f"in {time.perf_counter() - t0:.1f}s -> {db}")
    t0 = time.perf_counter()
    year_ends = [dt.date(y, 3, 31) for y in range(first_year, last_year + 1)]
    compute(con, la_codes=[la_code], period_type="year", period_ends=year_ends,
            breakdowns=["*"], on_error="collect")
    months = period_ends("month", dt.date(first_year - 1, 4, 1), dt.date(last_year, 3, 31))
    summary = compute(con, la_codes=[la_code], period_type="month", period_ends=months,
                      on_error="collect")
    _say(f"computed the catalogue for {len(year_ends)} year ends and {len(months)} month ends "
         f"in {time.perf_counter() - t0:.1f}s")
    for kpi_id, err in summary.errors.items():
        _say(f"warning: {kpi_id} failed: {err.splitlines()[0]}")
    csv_path, parquet_path = out / "kpi_values.csv", out / "kpi_values.parquet"
    con.execute(f"COPY (SELECT * FROM kpi_values ORDER BY ALL) TO '{csv_path}' (HEADER)")
    con.execute(f"COPY (SELECT * FROM kpi_values ORDER BY ALL) TO '{parquet_path}' "
                "(FORMAT parquet)")
    _say(f"wrote {csv_path} and {parquet_path}")
    items = lines(con, la_code, year_ends[-1], year_ends[-2])
    con.close()
    return render(items, f"{last_year - 1}-{str(last_year)[2:]}",
                  f"{last_year - 2}-{str(last_year - 1)[2:]}")


@click.command()
@click.option("--out", default="out", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the synthetic files, the store and the exports.")
@click.option("--la", "la_code", default="883", show_default=True,
              help="LA whose profile the synthetic data follows (883 = Thurrock).")
@click.option("--years", default="2019-2025", show_default=True,
              help="Reporting years (ending 31 March), FIRST-LAST.")
@click.option("--seed", default=2025, show_default=True, type=int)
def demo(out: str, la_code: str, years: str, seed: int) -> None:
    """Run the whole product on a synthetic LA and print its scorecard."""
    first, _, last = years.partition("-")
    click.echo(run_demo(Path(out), la_code, int(first), int(last or first), seed))
