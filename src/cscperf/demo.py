"""`cscperf demo`: the whole product on a synthetic LA, in one command.

Generates a Thurrock-like LA (default 883, 7 reporting years) and its 10
statistical neighbours (the last 2 years: what a regional pool needs) with the
synthetic generator, ingests them into a DuckDB file, imports the DfE's published
benchmarks when ``../shared/reference`` (or ``--reference``) is there, loads the
populations, computes the catalogue (the LA: every year end and month end, with
breakdowns for years; the neighbours: their year and month ends), prints the
scorecard and writes the report (report.html, .pdf, .docx, scorecard.xlsx),
pool.csv and ``kpi_values`` as CSV and Parquet.
Progress goes to stderr.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import click
import duckdb

from cscperf.cores import available_cores
from cscperf.ingest.pipeline import IngestError, ingest_paths
from cscperf.kpis.engine import compute
from cscperf.kpis.periods import period_ends
from cscperf.reference.population import load_csv
from cscperf.scorecard import lines, render
from cscperf.store.coverage import summary_line
from cscperf.store.db import StoreError, connect
from cscperf.usererror import UserError

_YEARS = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?$")


def _say(message: str) -> None:
    click.echo(message, err=True)


def run_demo(
    out: Path,
    la_code: str,
    first_year: int,
    last_year: int,
    seed: int,
    neighbour_years: int = 2,
    reference: Path | None = None,
    scale_factor: float = 1.0,
) -> str:
    from cscperf.synth.api import generate  # heavy; only needed here

    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".cscperf-write-test"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise UserError(f"{out}: cannot write the demo there: {exc.strerror or exc}") from None
    data = out / "data"
    t0 = time.perf_counter()
    # the years are written in parallel, one process per core (same files as serially)
    years = range(first_year, last_year + 1)
    try:
        generate([la_code], years, seed=seed, out=data, workers=available_cores(),
                 scale_factor=scale_factor)  # fmt: skip
    except (KeyError, ValueError) as exc:
        reason = exc.args[0] if exc.args else exc
        raise UserError(f"cannot generate the demo LA: {reason}") from None
    _say(f"generated synthetic LA {la_code}, {first_year}-{last_year}, "
         f"in {time.perf_counter() - t0:.1f}s -> {data}")
    nb_first = max(first_year, last_year - neighbour_years + 1)
    neighbours = generate_neighbours(data / "neighbours", la_code, nb_first, last_year, seed,
                                     scale_factor)  # fmt: skip
    db = out / "cscperf.duckdb"
    if db.exists():
        db.unlink()
    con = connect(db)
    t0 = time.perf_counter()
    report = ingest_paths(con, [data / la_code], la_code)
    read = sum(r.rows_read for r in report.results)
    _say(f"ingested {read:,} rows ({report.rows_quarantined} quarantined) "
         f"in {time.perf_counter() - t0:.1f}s -> {db}")
    ingest_neighbours(con, data / "neighbours", neighbours)
    published = import_reference(con, reference)
    # after the published ONS estimates: rates use the populations the data were made for
    for pop in sorted(data.rglob("population.csv")):
        load_csv(con, pop)
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
    compute_neighbours(con, neighbours, nb_first, last_year)
    pool_path = write_pool(con, out, la_code, year_ends[-1], neighbours, published)
    csv_path, parquet_path = out / "kpi_values.csv", out / "kpi_values.parquet"
    _export(con, [csv_path, parquet_path])
    _say(f"wrote {csv_path} and {parquet_path} (values rounded as shown, with titles and units)")
    items = lines(con, la_code, year_ends[-1], dt.date(last_year - 1, 3, 31))
    covered = summary_line(con, la_code)  # what the figures rest on, under the scorecard
    con.close()
    reports = write_reports(out, la_code, year_ends[-1], db)
    _say(f"the store is {db}: give later commands `--db {db}`, e.g. "
         f"cscperf kpis --db {db} --la {la_code} --period-end {last_year}-03-31")
    written = [*reports, *(p for p in (pool_path, csv_path, parquet_path) if p is not None)]
    return (
        render(items, f"{last_year - 1}-{str(last_year)[2:]}",
               f"{last_year - 2}-{str(last_year - 1)[2:]}")
        + f"\n\n{covered}\n\nwritten:\n" + "\n".join(f"  {p}" for p in written)
    )


def generate_neighbours(
    folder: Path, la_code: str, first_year: int, last_year: int, seed: int,
    scale_factor: float = 1.0,
) -> list[str]:  # fmt: skip
    """The LA's 10 statistical neighbours (DfE 2025) for the last years only: the regional
    pool needs their children, not their history. No Annex A (its workbook dominates the
    time; only the contacts KPI reads it)."""
    from cscperf.reference.las import get_la
    from cscperf.synth.api import generate

    codes = list(get_la(la_code).statistical_neighbours)
    if not codes:
        return []
    t0 = time.perf_counter()
    _say(f"generating its {len(codes)} statistical neighbours, {first_year}-{last_year} ...")
    try:
        generate(codes, range(first_year, last_year + 1), seed=seed, out=folder,
                 workers=available_cores(), annex_a=False, scale_factor=scale_factor,
                 progress=lambda line: _say(f"  {line}"))  # fmt: skip
    except (KeyError, ValueError) as exc:
        reason = exc.args[0] if exc.args else exc
        raise UserError(f"cannot generate the statistical neighbours: {reason}") from None
    _say(f"generated {len(codes)} neighbours in {time.perf_counter() - t0:.1f}s -> {folder}")
    return [c for c in codes if (folder / c).is_dir()]


def ingest_neighbours(con: duckdb.DuckDBPyConnection, folder: Path, codes: list[str]) -> None:
    t0 = time.perf_counter()
    rows = quarantined = 0
    for i, code in enumerate(codes, 1):
        report = ingest_paths(con, [folder / code], code)
        rows += sum(r.rows_read for r in report.results)
        quarantined += report.rows_quarantined
        _say(f"  ingested neighbour {code} ({i} of {len(codes)})")
    if codes:
        _say(f"ingested {rows:,} rows of {len(codes)} neighbours ({quarantined} quarantined) "
             f"in {time.perf_counter() - t0:.1f}s")


def find_reference(given: Path | None) -> Path | None:
    """``--reference``, else ``../shared/reference`` beside the working folder or the repo."""
    if given is not None:
        return given
    repo = Path(__file__).resolve().parents[2]
    for base in (Path.cwd(), repo):
        candidate = base.parent / "shared" / "reference"
        if candidate.is_dir():
            return candidate
    return None


def import_reference(con: duckdb.DuckDBPyConnection, given: Path | None) -> bool:
    """Import the DfE's published figures when there are any; says what the comparisons
    will rest on. A ``--reference`` that cannot be imported is an error; a found one a
    warning."""
    from cscperf.benchmarks.errors import BenchImportError
    from cscperf.benchmarks.importer import import_paths

    path = find_reference(given)
    if path is None:
        _say("no published benchmarks (../shared/reference not found, no --reference): "
             "comparisons use the regional pool alone")
        return False
    t0 = time.perf_counter()
    try:
        report = import_paths(con, [path])
    except (BenchImportError, OSError) as exc:
        if given is not None:
            raise UserError(f"--reference {given}: {exc}") from None
        _say(f"warning: published benchmarks not imported ({exc}): "
             "comparisons use the regional pool alone")
        return False
    _say(f"imported the published benchmarks ({len(report.files)} files) from {path} "
         f"in {time.perf_counter() - t0:.1f}s")
    return True


def compute_neighbours(
    con: duckdb.DuckDBPyConnection, codes: list[str], first_year: int, last_year: int
) -> None:
    """What the pool needs from the neighbours: their year ends and month ends (no
    breakdowns); other periods are computed when a pool asks for them."""
    if not codes:
        return
    t0 = time.perf_counter()
    year_ends = [dt.date(y, 3, 31) for y in range(first_year, last_year + 1)]
    months = period_ends("month", dt.date(first_year - 1, 4, 1), dt.date(last_year, 3, 31))
    compute(con, la_codes=codes, period_type="year", period_ends=year_ends, on_error="collect")
    compute(con, la_codes=codes, period_type="month", period_ends=months, on_error="collect")
    _say(f"computed the catalogue for the {len(codes)} neighbours ({len(year_ends)} year ends, "
         f"{len(months)} month ends) in {time.perf_counter() - t0:.1f}s")


def write_pool(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    la_code: str,
    year_end: dt.date,
    neighbours: list[str],
    published: bool,
) -> Path | None:
    """pool.csv: the LA beside the regional pool of its neighbours for the last year."""
    from cscperf.benchmarks.pool import pool_many
    from cscperf.benchmarks.pool_cli import COLUMNS, record
    from cscperf.kpis.catalogue import load_catalogue
    from cscperf.output import render as render_rows

    if not neighbours:
        return None
    try:
        # everything it reads was computed above (a pool computes nothing more here)
        rows = pool_many(con, la_code, "year", [year_end], members=neighbours,
                         compute_missing=False)  # fmt: skip
    except (KeyError, ValueError) as exc:
        _say(f"warning: no regional pool: {exc}")
        return None
    cat = load_catalogue(strict=False)
    sn = published_sn(con, la_code, year_end.year) if published else {}
    records = [record(p, cat[p.kpi_id].decimals, sn.get(p.kpi_id)) for p in rows
               if p.kpi_id in cat]  # fmt: skip
    path = out / "pool.csv"
    path.write_text(render_rows(list(COLUMNS), [[r[c] for c in COLUMNS] for r in records], "csv")
                    + "\n", encoding="utf-8")  # fmt: skip
    widest = max(rows, key=lambda p: len(p.used), default=None)
    label = widest.label if widest else "regional pool"
    shown = ("the published SN figure is shown where there is one, the pool elsewhere"
             if published else "the pool is the only comparator")  # fmt: skip
    _say(f"wrote {path}: {label} ({shown})")
    return path


def published_sn(
    con: duckdb.DuckDBPyConnection, la_code: str, year: int
) -> dict[str, tuple[str, float | None]]:
    """The published SN figure (label, value) by KPI for a return year, where imported."""
    from cscperf.benchmarks.compare import compare

    try:
        rows = compare(con, la_code, year)
    except (LookupError, ValueError, duckdb.Error):
        return {}
    return {c.kpi_id: (f"{c.sn_label} {year - 1}-{year % 100:02d}", c.sn_value) for c in rows}


def write_reports(out: Path, la_code: str, year_end: dt.date, db: Path) -> list[Path]:
    """The committee report for the last year in every format (report.html, report.pdf,
    report.docx, scorecard.xlsx)."""
    from cscperf.report import build_report
    from cscperf.report.writers import default_formats, pdf_worker, write_formats

    t0 = time.perf_counter()
    formats = default_formats()
    try:
        with pdf_worker(formats) as worker:
            data = build_report(la_code, year_end, "year", None, str(db))
            paths = write_formats(data, out, formats, db=str(db), worker=worker)
    except ValueError as exc:
        _say(f"warning: no report: {str(exc).splitlines()[0]}")
        return []
    _say(f"wrote the report ({', '.join(p.name for p in paths)}) "
         f"in {time.perf_counter() - t0:.1f}s")
    return paths


def _export(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> None:
    """kpi_values as the `kpis` command exports it, to each of ``paths`` (by extension)."""
    from cscperf.export import ExportError, write
    from cscperf.kpis.catalogue import load_catalogue
    from cscperf.kpis.cli import readable_rows
    from cscperf.kpis.engine import KPI_VALUES_COLUMNS

    rel = con.execute(
        f"SELECT {', '.join(KPI_VALUES_COLUMNS)} FROM kpi_values ORDER BY ALL"
    )
    cols, rows = readable_rows([d[0] for d in rel.description], rel.fetchall(), load_catalogue())
    for path in paths:
        try:
            write(path, cols, rows)
        except ExportError as exc:
            raise UserError(str(exc)) from None


def parse_years(text: str) -> tuple[int, int]:
    """``FIRST-LAST`` or one year to (first, last); anything else is a user error."""
    m = _YEARS.match(text)
    if not m:
        raise click.BadParameter(f"{text!r} is not FIRST-LAST (e.g. 2019-2025) or one year",
                                 param_hint="'--years'")
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    if first > last:
        raise click.BadParameter(f"{text!r}: {first} is after {last}", param_hint="'--years'")
    return first, last


@click.command()
@click.option("--out", default="out", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the synthetic files, the store and the exports.")
@click.option("--la", "la_code", default="883", show_default=True,
              help="LA whose profile the synthetic data follows (883 = Thurrock).")
@click.option("--years", default="2019-2025", show_default=True,
              help="Reporting years (ending 31 March), FIRST-LAST.")
@click.option("--seed", default=2025, show_default=True, type=int)
@click.option("--neighbour-years", default=2, show_default=True, type=click.IntRange(1, 10),
              help="Years generated for the statistical neighbours (the last ones).")  # fmt: skip
@click.option("--reference", type=click.Path(exists=True), default=None,
              help="The DfE's published files to import (default: ../shared/reference "
                   "beside the working folder or the repo, when there).")  # fmt: skip
@click.option("--scale-factor", default=1.0, show_default=True, type=click.FloatRange(0.001, 10),
              help="Multiply each LA's child population (small: a quick look).")  # fmt: skip
def demo(out: str, la_code: str, years: str, seed: int, neighbour_years: int,
         reference: str | None, scale_factor: float) -> None:  # fmt: skip
    """Run the whole product on a synthetic LA and its 10 statistical neighbours: print
    its scorecard and write its report.

    Everything goes under --out: the synthetic files (data/, data/neighbours/), the store
    (cscperf.duckdb: pass it as --db to later commands), report.html, report.pdf,
    report.docx and scorecard.xlsx, pool.csv (the LA
    beside the regional pool of its neighbours) and kpi_values.csv/.parquet.
    """
    first, last = parse_years(years)
    ref = Path(reference) if reference else None
    try:
        click.echo(run_demo(Path(out), la_code, first, last, seed, neighbour_years, ref,
                            scale_factor))  # fmt: skip
    except (StoreError, IngestError) as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"{out}: {exc.strerror or exc}") from None
