"""The working-day calendar: England bank holidays from the holidays package."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from cscperf.reference.calendar import ensure_calendar, working_days


@pytest.fixture(scope="module")
def cal() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ensure_calendar(con)
    return con


@pytest.mark.parametrize(
    ("a", "b", "wd"),
    [
        # Fri 16 Sep 2022 -> Tue 20 Sep: Mon 19 was the Queen's state funeral -> only Tue
        (date(2022, 9, 16), date(2022, 9, 20), 1),
        # Tue 24 Dec 2024 -> Thu 2 Jan 2025: 27, 30, 31 Dec and 2 Jan
        (date(2024, 12, 24), date(2025, 1, 2), 4),
        # Easter 2025: Good Friday 18 Apr, Easter Monday 21 Apr -> only Tue 22
        (date(2025, 4, 17), date(2025, 4, 22), 1),
        # same day, and b before a -> 0
        (date(2025, 4, 22), date(2025, 4, 22), 0),
        (date(2025, 4, 22), date(2025, 4, 17), 0),
        # a Saturday start: Mon-Fri of the next week (a itself never counts)
        (date(2024, 6, 1), date(2024, 6, 7), 5),
        # 2020: the early May bank holiday moved to Fri 8 May (VE day); Mon 4 May worked
        (date(2020, 5, 1), date(2020, 5, 8), 4),
    ],
)
def test_working_days(cal: duckdb.DuckDBPyConnection, a: date, b: date, wd: int) -> None:
    assert working_days(cal, a, b) == wd


def test_calendar_covers_1990_to_2040(cal: duckdb.DuckDBPyConnection) -> None:
    first, last, n = cal.execute("SELECT min(date), max(date), count(*) FROM calendar").fetchall()[
        0
    ]
    assert (first, last) == (date(1990, 1, 1), date(2040, 12, 31))
    assert n == (date(2040, 12, 31) - date(1990, 1, 1)).days + 1
    # 1 Jan 1990 was a Monday bank holiday: running count 0, then 1 on the 2nd
    rows = cal.execute(
        "SELECT date, is_working_day, working_day_number FROM calendar "
        "WHERE date <= DATE '1990-01-02' ORDER BY date"
    ).fetchall()
    assert rows == [(date(1990, 1, 1), False, 0), (date(1990, 1, 2), True, 1)]
    hols = {
        r[0]
        for r in cal.execute(
            "SELECT date FROM calendar WHERE NOT is_working_day AND isodow(date) <= 5 "
            "AND year(date) = 2023"
        ).fetchall()
    }
    assert date(2023, 5, 8) in hols  # coronation
    assert len(hols) == 9  # 8 regular England bank holidays (1 Jan substitute) + coronation


def test_ensure_calendar_is_idempotent(cal: duckdb.DuckDBPyConnection) -> None:
    before = cal.execute("SELECT count(*), sum(working_day_number) FROM calendar").fetchall()
    ensure_calendar(cal)
    assert (
        cal.execute("SELECT count(*), sum(working_day_number) FROM calendar").fetchall() == before
    )


def test_outside_the_calendar_is_an_error(cal: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="outside the calendar"):
        working_days(cal, date(1989, 12, 1), date(1990, 1, 5))
