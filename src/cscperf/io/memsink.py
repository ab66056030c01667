"""An in-memory :class:`~cscperf.io.base.Sink` for tests and tools.

It keeps staged rows per table as one DuckDB table each (all VARCHAR), so a
reader can be exercised without the store or the validation pipeline.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb
import pyarrow as pa


class MemorySink:
    def __init__(self) -> None:
        self.con = duckdb.connect(":memory:")
        self.tables: dict[str, list[pa.Table]] = defaultdict(list)

    def append(self, table: str, batch: pa.Table) -> None:
        self.tables[table].append(batch)

    def append_sql(self, table: str, select_sql: str, first_line: int) -> None:
        # rowid follows insertion order, which CREATE TABLE AS keeps for a scan
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE _rows AS {select_sql}")
        rel = self.con.sql(
            f"SELECT *, CAST(rowid + {int(first_line)} AS BIGINT) AS source_line FROM _rows "
            "ORDER BY rowid"
        )
        self.tables[table].append(rel.arrow().read_all())

    def rows(self, table: str) -> list[dict[str, object]]:
        """All staged rows of ``table`` as dicts (blank columns omitted as None)."""
        out: list[dict[str, object]] = []
        for batch in self.tables.get(table, []):
            out.extend(batch.to_pylist())
        return out

    def count(self, table: str) -> int:
        return sum(b.num_rows for b in self.tables.get(table, []))
