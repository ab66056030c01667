"""Atomic batch ingest: read every file, validate set-based, merge, all or nothing.

Files are first read into TEMP staging (:mod:`cscperf.ingest.staging`); then
every canonical table is validated and merged (:mod:`cscperf.ingest.merge`) in
one transaction. A refused file (unreadable, wrong format, hostile) aborts the
batch and the store is left exactly as it was. Row-level problems do not
abort: those rows go to ``quarantine`` with file, line, field, value and
reason, and for every file and table ``rows_read = rows_loaded + rows_quarantined``.

A 903 CSV whose return year is known before it is read (``--year``, or a year
in its file or folder name) is validated by DuckDB as it is scanned, in
parallel, so its rows are written once before they reach the store (see
:mod:`cscperf.ingest.staging`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from cscperf.ingest import returns as batch_returns
from cscperf.ingest.merge import BatchFile, TableResult, load_table
from cscperf.ingest.return_year import ReturnYearError, check_supported, decide, names_year
from cscperf.ingest.staging import BatchStaging
from cscperf.io.base import MAX_FILE_BYTES, FileRefused
from cscperf.io.registry import reader_for
from cscperf.reference.las import check_la_code, same_la, year_problem
from cscperf.store.returns import ReturnChange
from cscperf.store.schema import TABLES
from cscperf.validate.sql import typed_expr

__all__ = ["IngestError", "IngestReport", "TableResult", "discover", "ingest_paths"]

LA_CODE_RE = re.compile(r"^\d{3}$")

#: DuckDB settings for the duration of a batch. Row order is never relied on
#: (each staged row carries its position), so DuckDB may write in parallel.
SETTINGS = {"preserve_insertion_order": "false"}


@dataclass
class IngestReport:
    results: list[TableResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    returns: list[ReturnChange] = field(default_factory=list)  # loaded, replaced, unchanged

    @property
    def rows_quarantined(self) -> int:
        return sum(r.rows_quarantined for r in self.results)


class IngestError(Exception):
    """The batch was refused; nothing was loaded. The message names file and reason."""


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
    try:
        check_la_code(la_code)
    except ValueError as exc:
        raise IngestError(str(exc)) from None
    report = IngestReport()
    files: list[BatchFile] = []
    for path, explicit in discover(paths):
        files.append(BatchFile(len(files) + 1, path.resolve(), explicit))

    with _settings(con, SETTINGS):
        staging = BatchStaging(con)
        try:
            read_files = _read_all(con, staging, files, la_code, year, report, progress)
            _load_all(con, staging, read_files, la_code, year, report)
        except FileRefused as exc:
            raise IngestError(f"{exc.path}: {exc.reason}") from exc
        finally:
            staging.drop()
    return report


@contextmanager
def _settings(con: duckdb.DuckDBPyConnection, values: dict[str, str]) -> Iterator[None]:
    """Apply DuckDB settings for a block, then restore the connection's own."""
    old = {k: con.execute(f"SELECT current_setting('{k}')").fetchone() for k in values}
    for k, v in values.items():
        con.execute(f"SET {k} = {v}")
    try:
        yield
    finally:
        for k, row in old.items():
            if row is not None:
                con.execute(f"SET {k} = {_setting_lit(row[0])}")


