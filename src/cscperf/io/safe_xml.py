"""Hostile-input-proof XML streaming for every XML reader.

Returns are child-level data that arrive by e-mail and portals, so a file may
be truncated, mis-encoded or crafted. libxml2 is configured never to load a
DTD, resolve an entity or touch the network, and — because a statutory return
never needs one — any document with a DOCTYPE is refused outright before
parsing starts. That closes entity-expansion bombs (billion laughs, quadratic
blow-up), XXE via files or URLs and parameter entities in one rule. Every
failure becomes :class:`~cscperf.io.base.FileRefused` naming the line, never a
traceback.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from lxml import etree

from cscperf.io import base

#: bytes of prolog (declaration, comments, PIs) allowed before the root element
PROLOG_LIMIT = 64 * 1024

# Encodings a DfE return can plausibly use. Anything else (UTF-7, EBCDIC,
# UTF-32...) could hide a DOCTYPE from the byte-level prolog check, so refuse.
_ASCII_COMPATIBLE = re.compile(
    r"(utf-?8|us-ascii|ascii|iso-?8859-\d+|latin-?1|windows-125\d|cp125\d)$", re.IGNORECASE
)
_UTF16 = re.compile(r"utf-?16(-?(le|be))?$", re.IGNORECASE)

_DECL = re.compile(r"<\?xml\s[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_NAME = re.compile(r"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")


class BinaryReadable(Protocol):
    """What lxml's ``iterparse`` reads from: ``read(n)`` returning bytes (b"" at the end)."""

    def read(self, n: int, /) -> bytes: ...


