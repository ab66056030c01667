"""Time ``cscperf benchmarks import`` of everything under ``../shared/reference``.

Imports into a fresh store file (and again into the same store, which replaces
each file's rows), printing wall and CPU time; the budget is 10 s for the whole
folder. Then times the comparisons for Thurrock's whole catalogue (budget 1 s).
Baseline in the same run: DuckDB reading every CSV
and the Parquet file with nothing else done, so the ratio says what the
checks, unpivot and inserts cost on this (shared) machine.

Run: ``.venv/bin/python benchmarks/bench_benchmarks_import.py [--repeat 2]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import duckdb

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


def baseline(files: list[Path]) -> float:
    con = duckdb.connect()
    t = time.perf_counter()
    for f in files:
        if f.suffix == ".csv":
            con.execute("SELECT count(*) FROM read_csv(?, all_varchar = true)", [str(f)]).fetchall()
        elif f.suffix == ".parquet":
            con.execute('SELECT count(*), max("Values") FROM read_parquet(?)', [str(f)]).fetchall()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--reference", type=Path, default=REFERENCE)
    args = ap.parse_args()
    from cscperf.benchmarks.importer import discover, import_paths
    from cscperf.store.db import connect

    paths = [args.reference / "dfe-published", args.reference / "lait"]
    files, _ = discover(paths)
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "bench.duckdb")
        for i in range(args.repeat):
            t, cpu = time.perf_counter(), time.process_time()
            report = import_paths(con, paths)
            total, cpu = time.perf_counter() - t, time.process_time() - cpu
            kinds: dict[str, int] = defaultdict(int)
            for f in report.files:
                kinds[f.kind] += f.values_loaded
            label = "fresh store" if i == 0 else "re-import (replaces rows)"
            print(
                f"import {len(report.files)} files, {label}: {total:.2f} s wall, "
                f"{cpu:.2f} s CPU in this process (budget 10 s)"
            )
        print("values by kind:", dict(kinds))
        from cscperf.benchmarks.compare import compare

        for label in ("first (catalogue YAML read)", "again"):
            t = time.perf_counter()
            rows = compare(con, "883", 2025)
            print(
                f"show --la 883 --year 2025, {len(rows)} KPIs, {label}: "
                f"{time.perf_counter() - t:.2f} s (budget 1 s)"
            )
        from cscperf.benchmarks.periods import match_period

        t = time.perf_counter()
        match = match_period("quarter", dt.date(2025, 9, 30), 2025)
        rows = compare(con, "883", match.year, period=match)
        print(
            f"show --la 883 --period-type quarter --period-end 2025-09-30, {len(rows)} KPIs "
            f"(with 3-year direction): {time.perf_counter() - t:.2f} s (budget 1 s)"
        )
        con.close()
    print(f"baseline, DuckDB reading the same CSV/Parquet files only: {baseline(files):.2f} s")


if __name__ == "__main__":
    main()
