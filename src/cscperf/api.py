"""The Python API the CLI and web app are thin layers over."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from cscperf.ingest.pipeline import IngestReport, ingest_paths
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


def import_benchmarks(paths: Sequence[str | Path], db: str | Path = DEFAULT_DB) -> ImportReport:
    """Import the DfE's published files (EES, LAIT, SN models, ...) into the store, atomically."""
    from cscperf.benchmarks.importer import import_paths

    con = connect(db)
    try:
        return import_paths(con, paths)
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