def _detect(head: bytes) -> tuple[str, int]:
    """The codec the bytes themselves imply (BOM or ``<?`` pattern) and the BOM length."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    if head.startswith(b"<\x00"):
        return "utf-16-le", 0
    if head.startswith(b"\x00<"):
        return "utf-16-be", 0
    return "utf-8", 0


def _decode_head(head: bytes) -> tuple[str, str, int]:
    codec, bom = _detect(head)
    body = head[bom:]
    if codec.startswith("utf-16"):
        body = body[: len(body) // 2 * 2]
    return body.decode(codec, errors="replace"), codec, bom


def _skip_prolog(text: str) -> tuple[int, str | None]:
    """Skip whitespace, comments and PIs: (offset of the next markup, what it is).

    The second item is ``"root"``, ``"doctype"``, ``"other"`` (not XML) or
    ``None`` when ``text`` ends before anything decisive.
    """
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            return i, None
        if text[i] != "<":
            return i, "other"
        if text.startswith("<?", i):
            j = text.find("?>", i + 2)
        elif text.startswith("<!--", i):
            j = text.find("-->", i + 4)
        elif text.startswith("<!DOCTYPE", i) or text.startswith("<!doctype", i):
            return i, "doctype"
        elif i + 1 < n and (text[i + 1].isalpha() or text[i + 1] in "_:"):
            return i, "root"
        elif i + 1 >= n:
            return i, None
        else:
            return i, "other"
        if j < 0:
            return i, None
        i = j + 2 if text[j] == "?" else j + 3


def sniff_root(head: bytes) -> str | None:
    """The root element's local name from a file's first bytes, for routing.

    Skips a BOM, the XML declaration, comments, PIs and a DOCTYPE (so a hostile
    file still reaches its reader, which refuses it with a clear reason).

    >>> sniff_root(b'<?xml version="1.0"?>\\n<!-- x --><cin:Message xmlns:cin="u">')
    'Message'
    >>> sniff_root(b"CHILD,SEX,DOB") is None
    True
    """
    text, _, _ = _decode_head(head)
    i, what = _skip_prolog(text)
    if what == "doctype":
        # skip "<!DOCTYPE name [internal subset]>" and look again
        close = text.find("]>", i) if "[" in text[i : text.find(">", i) + 1] else -1
        end = close + 2 if close >= 0 else text.find(">", i) + 1
        if end <= 0:
            return None
        j, what = _skip_prolog(text[end:])
        i = end + j
    if what != "root":
        return None
    m = _NAME.match(text, i)
    return m.group(2) if m else None


def check_prolog(path: Path | str, max_bytes: int | None = None) -> None:
    """Refuse a file before parsing: too big, DOCTYPE, undeclared or mismatched encoding."""
    limit = base.MAX_FILE_BYTES if max_bytes is None else max_bytes
    try:
        size = os.stat(path).st_size
        with open(path, "rb") as f:
            head = f.read(PROLOG_LIMIT)
    except OSError as e:
        raise base.FileRefused(path, f"cannot be read: {e.strerror or e}") from e
    if size > limit:
        raise base.FileRefused(path, f"is {size:,} bytes, over the {limit:,}-byte limit")
    if not head.strip():
        raise base.FileRefused(path, "is empty")
    text, codec, bom = _decode_head(head)
    declared = _DECL.match(text)
    if declared:
        enc = declared.group(1)
        if _UTF16.match(enc):
            if not codec.startswith("utf-16"):
                raise base.FileRefused(
                    path, f"line 1: declares encoding {enc!r} but its bytes are not UTF-16"
                )
        elif not _ASCII_COMPATIBLE.match(enc):
            raise base.FileRefused(path, f"line 1: unsupported encoding {enc!r}")
        elif codec.startswith("utf-16"):
            raise base.FileRefused(
                path, f"line 1: declares encoding {enc!r} but its bytes are UTF-16"
            )
        elif bom and enc.lower().replace("-", "") != "utf8":
            raise base.FileRefused(
                path, f"line 1: declares encoding {enc!r} but starts with a UTF-8 byte-order mark"
            )
    i, what = _skip_prolog(text)
    line = text.count("\n", 0, i) + 1
    if what == "doctype":
        raise base.FileRefused(
            path,
            f"line {line}: has a DOCTYPE; DTDs and entity declarations are refused "
            "(they can expand entities or read other files)",
        )
    if what == "other":
        raise base.FileRefused(path, f"line {line}: is not XML (no element where one is expected)")
    if what is None:
        raise base.FileRefused(
            path,
            "no root element in the first "
            f"{PROLOG_LIMIT // 1024} KB (truncated, or an oversized prolog)",
        )


def safe_iterparse(
    path: Path | str,
    tag: str | tuple[str, ...],
    events: tuple[str, ...] = ("end",),
    max_bytes: int | None = None,
    source: BinaryReadable | None = None,
) -> Iterator[Any]:
    """Stream the elements named ``tag`` (the caller clears them) from a checked file.

    Yields the element for each event (not ``(event, element)`` pairs). Any
    parse error is re-raised as :class:`FileRefused` naming the line.

    ``source`` (an object with ``read(n) -> bytes``) is parsed instead of the
    file's own bytes, with the same parser settings; the parallel CIN reader
    passes a part of ``path`` this way. ``path``'s prolog is checked either way.
    """
    check_prolog(path, max_bytes)
    context = etree.iterparse(
        str(path) if source is None else source,
        events=events,
        tag=tag,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        # whitespace between elements is never data; dropping it saves ~10% of parse work
        remove_blank_text=True,
        collect_ids=False,
    )
    first = True
    try:
        for _event, el in context:
            if first:
                first = False
                if el.getroottree().docinfo.internalDTD is not None:  # belt and braces
                    raise base.FileRefused(path, "has a DOCTYPE; DTDs are refused")
            yield el
    except etree.XMLSyntaxError as e:
        raise base.FileRefused(path, _describe(e, _last_line(path))) from None


def release(el: Any) -> None:
    """Free a finished element and its finished predecessors, so memory stays flat."""
    el.clear()
    while el.getprevious() is not None:
        del el.getparent()[0]


def _last_line(path: Path | str) -> int:
    """Number of the file's last line (error path only: tells truncation from damage)."""
    n, last = 1, b""
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\n")
            last = chunk
    return n - 1 if last.endswith(b"\n") else n


def _describe(e: etree.XMLSyntaxError, last_line: int) -> str:
    """A user-facing reason for a libxml2 error, naming the line."""
    msg = (e.msg or str(e)).strip()
    msg = re.sub(r",? line \d+, column \d+$", "", msg)
    line = e.lineno or 0
    low = msg.lower()
    if "encoding" in low or "utf-8" in low:
        kind = "wrong character encoding (bytes do not match the declared encoding)"
    elif "entity" in low:
        kind = "entity references are refused"
    elif (
        "premature end" in low
        or "no element found" in low
        or (line >= last_line and "mismatch" not in low)
    ):
        kind = "truncated or malformed XML (the file ends inside an element)"
    else:
        kind = "malformed XML"
    where = f"line {line}" if line > 0 else "end of file"
    return f"{where}: {kind}: {msg}"
