"""Inflating each zip member under its declared size, to catch a zip that lies.

A zip bomb can declare a tiny uncompressed size in its headers and still inflate to
gigabytes; readers that trust the deflate stream (calamine, openpyxl) then fill
memory before anything notices. Every member is inflated here once, in small
chunks, and refused the moment its output passes the size it declares (or its
CRC or length disagrees), so memory stays at a few MB and the time is bounded by
the declared sizes, which :func:`cscperf.io.annex_a.check_zip` has already capped.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from cscperf.io.base import FileRefused

READ_BYTES = 64 * 1024
OUT_BYTES = 1024 * 1024
_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_LOCAL_SIG = 0x04034B50


def check_inflated_sizes(path: Path, members: list[zipfile.ZipInfo]) -> None:
    """Refuse ``path`` if any member inflates past, or short of, its declared size."""
    with path.open("rb") as fh:
        for m in members:
            if m.flag_bits & 0x1:
                raise FileRefused(path, f"{m.filename} is encrypted; refused")
            if m.compress_type == zipfile.ZIP_STORED:
                if m.compress_size != m.file_size:
                    raise FileRefused(path, f"corrupt .xlsx zip ({m.filename}: sizes disagree)")
                continue
            if m.compress_type != zipfile.ZIP_DEFLATED:
                raise FileRefused(
                    path, f"{m.filename}: compression method {m.compress_type} not supported"
                )
            size, crc = _inflate(path, fh, m)
            if size > m.file_size:
                raise FileRefused(
                    path,
                    f"{m.filename} declares {m.file_size:,} bytes but inflates to more; "
                    "refused as a zip bomb",
                )
            if size != m.file_size or crc != m.CRC:
                raise FileRefused(
                    path, f"corrupt .xlsx zip ({m.filename}: Bad CRC-32 or size)"
                )


def _inflate(path: Path, fh: BinaryIO, m: zipfile.ZipInfo) -> tuple[int, int]:
    """(bytes inflated, stopping once past the declared size; CRC-32 of them)."""
    fh.seek(m.header_offset)
    head = fh.read(_LOCAL_HEADER.size)
    if len(head) < _LOCAL_HEADER.size or _LOCAL_HEADER.unpack(head)[0] != _LOCAL_SIG:
        raise FileRefused(path, f"corrupt .xlsx zip ({m.filename}: bad local header)")
    name_len, extra_len = _LOCAL_HEADER.unpack(head)[9:]
    fh.seek(m.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
    inflater = zlib.decompressobj(-15)
    left, pending, total, crc = m.compress_size, b"", 0, 0
    try:
        while not inflater.eof:
            if not pending and left > 0:
                pending = fh.read(min(READ_BYTES, left))
                left -= len(pending)
                if not pending:
                    break
            out = inflater.decompress(pending, OUT_BYTES)
            pending = inflater.unconsumed_tail
            total += len(out)
            if total > m.file_size:
                return total, crc
            crc = zlib.crc32(out, crc)
            if not out and not pending and left <= 0:
                break
    except zlib.error as exc:
        raise FileRefused(path, f"corrupt .xlsx zip ({m.filename}: {exc})") from None
    return total, crc
