"""Year-end projections from a monthly series: the numbers only, no store.

Flows (monthly counts): the year-to-date count plus the remaining months, forecast
by exponential smoothing with a 12-month additive seasonality (statsmodels'
Holt-Winters) when there are at least two full years of contiguous months, else a
seasonal-naive run rate (last year's remaining months scaled by this year's
year-to-date against last year's, or the plain monthly run rate) with a
gamma-Poisson (negative binomial) interval. Levels (month-end values): damped-trend
exponential smoothing with two
years of history, else the last value with an interval from the series' own past
changes. ETS intervals come from 1,000 simulated paths (fixed seed, so repeatable):
the 10th and 90th percentiles of the year-end total or value.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: two full years: what seasonal exponential smoothing needs to start its seasons
MIN_MONTHS_ETS = 24
REPETITIONS = 1000
Z80 = 1.2815515655446004  # standard normal 90th percentile


@dataclass(frozen=True)
class Projection:
    """A year-end value with its 80% interval; ``method`` says how, in words."""

    point: float
    lo80: float
    hi80: float
    method: str


def _tail_run(values: Sequence[float | None]) -> list[float]:
    """The longest run of non-null values ending at the last value."""
    run: list[float] = []
    for v in reversed(values):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            break
        run.append(float(v))
    return run[::-1]


def _trim(values: Sequence[float | None]) -> tuple[list[float | None], int]:
    """Drop trailing nulls (months not yet covered); returns (values, how many dropped)."""
    out = list(values)
    dropped = 0
    while out and out[-1] is None:
        out.pop()
        dropped += 1
    return out, dropped


def _sims(fit: Any, steps: int, seed: int) -> np.ndarray:
    """Simulated future paths, shape (steps, repetitions)."""
    sims = fit.simulate(
        steps, anchor="end", repetitions=REPETITIONS, error="add", rng=np.random.default_rng(seed)
    )
    return np.asarray(sims, dtype=float).reshape(steps, REPETITIONS)


def _hw(run: list[float], seasonal: bool) -> Any:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing  # heavy: import on use

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on short or flat series
        model = ExponentialSmoothing(
            np.asarray(run, dtype=float),
            trend=None if seasonal else "add",
            damped_trend=not seasonal,
            seasonal="add" if seasonal else None,
            seasonal_periods=12 if seasonal else None,
            initialization_method="heuristic",
        )
        return model.fit(use_brute=False, method="SLSQP")  # same optimum, ~10x faster


def _ordered(point: float, lo: float, hi: float, method: str) -> Projection:
    return Projection(point, min(lo, point), max(hi, point), method)


def _gamma_poisson(
    ytd: float, seen: float, to_come: float, others: Sequence[float], method: str
) -> Projection:
    """The year to date plus the rest of the year at the year-to-date rate, with a
    gamma-Poisson (negative binomial) predictive interval: Poisson counts whose rate
    is itself uncertain.

    ``seen`` and ``to_come`` weigh the months known and still to come (months, or
    last year's counts in them): the rest is expected at ``ytd * to_come / seen``.
    ``others`` are further counts that estimate enters through (last year's, for a
    seasonal naive): each adds its Poisson noise, by the delta method (variance
    ``rest + rest**2 * (1/ytd + sum(1/other))``). With no event yet the rate's
    gamma posterior has shape 1/2, so a quiet April still leaves room for some.
    """
    from scipy.stats import nbinom

    if to_come <= 0:
        return Projection(ytd, ytd, ytd, method)
    rest = ytd * to_come / seen
    if ytd <= 0:
        shape, p = 0.5, seen / (seen + to_come)
    else:
        shape = 1 / (1 / ytd + sum(1 / max(c, 0.5) for c in others))
        p = shape / (shape + rest)
    lo, hi = nbinom.ppf([0.1, 0.9], shape, p)
    label = method + ", gamma-Poisson interval"
    return _ordered(ytd + rest, ytd + float(lo), ytd + float(hi), label)


def project_flow(
    months: Sequence[float | None], months_in_year: int, seed: int = 0
) -> Projection | None:
    """Year-end total of a monthly count.

    ``months`` runs oldest first up to the month the forecast is made in; its last
    ``months_in_year`` entries (1-12) are this reporting year's months so far.
    Months not covered by data (None) are forecast like future months. None when
    no month of the year has a value.
    """
    if not 1 <= months_in_year <= 12 or len(months) < months_in_year:
        raise ValueError("months_in_year must be 1-12 and within the series")
    this_year = list(months[-months_in_year:])
    known = [float(v) for v in this_year if v is not None]
    if not known:
        return None
    ytd = sum(known)
    trimmed, _ = _trim(months)
    done_trimmed = months_in_year - (len(months) - len(trimmed))
    remaining = 12 - len(known)
    if remaining == 0:
        return Projection(ytd, ytd, ytd, "outturn (all 12 months known)")
    run = _tail_run(trimmed)
    gaps_in_year = len(known) < done_trimmed
    if len(run) >= MIN_MONTHS_ETS and not gaps_in_year:
        fit = _hw(run, seasonal=True)
        mean = np.clip(np.asarray(fit.forecast(remaining), dtype=float), 0, None)
        totals = ytd + np.clip(_sims(fit, remaining, seed), 0, None).sum(axis=0)
        lo, hi = np.quantile(totals, [0.1, 0.9])
        method = f"exponential smoothing, 12-month seasonality ({len(run)} months)"
        return _ordered(ytd + float(mean.sum()), float(lo), float(hi), method)
    # fallback: seasonal naive when last year's 12 months are all there: the months
    # not known this year are last year's, scaled by known this year / same months then
    start = len(months) - months_in_year - 12
    if start >= 0:
        last_year = months[start : start + 12]
        if all(v is not None for v in last_year):
            ly = [float(v) for v in last_year if v is not None]
            seen = {i for i, v in enumerate(this_year) if v is not None}
            ly_seen = sum(ly[i] for i in seen)
            if ly_seen > 0:
                ly_rest = sum(ly[i] for i in range(12) if i not in seen)
                return _gamma_poisson(
                    ytd,
                    ly_seen,
                    ly_rest,
                    (ly_seen, ly_rest),
                    "seasonal naive: last year's months scaled by the year to date",
                )
    return _gamma_poisson(ytd, len(known), remaining, (), "run rate of the year to date")


def project_level(
    months: Sequence[float | None],
    steps: int,
    bounds: tuple[float | None, float | None] = (None, None),
    seed: int = 0,
) -> Projection | None:
    """The value ``steps`` months after the last month of ``months`` (oldest first).

    Trailing nulls are months not yet covered: the projection starts from the last
    known value, that many more steps ahead. ``bounds`` clip the result (0-100 for
    a percentage, >= 0 for a count). None when the series has no value.
    """
    trimmed, dropped = _trim(months)
    if not trimmed:
        return None
    steps += dropped
    run = _tail_run(trimmed)
    last = run[-1]
    if steps == 0:
        return Projection(last, last, last, "outturn (value at the year end)")
    lo_b = -math.inf if bounds[0] is None else bounds[0]
    hi_b = math.inf if bounds[1] is None else bounds[1]

    def clip(x: float) -> float:
        return float(min(max(x, lo_b), hi_b))

    if len(run) >= MIN_MONTHS_ETS:
        fit = _hw(run, seasonal=False)
        point = float(np.asarray(fit.forecast(steps), dtype=float)[-1])
        lo, hi = np.quantile(_sims(fit, steps, seed)[-1], [0.1, 0.9])
        method = f"exponential smoothing, damped trend ({len(run)} months)"
        return _ordered(clip(point), clip(float(lo)), clip(float(hi)), method)
    # a random walk from the last value: the spread of past changes (monthly, or
    # between sparse snapshots such as one a year), t-quantile for the few of them
    if len(run) >= 3:
        diffs, scale = np.diff(np.asarray(run, dtype=float)), math.sqrt(steps)
        how = f"interval from {len(diffs)} monthly changes"
    else:
        known = [float(v) for v in trimmed if v is not None]
        diffs, scale = np.diff(np.asarray(known, dtype=float)), 1.0
        how = f"interval from the changes between {len(known)} snapshots"
    if len(diffs) >= 2:
        from scipy.stats import t

        half = float(np.std(diffs, ddof=1)) * scale * float(t.ppf(0.9, len(diffs) - 1))
        lo_c, hi_c = -half, half
    else:
        lo_c = hi_c = 0.0
        how = "too little history for an interval"
    return _ordered(
        clip(last), clip(last + float(lo_c)), clip(last + float(hi_c)), f"last value ({how})"
    )
