"""``cscperf benchmarks import``: route each published file to its importer, atomically.

Files are recognised by their columns, not their names. The whole batch is one
transaction: a bad file raises :class:`BenchImportError` naming file, line and
column, and the store is left as it was. Importing a file again replaces that
file's rows (keyed by file name). The ONS population file goes to the
``population`` table through :mod:`cscperf.reference.population`, the loader
``cscperf population`` uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from cscperf.benchmarks import ees, lait, neighbours
from cscperf.benchmarks.counts import FileCounts
from cscperf.benchmarks.csvstage import read_header
from cscperf.benchmarks.errors import BenchImportError
from cscperf.benchmarks.schema import create_tables

SUFFIXES = (".csv", ".parquet", ".xlsx")


@dataclass
class ImportReport:
    files: list[FileCounts] = field(default_factory=list)
    #: files under a folder with a suffix no importer reads (.ods, .pdf, ...)
    skipped: list[str] = field(default_factory=list)


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    """Files to import (folders walked, sorted) and the ones skipped for their suffix."""
    files: list[Path] = []
    skipped: list[str] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(x for x in p.rglob("*") if x.is_file()):
                if f.name.startswith((".", "~$")):
                    continue
                (files.append(f) if f.suffix.lower() in SUFFIXES else skipped.append(str(f)))
        elif p.is_file():
            if p.suffix.lower() not in SUFFIXES:
                raise BenchImportError(
                    str(p), f"not a format benchmarks import reads ({', '.join(SUFFIXES)})"
                )
            files.append(p)
        else:
            raise BenchImportError(str(p), "no such file or folder")
    return files, skipped


def _is_population(cols: list[str]) -> bool:
    low = {c.lower() for c in cols}
    return {"age_group", "population_estimate", "old_la_code", "time_period"} <= low


def import_file(con: duckdb.DuckDBPyConnection, path: Path) -> FileCounts:
    """Import one file inside the caller's transaction."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return lait.import_bds(con, path)
    if suffix == ".xlsx":
        kind = neighbours.sniff(path)
        if kind == "sn":
            return neighbours.import_sn(con, path)
        if kind == "la_codes":
            return neighbours.import_la_codes(con, path)
        raise BenchImportError(
            str(path), "not a statistical neighbour workbook nor an LA code list", 1
        )
    cols = read_header(path)
    if lait.is_bds(cols):
        return lait.import_bds(con, path)
    if lait.is_dictionary(cols):
        return lait.import_dictionary(con, path)
    if _is_population(cols):
        from cscperf.reference.population import load_csv

        try:
            got = load_csv(con, path, transaction=False)
        except ValueError as exc:
            raise BenchImportError(str(path), str(exc).removeprefix(f"{path}: ")) from None
        return FileCounts(
            str(path),
            "ONS population (to population)",
            got.rows_read,
            got.rows_loaded,
            got.rows_suppressed,
            got.rows_loaded,
            got.rows_suppressed,
            note="LA rows into the population table, as `cscperf population` loads them; "
            "suppressed estimates are counted, not loaded",
        )
    if ees.is_ees(cols):
        return ees.import_ees(con, path)
    if neighbours.sniff(path) == "sn":
        return neighbours.import_sn(con, path)
    raise BenchImportError(
        str(path),
        "not a recognised published format (EES open data, LAIT bds_long or data dictionary, "
        "statistical neighbours, LA code list, ONS population)",
        1,
    )


def import_paths(con: duckdb.DuckDBPyConnection, paths: Sequence[str | Path]) -> ImportReport:
    """Import every file under ``paths`` as one transaction (all or nothing)."""
    files, skipped = discover(paths)
    if not files:
        raise BenchImportError(", ".join(map(str, paths)), "no .csv, .parquet or .xlsx file found")
    create_tables(con)
    report = ImportReport(skipped=skipped)
    con.execute("BEGIN TRANSACTION")
    try:
        for path in files:
            try:
                counts = import_file(con, path)
            except duckdb.Error as exc:  # e.g. a Parquet file whose pages are corrupt
                raise BenchImportError(str(path), str(exc).splitlines()[0]) from None
            con.execute("DELETE FROM bench_files WHERE source_file = ?", [path.name])
            con.execute(
                "INSERT INTO bench_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)",
                [
                    path.name,
                    str(path),
                    counts.kind,
                    counts.rows_read,
                    counts.rows_loaded,
                    counts.rows_refused,
                    counts.values_loaded,
                    counts.values_suppressed,
                    counts.note,
                ],
            )
            report.files.append(counts)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return report
