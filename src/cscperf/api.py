"""The Python API the CLI and web app are thin layers over."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from cscperf.ingest.pipeline import IngestReport, ingest_paths
from cscperf.store import returns as _returns
from cscperf.store.db import DEFAULT_DB, connect

if TYPE_CHECKING:
    from cscperf.benchmarks.compare import Comparison
    from cscperf.benchmarks.importer import ImportReport


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
    """Run SQL against the store: (column names, rows).

    The connection is read-only, with external access disabled and its
    configuration locked: the SQL can read the store and nothing else (no other
    file, no network, no extension, no ``SET`` back). Exports go through
    :mod:`cscperf.export`, never SQL ``COPY``.
    """
    con = connect(db, read_only=True, locked=True)
    try:
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description or []]
        return cols, cur.fetchall()
    finally:
        con.close()


def query_error(exc: duckdb.Error) -> str:
    """One line for a failed or refused :func:`query`."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    if isinstance(exc, duckdb.PermissionException) or "configuration has been locked" in first:
        return f"query refused: `query` reads the store and nothing else ({first})"
    if "read-only mode" in first:
        return f"query refused: the store is read-only here ({first})"
    return f"query failed: {first}"


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


RETURNS_COLUMNS = (
    "la_code",
    "collection",
    "return_year",
    "covers_from",
    "covers_to",
    "files",
    "rows_loaded",
    "rows_quarantined",
    "loaded_at",
)


def returns(
    db: str | Path = DEFAULT_DB, la_code: str | None = None
) -> tuple[list[str], list[tuple[object, ...]]]:
    """The returns loaded (one row per LA, collection and return year)."""
    where = "WHERE la_code = ? " if la_code else ""
    return query_params(
        f"SELECT {', '.join(RETURNS_COLUMNS)} FROM returns {where}"
        "ORDER BY la_code, collection, return_year",
        [la_code] if la_code else [],
        db,
    )


class NoSuchReturn(ValueError):
    """The return asked for is not loaded; the message says what is."""


def withdraw(
    la_code: str, collection: str, year: int, db: str | Path = DEFAULT_DB
) -> _returns.ReturnChange:
    """Remove one return and everything derived from it, atomically: its rows,
    quarantine and log rows, registry row and the LA's KPI values; rows of earlier
    returns it had replaced come back."""
    con = connect(db)
    try:
        if not _returns.loaded(con, la_code, collection, year):
            have = con.execute(
                "SELECT collection, return_year FROM returns WHERE la_code = ? ORDER BY 1, 2",
                [la_code],
            ).fetchall()
            listed = ", ".join(f"{c} {_returns.year_label(y)}" for c, y in have) or "none"
            raise NoSuchReturn(
                f"no {collection} {_returns.year_label(year)} return is loaded for LA "
                f"{la_code} (loaded: {listed})"
            )
        con.execute("BEGIN TRANSACTION")
        try:
            change = _returns.withdraw(con, la_code, collection, year)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return change
    finally:
        con.close()


def import_benchmarks(paths: Sequence[str | Path], db: str | Path = DEFAULT_DB) -> ImportReport:
    """Import the DfE's published files (EES, LAIT, SN models, ...) into the store, atomically."""
    from cscperf.benchmarks.importer import import_paths

    con = connect(db)
    try:
        return import_paths(con, paths)
    finally:
        con.close()


def query_params(
    sql: str, params: list[object], db: str | Path = DEFAULT_DB
) -> tuple[list[str], list[tuple[object, ...]]]:
    """Read-only SQL with parameters: (column names, rows)."""
    con = connect(db, read_only=True)
    try:
        cur = con.execute(sql, params)
        cols = [d[0] for d in cur.description or []]
        return cols, cur.fetchall()
    finally:
        con.close()


def coverage(
    db: str | Path = DEFAULT_DB, la_code: str | None = None
) -> tuple[list[str], list[tuple[object, ...]]]:
    """What the loaded returns cover, one row per LA, collection and month (from its
    first to its last covered month, gaps included): month 'YYYY-MM', covered
    'full'|'part'|'none', and the return years covering it."""
    from cscperf.store.coverage import month_rows

    con = connect(db, read_only=True)
    try:
        cols = ["la_code", "collection", "month", "covered", "return_years"]
        return cols, list(month_rows(con, la_code))
    finally:
        con.close()


def coverage_summary(db: str | Path = DEFAULT_DB, la_code: str = "") -> str:
    """One line saying what an LA's figures rest on ('Data: 903 Apr 2018–Mar 2025, ...')."""
    from cscperf.store.coverage import summary_line

    con = connect(db, read_only=True)
    try:
        return summary_line(con, la_code)
    finally:
        con.close()


