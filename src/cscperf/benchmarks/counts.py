"""What importing one file did, for the command's report and ``bench_files``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileCounts:
    """Rows read = rows loaded + rows refused; a suppressed value is loaded as a flagged null."""

    path: str
    kind: str
    rows_read: int
    rows_loaded: int
    rows_refused: int = 0
    values_loaded: int = 0
    values_suppressed: int = 0
    note: str = ""
