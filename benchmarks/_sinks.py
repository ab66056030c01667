"""A reader sink for benchmarks: counts the staged rows and drops them, so a reader's
own time is measured without staging or validation."""

from __future__ import annotations


class NullSink:
    def __init__(self) -> None:
        self.rows = 0

    def append(self, table: str, batch: object) -> None:
        self.rows += batch.num_rows  # type: ignore[attr-defined]

    def append_sql(self, table: str, select_sql: str, first_line: int) -> None:
        raise NotImplementedError
