"""A workbook whose worksheet lies about its size: declared tiny, inflating to gigabytes.

Built by hand: Python's zipfile would write the true sizes. The worksheet's deflate
stream is one full-flush block of spaces repeated (each block stands alone, so the
repeats are a valid stream): a few MB of file inflate to ``inflated`` bytes.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

SHEET = "xl/worksheets/sheet1.xml"


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _bomb_stream(prefix: bytes, inflated: int) -> bytes:
    block = 1024 * 1024
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    body = c.compress(b" " * block) + c.flush(zlib.Z_FULL_FLUSH)
    return head + body * (inflated // block) + c.flush()


def _workbook_parts() -> dict[str, bytes]:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "List 1"
    ws.append(["Child Unique ID"])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def lying_bomb(path: Path, inflated: int = 4 * 1024**3, declared: int = 1000) -> Path:
    """Write an Annex A-like .xlsx whose worksheet declares ``declared`` bytes (with the
    CRC of its first ``declared`` bytes) but inflates to about ``inflated``."""
    parts = _workbook_parts()
    local, central = bytearray(), bytearray()
    for name, data in parts.items():
        if name == SHEET:
            prefix = data.split(b"<sheetData>")[0] + b"<sheetData>"
            raw = _bomb_stream(prefix, inflated)
            full_head = prefix + b" " * declared
            size, crc = declared, zlib.crc32(full_head[:declared])
        else:
            raw, size, crc = _deflate(data), len(data), zlib.crc32(data)
        fname = name.encode()
        offset = len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(raw), size,
                             len(fname), 0) + fname + raw  # fmt: skip
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc,
                               len(raw), size, len(fname), 0, 0, 0, 0, 0,
                               offset) + fname  # fmt: skip
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(central),
                       len(local), 0)  # fmt: skip
    path.write_bytes(bytes(local + central + eocd))
    return path
