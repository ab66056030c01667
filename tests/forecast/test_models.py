"""Projection numerics on hand-built monthly series with known answers."""

from __future__ import annotations

import math

import pytest

from cscperf.forecast.models import project_flow, project_level

SEASON = [5.0, 7.0, 9.0, 4.0, 6.0, 8.0, 10.0, 3.0, 5.0, 7.0, 9.0, 6.0]  # Apr..Mar, total 79


def test_perfectly_seasonal_series_is_forecast_exactly() -> None:
    # three full years, then Apr-Sep of the fourth: 5+7+9+4+6+8 = 39 so far,
    # the rest of the year must be last years' Oct-Mar: 10+3+5+7+9+6 = 40 -> 79
    p = project_flow(SEASON * 3 + SEASON[:6], months_in_year=6)
    assert p is not None
    assert p.method.startswith("exponential smoothing, 12-month seasonality")
    assert p.point == pytest.approx(79.0, abs=1e-6)
    assert p.lo80 == pytest.approx(79.0, abs=1e-3) and p.hi80 == pytest.approx(79.0, abs=1e-3)


def test_constant_rate() -> None:
    p = project_flow([10.0] * 42, months_in_year=6)
    assert p is not None and p.point == pytest.approx(120.0, abs=1e-6)
    assert p.lo80 <= p.point <= p.hi80


def test_fewer_than_two_years_uses_seasonal_naive_fallback() -> None:
    # 12 months of last year + Apr-Sep: last year's Apr-Sep was 39, this year's 78 (x2),
    # so the rest is last year's Oct-Mar (40) doubled: 78 + 80 = 158
    p = project_flow(SEASON + [2 * v for v in SEASON[:6]], months_in_year=6)
    assert p is not None
    assert p.method.startswith("seasonal naive")
    assert p.point == pytest.approx(158.0)
    # interval: negative binomial with mean 80 and variance 80 + 80**2 * (1/78 + 1/39
    # + 1/40) (the noise of this year's 78 and last year's 39 and 40 events), i.e.
    # shape n = 1 / (1/78 + 1/39 + 1/40) and p = n / (n + 80); percentiles by pmf sums
    n = 1 / (1 / 78 + 1 / 39 + 1 / 40)
    assert (p.lo80, p.hi80) == (78.0 + _nb_quantile(0.1, n, n / (n + 80)),
                                78.0 + _nb_quantile(0.9, n, n / (n + 80)))  # fmt: skip
    assert p.hi80 - p.lo80 > 2 * 1.2816 * 80**0.5  # wider than Poisson: the rate is uncertain


def _nb_quantile(q: float, n: float, p: float) -> float:
    """Smallest k with P(X <= k) >= q, X ~ NegBin(n, p) (failures before n successes)."""
    k, cdf = 0, 0.0
    while True:
        cdf += math.exp(
            math.lgamma(k + n) - math.lgamma(n) - math.lgamma(k + 1)
            + n * math.log(p) + k * math.log(1 - p)
        )  # fmt: skip
        if cdf >= q:
            return float(k)
        k += 1


def test_no_history_uses_the_run_rate() -> None:
    p = project_flow([3.0, 5.0, 4.0], months_in_year=3)  # 12 so far, 4 a month, 9 to go
    assert p is not None and p.method.startswith("run rate")
    assert p.point == pytest.approx(48.0)
    assert (p.lo80, p.hi80) == (12 + _nb_quantile(0.1, 12, 0.25), 12 + _nb_quantile(0.9, 12, 0.25))
    assert p.lo80 < p.point < p.hi80
    nothing_yet = project_flow([0.0], months_in_year=1)  # no adoption in April: still room
    assert nothing_yet is not None and nothing_yet.point == 0.0 and nothing_yet.hi80 > 0


def test_interval_contains_the_point_on_noisy_data() -> None:
    noisy = [v + (i * 7 % 5) for i, v in enumerate(SEASON * 4)]
    for done in (1, 6, 11):
        p = project_flow(noisy[: 36 + done], months_in_year=done)
        assert p is not None and p.lo80 <= p.point <= p.hi80
        assert p.lo80 >= sum(noisy[36 : 36 + done])  # never below what already happened


