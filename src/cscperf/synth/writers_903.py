"""SSDA903 CSV files for one LA-year, with the DfE column names and dd/mm/yyyy dates."""

from __future__ import annotations

import csv
import math
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from statistics import NormalDist

from cscperf.synth.dates import age_at, birthday, uk, year_end, year_start
from cscperf.synth.model import Day, World
from cscperf.synth.params import LAParams, get_params
from cscperf.synth.rng import Stratified, stream
from cscperf.synth.views import (
    care_leaver_in_year,
    cens,
    children_903_in_year,
    episodes_in_year,
    in_care_12_months,
    short_breaks_in_year,
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "episodes": (
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ),
    "reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "uasc": ("CHILD", "SEX", "DOB", "DUC"),
    "oc2": (
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ),
    "oc3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1": (
        "CHILD",
        "DOB",
        "DATE_INT",
        "DATE_MATCH",
        "FOSTER_CARE",
        "NB_ADOPTR",
        "SEX_ADOPTR",
        "LS_ADOPTR",
    ),
    "placed_for_adoption": (
        "CHILD",
        "DOB",
        "DATE_PLACED",
        "DATE_PLACED_CEASED",
        "REASON_PLACED_CEASED",
    ),
    "previous_permanence": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "sw_episodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
    "DoLo": ("CHILD", "DOB", "DOLO_START", "DOLO_END"),  # the DfE file name
}

SW_FIRST_YEAR = 2024  # social worker episodes joined the 903 in the 2024 return
DOLO_FIRST_YEAR = 2024  # so did deprivation of liberty orders (DoLO)
#: DoLOs begun per year of care at 10 or over, set so that, as in England (DfE 2024:
#: ~1,300 children with one, almost all 10 or over, of ~107,000 looked after during the
#: year), about 1.2% of the children looked after during a year have a DoLO in it
DOLO_RATE = 0.025
_EET = ("F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5")
_NEET = ("G4", "G5", "G6")
_ACCOM = ("B", "C", "D", "E", "G", "H", "K", "R", "T", "U", "V", "W", "Y", "Z")
_ACCOM_W = (0.03, 0.03, 0.2, 0.1, 0.03, 0.04, 0.06, 0.1, 0.05, 0.06, 0.05, 0.04, 0.05, 0.02)


