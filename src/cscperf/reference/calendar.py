"""The working-day ``calendar`` reference table.

Working days are Monday–Friday excluding England bank holidays, taken from the
maintained ``holidays`` package (substitute days and one-off holidays such as
the 2022 state funeral included) rather than a hand-typed list. Storing a
running ``working_day_number`` turns the catalogue's ``wd(a, b)`` into a join and
a subtraction, which is portable SQL and set-based.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import duckdb
import holidays
import pyarrow as pa

FIRST_YEAR = 1990
LAST_YEAR = 2040

CALENDAR_DDL = (
    "CREATE TABLE IF NOT EXISTS calendar "
    "(date DATE PRIMARY KEY, is_working_day BOOLEAN, working_day_number INTEGER)"
)


def bank_holidays(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> list[date]:
    """England bank holidays (including substitute days) in the given years."""
    hols = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return sorted(hols.keys())


@lru_cache(maxsize=4)
def calendar_arrow(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> pa.Table:
    """The calendar rows (cached: tests build many throwaway stores)."""
    hols = set(bank_holidays(first_year, last_year))
    days: list[date] = []
    working: list[bool] = []
    numbers: list[int] = []
    d, n = date(first_year, 1, 1), 0
    last = date(last_year, 12, 31)
    while d <= last:
        wd = d.weekday() < 5 and d not in hols
        n += wd
        days.append(d)
        working.append(wd)
        numbers.append(n)
        d += timedelta(days=1)
    return pa.table(
        {
            "date": pa.array(days, pa.date32()),
            "is_working_day": pa.array(working, pa.bool_()),
            "working_day_number": pa.array(numbers, pa.int32()),
        }
    )


def ensure_calendar(
    con: duckdb.DuckDBPyConnection, first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR
) -> None:
    """Create and fill ``calendar`` unless it already covers the years asked for."""
    con.execute(CALENDAR_DDL)
    row = con.execute("SELECT min(date), max(date) FROM calendar").fetchall()[0]
    if row[0] == date(first_year, 1, 1) and row[1] == date(last_year, 12, 31):
        return
    con.register("_calendar_rows", calendar_arrow(first_year, last_year))
    try:
        con.execute("DELETE FROM calendar")
        con.execute("INSERT INTO calendar SELECT * FROM _calendar_rows")
    finally:
        con.unregister("_calendar_rows")


def working_days(con: duckdb.DuckDBPyConnection, a: date, b: date) -> int:
    """The catalogue's ``wd(a, b)``: working days ``x`` with ``a < x <= b`` (0 if ``b <= a``)."""
    row = con.execute(
        "SELECT GREATEST(cb.working_day_number - ca.working_day_number, 0) "
        "FROM calendar ca, calendar cb WHERE ca.date = ? AND cb.date = ?",
        [a, b],
    ).fetchone()
    if row is None:
        raise ValueError(f"{a} or {b} is outside the calendar ({FIRST_YEAR}-{LAST_YEAR})")
    return int(row[0])
