"""The back-test's points kept in the store, so a report does not re-run it.

The back-test forecasts each past year from its September position: several seconds
of model fitting whose result changes only when its inputs do. The points are kept
under a fingerprint of everything they are made from — the month and year values
read, the data span, the KPIs, the month the forecasts are made at, and the code
and library versions of the models — so any change to those is a miss and the
back-test runs again; nothing stale can be served.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date
from importlib.metadata import version
from pathlib import Path

import duckdb

DDL = """
CREATE TABLE IF NOT EXISTS backtest_points (
    la_code VARCHAR, ids_key VARCHAR, made_at_month INTEGER, fingerprint VARCHAR,
    kpi_id VARCHAR, target_period_end DATE, made_at_period_end DATE,
    point DOUBLE, lo80 DOUBLE, hi80 DOUBLE, outturn DOUBLE, method VARCHAR
)"""

_MODULES = ("models.py", "run.py", "kinds.py", "series.py")


def _code_version() -> str:
    """The forecasting code and the libraries it fits with: a new release is a miss."""
    here = Path(__file__).parent
    h = hashlib.sha256()
    for name in _MODULES:
        h.update((here / name).read_bytes())
    for lib in ("statsmodels", "scipy", "numpy"):
        h.update(version(lib).encode())
    return h.hexdigest()


def fingerprint(
    ids: Sequence[str],
    made_at_month: int,
    span: tuple[date, date],
    months: Mapping[str, Mapping[date, float | None]],
    years: Mapping[str, Mapping[date, float | None]],
) -> str:
    """A digest of every input of the back-test."""

    def flat(series: Mapping[str, Mapping[date, float | None]]) -> list[object]:
        return [
            [k, sorted((d.isoformat(), v) for d, v in s.items())] for k, s in sorted(series.items())
        ]

    payload = [sorted(ids), made_at_month, [d.isoformat() for d in span], flat(months), flat(years)]
    h = hashlib.sha256(_code_version().encode())
    h.update(json.dumps(payload, separators=(",", ":")).encode())
    return h.hexdigest()


def ids_key(ids: Sequence[str]) -> str:
    return ",".join(sorted(ids))


def load(
    con: duckdb.DuckDBPyConnection, la_code: str, ids: Sequence[str], made_at_month: int, fp: str
) -> list[tuple[object, ...]] | None:
    """The kept points for exactly these inputs, or None (a miss, or no table yet)."""
    try:
        rows = con.execute(
            "SELECT kpi_id, target_period_end, made_at_period_end, point, lo80, hi80, outturn,"
            " method FROM backtest_points WHERE la_code = ? AND ids_key = ?"
            " AND made_at_month = ? AND fingerprint = ? ORDER BY target_period_end, kpi_id",
            [la_code, ids_key(ids), made_at_month, fp],
        ).fetchall()
    except duckdb.CatalogException:
        return None
    return rows or None


def save(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    ids: Sequence[str],
    made_at_month: int,
    fp: str,
    points: Sequence[tuple[object, ...]],
) -> None:
    """Keep the points (replacing the LA's earlier run for the same KPIs); a store that
    cannot be written is left as it is — the result is still returned to the caller."""
    key = ids_key(ids)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(
            "DELETE FROM backtest_points WHERE la_code = ? AND ids_key = ? AND made_at_month = ?",
            [la_code, key, made_at_month],
        )
        con.executemany(
            "INSERT INTO backtest_points VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[la_code, key, made_at_month, fp, *p] for p in points],
        )
        con.execute("COMMIT")
    except duckdb.Error:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
