"""Local CSV templates (workforce, fostering, audits, IHAs, RHIs) and population.

Columns are exactly the canonical columns of the LOCAL tables in
:mod:`cscperf.store.schema`, so the files are what an LA would fill in from
the shipped templates. Dates are ISO (the templates' documented format).
"""

from __future__ import annotations

from pathlib import Path

from cscperf.store.schema import TABLES
from cscperf.synth.dates import iso, year_end, year_start
from cscperf.synth.model import World
from cscperf.synth.views import cens, overlaps
from cscperf.synth.writers_903 import write_csv


def _b(flag: bool) -> str:
    return "true" if flag else "false"


def local_rows(world: World, year: int) -> dict[str, list[tuple[str, ...]]]:
    ys, ye = year_start(year), year_end(year)
    out: dict[str, list[tuple[str, ...]]] = {}
    out["sw_workforce"] = [
        (
            iso(ye),
            p.id,
            p.team,
            p.status,
            f"{p.fte:g}",
            _b(p.case_holding),
            "" if p.cases is None else str(p.cases),
            "" if p.cost is None else f"{p.cost:.2f}",
        )
        for p in world.workforce.get(year, [])
    ]
    out["fostering_households"] = [
        (
            h.id,
            iso(h.enquiry),
            iso(cens(h.approval, ye)),
            iso(cens(h.deregistration, ye)),
            (h.reason or "") if cens(h.deregistration, ye) else "",
            h.kind,
            str(h.places),
        )
        for h in world.households
        if h.enquiry <= ye and (h.deregistration is None or h.deregistration >= ys)
    ]
    out["case_audits"] = [
        (a.id, a.child_id, iso(a.date), a.team, a.worker, a.grade)
        for a in world.audits
        if ys <= a.date <= ye
    ]
    iha: list[tuple[str, ...]] = []
    rhi: list[tuple[str, ...]] = []
    for c in sorted(world.children.values(), key=lambda c: c.id):
        for p in c.care:
            if ys <= p.start <= ye:
                iha.append(
                    (c.id, iso(p.start), iso(cens(p.iha_requested, ye)), iso(cens(p.iha_date, ye)))
                )
            if overlaps(p.start, p.end, ys, ye):
                for m in p.missing:
                    if m.kind == "M" and ys <= m.start <= ye and m.end and m.end <= ye:
                        rhi.append(
                            (
                                c.id,
                                iso(m.start),
                                _b(m.rhi_offered),
                                _b(m.rhi_accepted),
                                iso(cens(m.rhi_date, ye)),
                            )
                        )
    out["health_assessments"] = iha
    out["return_interviews"] = rhi
    return out


def write_local(world: World, year: int, folder: Path) -> dict[str, int]:
    counts = {}
    for name, rows in local_rows(world, year).items():
        counts[name] = write_csv(folder / f"{name}.csv", TABLES[name].column_names, rows)
    return counts


def write_population(world: World, year: int, folder: Path) -> int:
    """ONS-style 0-17 mid-year estimate used for this reporting year (mid-year Y-1)."""
    mid = year - 1
    rows = [(world.la_code, str(mid), str(world.population[mid]))]
    return write_csv(folder / "population.csv", ("la_code", "year", "age_0_17"), rows)
