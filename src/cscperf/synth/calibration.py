"""Does a synthetic LA look like the LA it imitates? The calibration check.

For one LA code: generate it with :mod:`cscperf.synth.api` (full size: a scale
factor would change every count), ingest it, compute the year ending 31 March
of ``year``, import the DfE's published figures into the same store and set
each KPI with a published series beside the LA's published value
(:func:`cscperf.api.benchmarks`). A KPI passes when the synthetic value is

- within ±15% of the published value, or within two standard errors where the
  numbers are small (a percentage p on a denominator n: 2*sqrt(p(1-p)/n) points,
  with p kept inside [1/(n+1), n/(n+1)] so that a published 0% or 100% on a
  handful of children still has an error; a count: 2*sqrt(count); a rate per
  10,000: the count's, scaled) — whichever allows more; or
- where the LA's own value is suppressed, inside its statistical neighbours'
  published range, widened by the same two standard errors (at the nearer end of
  the range: a suppressed figure is a small one); except for a count (children
  adopted, ...), where neighbours of other sizes say nothing: a suppressed count
  is a small one, so the synthetic count must be at most :data:`SUPPRESSED_COUNT`.

KPIs whose synthetic value cannot honestly be held to the published one (the
definitions differ, or the generator does not model the measure) are listed in
:data:`NOT_CALIBRATED` with the reason, and reported as such, not as failures.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cscperf.kpis.catalogue import load_catalogue

TOLERANCE = 0.15
#: the largest count a suppressed published count stands for
SUPPRESSED_COUNT = 5
#: years generated: the KPIs that need history (re-referrals, subsequent plans) have it
YEARS = (2023, 2024, 2025)

#: KPI id -> why its synthetic value is not held to the published one
NOT_CALIBRATED: dict[str, str] = {}


@dataclass(frozen=True)
class Row:
    """One KPI's line of the calibration table."""

    kpi_id: str
    unit: str
    published: float | None  # the LA's published value (None: suppressed or absent)
    synthetic: float | None
    tolerance: float | None  # the allowed absolute difference (None: SN range or n/a)
    basis: str  # '±15%', '2 SE', 'SN range', 'not calibrated', 'no data'
    passed: bool | None  # None: not calibrated (see note)
    note: str = ""
    sn_min: float | None = None
    sn_max: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.published in (None, 0) or self.synthetic is None:
            return None
        return self.synthetic / self.published


def standard_error(unit: str, published: float, n: float | None, pop: float | None) -> float:
    """Two standard errors of a value in ``unit`` (0 when the size is not known)."""
    if unit == "percent" and n:
        p = min(max(published / 100, 1 / (n + 1)), n / (n + 1))
        return 2 * 100 * math.sqrt(p * (1 - p) / n)
    if unit == "count":
        return 2 * math.sqrt(max(published, 0.0))
    if unit == "rate_per_10k" and pop:
        count = published * pop / 10_000
        return 2 * math.sqrt(max(count, 0.0)) * 10_000 / pop
    return 0.0


def judge(
    kpi_id: str,
    unit: str,
    published: float | None,
    synthetic: float | None,
    n: float | None = None,
    pop: float | None = None,
    sn_range: tuple[float | None, float | None] = (None, None),
) -> Row:
    """The pass/fail rule of the module docstring for one KPI."""
    lo, hi = sn_range
    if kpi_id in NOT_CALIBRATED:
        return Row(kpi_id, unit, published, synthetic, None, "not calibrated", None,
                   NOT_CALIBRATED[kpi_id], lo, hi)  # fmt: skip
    if synthetic is None:
        return Row(kpi_id, unit, published, None, None, "no data", False,
                   "no synthetic value", lo, hi)  # fmt: skip
    if published is None:
        if unit == "count":
            ok = synthetic <= SUPPRESSED_COUNT
            return Row(kpi_id, unit, None, synthetic, None, "suppressed count", ok,
                       f"published count suppressed: small (at most {SUPPRESSED_COUNT})",
                       lo, hi)  # fmt: skip
        if lo is None or hi is None:
            return Row(kpi_id, unit, None, synthetic, None, "no data", None,
                       "no published value for the LA or its neighbours", lo, hi)  # fmt: skip
        near = lo if synthetic < lo else hi
        se = standard_error(unit, near, n, pop)
        ok = lo - se - 1e-9 <= synthetic <= hi + se + 1e-9
        return Row(kpi_id, unit, None, synthetic, se or None, "SN range", ok, "", lo, hi)
    pct = TOLERANCE * abs(published)
    se = standard_error(unit, published, n, pop)
    tol, basis = (se, "2 SE") if se > pct else (pct, "±15%")
    ok = abs(synthetic - published) <= tol + 1e-9
    return Row(kpi_id, unit, published, synthetic, tol, basis, ok, "", lo, hi)


