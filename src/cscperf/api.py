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