def _setting_lit(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _read_all(
    con: duckdb.DuckDBPyConnection,
    staging: BatchStaging,
    files: list[BatchFile],
    la_code: str,
    year: int | None,
    report: IngestReport,
    progress: Callable[[Path], None] | None,
) -> list[BatchFile]:
    done: list[BatchFile] = []
    for f in files:
        if progress:
            progress(f.path)
        size = f.path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise FileRefused(f.path, f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,} limit")
        if not _read_one(staging, f, la_code, year, report):
            if f.explicit:
                raise FileRefused(
                    f.path, "not a recognised SSDA903, CIN census, Annex A or cscperf template file"
                )
            report.skipped.append(str(f.path))
            continue
        assert f.info is not None
        con.execute(
            "INSERT INTO _files VALUES (?, ?, ?, ?, ?, ?)",
            [
                f.no,
                str(f.path),
                f.info.format,
                la_code,
                year or f.info.return_year,
                str(f.path.parent),
            ],
        )
        done.append(f)
    return done


def _read_one(
    staging: BatchStaging, f: BatchFile, la_code: str, year: int | None, report: IngestReport
) -> bool:
    """Read one file into staging; False when no reader recognises it."""
    reader = reader_for(f.path)
    if reader is None:
        return False
    expected = year or _name_year(f.path)
    sink = staging.sink(f.no, expected)
    info = reader.read(f.path, sink)
    if staging.validated_for(f.no) not in (None, year or info.return_year or expected):
        # the file names its own year (a YEAR column) and it is not the one it was
        # validated for: read it again, to be validated with the rest of the batch
        staging.forget(f.no)
        sink = staging.sink(f.no)
        info = reader.read(f.path, sink)
    f.info, f.tables, f.given_year = info, sink.tables, info.return_year
    # what the reader noticed (an encoding guessed, a column not used, ...) is said to
    # the user: it was collected and then dropped here
    name = f.path.name
    report.notes.extend(n if n.startswith(f"{name}") else f"{name}: {n}" for n in info.notes)
    if year is not None and info.return_year is not None and info.return_year != year:
        report.notes.append(
            f"{name}: the file declares return year {info.return_year}; loaded as {year} "
            "because --year was given (the catalogue's precedence): check it is the right year"
        )
    declared = (info.la_code or "").strip()
    if declared and not same_la(declared, la_code):
        raise FileRefused(
            f.path,
            f"the file is for LA {declared}, not --la {la_code}: "
            "check the file, or ingest it with its own LA's --la",
        )
    return True


def _name_year(path: Path) -> int | None:
    """The year a name suggests, for early validation; an ambiguous name is decided later."""
    try:
        return names_year(path)
    except ReturnYearError:
        return None


def _load_all(
    con: duckdb.DuckDBPyConnection,
    staging: BatchStaging,
    files: list[BatchFile],
    la_code: str,
    year: int | None,
    report: IngestReport,
) -> None:
    """Resolve return years and load every table in one transaction; a return
    already loaded is replaced (see :mod:`cscperf.ingest.returns`)."""
    con.execute("BEGIN TRANSACTION")
    try:
        _resolve_years(con, staging, files, year, la_code)
        units = batch_returns.batch_units(files)
        batch_returns.prepare(con, units, la_code)
        results: list[TableResult] = []
        years = {f.no: f.return_year for f in files}
        for table in sorted(staging.tables):
            source = staging.source_sql(table, years)
            validated = [r.val_sql() for r in staging.validated(table)]
            results.extend(load_table(con, TABLES[table], source, validated, files, la_code))
        changes = batch_returns.finish(con, units, la_code, results)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    report.results.extend(results)
    report.returns.extend(changes)


def _resolve_years(
    con: duckdb.DuckDBPyConnection,
    staging: BatchStaging,
    files: list[BatchFile],
    year: int | None,
    la_code: str,
) -> None:
    """Give every file a return year (catalogue: "return year").

    The rule is :func:`cscperf.ingest.return_year.decide` (--year; the file's own
    CIN <Year> or YEAR column; its file or folder name; else the 31 March on or
    after the latest DECOM/DEC of the 903 episodes in the same folder). A year the
    collection's code lists do not cover, or in which the LA did not exist, or an
    ambiguous name refuses the file.
    """
    for f in files:
        f.return_year = year or f.given_year
    pending = [f for f in files if f.return_year is None]
    latest: dict[str, dt.date] = {}
    if any(_name_year(f.path) is None for f in pending) and "cla_episodes" in staging.tables:
        ep = TABLES["cla_episodes"]
        source = staging.source_sql("cla_episodes", {f.no: f.return_year for f in files})
        parts = [r.val_sql() for r in staging.validated("cla_episodes")]
        if source:
            decom, dec = typed_expr(ep.col("decom")), typed_expr(ep.col("dec"))
            parts.append(f"SELECT file_no, {decom} AS decom, {dec} AS dec FROM {source}")
        dates = " UNION ALL ".join(f"SELECT file_no, decom, dec FROM ({p})" for p in parts)
        rows = con.execute(
            "SELECT f.folder, max(greatest(coalesce(decom, DATE '1900-01-01'), "
            "coalesce(dec, DATE '1900-01-01'))) "
            f"FROM ({dates}) s JOIN _files f USING (file_no) GROUP BY 1"
        ).fetchall()
        latest = {str(folder): d for folder, d in rows if d is not None}
    for f in files:
        assert f.info is not None
        try:
            chosen = decide(f.path, year, f.given_year, latest.get(str(f.path.parent)))
            check_supported(f.info.format, chosen)
            wrong_la = year_problem(la_code, chosen)
            if wrong_la:
                raise ReturnYearError(wrong_la)
        except ReturnYearError as exc:
            raise FileRefused(f.path, str(exc)) from None
        f.info.return_year = f.return_year = chosen
        con.execute("UPDATE _files SET return_year = ? WHERE file_no = ?", [chosen, f.no])
