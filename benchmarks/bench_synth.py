"""Benchmark ``cscperf synth``: time, peak RSS and children/second, extrapolated to England.

Generates a sample of LAs (small to large) for N years into a temporary folder,
measures wall time, CPU time and peak resident memory, and scales the time by
child population to estimate a national run (every English LA)::

    .venv/bin/python benchmarks/bench_synth.py --las 883,882,886 --years 2017-2025 --workers 2
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from cscperf.synth.api import generate
from cscperf.synth.cli import parse_years
from cscperf.synth.params import all_la_codes, get_params
from cscperf.synth.postcodes import book


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024  # Linux reports KiB


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--las", default="883,882,886,330,202")
    ap.add_argument("--years", default="2017-2025")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--annex-a", action="store_true", help="also write Annex A workbooks")
    ap.add_argument("--keep", type=Path, help="write here instead of a temporary folder")
    args = ap.parse_args()
    las = [c.strip() for c in args.las.split(",")]
    years = parse_years(args.years)

    t = time.perf_counter()
    book()
    load = time.perf_counter() - t
    out = args.keep or Path(tempfile.mkdtemp(prefix="bench_synth_"))
    cpu0 = time.process_time() + _children_cpu()
    t0 = time.perf_counter()
    m = generate(las, years, args.seed, out, workers=args.workers, annex_a=args.annex_a)
    wall = time.perf_counter() - t0
    cpu = time.process_time() + _children_cpu() - cpu0
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    if not args.keep:
        shutil.rmtree(out)

    sample_pop = sum(get_params(c).child_population for c in las)
    england_pop = sum(get_params(c).child_population for c in all_la_codes())
    factor = england_pop / sample_pop
    print(f"postcode directory load: {load:.1f}s (cached after the first run)")
    print(f"sample: {len(las)} LAs x {len(years)} years, {sample_pop:,} children aged 0-17")
    print(f"  wall {wall:.1f}s, cpu {cpu:.1f}s (all processes), workers {args.workers}")
    print(f"  {m.children:,} simulated children, {m.children / wall:,.0f} children/s")
    print(f"  output {size / 1e6:.1f} MB, peak RSS {_peak_rss_mb():.0f} MB (largest process)")
    print(f"England ({england_pop:,} children, x{factor:.1f}):")
    print(f"  estimated wall {wall * factor / 60:.1f} min, output {size * factor / 1e9:.1f} GB")
    cores = max(1, args.workers)
    idle = cpu * factor / cores / 60
    print(f"  on an idle machine with {cores} core(s): ~{idle:.1f} min (cpu-bound)")
    print("  memory is per LA (streamed): peak RSS does not grow with the number of LAs")


if __name__ == "__main__":
    main()