def calibrate(
    la_code: str,
    work: Path,
    reference: Sequence[Path],
    seed: int = 2025,
    year: int = 2025,
    years: Sequence[int] = YEARS,
) -> list[Row]:
    """Generate ``la_code`` into ``work``, ingest, compute ``year``, compare: the table."""
    from cscperf import api
    from cscperf.ingest.pipeline import ingest_paths
    from cscperf.kpis.engine import compute
    from cscperf.reference.population import load_csv
    from cscperf.store.db import connect
    from cscperf.synth.api import generate

    data, db = work / "data", work / "calibration.duckdb"
    if db.exists():
        db.unlink()
    generate([la_code], years, seed=seed, out=data, annex_a=False)
    con = connect(db)
    try:
        ingest_paths(con, [data / la_code], la_code)
        for pop_csv in sorted((data / la_code).rglob("population.csv")):
            load_csv(con, pop_csv)
        compute(con, la_codes=[la_code], period_type="year",
                period_ends=[dt.date(year, 3, 31)], on_error="collect")  # fmt: skip
        sizes = dict(
            (str(k), (None if d is None else float(d)))
            for k, d in con.execute(
                "SELECT kpi_id, denominator FROM kpi_values WHERE la_code = ? AND "
                "period_type = 'year' AND period_end = ? AND breakdown = 'all'",
                [la_code, dt.date(year, 3, 31)],
            ).fetchall()
        )
        pop_row = con.execute(
            "SELECT age_0_17 FROM population WHERE la_code = ? ORDER BY year DESC LIMIT 1",
            [la_code],
        ).fetchone()
    finally:
        con.close()
    api.import_benchmarks(list(reference), db=db)
    units = {k.id: k.unit for k in load_catalogue().values()}
    rows = []
    for c in api.benchmarks(la_code, year, db=db):
        rows.append(
            judge(
                c.kpi_id,
                units.get(c.kpi_id, ""),
                c.value,
                c.computed,
                n=sizes.get(c.kpi_id),
                pop=float(pop_row[0]) if pop_row else None,
                sn_range=(c.sn_min, c.sn_max),
            )
        )
    return sorted(rows, key=lambda r: r.kpi_id)


def _fmt(v: float | None, places: int = 1) -> str:
    return "" if v is None else f"{v:,.{places}f}"


def table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table (KPI, published, synthetic, ratio, tolerance, pass)."""
    out = [
        "| KPI | published | synthetic | ratio | tolerance | pass |",
        "|---|---:|---:|---:|---|---|",
    ]
    for r in rows:
        if r.basis == "suppressed count":
            tol = f"suppressed: ≤ {SUPPRESSED_COUNT}"
        elif r.basis == "SN range":
            tol = f"SN range {_fmt(r.sn_min)}–{_fmt(r.sn_max)}"
            tol += f" (±{_fmt(r.tolerance)})" if r.tolerance else ""
        elif r.tolerance is not None:
            tol = f"{r.basis} (±{_fmt(r.tolerance)})"
        else:
            tol = r.basis
        verdict = {True: "pass", False: "FAIL", None: "—"}[r.passed]
        pub = _fmt(r.published) if r.published is not None else "suppressed"
        out.append(
            f"| {r.kpi_id} | {pub} | {_fmt(r.synthetic)} | {_fmt(r.ratio, 2)} | {tol} | {verdict} |"
        )
    return "\n".join(out)


def failures(rows: Sequence[Row]) -> list[Row]:
    return [r for r in rows if r.passed is False]
