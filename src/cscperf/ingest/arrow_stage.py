"""Arrow batches staged on disk, one Arrow IPC file per canonical table.

Readers that build rows in Python (CIN XML, 903 XML, Annex A, local CSVs) hand
the sink Arrow batches. Appending each batch to a DuckDB TEMP table cost a
statement per batch and a second copy of every row; writing it to an Arrow IPC
file costs a buffer copy, keeps memory flat whatever the input size, and the
file is memory-mapped back (no copy) when the table is validated.

The files live in an owner-only folder beside the store (mode 0700, see
:mod:`cscperf.ingest.stage_dir`) removed when the batch ends, whatever the
outcome; a crashed run's folder is removed by the next batch.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from cscperf.ingest.stage_dir import make_stage_dir, remove_leftovers, store_path
from cscperf.store.schema import TABLES


def _schema(table: str) -> pa.Schema:
    return pa.schema(
        [(f"r_{c}", pa.string()) for c in TABLES[table].column_names]
        + [("source_line", pa.int64()), ("file_no", pa.int32()), ("_seq", pa.int64())]
    )


class ArrowStage:
    """Per-table IPC writers for one batch; ``view`` maps a table's file into DuckDB."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._dir: Path | None = None
        self._writers: dict[str, ipc.RecordBatchFileWriter] = {}
        self._views: dict[str, str] = {}
        store = store_path(con)
        if store is not None:
            remove_leftovers(store)

    @property
    def tables(self) -> set[str]:
        return set(self._writers)

    def write(self, table: str, batch: pa.Table, file_no: int, seq_start: int) -> None:
        """Stage ``batch`` (canonical column names, strings, plus ``source_line``)."""
        if table in self._views:
            raise RuntimeError(f"{table}: rows staged after the table was read")
        schema = _schema(table)
        n = batch.num_rows
        given = set(batch.column_names)
        arrays = [
            _as_string(batch[c]) if c in given else pa.nulls(n, pa.string())
            for c in TABLES[table].column_names
        ]
        arrays += [
            batch["source_line"].cast(pa.int64()),
            pa.repeat(pa.scalar(file_no, pa.int32()), n),
            pa.array(range(seq_start, seq_start + n), pa.int64()),
        ]
        out = pa.Table.from_arrays(arrays, schema=schema)
        writer = self._writers.get(table)
        if writer is None:
            if self._dir is None:
                self._dir = make_stage_dir(self.con)
            writer = ipc.new_file(str(self._dir / f"{table}.arrow"), schema)
            self._writers[table] = writer
        writer.write_table(out)

    def view(self, table: str) -> str | None:
        """A DuckDB view name over everything staged for ``table`` (None if nothing)."""
        if table not in self._writers:
            return None
        name = self._views.get(table)
        if name is None:
            self._writers[table].close()
            assert self._dir is not None
            data = ipc.open_file(pa.memory_map(str(self._dir / f"{table}.arrow"))).read_all()
            name = f"_stg_{table}"
            self.con.register(name, data)
            self._views[table] = name
        return name

    def close(self) -> None:
        """Unregister the views, close the writers and delete the files."""
        for name in self._views.values():
            self.con.unregister(name)
        for table, writer in self._writers.items():
            if table not in self._views:
                writer.close()
        self._views.clear()
        self._writers.clear()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


def _as_string(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    return col if col.type == pa.string() else pc.cast(col, pa.string())
