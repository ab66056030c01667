"""Byte-level CSV helpers: header, layout scan, exact line-by-line fallback.

DuckDB parses 903 CSVs fast but only numbers *rows*, not physical lines, and
its error lines are only as exact as its parallel scanner. These helpers fill
the gaps cheaply: :func:`scan_layout` proves in one memchr-speed pass that row
n is line n + 1 (no quoted newlines, no blank lines in the middle);
:func:`exact_rows` is the slow but exact path for files where that fails and
for diagnosing a file DuckDB rejected; :func:`first_bad_utf8` names the line
and byte of a mis-encoded file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cscperf.io.base import FileRefused

CHUNK = 16 * 1024 * 1024
#: a header longer than this is not a 903 header
MAX_HEADER_BYTES = 64 * 1024
# bytes kept by bytes.translate when checking per-line quote parity
_KEEP_QUOTES_NEWLINES = bytes(b for b in range(256) if b not in (0x22, 0x0A))


def normalise_name(name: str) -> str:
    """Header name as compared: no BOM/quotes, upper case, inner spaces as ``_``.

    >>> normalise_name('\\ufeff "Place Provider" ')
    'PLACE_PROVIDER'
    """
    name = name.replace("\ufeff", "").strip().strip('"').strip()
    return re.sub(r"[\s\-]+", "_", name).upper()


def parse_header(first_line: bytes) -> list[str]:
    """Split a raw header line (BOM allowed) into normalised names."""
    if first_line.startswith(codecs.BOM_UTF8):
        first_line = first_line[3:]
    text = first_line.decode("utf-8").rstrip("\r\n")
    fields = next(csv.reader([text]), [])
    return [normalise_name(f) for f in fields]


def head_line(head: bytes) -> bytes | None:
    """The first physical line of ``head``, or None if ``head`` holds no complete line."""
    end = head.find(b"\n")
    return None if end < 0 else head[:end]


def read_header(path: Path) -> list[str]:
    """The normalised header names of ``path`` ([] for an empty file)."""
    with path.open("rb") as f:
        head = f.read(MAX_HEADER_BYTES)
    line = head_line(head)
    if line is None:
        if len(head) >= MAX_HEADER_BYTES:
            raise FileRefused(path, f"line 1: header longer than {MAX_HEADER_BYTES} bytes")
        line = head
    if not line.strip(b"\xef\xbb\xbf \t\r\n"):
        return []
    try:
        return parse_header(line)
    except UnicodeDecodeError as e:
        raise FileRefused(
            path, f"line 1: not UTF-8 (byte 0x{line[e.start]:02X} at byte offset {e.start})"
        ) from None


@dataclass(frozen=True)
class Layout:
    """What one pass over the bytes proved about a CSV's lines."""

    lines_are_rows: bool  # data row n is physical line n + 1
    reason: str = ""  # why not, for notes


def scan_layout(path: Path) -> Layout:
    """Check that no quoted field spans lines and no blank line precedes data.

    One pass of C-speed searches over a reused buffer (no per-chunk copies);
    only a file that contains quotes gets the per-line parity check of
    :func:`_quotes_stay_on_their_line`. Trailing blank lines are harmless.
    """
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    tail = b"\n"  # a blank first line counts as a blank line
    pending_blank = False
    quotes = False
    with path.open("rb", buffering=0) as f:
        while n := f.readinto(view):
            chunk = buf if n == CHUNK else buf[:n]
            if pending_blank and chunk.strip(b"\r\n"):
                return Layout(False, "blank line before data")
            edge = tail + bytes(chunk[:2])
            hit = -1 if b"\n\n" not in edge and b"\n\r\n" not in edge else 0
            # "\n\r\n" only where there is a CR (memchr-fast), saving a slow 2-byte search
            for pattern in (b"\n\n", b"\n\r\n") if b"\r" in chunk else (b"\n\n",):
                pos = chunk.find(pattern)
                if pos >= 0 and (hit < 0 or pos < hit):
                    hit = pos
            if hit >= 0:
                if len(chunk.rstrip(b"\r\n")) > hit + 1:
                    return Layout(False, "blank line before data")
                pending_blank = True
            quotes = quotes or b'"' in chunk
            tail = bytes(chunk[-2:])
    if quotes and not _quotes_stay_on_their_line(path):
        return Layout(False, "quoted field spanning lines")
    return Layout(True)


def _quotes_stay_on_their_line(path: Path) -> bool:
    """True when every physical line has an even number of ``"``.

    A quoted newline shows as a line with an odd count: delete every byte but
    ``"`` and newline, drop ``""`` pairs, and look for a quote left over.
    """
    carry = b""
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            data = carry + chunk
            cut = data.rfind(b"\n") + 1
            block, carry = data[:cut], data[cut:]
            if b'"' in block:
                parity = block.translate(None, _KEEP_QUOTES_NEWLINES).replace(b'""', b"")
                if b'"' in parity:
                    return False
    return carry.count(b'"') % 2 == 0


def first_bad_utf8(path: Path) -> tuple[int, int, int] | None:
    """(line, byte offset in file, byte) of the first invalid UTF-8, or None."""
    offset = 0
    with path.open("rb") as f:
        for lineno, line in enumerate(f, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as e:
                return lineno, offset + e.start, line[e.start]
            offset += len(line)
    return None


def exact_rows(path: Path, ncols: int) -> Iterator[tuple[int, list[str]]]:
    """Yield (first physical line, fields) per data row; refuse ragged rows.

    The header is skipped; blank lines are skipped but counted. The file must
    already be known to be UTF-8 (see :func:`first_bad_utf8`).
    """
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, strict=True)
        prev_end = 0
        rows = iter(reader)
        while True:
            try:
                fields = next(rows)
            except StopIteration:
                return
            except csv.Error as e:
                raise FileRefused(path, f"line {prev_end + 1}: malformed CSV ({e})") from None
            start, prev_end = prev_end + 1, reader.line_num
            if not fields or (len(fields) == 1 and fields[0] == "" and ncols > 1):
                continue  # blank line
            if start == 1:
                continue  # header
            if len(fields) != ncols:
                last = _is_last_line(fh)
                what = "the file looks truncated: last line" if last else "line"
                raise FileRefused(
                    path,
                    f"{what} {start} has {len(fields)} fields but the header has {ncols}",
                )
            yield start, fields


def _is_last_line(fh: io.TextIOBase) -> bool:
    rest = fh.read(4096)
    return not rest.strip()
