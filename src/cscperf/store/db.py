"""Opening the canonical store and keeping its schema current.

The schema is versioned in ``schema_version``; :data:`MIGRATIONS` are applied in
order, each in its own transaction, so an old store file is brought up to date
the first time a newer cscperf opens it for writing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb

from cscperf.store.schema import PROVENANCE, TABLES, Table

DEFAULT_DB = "cscperf.duckdb"

QUARANTINE_DDL = """
CREATE TABLE IF NOT EXISTS quarantine (
    la_code VARCHAR, return_year INTEGER, source_file VARCHAR, source_line BIGINT,
    table_name VARCHAR, field VARCHAR, value VARCHAR, reason VARCHAR,
    other_problems VARCHAR, ingested_at TIMESTAMP
)"""

INGEST_LOG_DDL = """
CREATE TABLE IF NOT EXISTS ingest_log (
    la_code VARCHAR, source_file VARCHAR, format VARCHAR, return_year INTEGER,
    table_name VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT,
    ingested_at TIMESTAMP
)"""


RETURNS_DDL = """
CREATE TABLE IF NOT EXISTS returns (
    la_code VARCHAR, collection VARCHAR, return_year INTEGER,
    covers_from DATE, covers_to DATE, files VARCHAR[],
    rows_loaded BIGINT, rows_quarantined BIGINT, loaded_at TIMESTAMP
)"""
"""One row per return loaded: (LA, collection, return year) is the unit that a later
ingest of the same year replaces and `returns withdraw` removes. ``collection`` is
'903', 'cin', 'annex-a' or 'local:<template>'; [covers_from, covers_to] is the window
of time the return's data describe (903 and CIN: its reporting year), which the KPI
engine reads to refuse figures for periods no return covers."""


def table_ddl(table: Table) -> str:
    cols = [f"{name} {typ}" for name, typ in PROVENANCE]
    cols += [f"{c.name} {c.sql_type}" for c in table.columns]
    return f"CREATE TABLE IF NOT EXISTS {table.name} ({', '.join(cols)})"


def _v1(con: duckdb.DuckDBPyConnection) -> None:
    for table in TABLES.values():
        con.execute(table_ddl(table))
    con.execute(QUARANTINE_DDL)
    con.execute(INGEST_LOG_DDL)


def _v2(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(RETURNS_DDL)


def _v3(con: duckdb.DuckDBPyConnection) -> None:
    from cscperf.reference.las import install

    # la_lookup was a table the KPI engine filled from the LA list; it is now a
    # view over the one LA reference table, la_reference
    con.execute("DROP TABLE IF EXISTS la_lookup")
    install(con)


def _v4(con: duckdb.DuckDBPyConnection) -> None:
    from cscperf.store import returns

    con.execute(";\n".join(returns.superseded_ddl(t) for t in TABLES.values()))
    returns.backfill(con)


def _v5(con: duckdb.DuckDBPyConnection) -> None:
    from cscperf.benchmarks.schema import create_tables

    create_tables(con)


FORECASTS_DDL = """
CREATE TABLE IF NOT EXISTS forecasts (
    la_code VARCHAR, kpi_id VARCHAR, made_at_period_end DATE, target_period_end DATE,
    point DOUBLE, lo80 DOUBLE, hi80 DOUBLE, method VARCHAR, created_at TIMESTAMP
)"""
"""Year-end forecasts as made (cscperf.forecast): once the year has ended the report
shows the forecast made at the time beside the outturn. One row per LA, KPI, period
the forecast was made at and period it forecasts; a re-run replaces it."""


def _v6(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(FORECASTS_DDL)


def _v7(con: duckdb.DuckDBPyConnection) -> None:
    from cscperf.forecast.backtest_cache import DDL

    con.execute(DDL)


#: (version, description, apply). Append only; never edit a released migration.
MIGRATIONS: list[tuple[int, str, Callable[[duckdb.DuckDBPyConnection], None]]] = [
    (1, "canonical tables, quarantine, ingest_log", _v1),
    (2, "returns registry", _v2),
    (3, "LA reference: la_reference (DfE/ONS codes, reorganisations) and its views", _v3),
    (4, "superseded rows of every table; registry rows for returns already loaded", _v4),
    (5, "published benchmarks (bench_* tables)", _v5),
    (6, "forecasts made, kept to set beside the outturn", _v6),
    (7, "back-test points kept under a fingerprint of their inputs", _v7),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply pending migrations; returns the resulting schema version."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version "
        "(version INTEGER, description VARCHAR, applied_at TIMESTAMP)"
    )
    current = schema_version(con)
    for version, description, apply in MIGRATIONS:
        if version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            apply(con)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, current_timestamp)",
                [version, description],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION


class StoreError(Exception):
    """A problem opening the store, worded for the user."""


#: Settings of every connection: nothing is downloaded or loaded behind the user's
#: back (opening a SQLite file would otherwise fetch the sqlite extension).
Config = dict[str, str | bool | int | float | list[str]]

NO_NETWORK: Config = {
    "autoinstall_known_extensions": "false",
    "autoload_known_extensions": "false",
    "allow_community_extensions": "false",
}

#: Settings of the `query` connection on top of :data:`NO_NETWORK`: no file other
#: than the store can be read or written (``read_csv``, ``COPY ... TO``, ``ATTACH``,
#: ``INSTALL``/``LOAD``), and the configuration cannot be changed back with ``SET``.
LOCKED: Config = {**NO_NETWORK, "enable_external_access": "false", "lock_configuration": "true"}

_DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file
_SQLITE_MAGIC = b"SQLite format 3\x00"


def _check_is_duckdb(target: str) -> None:
    """Refuse a file that is not a DuckDB database before DuckDB sees it."""
    try:
        with open(target, "rb") as fh:
            head = fh.read(16)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"{target}: cannot read store: {exc.strerror or exc}") from None
    if len(head) >= 12 and head[8:12] == _DUCKDB_MAGIC:
        return
    kind = "a SQLite database" if head.startswith(_SQLITE_MAGIC) else (
        "an empty file" if not head else "not a database file"
    )
    raise StoreError(f"{target}: not a cscperf DuckDB store ({kind})")


def spill_directory(target: str) -> str:
    """Where DuckDB may spill data for the store at ``target``: ``<store>.tmp`` beside
    it, owner-only (created if the folder is writable), else nowhere ("")."""
    if target == ":memory:":
        return ""
    spill = Path(target + ".tmp")
    try:
        spill.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return ""
    return str(spill) if os.access(spill, os.W_OK) else ""


def connect(
    path: str | Path = DEFAULT_DB, read_only: bool = False, locked: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open (and, when writable, create or migrate) the store at ``path``.

    ``":memory:"`` gives a throwaway store, used by tests. ``locked`` (read-only
    only) gives the `query` connection: the store and nothing else.
    """
    target = str(path)
    if target != ":memory:":
        if Path(target).is_dir():
            raise StoreError(f"{target}: is a folder, not a store file")
        _check_is_duckdb(target)
    if read_only:
        if target != ":memory:" and not Path(target).exists():
            raise StoreError(f"{target}: no such store (run `cscperf ingest` or `cscperf demo`)")
        settings: Config = {**(LOCKED if locked else NO_NETWORK)}
        settings["temp_directory"] = spill_directory(target)
        try:
            con = duckdb.connect(target, read_only=True, config=settings)
        except duckdb.Error as exc:
            raise StoreError(f"{target}: cannot open store read-only: {_first(exc)}") from exc
        if schema_version(con) < SCHEMA_VERSION:
            con.close()
            # a store made by an earlier release: bring its schema up to date once (the
            # migrations only add), then read it as asked
            if not os.access(target, os.W_OK):
                raise StoreError(
                    f"{target}: store schema is out of date and the file cannot be written "
                    "here; ask its owner to run any cscperf command on it once (e.g. "
                    f"`cscperf returns --db {target}`)"
                )
            connect(target).close()
            return connect(target, read_only=True, locked=locked)
        return con
    config: Config = {**NO_NETWORK, "temp_directory": spill_directory(target)}
    try:
        con = duckdb.connect(target, config=config)
    except duckdb.Error as exc:
        raise StoreError(f"{target}: cannot open store: {_first(exc)}") from exc
    migrate(con)
    return con


def _first(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every canonical table (used by tests and `cscperf status`)."""
    out: dict[str, int] = {}
    for name in TABLES:
        row = con.execute(f"SELECT count(*) FROM {name}").fetchone()
        out[name] = int(row[0]) if row else 0
    return out
