"""Reader for the SSDA903 CSV extracts (one CSV per 903 table).

LAs keep the 903 as the CSVs their case system exports, named however the
analyst saved them, so the table is recognised by its *columns*. DuckDB parses
the file (it is the throughput limit anyway) straight into the sink, which
numbers the rows from line 2; :func:`~cscperf.io.sniff_csv.scan_layout`
first proves that row n is physical line n + 1, otherwise an exact (slower)
Python path stages the rows. Files that are not UTF-8 are refused, naming the
line and byte: guessing Windows-1252 would silently mangle names and
postcodes, and a 903 extract is normally ASCII, so a stray byte means the file
was re-saved by hand and the analyst should look at it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa

from cscperf.io.base import MAX_FILE_BYTES, FileInfo, FileRefused, Sink
from cscperf.io.sniff_csv import (
    MAX_HEADER_BYTES,
    exact_rows,
    first_bad_utf8,
    head_line,
    parse_header,
    read_header,
    scan_layout,
)
from cscperf.store.schema import SSDA903

FORMAT = "ssda903-csv"
BATCH_ROWS = 50_000

#: 903 field name -> canonical column name, where it is not just lower-cased
ALIASES = {"CHILD": "child_id", "CHILDID": "child_id", "PL": "place"}
#: columns some extract tools add; never staged, only reported
EXTRAS = {"LA": "la", "LA_CODE": "la", "YEAR": "year"}

#: columns that must all be present for a file to be taken as that table
SIGNATURES: dict[str, frozenset[str]] = {
    "children": frozenset({"child_id", "sex", "dob", "ethnic"}),
    "cla_episodes": frozenset({"child_id", "decom", "rne", "ls"}),
    "cla_reviews": frozenset({"child_id", "review"}),
    "uasc": frozenset({"child_id", "duc"}),
    "missing": frozenset({"child_id", "missing", "mis_start"}),
    "oc2": frozenset({"child_id", "sdq_score"}),
    "oc3": frozenset({"child_id", "in_touch"}),
    "ad1": frozenset({"child_id", "date_int", "date_match"}),
    "placed_for_adoption": frozenset({"child_id", "date_placed"}),
    "previous_permanence": frozenset({"child_id", "prev_perm"}),
    "sw_episodes": frozenset({"child_id", "sw_id", "sw_decom"}),
    "dolo": frozenset({"child_id", "dolo_start"}),
}
COLUMNS: dict[str, frozenset[str]] = {t.name: frozenset(t.column_names) for t in SSDA903}
_ALL_903 = frozenset().union(*COLUMNS.values())
_GENERIC = frozenset({"child_id", "dob", "sex"})


def canonical(name: str) -> str:
    """Canonical column for a normalised 903 header name."""
    return ALIASES.get(name, name.lower())


def identify(names: list[str]) -> str:
    """The 903 table a header belongs to; ValueError says why not.

    >>> identify(["CHILD", "SEX", "DOB", "DUC"])
    'uasc'
    """
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"repeated column(s) {', '.join(dup)}")
    cols = {canonical(n) for n in names if n not in EXTRAS}
    found = [t for t, sig in SIGNATURES.items() if sig <= cols and cols <= COLUMNS[t]]
    if len(found) == 1:
        return found[0]
    shown = ", ".join(names)
    if found:
        raise ValueError(f"columns {shown} fit several 903 tables ({', '.join(found)})")
    best = max(SIGNATURES, key=lambda t: len(cols & COLUMNS[t]) - len(cols - COLUMNS[t]))
    unexpected = sorted(cols - COLUMNS[best])
    missing = sorted(SIGNATURES[best] - cols)
    why = [f"unexpected {', '.join(c.upper() for c in unexpected)}"] if unexpected else []
    why += [f"missing {', '.join(c.upper() for c in missing)}"] if missing else []
    raise ValueError(
        f"not a recognised SSDA903 table: columns {shown} (closest is {best}: {'; '.join(why)})"
    )


def looks_like_903(names: list[str]) -> bool:
    """A CHILD column and two more 903 field names: refuse loudly rather than pass on."""
    cols = {canonical(n) for n in names}
    return "child_id" in cols and "CHILD_ID" not in names and len((cols & _ALL_903) - _GENERIC) >= 2


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


class Ssda903CsvReader:
    """Stages one 903 CSV into the canonical table its header names."""

    format = FORMAT

    def sniff(self, path: Path, head: bytes) -> bool:
        line = head_line(head)
        try:
            names = read_header(path) if line is None else parse_header(line)
        except (UnicodeDecodeError, FileRefused):
            return False
        if not names:
            return False
        try:
            identify(names)
        except ValueError as e:
            if looks_like_903(names):
                raise FileRefused(path, str(e)) from None
            return False
        return True

    def read(self, path: Path, sink: Sink) -> FileInfo:
        info = FileInfo(FORMAT)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise FileRefused(path, f"is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit")
        names = read_header(path)
        if not names:
            with path.open("rb") as f:
                if f.read(MAX_HEADER_BYTES).strip(b"\xef\xbb\xbf \t\r\n"):
                    raise FileRefused(path, "line 1 is blank where the SSDA903 header should be")
            info.notes.append("empty file: no rows")
            return info
        try:
            table = identify(names)
        except ValueError as e:
            raise FileRefused(path, str(e)) from None
        layout = scan_layout(path)
        if layout.lines_are_rows:
            note = self._stage_duckdb(path, names, table, sink)
            info.notes.extend([note] if note else [])
        else:
            info.notes.append(f"read line by line ({layout.reason})")
            self._stage_exact(path, names, table, sink)
        if any(n in EXTRAS for n in names):
            self._report_extras(path, names, info)
        return info

    # -- fast path -------------------------------------------------------------

    def _scan_sql(self, path: Path, n: int) -> str:
        cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n))
        return (
            f"read_csv({_sql_str(str(path))}, auto_detect=false, header=true, delim=',', "
            f"quote='\"', escape='\"', strict_mode=true, null_padding=false, "
            f"encoding='utf-8', columns={{{cols}}})"
        )

    def _stage_duckdb(self, path: Path, names: list[str], table: str, sink: Sink) -> str | None:
        """Stage via DuckDB; on a parse error refuse exactly, or fall back to the exact path.

        Returns a note when the fallback was used (e.g. mixed line endings,
        which DuckDB's strict scanner rejects but are harmless).
        """
        proj = [f"c{i} AS {canonical(n)}" for i, n in enumerate(names) if n not in EXTRAS]
        sql = f"SELECT {', '.join(proj)} FROM {self._scan_sql(path, len(names))}"
        try:
            sink.append_sql(table, sql, first_line=2)
        except duckdb.Error as e:
            refused = _diagnose(path, len(names))
            if refused:
                raise refused from None
            self._stage_exact(path, names, table, sink)
            return f"read line by line (DuckDB: {_first_line(str(e))})"
        return None

    # -- exact path ------------------------------------------------------------

    def _stage_exact(self, path: Path, names: list[str], table: str, sink: Sink) -> None:
        bad = first_bad_utf8(path)
        if bad:
            raise _not_utf8(path, *bad)
        keep = [(i, canonical(n)) for i, n in enumerate(names) if n not in EXTRAS]
        for batch in _batches(exact_rows(path, len(names)), keep):
            sink.append(table, batch)

    # -- LA / YEAR columns -----------------------------------------------------

    def _report_extras(self, path: Path, names: list[str], info: FileInfo) -> None:
        for kind in ("year", "la"):
            idx = [i for i, n in enumerate(names) if EXTRAS.get(n) == kind]
            if not idx:
                continue
            values = _distinct(path, len(names), idx[0])
            label = names[idx[0]]
            if len(values) == 1 and kind == "year" and re.fullmatch(r"20\d\d", values[0]):
                info.return_year = int(values[0])
            elif len(values) == 1 and kind == "la":
                info.la_code = values[0]
            elif values:
                shown = ", ".join(values[:5])
                info.notes.append(f"{label} column not used: values {shown} are not one {kind}")


def _distinct(path: Path, n: int, col: int) -> list[str]:
    reader = Ssda903CsvReader()
    sql = (
        f"SELECT DISTINCT trim(c{col}) AS v FROM {reader._scan_sql(path, n)} "
        f"WHERE trim(c{col}) <> '' ORDER BY v LIMIT 6"
    )
    from cscperf.store.db import NO_NETWORK

    with duckdb.connect(config=NO_NETWORK) as con:
        try:
            return [str(r[0]) for r in con.execute(sql).fetchall()]
        except duckdb.Error:
            return []


def _batches(
    rows: Iterable[tuple[int, list[str]]], keep: list[tuple[int, str]]
) -> Iterable[pa.Table]:
    cols: dict[str, list[str | None]] = {name: [] for _, name in keep}
    lines: list[int] = []
    for line, fields in rows:
        for i, name in keep:
            v = fields[i]
            cols[name].append(v if v != "" else None)
        lines.append(line)
        if len(lines) >= BATCH_ROWS:
            yield _table(cols, lines)
            cols = {name: [] for _, name in keep}
            lines = []
    if lines:
        yield _table(cols, lines)


def _table(cols: dict[str, list[str | None]], lines: list[int]) -> pa.Table:
    arrays = {k: pa.array(v, pa.string()) for k, v in cols.items()}
    arrays["source_line"] = pa.array(lines, pa.int64())
    return pa.table(arrays)


def _diagnose(path: Path, ncols: int) -> FileRefused | None:
    """The exact reason (bad UTF-8, ragged or malformed line) a file cannot be read."""
    bad = first_bad_utf8(path)
    if bad:
        return _not_utf8(path, *bad)
    try:
        for _ in exact_rows(path, ncols):
            pass
    except FileRefused as refused:
        return refused
    return None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _not_utf8(path: Path, line: int, offset: int, byte: int) -> FileRefused:
    return FileRefused(
        path,
        f"line {line}: not UTF-8 (byte 0x{byte:02X} at byte offset {offset}); "
        "the file looks like Windows-1252/Latin-1 - re-save it as 'CSV UTF-8'",
    )


READER = Ssda903CsvReader()
