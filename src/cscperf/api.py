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
