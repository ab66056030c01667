"""The Python API the CLI and web app are thin layers over."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from cscperf.ingest.pipeline import IngestReport, ingest_paths
from cscperf.store.db import DEFAULT_DB, connect


def ingest(
    paths: Sequence[str | Path],
    la_code: str,
    db: str | Path = DEFAULT_DB,
    year: int | None = None,
    progress: Callable[[Path], None] | None = None,
) -> IngestReport:
    """Ingest files/folders for one LA into the store at ``db`` (atomic)."""
    con = connect(db)
    try:
        return ingest_paths(con, paths, la_code, year=year, progress=progress)
    finally:
        con.close()


def query(sql: str, db: str | Path = DEFAULT_DB) -> tuple[list[str], list[tuple[object, ...]]]:
    """Run read-only SQL against the store: (column names, rows)."""
    con = connect(db, read_only=True)
    try:
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description or []]
        return cols, cur.fetchall()
    finally:
        con.close()


def quarantine(db: str | Path = DEFAULT_DB) -> tuple[list[str], list[tuple[object, ...]]]:
    """Every quarantined value, in file and line order."""
    return query(
        "SELECT la_code, return_year, source_file, source_line, table_name, field, value, reason, "
        "other_problems "
        "FROM quarantine ORDER BY source_file, source_line, table_name, field",
        db,
    )


def open_store(db: str | Path = DEFAULT_DB, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return connect(db, read_only=read_only)


# --- targets, RAG and year-end forecasts (issue 12) ---------------------------------
# (imported on use: the forecast libraries are heavy; names here serve the annotations)
from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    import datetime as dt

    import cscperf.forecast as _forecast
    import cscperf.targets as _targets


def targets(
    path: str | Path | None = None, la_code: str | None = None
) -> dict[str, _targets.Target]:
    """Targets by KPI id: the shipped defaults, overridden by the LA's file (YAML or
    CSV); raises :class:`cscperf.targets.TargetError` naming file, line and field."""
    from cscperf.targets import load_targets

    return load_targets(path, la_code)


def rag(
    la_code: str,
    period_end: dt.date,
    period_type: str = "year",
    targets_path: str | Path | None = None,
    kpi_ids: Sequence[str] | None = None,
    db: str | Path = DEFAULT_DB,
) -> list[_targets.TargetLine]:
    """Each KPI's value, previous and same-period-last-year values, direction of
    travel, target and RAG with its rule, from the computed ``kpi_values``."""
    from cscperf.targets import load_targets
    from cscperf.targets.lines import target_lines

    wanted = load_targets(targets_path, la_code)
    con = connect(db, read_only=True)
    try:
        return target_lines(con, la_code, period_end, period_type, wanted, kpi_ids)
    finally:
        con.close()


def forecast(
    la_code: str,
    period_end: dt.date,
    kpi_ids: Sequence[str] | None = None,
    db: str | Path = DEFAULT_DB,
    store: bool = True,
) -> list[_forecast.Forecast]:
    """Year-end forecasts (80% interval) made at the last month end on or before
    ``period_end``; the month values they need are computed first if missing, and
    the forecasts are kept in the store (``store=False``: not kept)."""
    from cscperf.forecast import forecast_la, save_forecasts

    con = connect(db)
    try:
        made = forecast_la(con, la_code, period_end, kpi_ids).forecasts
        if store:
            save_forecasts(con, made)
        return made
    finally:
        con.close()


def backtest(
    la_code: str,
    kpi_ids: Sequence[str] | None = None,
    db: str | Path = DEFAULT_DB,
    made_at_month: int = 6,
) -> _forecast.Backtest:
    """Forecast error per KPI over the past years in the store, each year forecast from
    its ``made_at_month`` position (6 = September): MAE, MAPE, 80% coverage (``rows``),
    and each year's forecast beside its outturn (``points``)."""
    from cscperf.forecast import backtest as run_backtest

    con = connect(db)
    try:
        return run_backtest(con, la_code, kpi_ids, made_at_month)
    finally:
        con.close()


def forecasts_vs_outturn(
    la_code: str, target_period_end: dt.date, db: str | Path = DEFAULT_DB
) -> list[_forecast.ForecastOutturn]:
    """The forecasts stored for a year end, each beside that year's outturn."""
    from cscperf.forecast import forecasts_vs_outturn as stored

    con = connect(db, read_only=True)
    try:
        return stored(con, la_code, target_period_end)
    finally:
        con.close()
