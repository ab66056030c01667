"""Generate synthetic LA returns: the Python API behind ``cscperf synth``.

One LA at a time is simulated over the whole span, written year by year to
``<out>/<la_code>/<year>/`` and dropped, so memory is bounded by the largest
LA, not by how many LAs are generated.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cscperf.ingest.return_year import supported_years
from cscperf.reference.las import get_la
from cscperf.store.schema import TABLES
from cscperf.synth.errors import CinFaults, Fault, inject
from cscperf.synth.params import all_la_codes, get_params
from cscperf.synth.postcodes import book
from cscperf.synth.rng import stream
from cscperf.synth.simulate import simulate
from cscperf.synth.writer_903_xml import write_903_xml
from cscperf.synth.writer_annex_a import write_annex_a
from cscperf.synth.writer_cin import write_cin_xml
from cscperf.synth.writer_local import local_rows, write_population
from cscperf.synth.writers_903 import (
    COLUMNS,
    DOLO_FIRST_YEAR,
    SW_FIRST_YEAR,
    rows_903,
    write_csv,
)

DEFAULT_LA = "883"  # Thurrock, the demo LA
#: 903 CSV file name (without .csv) -> canonical table
TABLES_903 = {
    "header": "children",
    "episodes": "cla_episodes",
    "reviews": "cla_reviews",
    "uasc": "uasc",
    "oc2": "oc2",
    "oc3": "oc3",
    "ad1": "ad1",
    "placed_for_adoption": "placed_for_adoption",
    "previous_permanence": "previous_permanence",
    "missing": "missing",
    "sw_episodes": "sw_episodes",
    "DoLo": "dolo",
}


@dataclass
class Manifest:
    """What was generated: arguments, files with row counts, injected faults, timings."""

    la_codes: list[str]
    years: list[int]
    seed: int
    errors: float
    format: str
    scale_factor: float
    files: dict[str, int] = field(
        default_factory=dict
    )  # relative path -> data rows (children for CIN)
    faults: list[Fault] = field(default_factory=list)
    children: int = 0
    seconds: float = 0.0
    annex_a: bool = True

    @property
    def children_per_second(self) -> float:
        return self.children / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "la_codes": self.la_codes,
            "years": self.years,
            "seed": self.seed,
            "errors": self.errors,
            "format": self.format,
            "scale_factor": self.scale_factor,
            "children": self.children,
            "files": dict(sorted(self.files.items())),
            "faults": [f.as_dict() for f in self.faults],
        }


def expand_las(codes: Iterable[str], region: bool = False, national: bool = False) -> list[str]:
    """DfE codes to generate: the given ones, plus their statistical neighbours with ``region``."""
    if national:
        return all_la_codes()
    out: list[str] = []
    for code in codes:
        la = get_la(code)
        get_params(la.dfe_code)
        for c in (la.dfe_code, *(la.statistical_neighbours if region else ())):
            if c not in out:
                out.append(c)
    return out


def _check_years(years: tuple[int, ...]) -> None:
    """Every year written (903 and CIN census) must be one the ingest accepts.

    The CIN census existed before 2017, but cscperf has no schema or code lists
    for it, so data for those years would be refused; synth says so up front.
    """
    first, last = supported_years(("903", "cin"))
    bad = [y for y in years if not first <= y <= last]
    if bad:
        raise ValueError(
            f"--years {bad[0]}: synth writes the SSDA903 and CIN census, which cscperf "
            f"supports for return years {first}-{last} (the CIN census schemas on file)"
        )


def generate(
    la_codes: Iterable[str],
    years: Iterable[int],
    seed: int,
    out: Path | str,
    errors: float = 0.0,
    region: bool = False,
    fmt: str = "csv",
    scale_factor: float = 1.0,
    national: bool = False,
    progress: Callable[[str], None] | None = None,
    annex_a: bool | None = None,
    workers: int = 1,
) -> Manifest:
    """Simulate and write every LA-year; writes and returns the manifest.

    ``annex_a`` defaults to on, except for national runs: Annex A is an
    inspection list for one LA, and writing xlsx dominates the run time.
    ``workers`` > 1 generates LAs in parallel processes; the output is the same.
    """
    out = Path(out)
    years_t = tuple(sorted(set(years)))
    _check_years(years_t)
    las = expand_las(la_codes, region, national)
    if fmt not in ("csv", "xml"):
        raise ValueError(f"format must be csv or xml, not {fmt!r}")
    m = Manifest(las, list(years_t), seed, errors, fmt, scale_factor)
    m.annex_a = (not national) if annex_a is None else annex_a
    t0 = time.perf_counter()
    book()  # load once in this process (forked workers share it)
    # one LA: its years are written in parallel instead (the demo's case)
    year_workers = workers if len(las) == 1 else 1
    jobs = [
        (la, years_t, seed, str(out), errors, fmt, scale_factor, m.annex_a, year_workers)
        for la in las
    ]
    if workers > 1 and len(las) > 1:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            results = list(pool.map(_one_la, jobs))
    else:
        results = [_one_la(job) for job in jobs]
    for la, (files, faults, children, seconds) in zip(las, results, strict=True):
        m.files.update(files)
        m.faults += faults
        m.children += children
        if progress:
            progress(f"{la} {get_la(la).name}: {children} children in {seconds:.1f}s")
    m.seconds = time.perf_counter() - t0
    (out / "manifest.json").write_text(json.dumps(m.as_dict(), indent=1) + "\n", encoding="utf-8")
    return m


def _one_la(
    job: tuple[str, tuple[int, ...], int, str, float, str, float, bool, int],
) -> tuple[dict[str, int], list[Fault], int, float]:
    """Simulate and write one LA (runs in a worker process for multi-LA runs); its
    years are written by ``year_workers`` forked processes when that is over 1."""
    la, years, seed, out_s, errors, fmt, scale_factor, annex_a, year_workers = job
    t = time.perf_counter()
    out = Path(out_s)
    part = Manifest([la], list(years), seed, errors, fmt, scale_factor, annex_a=annex_a)
    world = simulate(la, years, seed, scale_factor, book(), contacts=annex_a)
    for year in years:
        (out / la / str(year)).mkdir(parents=True, exist_ok=True)
    if year_workers > 1 and len(years) > 1 and "fork" in multiprocessing.get_all_start_methods():
        global _FORKED
        _FORKED = (world, out, part)  # inherited by the forked workers, not pickled
        try:
            ctx = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=year_workers, mp_context=ctx) as pool:
                done = list(pool.map(_forked_year, years))
        finally:
            _FORKED = None
        for files, faults in done:  # in year order, as the serial loop would add them
            part.files.update(files)
            part.faults += faults
    else:
        for year in years:
            _write_year(world, year, out / la / str(year), out, part)
    return part.files, part.faults, len(world.children), time.perf_counter() - t


#: (world, out folder, manifest part) of the LA whose years forked workers write
_FORKED: tuple[Any, Path, Manifest] | None = None


def _forked_year(year: int) -> tuple[dict[str, int], list[Fault]]:
    """Write one year of :data:`_FORKED`'s LA; its files and faults go back to the parent."""
    assert _FORKED is not None
    world, out, parent = _FORKED
    part = Manifest(
        parent.la_codes, parent.years, parent.seed, parent.errors, parent.format,
        parent.scale_factor, annex_a=parent.annex_a,
    )  # fmt: skip
    _write_year(world, year, out / world.la_code / str(year), out, part)
    return part.files, part.faults


