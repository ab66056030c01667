"""Dev script: rebuild the synth calibration tables and the LA reference list.

Run from the repo root when the DfE publications in ``../shared`` change::

    .venv/bin/python -m cscperf.synth.build_params [--shared ../shared]

It writes ``synth/data/params.csv`` (one row of calibration targets per LA),
``synth/data/flows.csv`` (care and CP plan starts per LA and year),
``synth/data/population.csv`` (ONS 0-17 mid-year estimates) and
``reference/data/las.csv`` (codes, names, regions and 2025 statistical
neighbours). Only published facts are extracted; the package reads the
committed CSVs at run time and never touches ``../shared``.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Iterator
from pathlib import Path

import openpyxl

from cscperf.synth.params import UASC_MEAN_STAY_YEARS, UASC_SHARE_CAP

PKG = Path(__file__).resolve().parent
DEFAULT_SHARED = PKG.parents[2] / ".." / "shared"

#: used when an LA's published figure is suppressed or absent (England-level shape)
NATIONAL_DEFAULTS = {
    "uasc_share": 0.08,  # share of CLA starts who are UASC when the LA's count is unknown
    "adoption_share": 0.09,  # share of children ceasing care who are adopted (DfE, England)
}

#: LAIT short code -> parameter (the LA's latest published value, else England's)
LAIT_PARAMS = {
    "Continue_Assess_Comp": "assessments_45wd_pct",
    "CP_conf_15days": "icpc_15wd_pct",
    "CPPlans2yrs": "cp_ended_2yrs_pct",
    "Children_missing": "cla_missing_pct",
    "Children_Away": "cla_away_pct",
    "LACDistance": "placed_over_20_miles_pct",
    "LAC_LongStable%": "long_term_stability_pct",
    "LACDental%": "dental_check_pct",
    "LACHealth%": "health_assessment_pct",
    "Emotional_LAC": "sdq_mean",
    "RevCP": "cp_reviews_timely_pct",
    "CareLeaverAcc": "care_leaver_accom_pct",
    "CareLeavers_LA_NotInTouch": "care_leaver_not_in_touch_pct",
    "Unacc_Asylmn_Seek_Childn": "uasc_children",
    "No_of LAC Adopted": "adoptions_published",
}
#: LAIT's row for England
LAIT_ENGLAND = 970

PARAM_COLUMNS = (
    "la_code",
    "ons_code",
    "child_population",
    "referral_rate_per_10k",
    "rereferral_pct",
    "nfa_pct",
    "s47_rate_per_10k",
    "icpc_rate_per_10k",
    "cp_starts_per_10k",
    "cp_rate_per_10k",
    "cp_subsequent_pct",
    "cla_rate_per_10k",
    "cla_starts_per_10k",
    "uasc_share",
    "uasc_children",
    "adoptions_per_year",
    "pct_3plus_placements",
    "care_leaver_eet_pct",
    "care_leaver_eet_17_18_pct",
    "care_leaver_accom_pct",
    "care_leaver_not_in_touch_pct",
    "assessments_45wd_pct",
    "icpc_15wd_pct",
    "cp_ended_2yrs_pct",
    "cp_reviews_timely_pct",
    "cla_missing_pct",
    "cla_away_pct",
    "placed_over_20_miles_pct",
    "long_term_stability_pct",
    "dental_check_pct",
    "health_assessment_pct",
    "sdq_mean",
    "sw_fte",
    "agency_rate_pct",
    "vacancy_rate_pct",
    "caseload",
)


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        yield from csv.DictReader(f)


def _num(v: str | None) -> float | None:
    try:
        return float(v) if v not in (None, "") else None
    except ValueError:  # c, z, x, low: suppressed
        return None


def _latest(values: dict[int, float | None]) -> float | None:
    for year in sorted(values, reverse=True):
        if values[year] is not None:
            return values[year]
    return None


class _Series:
    """value per (la, year) for one measure, with the latest non-suppressed lookup."""

    def __init__(self, latest_only: bool = False) -> None:
        self.by_la: dict[str, dict[int, float | None]] = {}
        self.national: dict[int, float | None] = {}
        #: only the LA's latest year counts: suppressed there means small now, so England's
        #: rate is a better stand-in than a years-old figure
        self.latest_only = latest_only

    def _own(self, la: str) -> float | None:
        years = self.by_la.get(la, {})
        if self.latest_only:
            return years[max(years)] if years else None
        return _latest(years)

    def has(self, la: str) -> bool:
        return self._own(la) is not None

    def add(self, row: dict[str, str], value: float | None) -> None:
        year = int(row["time_period"][:4])
        if row["geographic_level"] == "National":
            self.national[year] = value
        elif row["geographic_level"] == "Local authority":
            self.by_la.setdefault(row["old_la_code"], {})[year] = value

    def get(self, la: str) -> float:
        v = self._own(la)
        if v is None:
            v = _latest(self.national)
        return float(v or 0.0)


def build(
    shared: Path,
) -> tuple[list[dict[str, object]], list[tuple[str, int, int]], list[list[str]]]:
    pub = shared / "reference" / "dfe-published"
    s: dict[str, _Series] = {k: _Series() for k in PARAM_COLUMNS}
    pop_rows: list[tuple[str, int, int]] = []
    ons: dict[str, str] = {}
    pop = _Series()
    for r in _rows(pub / "ons_mid-year_population_estimates_2012_to_2024.csv"):
        v = _num(r["population_estimate"])
        pop.add(r, v)
        if r["geographic_level"] == "Local authority" and v is not None:
            pop_rows.append((r["old_la_code"], int(r["time_period"]), int(v)))
            ons[r["old_la_code"]] = r["new_la_code"]
    for r in _rows(pub / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"):
        s["referral_rate_per_10k"].add(r, _num(r["referral_count"]))
        s["rereferral_pct"].add(r, _num(r["rereferral_percent"]))
        s["nfa_pct"].add(r, _num(r["no_further_action_percent"]))
    for r in _rows(pub / "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"):
        s["s47_rate_per_10k"].add(r, _num(r["Section47"]))
        s["icpc_rate_per_10k"].add(r, _num(r["ICPC"]))
    for r in _rows(pub / "d3_cpps_subsequent_plan_2013_to_2025.csv"):
        s["cp_starts_per_10k"].add(r, _num(r["CPP_start"]))
        s["cp_subsequent_pct"].add(r, _num(r["CPP_subsequent_percent"]))
    for r in _rows(pub / "d5_cpps_at31march_by_duration_2013_to_2025.csv"):
        s["cp_rate_per_10k"].add(r, _num(r["CPP_At31"]))
    for r in _rows(pub / "cla_number_and_rate_per_10k_children.csv"):
        if r["population_type"] == "Children looked after on 31 March each year":
            s["cla_rate_per_10k"].add(r, _num(r["rate_per_10000"]))
        elif r["population_type"] == "Children starting to be looked after each year":
            s["cla_starts_per_10k"].add(r, _num(r["rate_per_10000"]))
        elif r["population_type"] == "Children ceasing to be looked after each year":
            s["adoptions_per_year"].add(r, _num(r["children_count"]))
    for r in _rows(pub / "la_cla_placement_stability.csv"):
        if (
            r["cla_group"] == "CLA on 31 March"
            and r["placement_stability"] == "With 3 or more placements during the year"
        ):
            s["pct_3plus_placements"].add(r, _num(r["children_percent"]))
    for r in _rows(pub / "la_care_leavers_activity.csv"):
        if (
            r["care_leaver_age"] == "19 to 21 years"
            and r["breakdown"] == "Total in education, employment or training"
        ):
            s["care_leaver_eet_pct"].add(r, _num(r["care_leaver_percent"]))
    for r in _rows(pub / "la_care_leavers_activity.csv"):
        if (
            r["care_leaver_age"] == "17 to 18 years"
            and r["breakdown"] == "Total in education, employment or training"
        ):
            s["care_leaver_eet_17_18_pct"].add(r, _num(r["care_leaver_percent"]))
    lait = _lait(shared / "reference" / "lait" / "bds_long_0.parquet")
    for r in _rows(pub / "csww_indicators_2017_to_2025.csv"):
        s["sw_fte"].add(r, _num(r["inpost_fte"]))
        s["agency_rate_pct"].add(r, _num(r["agency_rate_fte"]))
        s["vacancy_rate_pct"].add(r, _num(r["vacancy_rate_fte"]))
        s["caseload"].add(r, _num(r["caseload_fte"]))

    las = _las(shared, ons)
    params: list[dict[str, object]] = []
    for la in las:
        code = la[0]
        population = pop.get(code)
        if population <= 0:
            continue
        per10k = 10_000 / population
        row: dict[str, object] = {
            "la_code": code,
            "ons_code": la[1],
            "child_population": int(population),
        }
        row["referral_rate_per_10k"] = round(s["referral_rate_per_10k"].get(code) * per10k, 1)
        row["s47_rate_per_10k"] = round(s["s47_rate_per_10k"].get(code) * per10k, 1)
        row["icpc_rate_per_10k"] = round(s["icpc_rate_per_10k"].get(code) * per10k, 1)
        row["cp_starts_per_10k"] = round(s["cp_starts_per_10k"].get(code) * per10k, 1)
        row["cp_rate_per_10k"] = round(s["cp_rate_per_10k"].get(code) * per10k, 1)
        for k in (
            "rereferral_pct",
            "nfa_pct",
            "cp_subsequent_pct",
            "cla_rate_per_10k",
            "cla_starts_per_10k",
            "pct_3plus_placements",
            "care_leaver_eet_pct",
            "care_leaver_eet_17_18_pct",
            "agency_rate_pct",
            "vacancy_rate_pct",
            "caseload",
        ):
            row[k] = s[k].get(code)
        row["sw_fte"] = (
            s["sw_fte"].get(code) if code in s["sw_fte"].by_la else round(population / 320, 1)
        )
        for name in LAIT_PARAMS.values():
            if name not in ("uasc_children", "adoptions_published"):
                row[name] = lait[name].get(code)
        starts = float(row["cla_starts_per_10k"]) * population / 10_000  # type: ignore[arg-type]
        row["uasc_share"] = (
            round(min(UASC_SHARE_CAP, lait["uasc_children"].get(code)
                      / UASC_MEAN_STAY_YEARS / max(starts, 1.0)), 3)
            if lait["uasc_children"].has(code)
            else NATIONAL_DEFAULTS["uasc_share"]
        )  # fmt: skip
        row["uasc_children"] = (
            lait["uasc_children"].get(code) if lait["uasc_children"].has(code) else -1
        )
        # adoptions: the LA's published count, else England's share of children ceasing
        # (an LA whose every year is suppressed must not take England's count)
        ceased = s["adoptions_per_year"].get(code) if s["adoptions_per_year"].has(code) else 0.0
        row["adoptions_per_year"] = (
            lait["adoptions_published"].get(code)
            if lait["adoptions_published"].has(code)
            else round(ceased * NATIONAL_DEFAULTS["adoption_share"], 1)
        )
        params.append(row)
    return params, pop_rows, las


FLOW_COLUMNS = ("la_code", "year", "cla_starts_per_10k", "cp_starts_per_10k")


def flows(shared: Path) -> list[tuple[str, int, float | None, float | None]]:
    """Each LA's published care and CP plan starts per 10,000 for every return year.

    The generator follows them year by year, so that this year's leavers and ended
    plans come from the starts of the years before, as they did (a stock that was
    falling has more leavers than starts).
    """
    pub = shared / "reference" / "dfe-published"
    pop: dict[tuple[str, int], float] = {}
    for r in _rows(pub / "ons_mid-year_population_estimates_2012_to_2024.csv"):
        v = _num(r["population_estimate"])
        if r["geographic_level"] == "Local authority" and v:
            pop[(r["old_la_code"], int(r["time_period"]))] = v
    cla: dict[tuple[str, int], float | None] = {}
    for r in _rows(pub / "cla_number_and_rate_per_10k_children.csv"):
        if (
            r["geographic_level"] == "Local authority"
            and r["population_type"] == "Children starting to be looked after each year"
        ):
            count, people = _num(r["children_count"]), _num(r["population_estimate"])
            cla[(r["old_la_code"], int(r["time_period"][:4]))] = (
                round(count / people * 10_000, 2) if count is not None and people else None
            )
    cp: dict[tuple[str, int], float | None] = {}
    for r in _rows(pub / "d3_cpps_subsequent_plan_2013_to_2025.csv"):
        if r["geographic_level"] != "Local authority":
            continue
        key = (r["old_la_code"], int(r["time_period"][:4]))
        count, people = _num(r["CPP_start"]), pop.get((key[0], key[1] - 1))
        cp[key] = round(count / people * 10_000, 2) if count is not None and people else None
    out = []
    for key in sorted(set(cla) | set(cp)):
        c, p = cla.get(key), cp.get(key)
        if c is not None or p is not None:
            out.append((key[0], key[1], c, p))
    return out


def _lait(path: Path) -> dict[str, _Series]:
    """The :data:`LAIT_PARAMS` series from LAIT's long file ('-', 'c', 'x': suppressed)."""
    import duckdb

    out = {name: _Series(latest_only=True) for name in LAIT_PARAMS.values()}
    rows = (
        duckdb.connect()
        .execute(
            'SELECT "Short Desc", "Years", "LA Number", "Values" FROM read_parquet(?) '
            'WHERE "Short Desc" IN (SELECT unnest(?)) AND "LA Number" IS NOT NULL',
            [str(path), sorted(LAIT_PARAMS)],
        )
        .fetchall()
    )
    for code, years, la_number, value in rows:
        if not str(years).isdigit():
            continue
        series, year, v = out[LAIT_PARAMS[code]], int(years), _num(value)
        if int(la_number) == LAIT_ENGLAND:
            series.national[year] = v
        else:
            series.by_la.setdefault(f"{int(la_number)}", {})[year] = v
    return out


