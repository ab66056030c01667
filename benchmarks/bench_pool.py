"""Benchmark the regional pool: 11 synthetic LAs (Thurrock and its 10 statistical
neighbours), the whole catalogue, 24 month ends (issue 11 target: <= 10 s).

  .venv/bin/python benchmarks/bench_pool.py [--work DIR] [--db STORE] [--scale-factor 1]

The store is ``--db`` (e.g. the demo's ``out/cscperf.duckdb``, copied first so it is
left as found) or built in ``--work``: ``cscperf synth --la 883 --region`` for 2024-25
and 2025-26... return years 2024-2025, ingested with their populations. Two timings:

1. **cold**: no month values stored: the pool computes the 11 LAs' values (the engine,
   once for all of them) and pools them;
2. **warm**: the values stored (as after ``cscperf demo`` or ``cscperf kpis``): the pool
   reads them and runs the median KPI's SQL for the pooled LAs.

Reports seconds, rows and peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import time
from datetime import date
from pathlib import Path

from cscperf.benchmarks.pool import pool_many
from cscperf.kpis.periods import period_ends
from cscperf.reference.las import get_la
from cscperf.store.db import connect

LA = "883"
ENDS = period_ends("month", date(2023, 4, 1), date(2025, 3, 31))  # 24 month ends


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(work: Path, scale_factor: float) -> Path:
    from cscperf.ingest.pipeline import ingest_paths
    from cscperf.reference.population import load_csv
    from cscperf.synth.api import generate

    db = work / f"pool_{scale_factor:g}.duckdb"
    if db.exists():
        return db
    data = work / "data"
    t = time.perf_counter()
    generate([LA], [2024, 2025], seed=1, out=data, region=True, scale_factor=scale_factor,
             annex_a=False, workers=2)  # fmt: skip
    print(f"generated 11 LAs in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    con = connect(db)
    for la in (LA, *get_la(LA).statistical_neighbours):
        ingest_paths(con, [data / la], la)
        for pop in sorted((data / la).rglob("population.csv")):
            load_csv(con, pop)
    con.close()
    print(f"ingested 11 LAs in {time.perf_counter() - t:.1f} s -> {db}")
    return db


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/cscperf-bench-pool"))
    ap.add_argument("--db", type=Path, default=None, help="an 11-LA store to copy (the demo's)")
    ap.add_argument("--scale-factor", type=float, default=1.0)
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.db is not None:
        db = args.work / "copy.duckdb"
        shutil.copyfile(args.db, db)
    else:
        db = build(args.work, args.scale_factor)
    con = connect(db)
    con.execute(
        "DELETE FROM kpi_values WHERE period_type = 'month' AND period_end IN (SELECT unnest(?))",
        [ENDS],
    )
    t = time.perf_counter()
    rows = pool_many(con, LA, "month", ENDS)
    cold = time.perf_counter() - t
    t = time.perf_counter()
    again = pool_many(con, LA, "month", ENDS)
    warm = time.perf_counter() - t
    assert [(r.kpi_id, r.period_end, r.value) for r in rows] == [
        (r.kpi_id, r.period_end, r.value) for r in again
    ]
    pooled = sum(1 for r in rows if r.value is not None)
    widest = max(len(r.used) for r in rows)
    con.close()
    print(f"{len(rows)} pool rows ({pooled} with a value; up to {widest} LAs pooled), "
          f"{len(ENDS)} month ends")  # fmt: skip
    print(f"cold (computing the 11 LAs' month values first): {cold:.2f} s")
    print(f"warm (values stored): {warm:.2f} s")
    print(f"peak RSS {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
