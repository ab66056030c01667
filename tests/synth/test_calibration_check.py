"""The calibration check (synth/calibration.py) and the generator's calibrated rates.

The rule is pinned on hand-worked numbers; the generator's rates on samples big
enough to check by hand (a binomial interval around the parameter); and, when
../shared is there, Thurrock end to end against its published 2024-25 figures.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from cscperf.synth.calibration import calibrate, failures, judge, standard_error, table
from cscperf.synth.care import add_moves, build_period, placements_in, teen_share
from cscperf.synth.dates import add_wd
from cscperf.synth.local import simulate_local
from cscperf.synth.model import CarePeriod, Child, Referral
from cscperf.synth.params import get_params, starts_per_10k
from cscperf.synth.postcodes import FAR_KM, FarShare, book
from cscperf.synth.rng import Stratified, fast_stream, stream
from cscperf.synth.simulate import Simulator, trunc_exp_quantile, trunc_exp_rate, uasc_mean_stay
from cscperf.synth.writers_903 import _STRATA, CareLeaverRates, _oc3

# --- the rule ------------------------------------------------------------------------


def test_a_percentage_on_a_small_cohort_gets_two_standard_errors() -> None:
    # 79% of 36 care leavers: 2 * sqrt(0.79 * 0.21 / 36) = 0.1358 -> ±13.6 points,
    # more than ±15% of 79 (11.85)
    r = judge("care_leavers_eet_17_18", "percent", 79.0, 66.0, n=36)
    assert (r.basis, round(r.tolerance or 0, 2), r.passed) == ("2 SE", 13.58, True)
    assert judge("care_leavers_eet_17_18", "percent", 79.0, 65.0, n=36).passed is False


def test_a_large_count_is_held_to_fifteen_percent() -> None:
    # 1,885 referrals: ±15% = 282.75 > 2 * sqrt(1885) = 86.8
    assert judge("referrals", "count", 1885.0, 2167.0).basis == "±15%"
    assert judge("referrals", "count", 1885.0, 2167.0).passed is True  # 282 over
    assert judge("referrals", "count", 1885.0, 2168.0).passed is False  # 283 over


def test_a_small_count_is_held_to_two_poisson_errors() -> None:
    # 124 children ceasing: 2 * sqrt(124) = 22.27 > ±15% (18.6)
    assert judge("cla_ceased", "count", 124.0, 102.0).passed is True  # 22 under
    assert judge("cla_ceased", "count", 124.0, 101.0).passed is False  # 23 under


def test_a_rate_per_10k_takes_its_counts_error() -> None:
    # 26.2 per 10,000 of 46,271 = 121.2 plans: 2 * sqrt(121.2) = 22.02 plans = 4.76 per 10k
    assert round(standard_error("rate_per_10k", 26.2, None, 46271), 2) == 4.76
    assert judge("cp_rate", "rate_per_10k", 26.2, 21.5, pop=46271).passed is True
    assert judge("cp_rate", "rate_per_10k", 26.2, 21.4, pop=46271).passed is False


def test_a_published_100_percent_on_four_children_still_has_an_error() -> None:
    # p kept inside [1/5, 4/5]: 2 * sqrt(0.8 * 0.2 / 4) = 0.4 -> ±40 points (3 of 4 passes)
    assert round(standard_error("percent", 100.0, 4, None), 6) == 40.0
    assert judge("cla_long_term_stability", "percent", 100.0, 75.0, n=4).passed is True
    assert judge("cla_long_term_stability", "percent", 100.0, 75.0, n=400).passed is False


def test_a_suppressed_value_is_checked_against_the_neighbours_range() -> None:
    # no size known: the bare range [4, 18]
    assert judge("adoptions_pct", "percent", None, 10.0, sn_range=(4.0, 18.0)).passed is True
    assert judge("adoptions_pct", "percent", None, 3.9, sn_range=(4.0, 18.0)).passed is False
    # 0 adopted of 14 ceasing: widened at the near end by 2 * sqrt(1/15 * 14/15 / 14) = 13.3
    r = judge("adoptions_pct", "percent", None, 0.0, n=14, sn_range=(4.0, 18.0))
    assert (r.basis, r.passed, round(r.tolerance or 0, 1)) == ("SN range", True, 13.3)
    # a count is not compared with neighbours of other sizes: suppressed means small
    assert judge("adoptions", "count", None, 5.0, sn_range=(7.0, 53.0)).passed is True
    assert judge("adoptions", "count", None, 6.0, sn_range=(7.0, 53.0)).passed is False


def test_no_synthetic_value_fails_and_the_table_shows_every_row() -> None:
    rows = [
        judge("away_children", "percent", 0.0, None),
        judge("cla_children", "count", 276.0, 278.0),
    ]
    assert [r.passed for r in rows] == [False, True]
    assert failures(rows) == rows[:1]
    text = table(rows)
    assert "| away_children | 0.0 |  |  | no data | FAIL |" in text
    assert "| cla_children | 276.0 | 278.0 | 1.01 | ±15% (±41.4) | pass |" in text


# --- the generator's calibrated rates ------------------------------------------------


def test_published_starts_are_followed_year_by_year() -> None:
    # Thurrock 2023-24: 141 care starts and 165 CP plan starts, mid-2023 population 45,530
    assert starts_per_10k("883", 2024) == (30.97, 36.24)
    assert starts_per_10k("883", 2031) == starts_per_10k("883", 2025)  # nearest year


def test_adoptions_are_the_published_count_or_nine_percent_of_leavers() -> None:
    assert get_params("883").adoptions_per_year == 9.0  # Thurrock 2024-25: 9 adopted
    # Rutland's 2024-25 adoptions are suppressed: 9% of its 10 children ceasing care
    assert get_params("857").adoptions_per_year == 0.9
    # Isles of Scilly: every year's leavers suppressed; 0, not 9% of England's 34,450
    assert get_params("420").adoptions_per_year == 0.0


def test_care_leavers_activity_lands_on_the_published_shares() -> None:
    p = get_params("883")  # 47% of 19-21s and 79% of 17-18s in EET, 96% suitably housed
    rates = CareLeaverRates.of(p)
    # in touch: England's 4% not in touch (Thurrock's is suppressed) + 2% refused or
    # not required, raised to 96% + 1 point so that 96% can be suitably housed
    assert rates.in_touch == pytest.approx(0.97)
    strat = {k: Stratified(stream(1, "883", 2025, k)) for k in _STRATA}
    rng = stream(1, "883", 2025, "oc3-test")
    old = [_oc3(rng, "C", "01/01/2005", rates, False, strat) for _ in range(1000)]
    young = [_oc3(rng, "C", "01/01/2007", rates, True, strat) for _ in range(1000)]

    def share(rows: list[tuple[str, ...]], hit: str) -> float:
        return sum(r[3][:1] in hit and r[3] != "" for r in rows) / len(rows)

    # binomial 2 SE on 1,000: 3.2 points at 47%, 2.6 at 79%
    assert abs(share(old, "FP") - 0.47) <= 0.032
    assert abs(share(young, "FP") - 0.79) <= 0.026
    suitable = sum(r[4].endswith("1") for r in old) / len(old)
    assert abs(suitable - 0.96) <= 0.013  # 2 * sqrt(0.96 * 0.04 / 1000)


@pytest.fixture(scope="module")
def thurrock_sim() -> Simulator:
    return Simulator("883", (2023, 2024, 2025), 1, 1.0, book())


def test_cp_plan_lengths_match_the_published_share_over_two_years(
    thurrock_sim: Simulator,
) -> None:
    sim, n = thurrock_sim, 20_000
    years = [sim.cp_plan_years((i + 0.5) / n) for i in range(n)]
    # Thurrock 2024-25: 6.1% of plans ending had lasted 2 years or more
    assert sum(y >= 2 for y in years) / n == pytest.approx(0.061, abs=0.001)
    assert sum(years) / n == pytest.approx(sim.cp_mean, rel=0.01)  # stock / recent starts
    assert min(years) >= sim.cp_min


def test_truncated_exponential_has_the_asked_mean() -> None:
    for mean in (0.5, 1.08, 1.6):  # falling, nearly flat and rising densities
        lam = trunc_exp_rate(0.16, 2.0, mean)
        xs = [trunc_exp_quantile(0.16, 2.0, lam, (i + 0.5) / 10_000) for i in range(10_000)]
        assert sum(xs) / len(xs) == pytest.approx(mean, abs=0.002)
        assert min(xs) >= 0.16 and max(xs) < 2.0


def test_uasc_stay_is_the_time_to_18_when_stays_are_long() -> None:
    # entry at 14-17 plus up to a year: 0.1 * 3.5 + 0.2 * 2.5 + 0.35 * 1.5 + 0.35 * 0.5
    assert uasc_mean_stay(1e6) == pytest.approx(1.55, abs=1e-3)
    # short stays are barely cut: only those arriving within m of 18 (0.35 * m * m less)
    assert uasc_mean_stay(0.01) == pytest.approx(0.01 - 0.35 * 0.01**2, rel=1e-6)


def test_assessments_on_time_at_the_published_share(thurrock_sim: Simulator) -> None:
    sim, rng, n = thurrock_sim, fast_stream(1, "883", 0, "assess-test"), 4000
    start = dt.date(2024, 6, 3)
    ref = Referral(start, "1A", "N1", False)
    deadline = add_wd(start, 45)
    on_time = sum(sim._assess(rng, ref, start).authorised <= deadline for _ in range(n)) / n
    # Thurrock 2024-25: 97.0%; binomial 2 SE on 4,000 = 0.54 points
    assert abs(on_time - 0.97) <= 2 * math.sqrt(0.97 * 0.03 / n)


def test_far_placements_at_the_asked_share() -> None:
    b, rng, n = book(), fast_stream(1, "883", 0, "far-test"), 4000
    share = FarShare(0.25, Stratified(rng))
    places = [b.placement("883", rng, 0.6, share)[1] for _ in range(n)]
    far = sum(p in b.far["883"] for p in places) / n
    assert abs(far - 0.25) <= 2 * math.sqrt(0.25 * 0.75 / n)  # 1.4 points
    home = b.by_la["883"]
    for la in b.far["883"]:
        there = b.by_la[la]
        assert math.hypot(there.east - home.east, there.north - home.north) >= FAR_KM * 1000


def test_workforce_rates_are_in_fte_as_the_dfe_computes_them() -> None:
    p = get_params("883")  # vacancy 22.9%, agency 19.4%, caseload 12.2
    _, workforce, _ = simulate_local("883", (2025,), 1, 1.0, p, [])
    posts = workforce[2025]
    fte = {s: sum(x.fte for x in posts if x.status == s) for s in ("vacant", "agency", "employed")}
    vacancy = fte["vacant"] / (fte["vacant"] + fte["employed"])
    agency = fte["agency"] / (fte["agency"] + fte["employed"])
    n = len(posts)  # ~190 posts: binomial 2 SE about 6 points; stratified draws land closer
    assert abs(vacancy - 0.229) <= 2 * math.sqrt(0.229 * 0.771 / n)
    assert abs(agency - 0.194) <= 2 * math.sqrt(0.194 * 0.806 / n)
    holding = [x for x in posts if x.case_holding and x.cases]
    caseload = sum(x.cases or 0 for x in holding) / sum(x.fte for x in holding)
    assert caseload == pytest.approx(12.2, abs=0.5)


def _long_stayers(n: int) -> list[Child]:
    """n children of 11 in care since January 2022 (3.2 years at 31 March 2025, but
    only 2.2 at 31 March 2024: their moves in 2023-24 count too) with no end in sight."""
    b, rng = book(), fast_stream(1, "883", 0, "lts-test")
    kids = []
    for i in range(n):
        c = Child(f"c{i}", 1, dt.date(2014, 1, 1), "WBRI", "", ("NONE",), b.home("883", rng))
        c.care.append(build_period(rng, c, "883", b, dt.date(2022, 1, 15), 4000, False, "N1"))
        kids.append(c)
    return kids


@pytest.mark.parametrize(("published", "stable"), [(64.0, 0.64), (100.0, 1.0)])
def test_long_stayers_stay_with_the_same_carer_at_the_published_share(
    published: float, stable: float
) -> None:
    # 64%: each year a long stayer moves with chance 1 - sqrt(0.64) = 0.2, 3+ placements
    # (10%) included: (1 - 0.2)^2 = 0.64 stay put over the two years; 100%: nobody moves
    kids, n = _long_stayers(400), 400
    add_moves(kids, "883", book(), fast_stream(1, "883", 0, "moves"), range(2024, 2026), 10.0,
              published)  # fmt: skip
    ws, we = dt.date(2023, 4, 1), dt.date(2025, 3, 31)
    share = sum(placements_in(c.care[0], ws, we) == 1 for c in kids) / n
    assert abs(share - stable) <= 2 * math.sqrt(max(stable * (1 - stable), 1 / n) / n)


def test_teen_share_counts_children_11_or_over_in_the_year() -> None:
    def child(cid: str, dob: dt.date) -> Child:
        c = Child(cid, 1, dob, "WBRI", "", ("NONE",), "")
        c.care.append(CarePeriod(dt.date(2023, 1, 1), None, []))
        return c

    # in care all of 2024-25: one turns 11 in it (counts), one is 5 (does not)
    kids = [child("a", dt.date(2013, 9, 1)), child("b", dt.date(2019, 5, 1))]
    assert teen_share(kids, range(2025, 2026)) == 0.5


# --- end to end (../shared) --------------------------------------------------------


def test_thurrock_matches_its_published_figures(shared: Path, tmp_path: Path) -> None:
    """Every KPI with a published series passes for the demo LA (seed 2025, 2024-25)."""
    ref = shared / "reference"
    rows = calibrate("883", tmp_path, [ref / "dfe-published", ref / "lait"], seed=2025)
    assert len(rows) >= 35
    bad = failures(rows)
    assert not bad, table(bad)
