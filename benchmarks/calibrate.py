"""Calibration check: each synthetic LA's 2024-25 KPIs against its published figures.

Generates each LA at full size (seed 2025, return years 2023-2025), ingests it,
computes the year ending 31 March 2025, imports the DfE's published figures and
prints the table of :mod:`cscperf.synth.calibration` (Markdown) per LA::

    .venv/bin/python benchmarks/calibrate.py --la 883,330,857 [--shared ../shared]
    .venv/bin/python benchmarks/calibrate.py --la 883 --years 2019-2025   # the demo's span

Exit code 1 when any KPI fails (KPIs listed as not calibrated do not count).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from cscperf.reference.las import get_la
from cscperf.synth.calibration import calibrate, failures, table

DEFAULT_SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--la", default="883", help="DfE codes, comma-separated")
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--years", default="2023-2025", help="return years generated, FIRST-LAST")
    args = ap.parse_args(argv)
    first, last = (int(y) for y in args.years.split("-"))
    years = range(first, last + 1)
    ref = args.shared / "reference"
    if not ref.is_dir():
        print(f"calibrate: error: {ref}: no such folder (the published figures)", file=sys.stderr)
        return 2
    bad = 0
    for la in [c.strip() for c in args.la.split(",") if c.strip()]:
        with tempfile.TemporaryDirectory(prefix=f"calibrate-{la}-") as tmp:
            rows = calibrate(
                la,
                Path(tmp),
                [ref / "dfe-published", ref / "lait"],
                seed=args.seed,
                year=last,
                years=years,
            )
        failed = failures(rows)
        bad += len(failed)
        print(f"### {la} {get_la(la).name} (seed {args.seed}, return years {args.years}; "
              f"year ending 31 March {last})\n")  # fmt: skip
        print(table(rows))
        names = ", ".join(r.kpi_id for r in failed)
        print(f"\n{len(rows) - len(failed)} of {len(rows)} KPIs pass or are not calibrated; "
              f"{len(failed)} fail{': ' + names if failed else ''}\n")  # fmt: skip
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
