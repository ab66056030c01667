"""Staging: where readers put raw rows before validation, inside the batch transaction.

One ``_stg_<table>`` per canonical table (raw text ``r_<col>`` columns, the row's
``source_line`` and the ``file_no`` of the file it came from) and one ``_files``
table describing the batch's files. They are real tables created inside the
batch transaction, so large batches spill to disk instead of memory, and they
vanish with the transaction whether it commits or rolls back.
"""

from __future__ import annotations

import itertools

import duckdb
import pyarrow as pa

from cscperf.store.schema import TABLES

_ids = itertools.count()


def stage_name(table: str) -> str:
    return f"_stg_{table}"


class BatchStaging:
    """Creates staging tables lazily and hands out per-file sinks."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.created: set[str] = set()
        con.execute(
            "CREATE TEMP TABLE _files (file_no INTEGER, source_file VARCHAR, format VARCHAR, "
            "la_code VARCHAR, return_year INTEGER, folder VARCHAR)"
        )

    def ensure(self, table: str) -> str:
        if table not in TABLES:
            raise KeyError(f"reader staged rows for unknown table {table!r}")
        name = stage_name(table)
        if table not in self.created:
            cols = ", ".join(f"r_{c.name} VARCHAR" for c in TABLES[table].columns)
            self.con.execute(f"CREATE TEMP TABLE {name} ({cols}, source_line BIGINT, file_no INTEGER)")
            self.created.add(table)
        return name

    def sink(self, file_no: int) -> FileSink:
        return FileSink(self, file_no)

    def drop(self) -> None:
        for table in self.created:
            self.con.execute(f"DROP TABLE IF EXISTS {stage_name(table)}")
        self.con.execute("DROP TABLE IF EXISTS _files")


class FileSink:
    """The :class:`cscperf.io.base.Sink` for one file of the batch."""

    def __init__(self, staging: BatchStaging, file_no: int) -> None:
        self.staging = staging
        self.file_no = file_no
        self.rows: dict[str, int] = {}

    def _columns(self, table: str, names: list[str]) -> str:
        known = set(TABLES[table].column_names)
        unknown = [n for n in names if n not in known and n != "source_line"]
        if unknown:
            raise KeyError(f"{table} has no columns {unknown}")
        return ", ".join(
            f"CAST({n} AS VARCHAR) AS r_{n}" if n != "source_line" else "source_line" for n in names
        )

    def append(self, table: str, batch: pa.Table) -> None:
        if batch.num_rows == 0:
            return
        name = self.staging.ensure(table)
        view = f"_arrow_{next(_ids)}"
        self.staging.con.register(view, batch)
        try:
            cols = self._columns(table, list(batch.column_names))
            self.staging.con.execute(
                f"INSERT INTO {name} BY NAME SELECT {cols}, {self.file_no} AS file_no FROM {view}"
            )
        finally:
            self.staging.con.unregister(view)
        self.rows[table] = self.rows.get(table, 0) + batch.num_rows

    def append_sql(self, table: str, select_sql: str) -> None:
        name = self.staging.ensure(table)
        rel = self.staging.con.sql(f"SELECT * FROM ({select_sql}) LIMIT 0")
        cols = self._columns(table, list(rel.columns))
        result = self.staging.con.execute(
            f"INSERT INTO {name} BY NAME SELECT {cols}, {self.file_no} AS file_no "
            f"FROM ({select_sql})"
        ).fetchone()
        self.rows[table] = self.rows.get(table, 0) + (int(result[0]) if result else 0)
