"""Reader for the local CSV templates (workforce, fostering, audits, IHAs, RHIs).

Some indicators need data no statutory return carries, so LAs fill one CSV per
local table from the header-only templates shipped in ``io/templates``. The
header *is* the contract: exactly the canonical column names (any case, BOM
tolerated, any order) plus an optional ``la_code``; any other column refuses the
file, so a typo never silently drops data. Values are staged as written —
validation does the typing — except that code columns accept any case and
spaces for underscores ("Requires improvement" -> "requires_improvement").
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pyarrow as pa

from cscperf.io.base import FileInfo, FileRefused, Sink
from cscperf.store.schema import LOCAL, Table
from cscperf.validate.codes_local import LISTS

TEMPLATES = Path(__file__).parent / "templates"
LOCAL_TABLES: dict[str, Table] = {t.name: t for t in LOCAL}
BATCH_ROWS = 10_000


def template_path(table: str) -> Path:
    """The header-only template CSV of a local table."""
    if table not in LOCAL_TABLES:
        known = ", ".join(LOCAL_TABLES)
        raise KeyError(f"{table!r} is not a local template table (one of: {known})")
    return TEMPLATES / f"{table}.csv"


def list_templates() -> dict[str, Path]:
    """Every local table and its template, in schema order."""
    return {name: template_path(name) for name in LOCAL_TABLES}


def copy_templates(dest: Path, force: bool = False) -> list[Path]:
    """Copy the templates into ``dest`` (created if needed) for an analyst to fill in.

    A file there that differs from its template (filled in) is not overwritten
    unless ``force``: :class:`FileExistsError` names them and nothing is copied.
    """
    sources = list(list_templates().values())
    if not force:
        changed = [
            dest / s.name
            for s in sources
            if (dest / s.name).exists() and (dest / s.name).read_bytes() != s.read_bytes()
        ]
        if changed:
            raise FileExistsError(
                f"{', '.join(map(str, changed))}: already there and filled in; "
                "not overwritten (use --force to replace)"
            )
    dest.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copyfile(src, dest / src.name)) for src in sources]


def match_header(names: list[str]) -> Table | None:
    """The local table whose template these header names are, if exactly one.

    >>> match_header(["POST_ID", "snapshot_date", "status", "fte"]).name
    'sw_workforce'
    >>> match_header(["post_id", "snapshot_date", "status"]) is None  # fte is required
    True
    """
    cols = {n.strip().lower() for n in names} - {""}
    found = [
        t
        for t in LOCAL
        if cols <= {*t.column_names, "la_code"}
        and {c.name for c in t.columns if c.required} <= cols
    ]
    return found[0] if len(found) == 1 else None


class LocalCsvReader:
    """Stages one local template CSV into its canonical table."""

    format = "local-csv"

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.decode("utf-8-sig", errors="replace").lstrip("\ufeff")
        first = text.splitlines()[0] if text else ""
        try:
            names = next(csv.reader([first]))
        except (csv.Error, StopIteration):
            return False
        return match_header(names) is not None

    def read(self, path: Path, sink: Sink) -> FileInfo:
        info = FileInfo(self.format)
        encoding = _encoding(path)
        if encoding != "utf-8-sig":
            info.notes.append(f"{path.name}: not UTF-8, read as Windows-1252 (Excel 'CSV')")
        try:
            with path.open(encoding=encoding, newline="") as fh:
                self._read(path, fh, sink, info)
        except OSError as exc:
            raise FileRefused(path, f"cannot read file: {exc.strerror or exc}") from None
        return info

    def _read(self, path: Path, fh: io.TextIOBase, sink: Sink, info: FileInfo) -> None:
        records = _records(path, fh)
        try:
            _, header = next(records)
        except StopIteration:
            raise FileRefused(path, "empty file (no header row)") from None
        names = [h.strip().lower() for h in header]
        table = _table_for(path, names)
        codes = {
            c.name: _code_map(cast(set[str], LISTS[c.codes]))
            for c in table.columns
            if c.codes in LISTS
        }
        dates = [i for i, n in enumerate(names) if n in _date_cols(table)]
        la_at = names.index("la_code") if "la_code" in names else None
        cols = [(i, n) for i, n in enumerate(names) if n and n != "la_code"]
        unnamed = [i for i, n in enumerate(names) if not n]
        buf: dict[str, list[str | None]] = {n: [] for _, n in cols}
        lines: list[int] = []
        las: set[str] = set()
        latest: dt.date | None = None
        today = dt.date.today()
        for line, row in records:
            if not any(v.strip() for v in row):
                continue
            if len(row) > len(names) and any(v.strip() for v in row[len(names) :]):
                raise FileRefused(
                    path, f"line {line}: {len(row)} values but the header has {len(names)} columns"
                )
            if any(row[i].strip() for i in unnamed if i < len(row)):
                raise FileRefused(path, f"line {line}: a value under a column with no name")
            row = row + [""] * (len(names) - len(row))
            for i, name in cols:
                v = row[i] if row[i].strip() else None
                buf[name].append(codes[name].get(_code_key(v), v) if v and name in codes else v)
            for i in dates:
                d = _as_date(row[i].strip())
                if d is not None and d <= today and (latest is None or d > latest):
                    latest = d
            if la_at is not None and row[la_at].strip():
                las.add(row[la_at].strip())
            lines.append(line)
            if len(lines) >= BATCH_ROWS:
                _flush(sink, table.name, buf, lines)
        _flush(sink, table.name, buf, lines)
        if len(las) > 1:
            raise FileRefused(
                path,
                f"la_code column holds several LAs ({', '.join(sorted(las))}); "
                "give one file per LA",
            )
        info.la_code = las.pop() if las else None
        if latest is not None:
            info.return_year = latest.year + (1 if (latest.month, latest.day) > (3, 31) else 0)
        info.notes.append(f"{path.name} -> {table.name}")


def _table_for(path: Path, names: list[str]) -> Table:
    """The table of a header, or a refusal naming what is wrong with it."""
    table = match_header(names)
    if table is not None:
        if len(set(names) - {""}) != len([n for n in names if n]):
            dup = sorted({n for n in names if n and names.count(n) > 1})
            raise FileRefused(path, f"column {dup[0]!r} appears twice in the header")
        return table
    # Say which template it nearly is: the one sharing most columns.
    best = max(LOCAL, key=lambda t: len(set(names) & set(t.column_names)))
    unknown = [n for n in names if n and n not in {*best.column_names, "la_code"}]
    if unknown:
        return _refuse(path, f"unknown column {unknown[0]!r} for the {best.name} template")
    missing = [c.name for c in best.columns if c.required and c.name not in names]
    return _refuse(path, f"no {missing[0]!r} column (required by the {best.name} template)")


def _refuse(path: Path, reason: str) -> Table:
    raise FileRefused(path, reason)


def _records(path: Path, fh: io.TextIOBase) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields) for every CSV record.

    Strict mode: an unbalanced quote refuses the file instead of silently
    swallowing every following line into one field.
    """
    reader = csv.reader(fh, strict=True)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileRefused(path, f"line {start}: not a readable CSV ({exc})") from None
        if row and start == 1:
            row[0] = row[0].lstrip("\ufeff")
        yield start, row
        start = reader.line_num + 1


