"""Staging: where readers put raw rows before validation.

Arrow batches (``append``) go to one Arrow IPC file per canonical table
(:mod:`cscperf.ingest.arrow_stage`): raw text ``r_<col>`` columns, the row's
``source_line``, the ``file_no`` of its file and ``_seq``, its position in the
file's stream of rows.

A reader's SELECT (``append_sql``, the 903 CSV reader's ``read_csv``) becomes a
TEMP table of its own, written with insertion order kept so that its ``rowid``
is the row's position in the file: ``source_line`` is ``rowid + first_line``.
DuckDB scans the CSV on every core that way; numbering rows inside the SELECT
(``WITH ORDINALITY``) made the scan single-threaded and the whole ingest about
a third slower. The SELECT runs at once, so a file DuckDB's strict scanner
rejects fails inside the reader, which falls back to its exact path or
refuses the file.

When the file's return year is already known as it is read (``--year`` or a
year in its name), the SELECT is validated as it is scanned: the TEMP table
holds typed values, ``_bad`` and ``_problems`` (see
:func:`cscperf.validate.sql.validation_sql`), not raw text, and the table's load
reads it as it stands. That saves writing and re-reading every row once, which
was a third of a large 903 ingest. If the year the pipeline settles on differs
(a YEAR column naming another year), the file is read again unvalidated.

Staging tables are TEMP tables written outside the batch transaction (so a
failed statement cannot poison it); they spill to disk under memory pressure
and, like the IPC files, are dropped when the batch ends, whatever the outcome.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from cscperf.ingest.arrow_stage import ArrowStage
from cscperf.store.schema import TABLES
from cscperf.validate.sql import PASS_THROUGH, validation_sql

_ids = itertools.count()


def _raw_columns(table: str, given: list[str]) -> str:
    """``r_<col>`` text for every column of ``table``: a reader SELECT's ``given`` ones
    as VARCHAR, NULL for the rest."""
    have = set(given)
    return ", ".join(
        f"CAST({c} AS VARCHAR) AS r_{c}" if c in have else f"NULL::VARCHAR AS r_{c}"
        for c in TABLES[table].column_names
    )


@dataclass
class RawFile:
    """One reader SELECT's rows, kept in file order in TEMP table ``name``."""

    file_no: int
    table: str
    name: str
    columns: list[str]
    first_line: int
    year: int | None = None  # validated while scanned, for this return year

    @property
    def validated(self) -> bool:
        return self.year is not None

    def val_sql(self) -> str:
        """The rows in the shape of ``validation_sql``'s result (validated files only)."""
        line = f"CAST(rowid + {self.first_line} AS BIGINT)"
        out = [*TABLES[self.table].column_names, "_bad", "_problems"]
        return (
            f"SELECT {self.file_no} AS file_no, {line} AS _seq, {line} AS source_line, "
            f"{int(self.year or 0)}::INTEGER AS return_year, {', '.join(out)} FROM {self.name}"
        )


