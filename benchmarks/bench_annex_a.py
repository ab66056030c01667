"""Annex A workbook read time: calamine (the default) against openpyxl streaming.

Generates (once) a synthetic LA's Annex A under ``benchmarks/_data/`` with the
project's generator, then reads it with :class:`~cscperf.io.annex_a.AnnexAReader`
into a sink that drops the batches, each engine in its own subprocess so that
peak memory figures don't mix. The openpyxl run forces the streaming engine
used for worksheets over ``xlsx_rows.CALAMINE_MAX_BYTES``.

Run: ``.venv/bin/python benchmarks/bench_annex_a.py [--repeat 3] [--scale 1.0]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from _sinks import NullSink  # benchmarks/ is on sys.path when a script runs

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"


def workbook(scale: float) -> Path:
    out = DATA / f"annex_{scale:g}"
    path = out / "883" / "2025" / "annex_a.xlsx"
    if not path.exists():
        from cscperf.synth.api import generate

        generate(["883"], [2025], seed=1, out=out, scale_factor=scale)
    return path


def _one(engine: str, path: Path) -> dict[str, float]:
    from cscperf.io import xlsx_rows
    from cscperf.io.annex_a import READER

    if engine == "openpyxl":
        xlsx_rows.CALAMINE_MAX_BYTES = -1
    sink = NullSink()
    t = time.perf_counter()
    READER.read(path, sink)
    wall = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"wall": wall, "rows": sink.rows, "peak_rss": rss}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="best (wall) of N per engine")
    ap.add_argument("--scale", type=float, default=1.0, help="synthetic LA size factor")
    ap.add_argument("--one", nargs=2, metavar=("ENGINE", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(_one(args.one[0], Path(args.one[1]))))
        return
    path = workbook(args.scale)
    print(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")
    best: dict[str, dict[str, float]] = {}
    for _ in range(args.repeat):  # interleaved, so a slow spell hits both alike
        for engine in ("calamine", "openpyxl"):
            out = subprocess.run(
                [sys.executable, __file__, "--one", engine, str(path)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            r = json.loads(out.stdout.strip().splitlines()[-1])
            if engine not in best or r["wall"] < best[engine]["wall"]:
                best[engine] = r
    for engine, r in best.items():
        print(
            f"{engine:>9}: {int(r['rows']):,} rows in {r['wall']:.2f} s "
            f"({r['rows'] / r['wall']:,.0f} rows/s), peak RSS {r['peak_rss'] / 1e6:.0f} MB"
        )
    print(f"openpyxl / calamine time: {best['openpyxl']['wall'] / best['calamine']['wall']:.1f}x")


if __name__ == "__main__":
    main()
