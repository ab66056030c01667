"""Small building blocks: working days, streams, calibration table, postcodes."""

from __future__ import annotations

from datetime import date

from cscperf.synth.dates import add_months, add_wd, return_year, wd_between
from cscperf.synth.params import get_params, population
from cscperf.synth.postcodes import book
from cscperf.synth.rng import Stratified, pick, stream
from cscperf.synth.simulate import care_mean_years


def test_working_days_skip_weekends_and_england_bank_holidays() -> None:
    # Fri 20 Dec 2024: 23, 24, (25, 26 bank holidays), 27, 30, 31 -> 5th WD is 31 Dec
    assert add_wd(date(2024, 12, 20), 5) == date(2024, 12, 31)
    # 23, 24, 27, 30, 31 Dec and 2 Jan (1 Jan is a bank holiday)
    assert wd_between(date(2024, 12, 20), date(2025, 1, 2)) == 6
    assert wd_between(date(2025, 1, 2), date(2024, 12, 20)) == 0
    assert add_wd(date(2024, 3, 28), 1) == date(2024, 4, 2)  # Good Friday, Easter Monday


def test_months_clip_and_reporting_year() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 3, 31), -12) == date(2023, 3, 31)
    assert (return_year(date(2024, 4, 1)), return_year(date(2025, 3, 31))) == (2025, 2025)


def test_streams_are_keyed_not_sequential() -> None:
    a = stream(1, "883", 2025, "front").random()
    assert a == stream(1, "883", 2025, "front").random()
    assert a != stream(1, "882", 2025, "front").random()
    assert a != stream(1, "883", 2024, "front").random()
    assert a != stream(2, "883", 2025, "front").random()


def test_stratified_counts_land_on_target() -> None:
    for seed in range(5):
        s = Stratified(stream(seed, "883", 0, "t"))
        hits = sum(s.next() < 0.07 for _ in range(300))
        assert 20 <= hits <= 22  # 0.07 * 300 = 21, golden-ratio sequence is within 1


def test_pick_follows_weights() -> None:
    rng = stream(3, "883", 0, "pick")
    options = (("a", 3.0), ("b", 1.0))
    n = sum(pick(rng, options) == "a" for _ in range(4000))
    assert 2880 <= n <= 3120  # 75% of 4000 = 3000


def test_thurrock_calibration_targets_are_the_published_facts() -> None:
    p = get_params("883")
    assert p.child_population == 46271  # ONS mid-2024, 0-17
    assert p.referral_rate_per_10k == 407.4  # 1,885 referrals in 2024-25 / 46,271 * 10,000
    assert (p.rereferral_pct, p.cla_rate_per_10k, p.pct_3plus_placements) == (16.0, 60.0, 7.0)
    assert p.cp_rate_per_10k == 26.2  # 121 CP plans at 31 March 2025
    assert population("883", 2024) == 46271
    assert population("883", 2031) == 46271  # beyond the published years: the nearest


def test_care_duration_mean_accounts_for_leaving_at_18() -> None:
    m = care_mean_years(2.5)
    assert m > 2.5  # stays are cut at 18, so the uncapped mean must be longer
    assert abs(care_mean_years(0.5) - 0.5) < 0.05  # short stays are barely capped


def test_care_duration_mean_counts_adopted_stays() -> None:
    """Adopted under-5s stay ~2.3 years instead of a drawn ~3.3: the others stay longer."""
    assert care_mean_years(2.5, 0.08, 0.3) > care_mean_years(2.5, 0.08) + 0.1
    assert care_mean_years(2.5, 0.08, 0.0) == care_mean_years(2.5, 0.08)


def test_postcodes_are_real_and_local() -> None:
    b = book()
    codes = set(b.by_la["883"].codes)
    assert len(codes) > 1000
    rng = stream(1, "883", 0, "pc")
    assert b.home("883", rng) in codes
    post, where = b.placement("883", rng, p_inside=1.0)
    assert where == "883" and post in codes
    assert "883" not in b.nearest["883"]
    # Thurrock's nearest LAs by centroid are its Essex/London neighbours
    assert set(b.nearest["883"][:3]) <= {"311", "303", "301", "881", "882", "887"}