def rows_903(world: World, year: int) -> dict[str, list[tuple[str, ...]]]:
    """Every 903 table's rows for ``year`` (values as text)."""
    ys, ye = year_start(year), year_end(year)
    out: dict[str, list[tuple[str, ...]]] = {k: [] for k in COLUMNS}
    rng = stream(world.seed, world.la_code, year, "oc-outcomes")
    par = get_params(world.la_code)
    leavers = CareLeaverRates.of(par)
    # calibrated yes/no outcomes use stratified uniforms, one sequence per outcome, so a
    # small cohort's percentages land near the LA's published ones (see Stratified)
    strat = {k: Stratified(stream(world.seed, world.la_code, year, f"oc-{k}")) for k in _STRATA}
    for child in children_903_in_year(world, year):
        dob = uk(child.dob)
        eps = list(episodes_in_year(child, year))
        breaks = short_breaks_in_year(child, year) if child.short_breaks else []
        if eps or breaks:
            mother = mc = ""
            if child.sex == 2 and age_at(child.dob, ye) >= 12:
                mother = "1" if rng.random() < 0.03 else "0"
                mc = uk(ye.replace(day=1)) if mother == "1" else ""
            out["header"].append(
                (child.id, str(child.sex), dob, child.ethnicity, child.upn, mother, mc)
            )
            episodes = [e for _, e in eps]
            if breaks:
                episodes = sorted(episodes + breaks, key=lambda e: e.decom)
            for e in episodes:
                dec = cens(e.dec, ye)
                out["episodes"].append(
                    (
                        child.id,
                        uk(e.decom),
                        e.rne,
                        e.ls,
                        e.cin,
                        e.place,
                        e.provider,
                        uk(dec),
                        (e.rec or "") if dec else "",
                        e.reason_change or "" if dec else "",
                        child.home_post,
                        e.pl_post,
                        e.urn,
                    )
                )
            periods = {id(p): p for p, _ in eps}.values()
            for p in periods:
                out["reviews"] += [(child.id, dob, uk(d), c) for d, c in p.reviews if ys <= d <= ye]
                out["missing"] += [
                    (child.id, dob, m.kind, uk(m.start), uk(cens(m.end, ye)))
                    for m in p.missing
                    if ys <= m.start <= ye
                ]
                for sw, s, e2, why in p.social_workers if year >= SW_FIRST_YEAR else ():
                    if s <= ye and (e2 is None or e2 >= ys):
                        end = cens(e2, ye)
                        out["sw_episodes"].append(
                            (child.id, dob, sw, uk(s), uk(end), (why or "") if end else "")
                        )
                if year >= DOLO_FIRST_YEAR:
                    out["DoLo"] += [
                        (child.id, dob, uk(s), uk(cens(e2, ye)))
                        for s, e2 in dolos(world, child.id, child.dob, p.start, p.end)
                        if s <= ye and (e2 is None or e2 >= ys)
                    ]
                a = p.adoption
                if a and a.decision <= ye and (a.ceased is None or a.ceased >= ys):
                    # ceased date/reason record a reversed decision (RD1-RD4), not the adoption
                    rd = (
                        a.ceased_reason
                        if a.ceased_reason and a.ceased_reason.startswith("RD")
                        else None
                    )
                    ceased = cens(a.ceased, ye) if rd else None
                    out["placed_for_adoption"].append(
                        (child.id, dob, uk(a.decision), uk(ceased), (rd or "") if ceased else "")
                    )
                if a and a.order and ys <= a.order <= ye:
                    out["ad1"].append(
                        (
                            child.id,
                            dob,
                            uk(a.decision),
                            uk(a.match),
                            "1" if a.foster_care else "0",
                            a.nb_adopters,
                            a.sex_adopters,
                            a.ls_adopters,
                        )
                    )
            if child.uasc:
                out["uasc"].append((child.id, str(child.sex), dob, uk(child.duc)))
            out["previous_permanence"].append(
                (child.id, dob, "Z1" if rng.random() < 0.9 else "P1", "", "")
            )
            if in_care_12_months(child, year):
                out["oc2"].append(
                    _oc2(rng, child.id, dob, age_at(child.dob, ye), strat,
                         par.dental_check_pct / 100, par.health_assessment_pct / 100,
                         par.sdq_mean)
                )  # fmt: skip
        if child.care and (age := care_leaver_in_year(child, year)) is not None:
            out["oc3"].append(_oc3(rng, child.id, dob, leavers, age <= 18, strat))
    return out


def _unit(*key: object) -> float:
    """A uniform in [0, 1) fixed by ``key``: the same in every year's return."""
    return zlib.crc32(repr(key).encode()) / 2**32


def dolos(
    world: World, child_id: str, dob: Day, start: Day, end: Day | None
) -> list[tuple[Day, Day | None]]:
    """The deprivation of liberty order (at most one) during a period of care.

    Decided from the child and the period alone, so a DoLO spanning 31 March
    appears, the same, in both years' returns. It may start any day of the
    period from two months in while the child is 10 to 17, at :data:`DOLO_RATE`
    a year (a long stay is likelier to have one than a short one), and lasts
    1-12 months, ending no later than the period of care.
    """
    key = (world.seed, world.la_code, child_id, start.toordinal())
    first = max(start + timedelta(days=60), birthday(dob, 10))
    last = min(end, birthday(dob, 18)) if end is not None else birthday(dob, 18)
    span = (last - first).days
    if span <= 0 or _unit(*key, "dolo") >= 1 - math.exp(-DOLO_RATE * span / 365.25):
        return []
    s = first + timedelta(days=int(_unit(*key, "start") * span))
    e: Day | None = s + timedelta(days=30 + int(_unit(*key, "length") * 335))
    if end is not None and e is not None and e > end:
        e = end
    return [(s, e)]


