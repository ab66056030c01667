"""Date helpers: working days (England bank holidays), months, text formats."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays
import numpy as np


@lru_cache(maxsize=1)
def _holidays() -> np.ndarray:
    hol = holidays.country_holidays("GB", subdiv="ENG", years=range(1990, 2041))
    return np.array(sorted(hol), dtype="datetime64[D]")


@lru_cache(maxsize=1)
def _calendar() -> np.busdaycalendar:
    return np.busdaycalendar(holidays=_holidays())


_BASE = date(1990, 1, 1)


@lru_cache(maxsize=1)
def _wd_table() -> tuple[list[int], list[date]]:
    """Per day since 1990: working days up to and including it; and the working days."""
    hol = set(_holidays().astype(object).tolist())
    count, running, days = 0, [], []
    d = _BASE
    while d.year < 2041:
        if d.weekday() < 5 and d not in hol:
            count += 1
            days.append(d)
        running.append(count)
        d += timedelta(days=1)
    return running, days


def add_wd(d: date, n: int) -> date:
    """The n-th working day after ``d`` (``d`` itself need not be a working day)."""
    if n <= 0:
        return d
    running, days = _wd_table()
    return days[running[(d - _BASE).days] + n - 1]


def wd_between(a: date, b: date) -> int:
    """Working days x with a < x <= b (the catalogue's wd(a, b))."""
    if b <= a:
        return 0
    return int(
        np.busday_count(
            np.datetime64(a + timedelta(days=1)),
            np.datetime64(b + timedelta(days=1)),
            busdaycal=_calendar(),
        )
    )


def add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    if d.day <= 28:  # every month has the day: skip the month-length look-up
        return date(y, m, d.day)
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def add_days(d: date, n: float) -> date:
    return d + timedelta(days=int(n))


def age_at(dob: date, d: date) -> int:
    return d.year - dob.year - ((d.month, d.day) < (dob.month, dob.day))


def birthday(dob: date, years: int) -> date:
    """The birthday ``years`` on (29 February falls on 28 February in other years)."""
    y = dob.year + years
    if dob.month != 2 or dob.day != 29:
        return date(y, dob.month, dob.day)
    return date(y, 2, 29 if calendar.isleap(y) else 28)


@lru_cache(maxsize=256)
def year_start(year: int) -> date:
    """First day of reporting year ``year`` (2025 = 1 April 2024)."""
    return date(year - 1, 4, 1)


@lru_cache(maxsize=256)
def year_end(year: int) -> date:
    return date(year, 3, 31)


def return_year(d: date) -> int:
    """The reporting year a date falls in (1 April 2024 - 31 March 2025 = 2025)."""
    return d.year + (1 if d.month >= 4 else 0)


def uk(d: date | None) -> str:
    return "" if d is None else f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def iso(d: date | None) -> str:
    return "" if d is None else d.isoformat()