def benchmarks(
    la_code: str,
    year: int | None = None,
    kpis: Sequence[str] | None = None,
    db: str | Path = DEFAULT_DB,
    sn_stat: str | None = None,
    sn_model: int | None = None,
) -> list[Comparison]:
    """Each KPI with a published series for ``la_code`` against SN, region and England.

    ``year`` is the return year (default: the latest with published LA figures).
    """
    from cscperf.benchmarks.compare import compare, latest_year

    con = connect(db, read_only=True)
    try:
        return compare(con, la_code, year or latest_year(con, la_code), kpis, sn_stat, sn_model)
    finally:
        con.close()


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


# --- KPI values for output layers (issue 12: report, dashboard) ----------------------
from dataclasses import dataclass  # noqa: E402


@dataclass(frozen=True)
class KpiValue:
    """One computed headline value (breakdown 'all'); ``flag`` is the null reason."""

    kpi_id: str
    period_end: dt.date
    value: float | None
    numerator: float | None
    denominator: float | None
    flag: str | None


def values(
    la_code: str,
    period_type: str,
    start: dt.date,
    end: dt.date,
    kpi_ids: Sequence[str] | None = None,
    db: str | Path = DEFAULT_DB,
) -> list[KpiValue]:
    """Stored headline values of ``la_code`` with period ends in [start, end], by KPI
    then period end (read-only: values not yet computed are absent)."""
    sql = (
        "SELECT kpi_id, period_end, value, numerator, denominator, flag FROM kpi_values"
        " WHERE la_code = ? AND period_type = ? AND breakdown = 'all'"
        " AND period_end BETWEEN ? AND ?"
    )
    params: list[object] = [la_code, period_type, start, end]
    if kpi_ids is not None:
        sql += " AND list_contains(?, kpi_id)"
        params.append(list(kpi_ids))
    _, rows = query_params(sql + " ORDER BY kpi_id, period_end", params, db)
    return [KpiValue(*row) for row in rows]  # type: ignore[arg-type]


# --- answers to members' questions (issue 12 § 6) -------------------------------------
if TYPE_CHECKING:
    from cscperf.answers import AnswerTable


def member_answers(
    la_code: str, period_start: dt.date, period_end: dt.date, db: str | Path = DEFAULT_DB
) -> list[AnswerTable]:
    """The answer tables for ``la_code`` over [period_start, period_end]: out-of-borough
    placements by home area, time in care before returning home, permanent vs agency
    social workers, return home interviews, missing incidents by child.

    Computed like ``cscperf kpis`` (a read-only store is read through an in-memory
    shadow, nothing written)."""
    from cscperf.answers import answer_tables
    from cscperf.store.readonly import open_for_compute

    con, _ = open_for_compute(db)
    try:
        return answer_tables(con, la_code, period_start, period_end)
    finally:
        con.close()


# --- benchmarks: download, and show for a month / quarter (issue 11, rest) ----------
if TYPE_CHECKING:
    from cscperf.benchmarks.download import DownloadReport, Fetched


def download_benchmarks(
    dest: str | Path = "reference",
    timeout: float = 60.0,
    retries: int = 3,
    progress: Callable[[Fetched], None] | None = None,
) -> DownloadReport:
    """Fetch the latest EES data sets and LAIT files into ``dest`` (the network, on request
    only); failures are listed in the report, one line each, not raised."""
    from cscperf.benchmarks.download import download

    return download(dest, timeout=timeout, retries=retries, progress=progress)


def benchmarks_for_period(
    la_code: str,
    period_type: str,
    period_end: dt.date,
    kpis: Sequence[str] | None = None,
    db: str | Path = DEFAULT_DB,
    sn_stat: str | None = None,
    sn_model: int | None = None,
) -> list[Comparison]:
    """:func:`benchmarks` for a computed month, quarter or year: the published year it is
    compared with is the year itself (year ending 31 March) or the latest published year
    ending on or before ``period_end``; each comparison's ``compared`` says which."""
    from cscperf.benchmarks.compare import compare, latest_year
    from cscperf.benchmarks.periods import match_period

    con = connect(db, read_only=True)
    try:
        match = match_period(period_type, period_end, latest_year(con, la_code))
        return compare(con, la_code, match.year, kpis, sn_stat, sn_model, period=match)
    finally:
        con.close()


def quarantine_counts(
    la_code: str, return_year: int | None = None, db: str | Path = DEFAULT_DB
) -> dict[str, int]:
    """Quarantined rows of ``la_code`` per canonical table (one return year, or all):
    the data-quality flag of an output layer, without reading every quarantined value."""
    sql = "SELECT table_name, count(*) FROM quarantine WHERE la_code = ?"
    params: list[object] = [la_code]
    if return_year is not None:
        sql += " AND return_year = ?"
        params.append(return_year)
    _, rows = query_params(sql + " GROUP BY table_name ORDER BY table_name", params, db)
    return {str(t): int(n) for t, n in rows}  # type: ignore[call-overload]