def test_year_complete_is_the_outturn() -> None:
    p = project_flow(SEASON * 2, months_in_year=12)
    assert p is not None and (p.point, p.lo80, p.hi80) == (79.0, 79.0, 79.0)


def test_null_months_are_forecast_not_counted_as_zero() -> None:
    # two uncovered months at the end of the year so far: 39 - 6 - 8 = 25 known, and
    # the four months Aug.. are forecast from the seasonal model (Aug-Sep as well)
    months: list[float | None] = [*SEASON * 3, *SEASON[:4], None, None]
    p = project_flow(months, months_in_year=6)
    assert p is not None and p.point == pytest.approx(79.0, abs=1e-6)
    # a gap inside the year: only the known months count, the fallback fills the rest
    gap: list[float | None] = [*SEASON * 3, 5.0, None, 9.0, 4.0, 6.0, 8.0]
    q = project_flow(gap, months_in_year=6)
    assert q is not None and q.method.startswith("seasonal naive")
    # known Apr, Jun-Sep: 5+9+4+6+8 = 32, the same months last year 32 -> scale 1;
    # May and Oct-Mar come from last year: 79 - 32 = 47 -> 32 + 47 = 79
    assert q.point == pytest.approx(79.0)
    assert project_flow([*SEASON, None, None], months_in_year=2) is None


def test_months_in_year_is_checked() -> None:
    with pytest.raises(ValueError):
        project_flow([1.0], months_in_year=0)


def test_level_constant_and_linear() -> None:
    p = project_level([50.0] * 30, steps=6, bounds=(0.0, 100.0))
    assert p is not None and p.point == pytest.approx(50.0, abs=1e-6)
    line = [300.0 + i for i in range(40)]  # +1 a month: 345 in 6 months; damping bends it down
    q = project_level(line, steps=6)
    assert q is not None and 340.0 < q.point <= 345.0 + 1e-6
    assert q.lo80 <= q.point <= q.hi80


def test_level_is_clipped_to_bounds() -> None:
    p = project_level([90.0 + i for i in range(30)], steps=12, bounds=(0.0, 100.0))
    assert p is not None and p.point <= 100.0 and p.hi80 <= 100.0


def test_level_short_history_fallbacks() -> None:
    # a random walk from the last value (17): monthly changes 2,-1,2,2,-1,2,1 have
    # mean 1 and sample variance 12/6 = 2; two steps -> sd sqrt(2) * sqrt(2) = 2;
    # t(0.9, 6 df) = 1.4398 (tables) -> 17 -/+ 2.8796
    p = project_level([10.0, 12.0, 11.0, 13.0, 15.0, 14.0, 16.0, 17.0], steps=2)
    assert p is not None and p.point == 17.0
    assert p.method == "last value (interval from 7 monthly changes)"
    assert p.lo80 == pytest.approx(17 - 2.8796, abs=1e-3)
    assert p.hi80 == pytest.approx(17 + 2.8796, abs=1e-3)
    # yearly snapshots only (null months between): changes 4,-2,4 between snapshots,
    # mean 2, variance 24/2 = 12; t(0.9, 2 df) = 1.8856 -> 26 -/+ 6.532
    sparse: list[float | None] = []
    for v in (20.0, 24.0, 22.0, 26.0):
        sparse += [None] * 11 + [v]
    s = project_level(sparse, steps=6)
    assert s is not None and s.point == 26.0 and "between 4 snapshots" in s.method
    assert (s.lo80, s.hi80) == (pytest.approx(26 - 6.532, abs=1e-3),
                                pytest.approx(26 + 6.532, abs=1e-3))  # fmt: skip
    assert project_level([None, None], steps=3) is None
    one = project_level([7.0], steps=3)
    assert one is not None and (one.point, one.lo80, one.hi80) == (7.0, 7.0, 7.0)