def _write_year(world, year: int, folder: Path, out: Path, m: Manifest) -> None:  # type: ignore[no-untyped-def]
    rng = stream(world.seed, world.la_code, year, "errors")
    rel = folder.relative_to(out).as_posix()
    rows = rows_903(world, year)
    if m.format == "csv":
        for name, cols in COLUMNS.items():
            if (name == "sw_episodes" and year < SW_FIRST_YEAR) or (
                name == "DoLo" and year < DOLO_FIRST_YEAR
            ):
                continue
            path = f"{rel}/{name}.csv"
            m.faults += inject(path, TABLES[TABLES_903[name]], cols, rows[name], m.errors, rng)
            m.files[path] = write_csv(folder / f"{name}.csv", cols, rows[name])
    else:  # faults are injected into CSV files only
        m.files[f"{rel}/ssda903.xml"] = write_903_xml(world, rows, folder / "ssda903.xml")
    cin_faults = None
    if m.errors > 0:
        cin_faults = CinFaults(
            f"{rel}/cin_census.xml", m.errors, stream(world.seed, world.la_code, year, "errors-cin")
        )
    m.files[f"{rel}/cin_census.xml"] = write_cin_xml(
        world, year, folder / "cin_census.xml", cin_faults
    )
    if cin_faults is not None:
        m.faults += cin_faults.faults
    if m.annex_a:
        counts = write_annex_a(world, year, folder / "annex_a.xlsx")
        m.files[f"{rel}/annex_a.xlsx"] = sum(counts.values())
    for name, lrows in local_rows(world, year).items():
        path = f"{rel}/{name}.csv"
        m.faults += inject(
            path, TABLES[name], TABLES[name].column_names, lrows, m.errors, rng, iso_dates=True
        )
        m.files[path] = write_csv(folder / f"{name}.csv", TABLES[name].column_names, lrows)
    m.files[f"{rel}/population.csv"] = write_population(world, year, folder)
