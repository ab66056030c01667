"""The contract between a file reader and the ingest pipeline.

A reader never validates or writes canonical tables. It turns one file into
*staged* rows — raw text in canonical column names plus the row's line — and
hands them to a :class:`Sink`. Validation, quarantine and merging happen once,
set-based, in :mod:`cscperf.ingest`, so every format gets identical checks.
A reader raises :class:`FileRefused` when the file as a whole cannot be read
(wrong format, truncated, hostile); that aborts the whole batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyarrow as pa


class FileRefused(Exception):
    """The file as a whole cannot be ingested; the message is shown to the user."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass
class FileInfo:
    """What a reader learned about a file besides its rows."""

    format: str  # "ssda903-csv", "ssda903-xml", "cin-xml", "annex-a", "local-csv"
    return_year: int | None = None  # None: let the pipeline infer it (903 CSV)
    la_code: str | None = None  # LA code found inside the file, if any
    notes: list[str] = field(default_factory=list)


class Sink(Protocol):
    """Where a reader puts staged rows.

    ``append`` takes an Arrow table whose columns are canonical column names of
    ``table`` (any subset, all ``pa.string()``; ``None`` = blank) plus an int64
    ``source_line`` column. ``append_sql`` takes a DuckDB SELECT of the same
    columns *without* ``source_line``, yielding the file's rows in file order,
    the k-th (from 0) on line ``first_line + k``: the sink numbers them. It lets
    DuckDB parse a CSV in parallel; a row number computed inside the SELECT
    (``WITH ORDINALITY``) would make the scan single-threaded.
    """

    def append(self, table: str, batch: pa.Table) -> None: ...

    def append_sql(self, table: str, select_sql: str, first_line: int) -> None: ...


class Reader(Protocol):
    """A format reader: ``sniff`` is cheap; ``read`` streams the file into ``sink``."""

    format: str

    def sniff(self, path: Path, head: bytes) -> bool: ...

    def read(self, path: Path, sink: Sink) -> FileInfo: ...


#: Refuse files larger than this (bytes) unless the caller raises the limit.
MAX_FILE_BYTES = 8 * 1024**3
