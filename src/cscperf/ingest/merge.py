"""Load one canonical table from the batch's staged rows: validate, rank, merge, log.

Runs inside the batch transaction. One scan of the staged rows types and
validates every row into ``_val``; everything after that reads ``_val``, which
holds typed values, a ``_bad`` flag and, for bad rows only, the list of
problems. Rows validated as they were scanned (a 903 CSV whose year was known)
are used as they stand: when they are all the table has, ``_val`` is a view.

Merging follows the catalogue's "combining returns" rule: rows are matched on
the table's natural key within the LA; a row from a later return year replaces
an earlier one, an earlier return never overwrites a later one. The row that
loses to a later return's is kept in the table's superseded table (see
:mod:`cscperf.store.returns`), so that withdrawing or correcting the later
return brings it back. Within one file a repeated key is a data error: the first
row is kept, the rest quarantined. A return already loaded has been taken out of
the store before its table is merged again (:mod:`cscperf.ingest.returns`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from cscperf.io.base import FileInfo
from cscperf.store.returns import superseded
from cscperf.store.schema import Table
from cscperf.validate.sql import validation_sql

_TEMPS = ("_contested", "_ranked", "_losers", "_win")
_EMPTY_RANKED = (
    "CREATE TEMP TABLE _ranked (file_no INTEGER, _seq BIGINT, return_year INTEGER, "
    "source_line BIGINT, _dup BIGINT, _first_line BIGINT, _rank BIGINT, _yrank BIGINT)"
)


@dataclass
class BatchFile:
    """One file of the batch as the pipeline tracks it."""

    no: int
    path: Path
    explicit: bool
    info: FileInfo | None = None
    tables: set[str] = field(default_factory=set)
    given_year: int | None = None  # the reader's, before --year or inference
    return_year: int | None = None  # the year the file's rows are loaded under


@dataclass
class TableResult:
    file: str
    table: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "table": self.table,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
        }


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _match(keys: tuple[str, ...], left: str, right: str) -> str:
    return " AND ".join(f"{left}.{k} IS NOT DISTINCT FROM {right}.{k}" for k in keys)


def load_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    source: str | None,
    validated: list[str],
    files: list[BatchFile],
    la_code: str,
) -> list[TableResult]:
    """Validate ``source`` (see :meth:`BatchStaging.source_sql`) into ``table``, with
    the already validated rows of ``validated`` (see :meth:`RawFile.val_sql`)."""
    name = table.name
    years = sorted({f.return_year for f in files if f.return_year is not None})
    parts = ([validation_sql(table, source, years)] if source else []) + validated
    kind = "VIEW" if source is None and len(validated) == 1 else "TABLE"
    con.execute(f"CREATE TEMP {kind} _val AS " + "\nUNION ALL BY NAME\n".join(parts))
    # Every row of the batch has the same la_code, so it is left out of batch-internal keys.
    keys = tuple(k for k in table.merge_key if k != "la_code")
    kv = ", ".join(f"v.{k}" for k in keys)
    # A key seen twice is rare: find those keys with one hash aggregate and rank only them.
    # Within one file a repeated key is a data error (keep the first, quarantine the rest);
    # across files the latest return year, then the later file, wins.
    con.execute(
        f"CREATE TEMP TABLE _contested AS SELECT {', '.join(keys)} FROM _val WHERE NOT _bad "
        f"GROUP BY ALL HAVING count(*) > 1"
    )
    contested = con.execute("SELECT count(*) FROM _contested").fetchone()
    if contested and contested[0]:
        con.execute(
            f"""
            CREATE TEMP TABLE _ranked AS
            SELECT file_no, _seq, return_year, source_line, _dup, _first_line,
              row_number() OVER (PARTITION BY {", ".join(keys)}, (_dup = 1)
                                 ORDER BY return_year DESC, file_no DESC, _seq) AS _rank,
              row_number() OVER (PARTITION BY {", ".join(keys)}, (_dup = 1), return_year
                                 ORDER BY file_no DESC, _seq) AS _yrank
            FROM (
              SELECT v.*,
                row_number() OVER (PARTITION BY v.file_no, {kv} ORDER BY v._seq) AS _dup,
                first_value(v.source_line) OVER (PARTITION BY v.file_no, {kv} ORDER BY v._seq)
                  AS _first_line
              FROM _val v SEMI JOIN _contested c ON {_match(keys, "v", "c")}
              WHERE NOT v._bad
            )
            """
        )
        con.execute(
            "CREATE TEMP TABLE _losers AS "
            "SELECT file_no, _seq FROM _ranked WHERE _dup > 1 OR _rank > 1"
        )
        row = con.execute("SELECT count(*) FROM _losers").fetchone()
        losers = int(row[0]) if row else 0
    else:  # the usual case: no key seen twice, nothing to rank (and no window to plan)
        con.execute(_EMPTY_RANKED)
        con.execute("CREATE TEMP TABLE _losers AS SELECT file_no, _seq FROM _ranked")
        losers = 0
    cols = ("la_code", "return_year", "source_file", "source_line", *table.column_names)
    out = ", ".join(cols)
    picked = ", ".join(f"f.{c}" if c in ("la_code", "source_file") else f"v.{c}" for c in cols)
    winners = (
        f"SELECT {picked} FROM _val v JOIN _files f USING (file_no) "
        f"{'ANTI JOIN _losers l USING (file_no, _seq) ' if losers else ''}"
        "WHERE NOT v._bad"
    )
    # an earlier return's row beaten within the batch is kept as superseded (one per
    # return: within a return, the later file's row is the return's)
    earlier = (
        f"SELECT {picked} FROM _val v JOIN _files f USING (file_no) "
        "SEMI JOIN (SELECT file_no, _seq FROM _ranked WHERE _dup = 1 AND _rank > 1 "
        "AND _yrank = 1) r USING (file_no, _seq)"
    )
    old = superseded(name)
    have = con.execute(
        f"SELECT min(return_year), max(return_year) FROM {name} WHERE la_code = ?", [la_code]
    ).fetchall()[0]
    if have[0] is not None:
        mk = table.merge_key
        con.execute(f"CREATE TEMP TABLE _win AS {winners}")
        beaten = (
            f"EXISTS (SELECT 1 FROM _win w WHERE {_match(mk, 'w', 't')} "
            "AND w.return_year {} t.return_year)"
        )
        # Rows of earlier returns the batch beats become superseded. (A row of one of
        # the batch's returns cannot be here: the return was taken out first.) The
        # probes are skipped when the years the LA holds cannot beat or be beaten.
        if have[0] < years[-1]:
            con.execute(
                f"INSERT INTO {old} ({out}) SELECT {out} FROM {name} t "
                f"WHERE t.la_code = ? AND {beaten.format('>')}",
                [la_code],
            )
        if have[0] <= years[-1]:
            con.execute(
                f"DELETE FROM {name} AS t WHERE t.la_code = ? AND {beaten.format('>=')}",
                [la_code],
            )
        if have[1] > years[0]:  # the batch's rows that a later return's beat
            later = (
                f"EXISTS (SELECT 1 FROM {name} t WHERE {_match(mk, 'w', 't')} "
                "AND t.return_year > w.return_year)"
            )
            con.execute(f"INSERT INTO {old} ({out}) SELECT {out} FROM _win w WHERE {later}")
            con.execute(f"INSERT INTO {name} ({out}) SELECT {out} FROM _win w WHERE NOT {later}")
        else:
            con.execute(f"INSERT INTO {name} ({out}) SELECT {out} FROM _win")
    else:
        con.execute("CREATE TEMP TABLE _win AS SELECT 1 AS x LIMIT 0")
        con.execute(f"INSERT INTO {name} ({out}) {winners}")
    if losers:
        con.execute(f"INSERT INTO {old} ({out}) {earlier}")
    counts = con.execute(
        "SELECT file_no, count(*), count(*) FILTER (WHERE _bad) FROM _val GROUP BY file_no "
        "ORDER BY file_no"
    ).fetchall()
    dups = dict(
        con.execute("SELECT file_no, count(*) FROM _ranked WHERE _dup > 1 GROUP BY 1").fetchall()
    )
    if dups or any(bad for _, _, bad in counts):
        _quarantine(con, table)
    results = _log(con, name, files, la_code, counts, dups)
    con.execute(f"DROP {kind} _val")
    for t in _TEMPS:
        con.execute(f"DROP TABLE {t}")
    return results


def _quarantine(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Bad rows with their problems, and repeated keys, into ``quarantine``."""
    name = table.name
    con.execute(
        f"""
        INSERT INTO quarantine
        SELECT f.la_code, v.return_year, f.source_file, v.source_line, {_lit(name)},
               _problems[1].field, _problems[1].value, _problems[1].reason,
               CASE WHEN len(_problems) > 1 THEN array_to_string(list_transform(
                 _problems[2:], lambda p: p.field || ': ' || p.reason), '; ') END,
               current_timestamp
        FROM _val v JOIN _files f USING (file_no) WHERE v._bad
        UNION ALL
        SELECT f.la_code, r.return_year, f.source_file, r.source_line, {_lit(name)},
               {_lit(table.key[-1])}, NULL,
               'duplicate of line ' || _first_line || ' (same ' || {_lit(", ".join(table.key))}
               || ')', NULL, current_timestamp
        FROM _ranked r JOIN _files f USING (file_no) WHERE r._dup > 1
        """
    )


def _log(
    con: duckdb.DuckDBPyConnection,
    name: str,
    files: list[BatchFile],
    la_code: str,
    counts: list[tuple[int, int, int]],
    dups: dict[int, int],
) -> list[TableResult]:
    """Per-file counts (rows read = loaded + quarantined) into ``ingest_log``."""
    by_no = {f.no: f for f in files}
    results: list[TableResult] = []
    rows: list[list[object]] = []
    for file_no, read, bad in counts:
        f = by_no[file_no]
        quarantined = int(bad) + int(dups.get(file_no, 0))
        result = TableResult(str(f.path), name, int(read), int(read) - quarantined, quarantined)
        results.append(result)
        assert f.info is not None
        rows.append(
            [
                la_code,
                str(f.path),
                f.info.format,
                f.return_year,  # the return the rows belong to
                name,
                result.rows_read,
                result.rows_loaded,
                result.rows_quarantined,
            ]
        )
    if rows:
        con.executemany(
            "INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)", rows
        )
    return results