def _las(shared: Path, ons: dict[str, str]) -> list[list[str]]:
    wb = openpyxl.load_workbook(shared / "reference" / "lait" / "la_code_list.xlsx", read_only=True)
    names = {}
    for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True):
        if r[0] is not None and r[3] not in (None, "NA"):
            names[str(r[0])] = str(r[1])
    out = []
    for r in _rows(shared / "reference" / "dfe-published" / "sn_model_2025_wide.csv"):
        code = r["old_la_code"].strip()
        sns = [r[f"SN_{i}"].strip() for i in range(1, 11)]
        out.append(
            [
                code,
                ons.get(code, ""),
                names.get(code, r["la_name"]),
                r["region_name"],
                " ".join(sns),
            ]
        )
    return sorted(out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = ap.parse_args(argv)
    params, pop_rows, las = build(args.shared)
    with (PKG / "data" / "params.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, PARAM_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(params)
    with (PKG / "data" / "population.csv").open("w", newline="") as f:
        w2 = csv.writer(f, lineterminator="\n")
        w2.writerow(["la_code", "year", "age_0_17"])
        w2.writerows(sorted(pop_rows))
    with (PKG / "data" / "flows.csv").open("w", newline="") as f:
        w4 = csv.writer(f, lineterminator="\n")
        w4.writerow(FLOW_COLUMNS)
        w4.writerows([("" if v is None else v) for v in row] for row in flows(args.shared))
    ref = PKG.parent / "reference" / "data" / "las.csv"
    ref.parent.mkdir(exist_ok=True)
    with ref.open("w", newline="") as f:
        w3 = csv.writer(f, lineterminator="\n")
        w3.writerow(["dfe_code", "ons_code", "name", "region", "statistical_neighbours"])
        w3.writerows(las)
    print(f"{len(params)} LAs calibrated, {len(pop_rows)} population rows, {len(las)} LAs listed")


if __name__ == "__main__":
    main()
