"""The ``periods`` relation every KPI joins: one row per requested period.

Periods are few (hundreds at most), so they are built here in Python and handed
to DuckDB as one relation; every KPI then computes all of them in one query.
Calendar conventions follow the catalogue: the reporting year runs 1 April to
31 March, quarters end 30 Jun / 30 Sep / 31 Dec / 31 Mar, and "N months"
subtracts calendar months with the day clipped to month end.
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, get_args

import duckdb

PeriodType = Literal["month", "quarter", "year", "ytd", "r12"]
PERIOD_TYPES: tuple[str, ...] = get_args(PeriodType)


@dataclass(frozen=True)
class Period:
    """One period: ``period_id`` is ``'<type>:<end ISO date>'``."""

    period_type: str
    period_start: date
    period_end: date
    r12_start: date

    @property
    def period_id(self) -> str:
        return f"{self.period_type}:{self.period_end.isoformat()}"


def add_months(d: date, months: int) -> date:
    """``d`` plus ``months`` calendar months, the day clipped to month end."""
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return date(year, month, min(d.day, _cal.monthrange(year, month)[1]))


def reporting_year_start(d: date) -> date:
    """1 April of the reporting year containing ``d``."""
    return date(d.year if d.month >= 4 else d.year - 1, 4, 1)


def reporting_year_end(d: date) -> int:
    """The year (2025 for 2024-25) whose 31 March ends the reporting year containing ``d``."""
    return d.year + 1 if d.month >= 4 else d.year


def _quarter_start(d: date) -> date:
    month = ((d.month - 1) // 3) * 3 + 1  # calendar quarters = reporting quarters shifted
    return date(d.year, month, 1)


def period_start(period_type: str, end: date) -> date:
    """Start of the period of ``period_type`` ending at ``end`` (inclusive).

    A month, quarter or year is the calendar month / quarter / reporting year that
    contains ``end`` (so a mid-month end gives a month-to-date); ``ytd`` starts on
    1 April; ``r12`` is the 12 months ending at ``end``.
    """
    if period_type == "month":
        return end.replace(day=1)
    if period_type == "quarter":
        return _quarter_start(end)
    if period_type in ("year", "ytd"):
        return reporting_year_start(end)
    if period_type == "r12":
        return r12_start(end)
    raise ValueError(f"unknown period type {period_type!r}; use one of {', '.join(PERIOD_TYPES)}")


def r12_start(end: date) -> date:
    return add_months(end, -12) + timedelta(days=1)


def make_period(period_type: str, end: date) -> Period:
    return Period(period_type, period_start(period_type, end), end, r12_start(end))


def _month_end(year: int, month: int) -> date:
    return date(year, month, _cal.monthrange(year, month)[1])


def period_ends(period_type: str, start: date, end: date) -> list[date]:
    """All natural ends of ``period_type`` periods in ``[start, end]``.

    Month-ends for month/ytd/r12, quarter-ends for quarter and 31 Marches for year.
    ``end`` itself is always included, so ``--from`` with ``--period-end`` on a
    non-boundary date still yields that date.
    """
    months = {"month": 1, "ytd": 1, "r12": 1, "quarter": 3, "year": 12}[period_type]
    out: list[date] = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        me = _month_end(y, m)
        if start <= me <= end and (months == 1 or (months == 3 and m % 3 == 0) or m == 3):
            out.append(me)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    if end not in out:
        out.append(end)
    return out


def _is_end(period_type: str, d: date) -> bool:
    if d != _month_end(d.year, d.month):
        return False
    if period_type == "quarter":
        return d.month % 3 == 0
    if period_type == "year":
        return d.month == 3
    return True


def check_period_end(period_type: str, end: date) -> None:
    """Refuse a period end that is not the last day of its period type, naming the nearest.

    Months (and ytd, r12) end on a month's last day, quarters on 30 June, 30
    September, 31 December or 31 March, years on 31 March. A mid-month "end"
    would silently give a part-period that no publication compares with.
    """
    if period_type not in PERIOD_TYPES:
        raise ValueError(f"unknown period type {period_type!r}")
    if _is_end(period_type, end):
        return
    before = after = _month_end(end.year, end.month)
    while before >= end or not _is_end(period_type, before):
        before = add_months(before.replace(day=1), -1)
        before = _month_end(before.year, before.month)
    while after < end or not _is_end(period_type, after):
        after = add_months(after.replace(day=1), 1)
        after = _month_end(after.year, after.month)
    what = {"quarter": "a quarter", "year": "a reporting year (31 March)"}.get(
        period_type, "a month"
    )
    raise ValueError(
        f"--period-end {end.isoformat()} is not the end of {what}; "
        f"the nearest are {before.isoformat()} and {after.isoformat()}"
    )


def build_periods(period_type: str, ends: Iterable[date]) -> list[Period]:
    if period_type not in PERIOD_TYPES:
        raise ValueError(
            f"unknown period type {period_type!r}; use one of {', '.join(PERIOD_TYPES)}"
        )
    return [make_period(period_type, e) for e in sorted(set(ends))]


def periods_sql(periods: Sequence[Period]) -> str:
    """A SELECT producing the periods relation (literals: periods are few, and this
    avoids a per-process pyarrow date-conversion start-up cost)."""
    if not periods:
        return (
            "SELECT CAST(NULL AS VARCHAR) AS period_id, CAST(NULL AS VARCHAR) AS period_type, "
            "CAST(NULL AS DATE) AS period_start, CAST(NULL AS DATE) AS period_end, "
            "CAST(NULL AS DATE) AS r12_start WHERE FALSE"
        )
    rows = ",\n".join(
        f"('{p.period_id}', '{p.period_type}', DATE '{p.period_start}', "
        f"DATE '{p.period_end}', DATE '{p.r12_start}')"
        for p in periods
    )
    return (
        "SELECT * FROM (VALUES\n"
        + rows
        + "\n) AS t(period_id, period_type, period_start, period_end, r12_start)"
    )


def create_periods(
    con: duckdb.DuckDBPyConnection, periods: Sequence[Period], name: str = "periods"
) -> None:
    """(Re)create the TEMP TABLE ``name`` holding ``periods``."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {periods_sql(periods)}")
