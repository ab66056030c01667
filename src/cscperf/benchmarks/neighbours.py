"""Statistical neighbour models and the DfE LA code list.

SN models come as a CSV (``New_Statistical_Neighbour_Groupings_April_2021.csv``,
``sn_model_2025_wide.csv``) or a LAIT workbook (``sn_april_2021.xlsx``,
``sn_may_2025.xlsx``): one row per LA, then ``SN1``/``SN_1`` .. ``SN10`` with a
closeness column after each. Workbooks have junk rows above the header, so the
header is the first row naming an LA-number column and ``SN1``. The model's year
is the 20xx in the file name. The code list (``la_code_list.xlsx``) gives each
LA's DfE number, name, region and type. These files have ~160 rows, so they are
read in Python; the values go to the store in one INSERT each.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from cscperf.benchmarks.counts import FileCounts
from cscperf.benchmarks.errors import BenchImportError

_SN = re.compile(r"^sn_?(\d+)$", re.IGNORECASE)
_YEAR = re.compile(r"(20\d\d)")
LA_CODE_HEADERS = ("la num", "old_la_code", "la number", "la_code")

Rows = list[tuple[int, list[str]]]


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_rows(path: Path) -> Rows:
    """(line or Excel row, text cells) of a CSV or the first sheet of a workbook."""
    if path.suffix.lower() == ".csv":
        try:
            with path.open(encoding="utf-8-sig", newline="") as f:
                return [(i, [c.strip() for c in r]) for i, r in enumerate(csv.reader(f), start=1)]
        except (UnicodeDecodeError, csv.Error) as exc:
            raise BenchImportError(str(path), f"unreadable CSV ({exc})") from None
    from cscperf.io.annex_a import check_zip
    from cscperf.io.base import FileRefused
    from cscperf.io.xlsx_rows import open_workbook

    try:
        check_zip(path)
        book = open_workbook(path)
        try:
            title = book.titles[0]
            return [(n, [_cell(v) for v in vals]) for n, vals in book.rows(title, title)]
        finally:
            book.close()
    except FileRefused as exc:
        raise BenchImportError(str(path), exc.reason) from None


def _header(rows: Rows, want: Sequence[str]) -> int:
    """Index in ``rows`` of the first row holding every name in ``want`` (lower case)."""
    for i, (_, cells) in enumerate(rows[:20]):
        low = {c.lower() for c in cells}
        if all(any(w == c or (w == "sn1" and _SN.match(c)) for c in low) for w in want):
            return i
    return -1


def sniff(path: Path) -> str | None:
    """'sn' or 'la_codes' when the file looks like one, else None."""
    try:
        rows = read_rows(path)
    except BenchImportError:
        return None
    for i in range(min(len(rows), 20)):
        low = {c.lower() for c in rows[i][1]}
        if low & set(LA_CODE_HEADERS) and any(_SN.match(c) for c in low):
            return "sn"
        if {"la number", "la name", "region"} <= low:
            return "la_codes"
    return None


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[Any, ...]]) -> None:
    """One INSERT of column lists (DuckDB's executemany costs ~1 ms a row)."""
    cols = [list(c) for c in zip(*rows, strict=True)]
    select = ", ".join(f"unnest(${i + 1})" for i in range(len(cols)))
    con.execute(f"INSERT INTO {table} SELECT {select}", cols)


def _code(path: Path, line: int, column: str, text: str, pattern: str = r"\d{3}") -> str:
    if not re.fullmatch(pattern, text):
        raise BenchImportError(str(path), f"{text!r} is not a 3-digit DfE LA code", line, column)
    return text


def import_sn(con: duckdb.DuckDBPyConnection, path: Path) -> FileCounts:
    """Replace ``path``'s rows in ``bench_sn``."""
    m = _YEAR.search(path.name)
    if not m:
        raise BenchImportError(str(path), "cannot tell the model's year (no 20xx in the file name)")
    model = int(m.group(1))
    rows = read_rows(path)
    h = next(
        (
            i
            for i, (_, cells) in enumerate(rows[:20])
            if {c.lower() for c in cells} & set(LA_CODE_HEADERS)
            and any(_SN.match(c) for c in cells)
        ),
        -1,
    )
    if h < 0:
        raise BenchImportError(
            str(path), "not a statistical neighbour table (no LA num / SN1 header)", 1
        )
    header = rows[h][1]
    low = [c.lower() for c in header]
    code_col = next(i for i, c in enumerate(low) if c in LA_CODE_HEADERS)
    name_col = next((i for i, c in enumerate(low) if c in ("la name", "la_name")), None)
    region_col = next(
        (i for i, c in enumerate(low) if c in ("goreg", "region_name", "region")), None
    )
    sn_cols = {int(mm.group(1)): i for i, c in enumerate(header) if (mm := _SN.match(c))}
    if sorted(sn_cols) != list(range(1, len(sn_cols) + 1)):
        raise BenchImportError(str(path), "SN columns are not SN1..SNn", rows[h][0])
    out: list[tuple[Any, ...]] = []
    seen: dict[str, tuple[int, list[str]]] = {}
    read = repeated = 0
    for line, cells in rows[h + 1 :]:
        if not any(cells):
            continue
        read += 1
        if not cells[code_col]:  # a section heading such as "Old SNs:"
            continue
        if len(cells) < len(header) - 1 or len(cells) <= max(sn_cols.values()):
            raise BenchImportError(
                str(path),
                f"{len(cells)} fields where the header has {len(header)} (truncated?)",
                line,
                header[min(len(cells), len(header) - 1)],
            )
        la = _code(path, line, header[code_col], cells[code_col])
        if la in seen:
            if seen[la][1] == cells:  # the same row twice (sn_may_2025.xlsx): kept once
                repeated += 1
                continue
            raise BenchImportError(
                str(path),
                f"duplicated row: LA {la} already on line {seen[la][0]}, with other neighbours",
                line,
                header[code_col],
            )
        seen[la] = (line, cells)
        for rank, col in sorted(sn_cols.items()):
            if cells[col] in ("-", ""):  # a new LA with no neighbours in this model
                continue
            nb = _code(path, line, header[col], cells[col])
            closeness = cells[col + 1].strip() if col + 1 < len(cells) else ""
            out.append(
                (
                    path.name,
                    model,
                    la,
                    cells[name_col] if name_col is not None else None,
                    cells[region_col] if region_col is not None else None,
                    rank,
                    nb,
                    closeness or None,
                )
            )
    if not out:
        raise BenchImportError(str(path), "no LA rows under the header", rows[h][0])
    con.execute("DELETE FROM bench_sn WHERE source_file = ?", [path.name])
    _insert(con, "bench_sn", out)
    note = f"{len(seen)} LAs, up to {len(sn_cols)} neighbours each"
    if repeated:
        note += f"; {repeated} identical repeated row(s) kept once"
    return FileCounts(str(path), f"SN model {model}", read, read, 0, len(out), 0, note=note)


def import_la_codes(con: duckdb.DuckDBPyConnection, path: Path) -> FileCounts:
    """Replace ``path``'s rows in ``bench_la_codes``."""
    rows = read_rows(path)
    h = next(
        (
            i
            for i, (_, cells) in enumerate(rows[:20])
            if {"la number", "la name", "region"} <= {c.lower() for c in cells}
        ),
        -1,
    )
    if h < 0:
        raise BenchImportError(
            str(path), "not an LA code list (no LA Number / LA Name / Region)", 1
        )
    header = [c.lower() for c in rows[h][1]]
    ci = {k: header.index(k) for k in ("la number", "la name", "region")}
    ti = header.index("type") if "type" in header else None
    out: list[tuple[Any, ...]] = []
    seen: dict[str, int] = {}
    for line, cells in rows[h + 1 :]:
        if not any(cells):
            continue
        if len(cells) <= max(ci.values()):
            raise BenchImportError(str(path), "row cut short (truncated?)", line, "Region")
        la = _code(path, line, "LA Number", cells[ci["la number"]], r"\d{3,4}")
        if la in seen:
            raise BenchImportError(
                str(path), f"duplicated row: LA {la} already on line {seen[la]}", line, "LA Number"
            )
        seen[la] = line
        region = cells[ci["region"]]
        la_type = cells[ti] if ti is not None and ti < len(cells) else ""
        out.append(
            (
                path.name,
                la,
                cells[ci["la name"]],
                None if region == "NA" else region,
                None if la_type in ("", "NA") else la_type,
            )
        )
    con.execute("DELETE FROM bench_la_codes WHERE source_file = ?", [path.name])
    if out:
        _insert(con, "bench_la_codes", out)
    return FileCounts(str(path), "LA code list", len(out), len(out), 0, len(out), 0)
