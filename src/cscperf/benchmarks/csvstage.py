"""A published CSV staged into a TEMP table by DuckDB's reader, every column text.

The header is read here (so a BOM, duplicate names or an empty file are handled
the same way every time); DuckDB then reads the rows strictly, and its errors
(a short or long row, an unterminated quote, bad UTF-8) become one line naming
the file, line and column.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb

from cscperf.benchmarks.errors import BenchImportError


def read_header(path: Path) -> list[str]:
    """The header row's names, stripped; a refused file names line 1."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            row = next(csv.reader(f), None)
    except UnicodeDecodeError:
        raise BenchImportError(str(path), "not UTF-8 text", line=1) from None
    except (OSError, csv.Error) as exc:
        raise BenchImportError(str(path), f"cannot read the header ({exc})", line=1) from None
    if not row or not any(c.strip() for c in row):
        raise BenchImportError(str(path), "empty file (no header row)", line=1)
    return [c.strip() for c in row]


def unique_names(header: list[str]) -> list[str]:
    """Column names usable in SQL: blanks named ``column<n>``, repeats suffixed ``_<n>``."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(header, start=1):
        base = name or f"column{i}"
        n = seen.get(base.lower(), 0)
        seen[base.lower()] = n + 1
        out.append(base if n == 0 else f"{base}_{n}")
    return out


_LINE = re.compile(r"CSV Error on Line: (\d+)")
_COUNT = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def stage_csv(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> list[str]:
    """Stage ``path`` as TEMP TABLE ``table`` (text columns + ``line``); returns the names."""
    names = unique_names(read_header(path))
    columns = "{" + ", ".join(f"'{_q(n)}': 'VARCHAR'" for n in names) + "}"
    try:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT *, CAST(row_number() OVER () + 1 AS BIGINT) AS line
            FROM read_csv(?, columns = {columns}, header = true, auto_detect = false,
                          delim = ',', quote = '"', escape = '"', strict_mode = true,
                          encoding = 'utf-8')""",
            [str(path)],
        )
    except duckdb.Error as exc:
        raise _csv_error(path, names, str(exc)) from None
    return names


def _csv_error(path: Path, names: list[str], msg: str) -> BenchImportError:
    m = _LINE.search(msg)
    line = int(m.group(1)) if m else None
    count = _COUNT.search(msg)
    if count:
        want, got = int(count.group(1)), int(count.group(2))
        if got < want:
            return BenchImportError(
                str(path),
                f"{got} of {want} fields: the row is cut short (truncated file?)",
                line=line,
                column=names[got],
            )
        return BenchImportError(
            str(path),
            f"{got} fields where the header has {want}",
            line=line,
            column=f"{got} (beyond {names[-1]})",
        )
    if "unterminated quote" in msg.lower():
        return BenchImportError(
            str(path), "a quoted value is never closed (truncated file?)", line=line
        )
    if "unicode" in msg.lower() or "utf-8" in msg.lower():
        return BenchImportError(str(path), "not UTF-8 text", line=line)
    return BenchImportError(str(path), msg.splitlines()[0], line=line)


def _q(name: str) -> str:
    return name.replace("'", "''")


def ident(name: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'
