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

#: mean years a UASC entering care stays looked after in the generator (arrival at 14-17,
#: care ends by 18): links the published UASC count at 31 March to a share of starts
UASC_MEAN_STAY_YEARS = 1.2
#: the UASC share of care starts is capped: the rest of the LA's care must still be modelled
UASC_SHARE_CAP = 0.45


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
    uasc_share: float  # of care starts (a first guess when uasc_children is known)
    uasc_children: float  # published UASC looked after at 31 March; -1 when not known
    adoptions_per_year: float
    pct_3plus_placements: float
    care_leaver_eet_pct: float  # aged 19-21
    care_leaver_eet_17_18_pct: float
    care_leaver_accom_pct: float  # aged 19-21 in suitable accommodation
    care_leaver_not_in_touch_pct: float
    assessments_45wd_pct: float
    icpc_15wd_pct: float
    cp_ended_2yrs_pct: float  # of CP plans ending in the year, lasted 2 years or more
    cp_reviews_timely_pct: float  # children on a plan whose reviews were all on time
    cla_missing_pct: float  # of children looked after in the year, went missing
    cla_away_pct: float  # ... were away from placement without authorisation
    placed_over_20_miles_pct: float  # looked after at 31 March, outside the LA and 20+ miles
    long_term_stability_pct: float  # in care 2.5+ years, under 16: same carer for 2 years
    dental_check_pct: float
    health_assessment_pct: float
    sdq_mean: float  # average SDQ score of children looked after 12 months (aged 5-16)
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


@lru_cache(maxsize=1)
def _flows() -> dict[str, dict[int, tuple[float | None, float | None]]]:
    out: dict[str, dict[int, tuple[float | None, float | None]]] = {}
    path = _DATA / "flows.csv"
    with path.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            cla, cp = r["cla_starts_per_10k"], r["cp_starts_per_10k"]
            out.setdefault(r["la_code"], {})[int(r["year"])] = (
                float(cla) if cla else None,
                float(cp) if cp else None,
            )
    return out


def starts_per_10k(la_code: str, year: int) -> tuple[float, float]:
    """Care starts and CP plan starts per 10,000 published for return ``year``; outside
    the published years (or where suppressed), the nearest year's, else the latest
    calibration target."""
    p = get_params(la_code)
    years = _flows().get(la_code, {})
    out = []
    for i, default in ((0, p.cla_starts_per_10k), (1, p.cp_starts_per_10k)):
        known = [y for y, v in years.items() if v[i] is not None]
        if not known:
            out.append(default)
            continue
        nearest = min(known, key=lambda y: (abs(y - year), -y))
        out.append(float(years[nearest][i]))  # type: ignore[arg-type]
    return out[0], out[1]


def recent_starts_per_10k(la_code: str, year: int, span: int) -> tuple[float, float]:
    """Mean care and CP plan starts per 10,000 over the ``span`` return years to ``year``."""
    rows = [starts_per_10k(la_code, y) for y in range(year - span + 1, year + 1)]
    return sum(r[0] for r in rows) / span, sum(r[1] for r in rows) / span
