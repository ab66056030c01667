"""Atomic batch ingest: read every file, validate set-based, merge, all or nothing.

The whole batch runs in one transaction. A refused file (unreadable, wrong
format, hostile) aborts the batch and the store is left exactly as it was.
Row-level problems do not abort: those rows go to ``quarantine`` with file,
line, field, value and reason, and for every file and table
``rows_read = rows_loaded + rows_quarantined``.

Merging follows the catalogue's "combining returns" rule: rows are matched on
the table's natural key within the LA; a row from a later return year replaces
an earlier one, an earlier return never overwrites a later one, and ingesting
the same file again replaces its rows with identical ones.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from cscperf.ingest.staging import BatchStaging, stage_name
from cscperf.io.base import MAX_FILE_BYTES, FileInfo, FileRefused
from cscperf.io.registry import reader_for
from cscperf.store.schema import TABLES, Table
from cscperf.validate.sql import typed_expr, validation_sql

LA_CODE_RE = re.compile(r"^\d{3}$")
YEAR_RE = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


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


@dataclass
class IngestReport:
    results: list[TableResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rows_quarantined(self) -> int:
        return sum(r.rows_quarantined for r in self.results)


class IngestError(Exception):
    """The batch was refused; nothing was loaded. The message names file and reason."""


@dataclass
class _File:
    no: int
    path: Path
    explicit: bool
    info: FileInfo | None = None
    rows: dict[str, int] = field(default_factory=dict)


def discover(paths: Iterable[str | Path]) -> list[tuple[Path, bool]]:
    """Expand folders (recursively, sorted, hidden files skipped); keep given files."""
    out: list[tuple[Path, bool]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p)
                if f.is_file() and not any(part.startswith(".") for part in rel.parts):
                    out.append((f, False))
        elif p.exists():
            out.append((p, True))
        else:
            raise IngestError(f"{p}: no such file or folder")
    return out


def year_hint(path: Path) -> int | None:
    """A 4-digit 20xx year in the file name, else in its folder name."""
    for text in (path.stem, path.parent.name):
        m = YEAR_RE.search(text)
        if m:
            return int(m.group(1))
    return None


def ingest_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[str | Path],
    la_code: str,
    year: int | None = None,
    progress: Callable[[Path], None] | None = None,
) -> IngestReport:
    """Ingest files and folders for one LA as one atomic batch."""
    if not LA_CODE_RE.match(la_code):
        raise IngestError(f"--la {la_code!r}: an LA code is the DfE 3-digit code, e.g. 883")
    report = IngestReport()
    files: list[_File] = []
    for path, explicit in discover(paths):
        files.append(_File(len(files) + 1, path.resolve(), explicit))

    con.execute("BEGIN TRANSACTION")
    try:
        staging = BatchStaging(con)
        read_files = _read_all(con, staging, files, la_code, year, report, progress)
        _resolve_years(con, staging, read_files, year)
        for table in sorted(staging.created):
            _load_table(con, TABLES[table], read_files, la_code, report)
        staging.drop()
        con.execute("COMMIT")
    except FileRefused as exc:
        con.execute("ROLLBACK")
        raise IngestError(f"{exc.path}: {exc.reason}") from exc
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return report


def _read_all(
    con: duckdb.DuckDBPyConnection,
    staging: BatchStaging,
    files: list[_File],
    la_code: str,
    year: int | None,
    report: IngestReport,
    progress: Callable[[Path], None] | None,
) -> list[_File]:
    done: list[_File] = []
    for f in files:
        if progress:
            progress(f.path)
        size = f.path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise FileRefused(f.path, f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,} limit")
        reader = reader_for(f.path)
        if reader is None:
            if f.explicit:
                raise FileRefused(
                    f.path, "not a recognised SSDA903, CIN census, Annex A or cscperf template file"
                )
            report.skipped.append(str(f.path))
            continue
        sink = staging.sink(f.no)
        info = reader.read(f.path, sink)
        f.info, f.rows = info, sink.rows
        if info.la_code and info.la_code.strip() not in (la_code, ""):
            report.notes.append(
                f"{f.path}: file says LA {info.la_code.strip()}, loaded as --la {la_code}"
            )
        return_year = year or info.return_year
        con.execute(
            "INSERT INTO _files VALUES (?, ?, ?, ?, ?, ?)",
            [f.no, str(f.path), info.format, la_code, return_year, str(f.path.parent)],
        )
        done.append(f)
    return done


def _resolve_years(
    con: duckdb.DuckDBPyConnection,
    staging: BatchStaging,
    files: list[_File],
    year: int | None,
) -> None:
    """Give every file a return year (catalogue: "return year").

    Order: --year; the file's own (CIN <Year>, a YEAR column); a 20xx year in the
    file or folder name; else the 31 March on or after the latest DECOM/DEC of
    the 903 episodes in the same folder.
    """
    latest: dict[str, dt.date] = {}
    if "cla_episodes" in staging.created:
        ep = TABLES["cla_episodes"]
        decom = typed_expr(ep.col("decom"))
        dec = typed_expr(ep.col("dec"))
        rows = con.execute(
            f"SELECT f.folder, max(greatest(coalesce({decom}, DATE '1900-01-01'), "
            f"coalesce({dec}, DATE '1900-01-01'))) "
            f"FROM {stage_name('cla_episodes')} s JOIN _files f USING (file_no) GROUP BY 1"
        ).fetchall()
        latest = {str(folder): d for folder, d in rows if d is not None}
    for f in files:
        assert f.info is not None
        if year or f.info.return_year:
            continue
        guess = year_hint(f.path)
        if guess is None:
            d = latest.get(str(f.path.parent))
            if d is None or d.year < 1950:
                raise FileRefused(
                    f.path,
                    "cannot tell which return year this file belongs to; "
                    "give --year, or put the year in the file or folder name",
                )
            guess = d.year + (1 if (d.month, d.day) > (3, 31) else 0)
        f.info.return_year = guess
        con.execute("UPDATE _files SET return_year = ? WHERE file_no = ?", [guess, f.no])


def _key_match(table: Table, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{k} IS NOT DISTINCT FROM {right}.{k}" for k in table.merge_key)


def _load_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    files: list[_File],
    la_code: str,
    report: IngestReport,
) -> None:
    name = table.name
    years = [
        int(r[0])
        for r in con.execute("SELECT DISTINCT return_year FROM _files").fetchall()
        if r[0] is not None
    ]
    staged = (
        f"(SELECT s.*, s.rowid AS _rid, f.la_code, f.return_year, f.source_file "
        f"FROM {stage_name(name)} s JOIN _files f USING (file_no))"
    )
    con.execute(f"CREATE TEMP TABLE _val AS {validation_sql(table, staged, years)}")
    keys = ", ".join(table.merge_key)
    cols = ", ".join(("la_code", "return_year", "source_file", "source_line", *table.column_names))
    # A key seen twice is rare: find those keys with one hash aggregate and rank only them.
    # Within one file a repeated key is a data error (keep the first, quarantine the rest);
    # across files the latest return year, then the later file, wins.
    con.execute(
        f"CREATE TEMP TABLE _contested AS SELECT {keys} FROM _val WHERE NOT _bad "
        f"GROUP BY ALL HAVING count(*) > 1"
    )
    con.execute(
        f"""
        CREATE TEMP TABLE _ranked AS
        SELECT _rid, file_no, return_year, source_line, la_code, source_file, _dup, _first_line,
          row_number() OVER (PARTITION BY {keys}, (_dup = 1)
                             ORDER BY return_year DESC, file_no DESC, _rid) AS _rank
        FROM (
          SELECT v.*,
            row_number() OVER (PARTITION BY v.file_no, {_cols(table, 'v')} ORDER BY v._rid)
              AS _dup,
            first_value(v.source_line) OVER (PARTITION BY v.file_no, {_cols(table, 'v')}
                                             ORDER BY v._rid) AS _first_line
          FROM _val v SEMI JOIN _contested c ON {_key_match(table, 'v', 'c')}
          WHERE NOT v._bad
        )
        """
    )
    con.execute("CREATE TEMP TABLE _losers AS SELECT _rid FROM _ranked WHERE _dup > 1 OR _rank > 1")
    winners = f"SELECT {cols} FROM _val w WHERE NOT _bad AND _rid NOT IN (SELECT _rid FROM _losers)"
    existing = con.execute(f"SELECT count(*) FROM {name} WHERE la_code = ?", [la_code]).fetchone()
    if existing and existing[0]:
        con.execute(f"CREATE TEMP TABLE _win AS {winners}")
        con.execute(
            f"DELETE FROM {name} AS t WHERE EXISTS (SELECT 1 FROM _win w WHERE "
            f"{_key_match(table, 'w', 't')} AND w.return_year >= t.return_year)"
        )
        con.execute(
            f"INSERT INTO {name} ({cols}) SELECT {cols} FROM _win w WHERE NOT EXISTS "
            f"(SELECT 1 FROM {name} t WHERE {_key_match(table, 'w', 't')} "
            f"AND t.return_year > w.return_year)"
        )
    else:
        con.execute("CREATE TEMP TABLE _win AS SELECT 1 AS x LIMIT 0")
        con.execute(f"INSERT INTO {name} ({cols}) {winners}")
    sources = [str(f.path) for f in files if name in f.rows]
    con.execute(
        "DELETE FROM quarantine WHERE table_name = ? AND list_contains(?, source_file)",
        [name, sources],
    )
    con.execute(
        f"""
        INSERT INTO quarantine
        SELECT la_code, return_year, source_file, source_line, {_lit(name)},
               _problems[1].field, _problems[1].value, _problems[1].reason,
               CASE WHEN len(_problems) > 1 THEN array_to_string(list_transform(
                 _problems[2:], lambda p: p.field || ': ' || p.reason), '; ') END,
               current_timestamp
        FROM _val WHERE _bad
        UNION ALL
        SELECT la_code, return_year, source_file, source_line, {_lit(name)},
               {_lit(table.key[-1])}, NULL,
               'duplicate of line ' || _first_line || ' (same ' || {_lit(", ".join(table.key))}
               || ')', NULL, current_timestamp
        FROM _ranked WHERE _dup > 1
        """
    )
    counts = con.execute(
        """
        SELECT file_no, count(*) AS read,
               count(*) FILTER (WHERE _bad) AS bad
        FROM _val GROUP BY file_no
        """
    ).fetchall()
    dups = dict(
        con.execute("SELECT file_no, count(*) FROM _ranked WHERE _dup > 1 GROUP BY 1").fetchall()
    )
    by_no = {f.no: f for f in files}
    con.execute(
        "DELETE FROM ingest_log WHERE table_name = ? AND list_contains(?, source_file)",
        [name, sources],
    )
    for file_no, read, bad in counts:
        f = by_no[file_no]
        quarantined = int(bad) + int(dups.get(file_no, 0))
        result = TableResult(str(f.path), name, int(read), int(read) - quarantined, quarantined)
        report.results.append(result)
        assert f.info is not None
        con.execute(
            "INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)",
            [
                la_code,
                str(f.path),
                f.info.format,
                f.info.return_year,
                name,
                result.rows_read,
                result.rows_loaded,
                result.rows_quarantined,
            ],
        )
    for t in ("_val", "_contested", "_ranked", "_losers", "_win"):
        con.execute(f"DROP TABLE {t}")


def _cols(table: Table, alias: str) -> str:
    return ", ".join(f"{alias}.{k}" for k in table.merge_key)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
