"""CIN census XML ingest throughput and memory against the bare-lxml limit.

Generates CIN census files of several sizes by replicating the ``<Child>``
elements of the shared fake fixtures (rich children weighted up so that every
module is exercised) under ``benchmarks/_data/`` (git-ignored), then, for each
size, runs in separate subprocesses so that peak memory figures don't mix:

* ``bare``   – lxml ``iterparse`` over ``<Child>`` reading the tag and text of
  every descendant (the limit any lxml-based reader can reach);
* ``null``   – :class:`~cscperf.io.cin_xml.CinXmlReader` into a sink that drops
  batches (the reader alone; shows memory stays flat);
* ``duckdb`` – the reader into a sink that registers each Arrow batch and
  inserts it into an in-memory DuckDB staging table;
* ``pipeline`` – the real thing: ``ingest_paths`` into a new store file
  (staging, validation against the year's code lists, quarantine, merge,
  ingest log, commit).

Run: ``.venv/bin/python benchmarks/bench_ingest_cin.py [--sizes 25 100 250]``.
Throughput is reported on wall-clock and on process CPU time; the machine may
be shared, so the CPU figures are the steadier comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
FIXTURES = HERE.parent.parent / "shared" / "fixtures" / "cin-census-fake"
RICH_WEIGHT = 30  # copies of each fully populated child per block of the fake data


def _children(path: Path) -> list[str]:
    return re.findall(r"<Child>.*?</Child>", path.read_text(), re.S)


def generate(size_mb: int) -> Path:
    """Write (once) a CIN census file of about ``size_mb`` MB with unique child ids."""
    DATA.mkdir(exist_ok=True)
    out = DATA / f"cin_{size_mb}mb.xml"
    if out.exists() and out.stat().st_size >= size_mb * 1024 * 1024:
        return out
    simple = _children(FIXTURES / "fake_CIN_data.xml")
    rich = [
        c for n in ("2021", "2024", "2026") for c in _children(FIXTURES / f"CIN_Census_{n}.xml")
    ]
    block = simple + rich * RICH_WEIGHT
    header = (FIXTURES / "fake_CIN_data.xml").read_text().split("<Children>")[0]
    target, size, i = size_mb * 1024 * 1024, 0, 0
    tmp = out.with_suffix(".tmp")
    with tmp.open("w") as f:
        f.write(header + "<Children>\n")
        while size < target:
            for child in block:
                i += 1
                s = re.sub(
                    r"<LAchildID>[^<]*</LAchildID>",
                    f"<LAchildID>B{i:09d}</LAchildID>",
                    child,
                    count=1,
                )
                f.write("    " + s + "\n")
                size += len(s) + 5
        f.write("  </Children>\n</Message>\n")
    tmp.replace(out)
    return out


# -- measurements (each run in its own process) --------------------------------
def _bare(path: Path) -> int:
    from lxml import etree

    n = 0
    for _, child in etree.iterparse(
        str(path), events=("end",), tag="Child", resolve_entities=False, no_network=True,
        load_dtd=False, huge_tree=False,
    ):  # fmt: skip
        fields = [(e.tag, e.text) for e in child.iter()]
        n += len(fields)
        child.clear()
        while child.getprevious() is not None:
            del child.getparent()[0]
    return n


class _NullSink:
    def __init__(self) -> None:
        self.rows = 0

    def append(self, table: str, batch: object) -> None:
        self.rows += batch.num_rows  # type: ignore[attr-defined]

    def append_sql(self, table: str, select_sql: str, first_line: int) -> None:
        raise NotImplementedError


class _DuckSink(_NullSink):
    def __init__(self) -> None:
        import duckdb

        super().__init__()
        self.con = duckdb.connect(":memory:")
        self.made: set[str] = set()

    def append(self, table: str, batch: object) -> None:
        super().append(table, batch)
        self.con.register("_batch", batch)
        if table in self.made:
            self.con.execute(f"INSERT INTO {table} SELECT * FROM _batch")
        else:
            self.con.execute(f"CREATE TABLE {table} AS SELECT * FROM _batch")
            self.made.add(table)
        self.con.unregister("_batch")


def _pipeline(path: Path) -> int:
    import tempfile

    from cscperf.ingest.pipeline import ingest_paths
    from cscperf.store.db import connect

    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        con = connect(Path(tmp) / "store.duckdb")
        report = ingest_paths(con, [path], "883")
        con.close()
    return sum(r.rows_read for r in report.results)


def _one(mode: str, path: Path) -> dict[str, float]:
    import pyarrow as pa

    pa.array(["warm-up"], pa.string())  # one-off lazy imports are not throughput
    if mode != "bare":
        from cscperf.io.cin_xml import CinXmlReader
    wall, cpu = time.perf_counter(), time.process_time()
    if mode == "bare":
        rows = _bare(path)
    elif mode == "pipeline":
        rows = _pipeline(path)
    else:
        sink = _NullSink() if mode == "null" else _DuckSink()
        CinXmlReader().read(path, sink)
        rows = sink.rows
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    hwm = 0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) * 1024
    if not hwm:
        hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"wall": wall, "cpu": cpu, "rows": rows, "peak_rss": hwm}


def _measure(mode: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--one", mode, str(path)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[25, 100, 250], help="MB")
    ap.add_argument("--repeat", type=int, default=1, help="best of N per measurement")
    ap.add_argument("--one", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(_one(args.one[0], Path(args.one[1]))))
        return
    if not FIXTURES.is_dir():
        sys.exit(f"shared fixtures not found at {FIXTURES}")
    print(
        f"{'size MB':>8} {'mode':>7} {'rows':>10} {'wall s':>7} {'MB/s':>6} {'cpu s':>7} "
        f"{'MB/s cpu':>8} {'ratio':>6} {'ratio cpu':>9} {'peak RSS MB':>11}"
    )
    for size_mb in args.sizes:
        path = generate(size_mb)
        mb = os.path.getsize(path) / 1e6
        results: dict[str, dict[str, float]] = {}
        for mode in ("bare", "null", "duckdb", "pipeline"):
            runs = [_measure(mode, path) for _ in range(args.repeat)]
            results[mode] = min(runs, key=lambda r: r["cpu"])
        base = results["bare"]
        for mode, r in results.items():
            print(
                f"{mb:8.0f} {mode:>7} {int(r['rows']):>10} {r['wall']:7.2f} {mb / r['wall']:6.1f} "
                f"{r['cpu']:7.2f} {mb / r['cpu']:8.1f} {base['wall'] / r['wall']:6.2f} "
                f"{base['cpu'] / r['cpu']:9.2f} {r['peak_rss'] / 1e6:11.0f}"
            )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