def _encoding(path: Path) -> str:
    """UTF-8 (BOM optional) when the bytes decode as such, else Windows-1252.

    NUL bytes mean UTF-16 ("Unicode text") or a binary file: refused, not guessed.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoding = "utf-8-sig"
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1024**2):
                if b"\0" in chunk:
                    raise FileRefused(
                        path, "contains NUL bytes (UTF-16 or binary?): save it as 'CSV UTF-8'"
                    )
                if encoding == "utf-8-sig":
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        encoding = "cp1252"
            if encoding == "utf-8-sig":
                decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    except OSError as exc:
        raise FileRefused(path, f"cannot read file: {exc.strerror or exc}") from None
    return encoding


def _date_cols(table: Table) -> set[str]:
    return {c.name for c in table.columns if c.kind == "date"}


def _code_key(value: str | None) -> str:
    return (value or "").strip().lower().replace(" ", "_").replace("-", "_")


def _code_map(codes: set[str]) -> dict[str, str]:
    return {_code_key(c): c for c in codes}


def _as_date(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _flush(sink: Sink, table: str, buf: dict[str, list[str | None]], lines: list[int]) -> None:
    if not lines:
        return
    arrays = {name: pa.array(vals, pa.string()) for name, vals in buf.items()}
    arrays["source_line"] = pa.array(lines, pa.int64())
    sink.append(table, pa.table(arrays))
    for vals in buf.values():
        vals.clear()
    lines.clear()


READER = LocalCsvReader()
