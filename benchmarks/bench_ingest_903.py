"""Benchmark: 903 episodes CSV ingest vs DuckDB's own ``read_csv`` on the same file.

Builds large episodes CSVs under ``benchmarks/_data`` (the shared fixture's rows
replicated, or seeded synthetic rows when ../shared is absent), then for each
size runs, each in a fresh subprocess so peak RSS is per run:

* ``duckdb``: ``CREATE TABLE t AS SELECT * FROM read_csv(..., all_varchar)`` —
  the parser limit;
* ``reader``: ``Ssda903CsvReader.read`` into a sink whose ``append_sql``
  inserts into a DuckDB table (what the store does).

Prints seconds, MB/s, the reader/duckdb ratio and peak RSS (VmHWM).

    .venv/bin/python benchmarks/bench_ingest_903.py --sizes 50 200 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "_data"
FIXTURE = ROOT.parent / "shared" / "fixtures" / "ssda903-fake" / "episodes.csv"
HEADER = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
    "HOME_POST,PL_POST,URN\n"
)


def _synthetic_body(rows: int = 5000) -> bytes:
    rng = random.Random(903)
    out = []
    for _ in range(rows):
        d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2015, 2024)
        out.append(
            f"{rng.randint(100000, 999999)},{d:02d}/{m:02d}/{y},{rng.choice('SPLTUB')},"
            f"{rng.choice(['C1', 'C2', 'V2', 'E1'])},N{rng.randint(1, 8)},"
            f"{rng.choice(['U1', 'U4', 'R1', 'K2'])},PR{rng.randint(0, 5)},"
            f"{d:02d}/{m:02d}/{y + 1},{rng.choice(['E11', 'X1', 'E2'])},,"
            f"AB{rng.randint(1, 99)} 1CD,EF{rng.randint(1, 99)} 2GH,"
            f"{rng.randint(1000000, 9999999)}\n"
        )
    return "".join(out).encode()


def build(size_mb: int) -> Path:
    """An episodes CSV of about ``size_mb`` MB (reused if already built)."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"episodes_unique_{size_mb}mb.csv"
    if path.exists() and path.stat().st_size >= size_mb * 1_000_000:
        return path
    if FIXTURE.exists():
        header, body = FIXTURE.read_bytes().split(b"\n", 1)
        header += b"\n"
    else:
        header, body = HEADER.encode(), _synthetic_body()
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        f.write(header)
        written, k = 0, 0
        lines = body.rstrip(b"\n").split(b"\n")
        while written < size_mb * 1_000_000:
            # a distinct child id per copy, so natural keys stay unique as in a real return
            chunk = b"\n".join(b"R%d_" % k + line for line in lines) + b"\n"
            f.write(chunk)
            written += len(chunk)
            k += 1
    tmp.replace(path)
    return path


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process, all threads (DuckDB's included)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_one(mode: str, path: Path) -> dict[str, float]:
    """Run one measurement in this process (called in a subprocess)."""
    cpu = _cpu()
    result = _run_one(mode, path)
    result["cpu"] = _cpu() - cpu
    return result


def _run_one(mode: str, path: Path) -> dict[str, float]:
    import duckdb

    if mode in ("pipeline", "duckdb-file"):
        return run_store(mode, path)
    con = duckdb.connect()
    start = time.perf_counter()
    if mode == "duckdb":
        src = str(path).replace("'", "''")
        con.execute(
            f"CREATE TABLE t AS SELECT * FROM read_csv('{src}', all_varchar=true, header=true)"
        )
    else:
        from cscperf.io.ssda903_csv import READER

        class DuckSink:
            def __init__(self) -> None:
                self.made: set[str] = set()

            def append(self, table: str, batch: object) -> None:
                con.register("batch", batch)
                self.append_sql(table, "SELECT * FROM batch", 0)

            def append_sql(self, table: str, select_sql: str, first_line: int) -> None:
                verb = "INSERT INTO" if table in self.made else "CREATE TABLE"
                con.execute(f"{verb} {table} {'AS ' if verb == 'CREATE TABLE' else ''}{select_sql}")
                self.made.add(table)

        READER.read(path, DuckSink())
    seconds = time.perf_counter() - start
    rows = con.execute(
        "SELECT count(*) FROM " + ("t" if mode == "duckdb" else "cla_episodes")
    ).fetchall()[0][0]
    return {"seconds": seconds, "rows": rows, "peak_rss_mb": _peak_rss_mb()}


def run_store(mode: str, path: Path) -> dict[str, float]:
    """The full ingest (read, validate, merge, log) vs read_csv, both into a store file."""
    import tempfile

    import duckdb

    from cscperf.ingest.pipeline import ingest_paths
    from cscperf.store.db import connect

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        start = time.perf_counter()
        if mode == "duckdb-file":
            con = duckdb.connect(str(db))
            src = str(path).replace("'", "''")
            con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{src}', header=true)")
            rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
        else:
            con = connect(db)
            # 2026: every synthetic date (to 2025) is inside the reporting year
            report = ingest_paths(con, [path], "883", year=2026)
            rows = sum(r.rows_loaded for r in report.results)
        con.close()
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": rows, "peak_rss_mb": _peak_rss_mb()}


def measure(mode: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--one", mode, str(path)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 200], help="file sizes in MB")
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs per mode")
    ap.add_argument("--one", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], Path(args.one[1]))))
        return
    modes = ("duckdb", "reader", "duckdb-file", "pipeline")
    print(
        f"{'size':>6} {'mode':>11} {'rows':>10} {'best s':>8} {'MB/s':>7} {'cpu s':>7} "
        f"{'peak RSS MB':>12}"
    )
    for size in args.sizes:
        path = build(size)
        mb = path.stat().st_size / 1e6
        best: dict[str, dict[str, float]] = {}
        for _ in range(args.repeat):  # interleave so machine load hits all modes alike
            for mode in modes:
                r = measure(mode, path)
                if mode not in best or r["seconds"] < best[mode]["seconds"]:
                    best[mode] = r
        for mode, r in best.items():
            print(
                f"{size:>5}M {mode:>11} {int(r['rows']):>10} {r['seconds']:>8.2f} "
                f"{mb / r['seconds']:>7.1f} {r['cpu']:>7.2f} {r['peak_rss_mb']:>12.0f}"
            )
        assert best["duckdb"]["rows"] == best["reader"]["rows"], "row counts differ"
        ratio = best["duckdb"]["seconds"] / best["reader"]["seconds"]
        print(f"{size:>5}M reader (staging only) = {ratio:.0%} of DuckDB read_csv (in memory)")
        ratio = best["duckdb-file"]["seconds"] / best["pipeline"]["seconds"]
        cpu = best["duckdb-file"]["cpu"] / best["pipeline"]["cpu"]
        print(
            f"{size:>5}M full ingest (validate + merge) = {ratio:.0%} of DuckDB read_csv "
            f"into a store file ({cpu:.0%} on CPU time)"
        )


if __name__ == "__main__":
    main()
