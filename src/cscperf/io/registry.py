"""Which reader takes a file: each reader sniffs the first bytes, in a fixed order."""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path

from cscperf.io.base import FileRefused, Reader

#: (module, attribute) of every reader, most specific first.
READERS: tuple[tuple[str, str], ...] = (
    ("cscperf.io.cin_xml", "READER"),
    ("cscperf.io.ssda903_xml", "READER"),
    ("cscperf.io.ssda903_csv", "READER"),
    ("cscperf.io.local_csv", "READER"),
    ("cscperf.io.annex_a", "READER"),
)

HEAD_BYTES = 64 * 1024


@cache
def readers() -> tuple[Reader, ...]:
    out = []
    for module, attr in READERS:
        out.append(getattr(importlib.import_module(module), attr))
    return tuple(out)


def reader_for(path: Path) -> Reader | None:
    """The reader that recognises ``path``, or None when no reader does."""
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise FileRefused(path, f"cannot read file: {exc.strerror or exc}") from exc
    for reader in readers():
        if reader.sniff(path, head):
            return reader
    return None