class BatchStaging:
    """Creates staging tables lazily, hands out per-file sinks, builds sources."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.arrow = ArrowStage(con)
        self.raw: list[RawFile] = []
        con.execute(
            "CREATE TEMP TABLE _files (file_no INTEGER, source_file VARCHAR, format VARCHAR, "
            "la_code VARCHAR, return_year INTEGER, folder VARCHAR)"
        )

    @property
    def tables(self) -> set[str]:
        """Canonical tables that received rows in this batch."""
        return self.arrow.tables | {r.table for r in self.raw}

    def sink(self, file_no: int, year: int | None = None) -> FileSink:
        """The sink for one file; ``year``: its return year if already known."""
        return FileSink(self, file_no, year)

    def validated(self, table: str) -> list[RawFile]:
        """The files whose rows of ``table`` were validated as they were scanned."""
        return [r for r in self.raw if r.table == table and r.validated]

    def validated_for(self, file_no: int) -> int | None:
        """The return year file ``file_no``'s rows were validated for as scanned, if any."""
        return next((r.year for r in self.raw if r.file_no == file_no and r.validated), None)

    def forget(self, file_no: int) -> None:
        """Drop what file ``file_no`` staged by SELECT, before reading it again (a file
        that staged validated rows staged nothing else: one 903 CSV, one table)."""
        for r in [r for r in self.raw if r.file_no == file_no]:
            self.con.execute(f"DROP TABLE IF EXISTS {r.name}")
            self.raw.remove(r)

    def source_sql(self, table: str, years: dict[int, int | None]) -> str | None:
        """The staged, not yet validated rows of ``table`` (None if there are none):
        ``r_<col>``, ``source_line``, ``file_no``, ``_seq`` and ``return_year``
        (``years``: file_no -> return year)."""
        cols = TABLES[table].column_names
        branches = []
        view = self.arrow.view(table)
        if view:
            raws = ", ".join(f"s.r_{c}" for c in cols)
            branches.append(
                f"SELECT {raws}, s.source_line, s.file_no, s._seq, f.return_year "
                f"FROM {view} s JOIN _files f USING (file_no)"
            )
        for r in self.raw:
            if r.table != table or r.validated:
                continue
            raws = _raw_columns(table, r.columns)
            year = years.get(r.file_no)
            line = f"CAST(rowid + {r.first_line} AS BIGINT)"
            branches.append(
                f"SELECT {raws}, {line} AS source_line, {r.file_no} AS file_no, {line} AS _seq, "
                f"{'NULL' if year is None else int(year)}::INTEGER AS return_year FROM {r.name}"
            )
        return "(" + "\nUNION ALL\n".join(branches) + ")" if branches else None

    def drop(self) -> None:
        self.arrow.close()
        for r in self.raw:
            self.con.execute(f"DROP TABLE IF EXISTS {r.name}")
        self.con.execute("DROP TABLE IF EXISTS _files")
        self.raw.clear()


class FileSink:
    """The :class:`cscperf.io.base.Sink` for one file of the batch."""

    def __init__(self, staging: BatchStaging, file_no: int, year: int | None = None) -> None:
        self.staging = staging
        self.file_no = file_no
        self.year = year
        self.tables: set[str] = set()  # tables this file staged rows (or a SELECT) for
        self._seq: dict[str, int] = {}

    def _check(self, table: str, names: list[str]) -> None:
        if table not in TABLES:
            raise KeyError(f"reader staged rows for unknown table {table!r}")
        known = set(TABLES[table].column_names)
        unknown = [n for n in names if n not in known and n != "source_line"]
        if unknown:
            raise KeyError(f"{table} has no columns {unknown}")

    def append(self, table: str, batch: pa.Table) -> None:
        if batch.num_rows == 0:
            return
        self._check(table, list(batch.column_names))
        start = self._seq.get(table, 0)
        self._seq[table] = start + batch.num_rows
        self.staging.arrow.write(table, batch, self.file_no, start)
        self.tables.add(table)

    def append_sql(self, table: str, select_sql: str, first_line: int) -> None:
        con = self.staging.con
        names = list(con.sql(f"SELECT * FROM ({select_sql}) LIMIT 0").columns)
        self._check(table, names)
        name = f"_raw_{self.file_no}_{table}_{next(_ids)}"
        if self.year is not None:
            select_sql = self._validating(table, names, select_sql, self.year)
        row = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
        con.execute("SET preserve_insertion_order = true")  # rowid = position in the file
        try:
            con.execute(f"CREATE TEMP TABLE {name} AS {select_sql}")
        finally:
            con.execute(f"SET preserve_insertion_order = {'true' if row and row[0] else 'false'}")
        raw = RawFile(self.file_no, table, name, names, int(first_line), self.year)
        self.staging.raw.append(raw)
        self.tables.add(table)

    def _validating(self, table: str, names: list[str], select_sql: str, year: int) -> str:
        """``select_sql`` typed and validated as it is scanned (line numbers come later)."""
        raws = _raw_columns(table, names)
        later = {"file_no": str(self.file_no), "return_year": f"{int(year)}::INTEGER"}
        keep = ", ".join(f"{later.get(c, 'NULL::BIGINT')} AS {c}" for c in PASS_THROUGH)
        source = f"(SELECT {raws}, {keep} FROM ({select_sql}))"
        return validation_sql(TABLES[table], source, [year])
