"""The monthly KPI values a forecast reads, computed by the KPI engine.

Every month end of the LA's data (and each 31 March, for outturns) is computed
in one :func:`~cscperf.kpis.engine.compute_periods` call — the engine runs each
KPI once over all of them — and then read back from ``kpi_values``. Nothing is
recomputed when the rows are already there (``cscperf demo`` computes them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import duckdb

from cscperf.kpis.engine import KPI_VALUES_DDL, RunSummary, compute_periods
from cscperf.kpis.periods import make_period, period_ends

Series = dict[date, float | None]


def data_span(con: duckdb.DuckDBPyConnection, la_code: str) -> tuple[date, date] | None:
    """First and last day of the reporting years of the LA's loaded returns (the
    ``returns`` registry, which the KPI engine's coverage reads too)."""
    row = con.execute(
        "SELECT min(return_year), max(return_year) FROM returns WHERE la_code = ? "
        "AND return_year IS NOT NULL",
        [la_code],
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return date(int(row[0]) - 1, 4, 1), date(int(row[1]), 3, 31)


def month_ends(first: date, last: date) -> list[date]:
    """Every month end from ``first`` to ``last`` (``last`` itself only if a month end)."""
    return [d for d in period_ends("month", first, last) if (d + timedelta(days=1)).day == 1]


def _present(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    kpi_ids: Sequence[str],
    period_type: str,
    ends: Sequence[date],
) -> int:
    con.execute("CREATE OR REPLACE TEMP TABLE _fc_ends (d DATE)")
    con.executemany("INSERT INTO _fc_ends VALUES (?)", [(d,) for d in ends])
    row = con.execute(
        "SELECT count(*) FROM kpi_values v JOIN _fc_ends e ON e.d = v.period_end "
        f"WHERE v.la_code = ? AND v.period_type = ? AND v.breakdown = 'all' "
        f"AND v.kpi_id IN ({', '.join('?' for _ in kpi_ids)})",
        [la_code, period_type, *kpi_ids],
    ).fetchone()
    con.execute("DROP TABLE _fc_ends")
    return int(row[0]) if row else 0


def ensure_values(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    kpi_ids: Sequence[str],
    months: Sequence[date],
    year_ends: Sequence[date] = (),
    recompute: bool = False,
) -> RunSummary | None:
    """Compute the KPIs at every month end (and year end) in one engine call, unless
    ``kpi_values`` already holds them all. Returns the engine's summary (its
    ``errors`` name any KPI that failed), or None when nothing had to be computed."""
    if not kpi_ids or not months:
        return None
    con.execute(KPI_VALUES_DDL)
    if not recompute:
        have = _present(con, la_code, kpi_ids, "month", months)
        have_years = _present(con, la_code, kpi_ids, "year", year_ends) if year_ends else 0
        if have >= len(kpi_ids) * len(months) and have_years >= len(kpi_ids) * len(year_ends):
            return None
    periods = [make_period("month", d) for d in months]
    periods += [make_period("year", d) for d in year_ends]
    return compute_periods(con, periods, list(kpi_ids), [la_code], on_error="collect")


def read_values(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    kpi_ids: Sequence[str],
    period_type: str,
    first: date,
    last: date,
) -> dict[str, Series]:
    """``{kpi_id: {period_end: value}}`` (breakdown 'all'); a null value stays None."""
    if not kpi_ids:
        return {}
    rows = con.execute(
        "SELECT kpi_id, period_end, value FROM kpi_values WHERE la_code = ? "
        "AND period_type = ? AND breakdown = 'all' AND period_end BETWEEN ? AND ? "
        f"AND kpi_id IN ({', '.join('?' for _ in kpi_ids)}) ORDER BY kpi_id, period_end",
        [la_code, period_type, first, last, *kpi_ids],
    ).fetchall()
    out: dict[str, Series] = {k: {} for k in kpi_ids}
    for kpi_id, end, value in rows:
        out[str(kpi_id)][end] = None if value is None else float(value)
    return out
