"""Periods: starts, R12 starts and range expansion, worked by hand."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from cscperf.kpis.periods import (
    add_months,
    build_periods,
    create_periods,
    make_period,
    period_ends,
    r12_start,
    reporting_year_end,
)


@pytest.mark.parametrize(
    ("d", "n", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # clipped to a leap February
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), -12, date(2023, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2025, 1, 15), -13, date(2023, 12, 15)),
        (date(2023, 1, 31), 30, date(2025, 7, 31)),  # "2.5 years"
    ],
)
def test_add_months_clips_to_month_end(d: date, n: int, expected: date) -> None:
    assert add_months(d, n) == expected


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (date(2025, 3, 31), date(2024, 4, 1)),
        (date(2024, 6, 30), date(2023, 7, 1)),
        (date(2024, 2, 29), date(2023, 3, 1)),  # 2023-02-28 + 1 day
        (date(2025, 2, 28), date(2024, 2, 29)),  # 2024-02-28 + 1 day: leap day included
    ],
)
def test_r12_start(end: date, expected: date) -> None:
    assert r12_start(end) == expected


@pytest.mark.parametrize(
    ("ptype", "end", "start"),
    [
        ("month", date(2024, 2, 29), date(2024, 2, 1)),
        ("month", date(2024, 11, 15), date(2024, 11, 1)),  # mid-month: month to date
        ("quarter", date(2024, 6, 30), date(2024, 4, 1)),  # Q1 = Apr-Jun
        ("quarter", date(2024, 12, 31), date(2024, 10, 1)),
        ("quarter", date(2025, 3, 31), date(2025, 1, 1)),
        ("year", date(2025, 3, 31), date(2024, 4, 1)),
        ("ytd", date(2024, 12, 31), date(2024, 4, 1)),
        ("ytd", date(2024, 4, 1), date(2024, 4, 1)),
        ("ytd", date(2025, 3, 31), date(2024, 4, 1)),
        ("r12", date(2024, 12, 31), date(2024, 1, 1)),
    ],
)
def test_period_start(ptype: str, end: date, start: date) -> None:
    p = make_period(ptype, end)
    assert (p.period_start, p.period_end) == (start, end)
    assert p.period_id == f"{ptype}:{end.isoformat()}"


def test_reporting_year_end() -> None:
    assert reporting_year_end(date(2024, 3, 31)) == 2024
    assert reporting_year_end(date(2024, 4, 1)) == 2025
    assert reporting_year_end(date(2025, 3, 31)) == 2025


def test_period_ends_expand_a_range() -> None:
    years = period_ends("year", date(2018, 4, 1), date(2025, 3, 31))
    assert years == [date(y, 3, 31) for y in range(2019, 2026)]
    months = period_ends("month", date(2018, 4, 1), date(2025, 3, 31))
    assert len(months) == 84 and months[0] == date(2018, 4, 30) and date(2024, 2, 29) in months
    assert period_ends("quarter", date(2024, 4, 1), date(2025, 3, 31)) == [
        date(2024, 6, 30),
        date(2024, 9, 30),
        date(2024, 12, 31),
        date(2025, 3, 31),
    ]
    # a non-boundary --period-end is kept
    assert period_ends("month", date(2024, 1, 15), date(2024, 3, 20)) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 20),
    ]


def test_unknown_period_type() -> None:
    with pytest.raises(ValueError, match="unknown period type"):
        build_periods("week", [date(2024, 1, 7)])


def test_periods_relation_matches_duckdb_interval_arithmetic() -> None:
    """r12_start from Python equals the SQL the KPIs use (d - 12 months + 1 day)."""
    ends = period_ends("month", date(2000, 1, 1), date(2040, 12, 31))
    con = duckdb.connect()
    create_periods(con, build_periods("r12", ends))
    bad = con.execute(
        "SELECT count(*) FROM periods "
        "WHERE r12_start <> CAST(period_end - INTERVAL 12 MONTH + INTERVAL 1 DAY AS DATE) "
        "OR period_start <> r12_start"
    ).fetchall()[0][0]
    assert bad == 0
    row = con.execute("SELECT * FROM periods WHERE period_id = 'r12:2024-02-29'").fetchall()[0]
    assert row == ("r12:2024-02-29", "r12", date(2023, 3, 1), date(2024, 2, 29), date(2023, 3, 1))