# --- regional pool: case-level data of several LAs in one store (issue 11 § 3) ---------
if TYPE_CHECKING:
    from cscperf.benchmarks.pool import PoolValue


def pool(
    la_code: str,
    period_type: str,
    period_end: dt.date,
    kpi_ids: Sequence[str] | None = None,
    members: Sequence[str] | None = None,
    db: str | Path = DEFAULT_DB,
) -> list[PoolValue]:
    """Each KPI over the pooled children of ``members`` (default: the LA's statistical
    neighbours in the store, else the other LAs of its region) beside the LA's value
    and place; values the store lacks are computed first (kept unless the store is
    read-only). Raises ValueError when there is no member, KeyError for an unknown KPI."""
    from cscperf.benchmarks.pool import pool_many
    from cscperf.kpis.periods import check_period_end
    from cscperf.store.readonly import open_for_compute

    check_period_end(period_type, period_end)
    con, _ = open_for_compute(db)
    try:
        return pool_many(con, la_code, period_type, [period_end], kpi_ids, members)
    finally:
        con.close()


def benchmarks_with_pool(
    la_code: str,
    year: int | None = None,
    kpis: Sequence[str] | None = None,
    db: str | Path = DEFAULT_DB,
    members: Sequence[str] | None = None,
    sn_stat: str | None = None,
    sn_model: int | None = None,
) -> list[Comparison]:
    """:func:`benchmarks` with the regional pool for the same year on each comparison
    (``Comparison.pool``; ``comparator`` says which is shown: the published SN figure
    when there is one, else the pool)."""
    from cscperf.benchmarks.compare import compare, latest_year
    from cscperf.benchmarks.pool import attach_pool
    from cscperf.store.readonly import open_for_compute

    con, _ = open_for_compute(db)
    try:
        y = year or latest_year(con, la_code)
        rows = compare(con, la_code, y, kpis, sn_stat, sn_model)
        return attach_pool(con, rows, la_code, y, members)
    finally:
        con.close()


# --- reference and breakdowns for the report (issue 12) -----------------------------
if TYPE_CHECKING:
    from cscperf.benchmarks.neighbours_values import NeighbourValue


def la_name(la_code: str, db: str | Path = DEFAULT_DB) -> str:
    """The LA's name from the store's LA reference (``la_lookup``), else the packaged
    LA list, else the code itself: titles never go blank."""
    try:
        _, rows = query_params(
            "SELECT name FROM la_lookup WHERE la_code = ? LIMIT 1", [la_code], db
        )
    except duckdb.Error:  # an older or hand-built store without the reference
        rows = []
    if rows and rows[0][0]:
        return str(rows[0][0])
    from cscperf.reference.las import get_la

    try:
        return get_la(la_code).name or la_code
    except (KeyError, ValueError):
        return la_code


@dataclass(frozen=True)
class BreakdownValue:
    """One breakdown category's value (e.g. placement_type 'U1')."""

    kpi_id: str
    period_end: dt.date
    breakdown: str
    category: str | None
    value: float | None


def breakdown_values(
    la_code: str,
    kpi_id: str,
    breakdown: str,
    period_type: str,
    period_end: dt.date,
    db: str | Path = DEFAULT_DB,
) -> list[BreakdownValue]:
    """Stored values of one KPI by the categories of ``breakdown`` at one period end,
    largest first (empty when the breakdown was not computed)."""
    try:
        _, rows = query_params(
            "SELECT kpi_id, period_end, breakdown, breakdown_value, value FROM kpi_values"
            " WHERE la_code = ? AND kpi_id = ? AND breakdown = ? AND period_type = ?"
            " AND period_end = ? ORDER BY value DESC NULLS LAST, breakdown_value",
            [la_code, kpi_id, breakdown, period_type, period_end],
            db,
        )
    except duckdb.CatalogException:  # no kpi_values table yet
        return []
    return [BreakdownValue(*row) for row in rows]  # type: ignore[arg-type]


def neighbour_values(
    la_code: str, kpi_id: str, year: int, db: str | Path = DEFAULT_DB
) -> list[NeighbourValue]:
    """The LA's and each statistical neighbour's published value of one KPI for one
    return year (the LA first): the SN bar chart's data."""
    from cscperf.benchmarks.neighbours_values import neighbour_values as nv

    con = connect(db, read_only=True)
    try:
        return nv(con, la_code, kpi_id, year)
    except duckdb.CatalogException:  # no benchmarks imported
        return []
    finally:
        con.close()
