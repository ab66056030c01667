"""Time ``cscperf benchmarks import`` of everything under ``../shared/reference``.

Imports into a fresh store file (and again into the same store, which replaces
each file's rows), printing the time per file kind and in total; the budget is
10 s for the whole folder. Baseline in the same run: DuckDB reading every CSV
and the Parquet file with nothing else done, so the ratio says what the
checks, unpivot and inserts cost on this (shared) machine.

Run: ``.venv/bin/python benchmarks/bench_benchmarks_import.py [--repeat 2]``.
"""

from __future__ import annotations

import argparse
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
            t = time.perf_counter()
            report = import_paths(con, paths)
            total = time.perf_counter() - t
            kinds: dict[str, int] = defaultdict(int)
            for f in report.files:
                kinds[f.kind] += f.values_loaded
            label = "fresh store" if i == 0 else "re-import (replaces rows)"
            print(f"import {len(report.files)} files, {label}: {total:.2f} s (budget 10 s)")
        print("values by kind:", dict(kinds))
        con.close()
    print(f"baseline, DuckDB reading the same CSV/Parquet files only: {baseline(files):.2f} s")


if __name__ == "__main__":
    main()