@dataclass(frozen=True)
class CareLeaverRates:
    """OC3 chances that reproduce the LA's published care leaver figures.

    The published percentages are of all care leavers in the cohort, those not in
    touch included (their activity and accommodation are blank: neither EET nor
    suitable), so each is divided by the in-touch share. That share is the LA's
    published one (NO, plus 2% refused or no longer requiring contact), raised where
    needed so that no published percentage exceeds it.
    """

    in_touch: float
    eet_17_18: float  # given in touch
    eet_19_21: float
    suitable: float

    @classmethod
    def of(cls, p: LAParams) -> CareLeaverRates:
        top = max(p.care_leaver_eet_pct, p.care_leaver_eet_17_18_pct, p.care_leaver_accom_pct)
        touch = min(1.0, max(1 - p.care_leaver_not_in_touch_pct / 100 - 0.02, top / 100 + 0.01))
        return cls(
            touch,
            min(1.0, p.care_leaver_eet_17_18_pct / 100 / touch),
            min(1.0, p.care_leaver_eet_pct / 100 / touch),
            min(1.0, p.care_leaver_accom_pct / 100 / touch),
        )


_STRATA = ("sdq", "dental", "health", "touch", "eet_17_18", "eet_19_21", "suitable")


_NORMAL = NormalDist()


def _z(u: float) -> float:
    """The standard normal quantile of ``u`` (kept off 0 and 1)."""
    return _NORMAL.inv_cdf(min(max(u, 1e-6), 1 - 1e-6))


def _oc2(  # type: ignore[no-untyped-def]
    rng,
    child: str,
    dob: str,
    age: int,
    strat: dict[str, Stratified],
    dental: float = 0.8,
    health: float = 0.9,
    sdq_mean: float = 14.0,
) -> tuple[str, ...]:
    def b(p: float) -> str:
        return "1" if rng.random() < p else "0"

    if 4 <= age <= 16 and rng.random() < 0.8:
        sdq, reason = str(min(40, max(0, round(sdq_mean + 6 * _z(strat["sdq"].next()))))), ""
    else:
        sdq, reason = (
            "",
            "SDQ1" if not 4 <= age <= 16 else ("SDQ2", "SDQ4", "SDQ5")[int(rng.integers(3))],
        )
    conv = b(0.03) if age >= 10 else "0"
    subst = b(0.05) if age >= 10 else "0"
    received = b(0.6) if subst == "1" else "0"
    offered = "1" if received == "1" or (subst == "1" and rng.random() < 0.5) else "0"
    had_health = "1" if strat["health"].next() < health else "0"
    return (
        child,
        dob,
        sdq,
        reason,
        conv,
        had_health,
        b(0.88),
        "1" if strat["dental"].next() < dental else "0",
        had_health,
        subst,
        received,
        offered,
    )


def _oc3(  # type: ignore[no-untyped-def]
    rng, child: str, dob: str, rates: CareLeaverRates, young: bool, strat: dict[str, Stratified]
) -> tuple[str, ...]:
    """One care leaver's OC3 row; ``young``: the 17th or 18th birthday is in the year."""
    u = strat["touch"].next()
    rest = 1 - rates.in_touch  # not in touch 70%, refused 20%, no longer requires 10%
    touch = (
        "YES" if u < rates.in_touch
        else "NO" if u < rates.in_touch + 0.7 * rest
        else "REFU" if u < rates.in_touch + 0.9 * rest
        else "NREQ"
    )  # fmt: skip
    if touch != "YES":
        return (child, dob, touch, "", "")
    eet, key = (rates.eet_17_18, "eet_17_18") if young else (rates.eet_19_21, "eet_19_21")
    activ = (
        _EET[int(rng.integers(len(_EET)))]
        if strat[key].next() < eet
        else _NEET[int(rng.integers(3))]
    )
    suitable = strat["suitable"].next() < rates.suitable
    if not suitable and rng.random() < 0.1:
        return (child, dob, touch, activ, "S2" if rng.random() < 0.5 else "X2")  # NFA / custody
    a = _ACCOM[int(rng.choice(len(_ACCOM), p=[w / sum(_ACCOM_W) for w in _ACCOM_W]))]
    return (child, dob, touch, activ, a + ("1" if suitable else "2"))


def write_csv(path: Path, header: Iterable[str], rows: Iterable[tuple[str, ...]]) -> int:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        n = 0
        for r in rows:
            w.writerow(r)
            n += 1
    return n


def write_903_csv(world: World, year: int, folder: Path) -> dict[str, list[tuple[str, ...]]]:
    rows = rows_903(world, year)
    for name, cols in COLUMNS.items():
        write_csv(folder / f"{name}.csv", cols, rows[name])
    return rows
