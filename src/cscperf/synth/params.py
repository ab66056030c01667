"""Calibration targets per LA, read from the committed ``data/params.csv``.

The table is regenerated from DfE publications by :mod:`cscperf.synth.build_params`;
rates are per 10,000 children aged 0-17, percentages are 0-100.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class LAParams:
    la_code: str
    ons_code: str
    child_population: int
    referral_rate_per_10k: float
    rereferral_pct: float
    nfa_pct: float
    s47_rate_per_10k: float
    icpc_rate_per_10k: float
    cp_starts_per_10k: float
    cp_rate_per_10k: float
    cp_subsequent_pct: float
    cla_rate_per_10k: float
    cla_starts_per_10k: float
    uasc_share: float
    adoptions_per_year: float
    pct_3plus_placements: float
    care_leaver_eet_pct: float
    sw_fte: float
    agency_rate_pct: float
    vacancy_rate_pct: float
    caseload: float


@lru_cache(maxsize=1)
def _all() -> dict[str, LAParams]:
    types = {f.name: f.type for f in fields(LAParams)}
    out: dict[str, LAParams] = {}
    with (_DATA / "params.csv").open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            kw: dict[str, object] = {}
            for k, v in r.items():
                t = types[k]
                kw[k] = v if t == "str" else int(float(v)) if t == "int" else float(v)
            out[r["la_code"]] = LAParams(**kw)  # type: ignore[arg-type]
    return out


def get_params(la_code: str) -> LAParams:
    """Calibration targets for ``la_code`` (DfE 3-digit code)."""
    try:
        return _all()[la_code]
    except KeyError:
        raise KeyError(f"no calibration parameters for LA {la_code!r}") from None


def all_la_codes() -> list[str]:
    return sorted(_all())


@lru_cache(maxsize=1)
def _population() -> dict[str, dict[int, int]]:
    out: dict[str, dict[int, int]] = {}
    with (_DATA / "population.csv").open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out.setdefault(r["la_code"], {})[int(r["year"])] = int(r["age_0_17"])
    return out


def population(la_code: str, mid_year: int) -> int:
    """ONS 0-17 mid-year estimate; outside the published years, the nearest one."""
    years = _population().get(la_code)
    if not years:
        return get_params(la_code).child_population
    if mid_year in years:
        return years[mid_year]
    nearest = min(years, key=lambda y: (abs(y - mid_year), -y))
    return years[nearest]
