"""Computing on a store the user can only read.

`kpis` writes ``kpi_values`` (and fills reference tables) as it computes. When the
store file or its folder is not writable, the store is attached read-only to an
in-memory DuckDB instead: the child-level tables (and quarantine, ingest_log) are
views over it, ``kpi_values`` starts empty, the small reference tables are copied
into memory, so the KPI engine runs unchanged and its results live only as long as
the connection. Nothing is written beside the store.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from cscperf.store.db import NO_NETWORK, SCHEMA_VERSION, StoreError, connect
from cscperf.store.schema import TABLES

#: large tables nothing computes into: read in place
_READ_IN_PLACE = frozenset({*TABLES, "quarantine", "ingest_log"})
#: tables the engine rebuilds for the rows it computes: start empty
_START_EMPTY = frozenset({"kpi_values"})

#: wording of the OS errors that mean "you may read this store but not write it"
_READ_ONLY_ERRORS = ("Permission denied", "Read-only file system")


def store_writable(path: Path) -> bool:
    """Whether the store file and its folder (for DuckDB's WAL) can be written."""
    folder = path.resolve().parent
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK | os.X_OK)


def open_for_compute(db: str | Path) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """The store for a command that computes into it, and whether it is the store itself
    (True) or an in-memory copy-on-write shadow of a read-only store (False)."""
    target = str(db)
    path = Path(target)
    if target == ":memory:" or not path.exists() or store_writable(path):
        try:
            return connect(target), True
        except StoreError as exc:
            if not any(e in str(exc) for e in _READ_ONLY_ERRORS):
                raise
    return shadow(path), False


def shadow(path: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory database over the read-only store at ``path`` (see module doc)."""
    connect(path, read_only=True).close()  # the same checks and messages as `query`
    con = duckdb.connect(":memory:", config={**NO_NETWORK, "temp_directory": ""})
    try:
        quoted = str(path).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS store (READ_ONLY)")
        rows = con.execute(
            "SELECT table_name, table_type FROM information_schema.tables "
            "WHERE table_catalog = 'store' AND table_schema = 'main'"
        ).fetchall()
        for name, kind in rows:
            source = f'store.main."{name}"'
            if name in _READ_IN_PLACE or kind == "VIEW":
                con.execute(f'CREATE VIEW main."{name}" AS SELECT * FROM {source}')
            elif name in _START_EMPTY:
                con.execute(f'CREATE TABLE main."{name}" AS SELECT * FROM {source} LIMIT 0')
            else:
                con.execute(f'CREATE TABLE main."{name}" AS SELECT * FROM {source}')
        version = con.execute("SELECT max(version) FROM main.schema_version").fetchone()
        if not version or version[0] is None or int(version[0]) < SCHEMA_VERSION:
            raise StoreError(f"{path}: store schema is out of date; open it once for writing")
    except BaseException:
        con.close()
        raise
    return con
