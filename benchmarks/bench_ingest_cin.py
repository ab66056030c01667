"""CIN census XML ingest throughput and memory against the bare-lxml limit.

Generates CIN census files of several sizes by replicating the ``<Child>``
elements of the shared fake fixtures (rich children weighted up so that every
module is exercised) under ``benchmarks/_data/`` (git-ignored), then, for each
size, runs in separate subprocesses so that peak memory figures don't mix:

* ``bare``   – lxml ``iterparse`` over ``<Child>`` reading the tag and text of
  every descendant (the limit any lxml-based reader can reach);
* ``serial`` – :class:`~cscperf.io.cin_xml.CinXmlReader` kept to one process
  into a sink that drops batches (the reader alone; shows memory stays flat);
* ``null``   – the same with the reader's default: big files are parsed by two
  processes (:mod:`cscperf.io.cin_split`);
* ``duckdb`` – the reader into a sink that registers each Arrow batch and
  inserts it into an in-memory DuckDB staging table;
* ``pipeline`` – the real thing: ``ingest_paths`` into a new store file
  (staging, validation against the year's code lists, quarantine, merge,
  ingest log, commit);
* ``pipe-serial`` – the same with the reader kept to one process.

Run: ``.venv/bin/python benchmarks/bench_ingest_cin.py [--sizes 25 100 250]``.
Throughput is reported on wall-clock and on CPU time (the process's plus its
worker's); the machine may be shared, so compare ratios measured in one run.
Peak RSS is the main process's; ``worker RSS`` the reader's worker process's.
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

from _sinks import NullSink  # benchmarks/ is on sys.path when a script runs

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
FIXTURES = HERE.parent.parent / "shared" / "fixtures" / "cin-census-fake"
RICH_WEIGHT = 30  # copies of each fully populated child per block of the fake data


def _children(path: Path) -> list[str]:
    return re.findall(r"<Child>.*?</Child>", path.read_text(), re.S)


def generate(size_mb: int) -> Path:
    """Write (once) a CIN census file of about ``size_mb`` MB with unique child ids."""
    DATA.mkdir(exist_ok=True)
    out = DATA / f"cin_{size_mb}mb_la883.xml"
    if out.exists() and out.stat().st_size >= size_mb * 1024 * 1024:
        return out
    simple = _children(FIXTURES / "fake_CIN_data.xml")
    rich = [
        c for n in ("2021", "2024", "2026") for c in _children(FIXTURES / f"CIN_Census_{n}.xml")
    ]
    block = simple + rich * RICH_WEIGHT
    header = (FIXTURES / "fake_CIN_data.xml").read_text().split("<Children>")[0]
    # the fixture says <LEA>975</LEA>, no LA: the pipeline mode ingests as 883
    header = re.sub(r"<LEA>[^<]*</LEA>", "<LEA>883</LEA>", header)
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
MODES = ("bare", "serial", "null", "duckdb", "pipe-serial", "pipeline")


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


class _DuckSink(NullSink):
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


def _pipeline(path: Path, serial: bool = False) -> int:
    import tempfile

    from cscperf.io import cin_xml

    if serial:
        cin_xml.READER.parallel_min_bytes = None

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
    wall, cpu = time.perf_counter(), time.process_time() + _children_cpu()
    if mode == "bare":
        rows = _bare(path)
    elif mode in ("pipeline", "pipe-serial"):
        rows = _pipeline(path, serial=mode == "pipe-serial")
    else:
        sink = NullSink() if mode in ("null", "serial") else _DuckSink()
        reader = CinXmlReader(parallel_min_bytes=None) if mode == "serial" else CinXmlReader()
        reader.read(path, sink)
        rows = sink.rows
    wall = time.perf_counter() - wall
    cpu = time.process_time() + _children_cpu() - cpu
    hwm = 0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) * 1024
    if not hwm:
        hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {"wall": wall, "cpu": cpu, "rows": rows, "peak_rss": hwm, "worker_rss": worker}


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _measure(mode: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--one", mode, str(path)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[25, 100, 250], help="MB")
    ap.add_argument("--repeat", type=int, default=1, help="best (wall) of N per measurement")
    ap.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    ap.add_argument("--one", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(_one(args.one[0], Path(args.one[1]))))
        return
    if not FIXTURES.is_dir():
        sys.exit(f"shared fixtures not found at {FIXTURES}")
    print(
        f"{'size MB':>8} {'mode':>11} {'rows':>10} {'wall s':>7} {'MB/s':>6} {'cpu s':>7} "
        f"{'MB/s cpu':>8} {'ratio':>6} {'ratio cpu':>9} {'peak RSS MB':>11} {'worker RSS':>10}"
    )
    for size_mb in args.sizes:
        path = generate(size_mb)
        mb = os.path.getsize(path) / 1e6
        modes = ["bare", *(m for m in args.modes if m != "bare")]
        runs: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
        for _ in range(args.repeat):  # interleaved, so a slow spell hits every mode alike
            for mode in modes:
                runs[mode].append(_measure(mode, path))
        results = {m: min(rs, key=lambda r: r["wall"]) for m, rs in runs.items()}
        base = results["bare"]
        for mode, r in results.items():
            worker = f"{r['worker_rss'] / 1e6:10.0f}" if r["worker_rss"] else f"{'-':>10}"
            print(
                f"{mb:8.0f} {mode:>11} {int(r['rows']):>10} {r['wall']:7.2f} "
                f"{mb / r['wall']:6.1f} {r['cpu']:7.2f} {mb / r['cpu']:8.1f} "
                f"{base['wall'] / r['wall']:6.2f} {base['cpu'] / r['cpu']:9.2f} "
                f"{r['peak_rss'] / 1e6:11.0f} {worker}"
            )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
