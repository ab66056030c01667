"""Forecasts as made, kept in the store (table ``forecasts``, migration 6).

Committee packs show "forecast vs actual": once a year has ended, the forecast
made at the time — not one recomputed with hindsight — goes beside the outturn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import duckdb

from cscperf.forecast.run import Forecast


def save_forecasts(con: duckdb.DuckDBPyConnection, forecasts: Sequence[Forecast]) -> int:
    """Store the forecasts that have a value (a re-run for the same LA, KPI, made-at
    and target period replaces the earlier row). Returns rows written."""
    rows = [
        (
            f.la_code,
            f.kpi_id,
            f.made_at_period_end,
            f.target_period_end,
            f.point,
            f.lo80,
            f.hi80,
            f.method,
        )
        for f in forecasts
        if f.point is not None
    ]
    if not rows:
        return 0
    con.execute("BEGIN TRANSACTION")
    try:
        con.executemany(
            "DELETE FROM forecasts WHERE la_code = ? AND kpi_id = ? AND made_at_period_end = ? "
            "AND target_period_end = ?",
            [r[:4] for r in rows],
        )
        con.executemany(
            "INSERT INTO forecasts VALUES (?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)", rows
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return len(rows)


@dataclass(frozen=True)
class ForecastOutturn:
    """A stored forecast beside the outturn of the year it forecast (None until the
    year's value is in ``kpi_values``)."""

    la_code: str
    kpi_id: str
    made_at_period_end: date
    target_period_end: date
    point: float
    lo80: float
    hi80: float
    method: str
    outturn: float | None

    @property
    def within80(self) -> bool | None:
        if self.outturn is None:
            return None
        return self.lo80 <= self.outturn <= self.hi80


def forecasts_vs_outturn(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    target_period_end: date,
    made_at_period_end: date | None = None,
) -> list[ForecastOutturn]:
    """The stored forecasts of ``target_period_end`` (all made-at periods, or one),
    each with the year's outturn."""
    if not _has_kpi_values(con):  # nothing computed yet (a read-only store may lack the table)
        return []
    rows = con.execute(
        "SELECT f.la_code, f.kpi_id, f.made_at_period_end, f.target_period_end, f.point, "
        "f.lo80, f.hi80, f.method, v.value FROM forecasts f "
        "LEFT JOIN kpi_values v ON v.la_code = f.la_code AND v.kpi_id = f.kpi_id "
        "AND v.period_type = 'year' AND v.breakdown = 'all' "
        "AND v.period_end = f.target_period_end "
        "WHERE f.la_code = ? AND f.target_period_end = ? "
        "AND (CAST(? AS DATE) IS NULL OR f.made_at_period_end = ?) "
        "ORDER BY f.kpi_id, f.made_at_period_end",
        [la_code, target_period_end, made_at_period_end, made_at_period_end],
    ).fetchall()
    return [
        ForecastOutturn(
            str(a),
            str(b),
            c,
            d,
            float(e),
            float(f),
            float(g),
            str(h),
            None if i is None else float(i),
        )
        for a, b, c, d, e, f, g, h, i in rows
    ]


def _has_kpi_values(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'kpi_values'"
    ).fetchone()
    return bool(row and row[0])
