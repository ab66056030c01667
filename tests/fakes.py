"""A tiny pipe-separated test format so pipeline behaviour is tested apart from real readers.

A file ``*.fake`` holds ``table|return_year`` on line 1, column names on line 2 and
then rows; a file containing ``REFUSE`` is refused as a whole.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from cscperf.io.base import FileInfo, FileRefused, Sink


class FakeReader:
    format = "fake"

    def sniff(self, path: Path, head: bytes) -> bool:
        return path.suffix == ".fake"

    def read(self, path: Path, sink: Sink) -> FileInfo:
        lines = path.read_text().splitlines()
        if any("REFUSE" in line for line in lines):
            raise FileRefused(path, "refused on purpose")
        table, year = lines[0].split("|")
        cols = lines[1].split("|")
        data: dict[str, list[object]] = {c: [] for c in cols}
        data["source_line"] = []
        for no, line in enumerate(lines[2:], start=3):
            for c, v in zip(cols, line.split("|"), strict=True):
                data[c].append(v or None)
            data["source_line"].append(no)
        arrays = {
            c: pa.array(v, pa.int64() if c == "source_line" else pa.string())
            for c, v in data.items()
        }
        sink.append(table, pa.table(arrays))
        return FileInfo("fake", return_year=int(year) if year else None)


def write(path: Path, table: str, year: int | str, header: str, *rows: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([f"{table}|{year}", header, *rows]) + "\n")
    return path
