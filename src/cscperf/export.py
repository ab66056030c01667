"""Writing a result set to a file the user named: CSV, JSON, Parquet or an Excel workbook.

Files are written by Python (pyarrow, XlsxWriter), never by SQL ``COPY``, so a
path is never pasted into SQL and the `query` connection needs no file access.
Each file is written beside its target and renamed into place, so a failure
never leaves half a file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import os
from collections.abc import Sequence
from pathlib import Path

from cscperf.output import render

#: file extension -> format
EXTENSIONS = {".csv": "csv", ".json": "json", ".parquet": "parquet", ".xlsx": "xlsx"}


class ExportError(Exception):
    """The result cannot be written where asked; worded for the user."""


def format_for(path: Path) -> str:
    """The export format a file name asks for (by extension)."""
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise ExportError(
            f"{path}: unknown export type {path.suffix or '(no extension)'!r}; "
            "use .csv, .json, .parquet or .xlsx"
        )
    return fmt


def write(
    path: Path, cols: Sequence[str], rows: Sequence[Sequence[object]], fmt: str | None = None
) -> None:
    """Write ``rows`` (with header ``cols``) to ``path`` as ``fmt`` (default: by extension)."""
    fmt = fmt or format_for(path)
    if path.is_dir():
        raise ExportError(f"{path}: is a folder")
    part = path.with_name(f".{path.name}.part")
    try:
        if fmt in ("csv", "json"):
            part.write_text(render(cols, rows, fmt) + "\n", encoding="utf-8")
        elif fmt == "parquet":
            _parquet(part, cols, rows)
        elif fmt == "xlsx":
            _xlsx(part, cols, rows)
        else:
            raise ExportError(f"{path}: cannot write format {fmt!r}")
        os.replace(part, path)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)


def _parquet(path: Path, cols: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = {c: [_plain(r[i]) for r in rows] for i, c in enumerate(cols)}
    try:
        table = pa.table(data)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types in a column: write text
        table = pa.table({c: [None if v is None else str(v) for v in vs] for c, vs in data.items()})
    pq.write_table(table, str(path))


def _xlsx(path: Path, cols: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        sheet = book.add_worksheet("results")
        bold = book.add_format({"bold": True})
        date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
        for j, c in enumerate(cols):
            sheet.write_string(0, j, str(c), bold)
        for i, r in enumerate(rows, start=1):
            for j, v in enumerate(r):
                v = _plain(v)
                if v is None:
                    continue
                if isinstance(v, bool):
                    sheet.write_boolean(i, j, v)
                elif isinstance(v, (int, float)):
                    sheet.write_number(i, j, v)
                elif isinstance(v, (dt.date, dt.datetime)):
                    sheet.write_datetime(i, j, v, date_fmt)
                else:  # as text: write_string never makes a formula of it
                    sheet.write_string(i, j, str(v))
    finally:
        book.close()


def _plain(v: object) -> object:
    return float(v) if isinstance(v, decimal.Decimal) else v
