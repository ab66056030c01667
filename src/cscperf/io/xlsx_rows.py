"""Rows of a worksheet as openpyxl's read-only mode gives them, read ten times faster.

openpyxl streams a sheet in Python, about 1.9 s for an Annex A of 13,790 rows;
``python-calamine`` (Rust) reads the same workbook in 0.2 s. But calamine gives
a formula cell's cached result and an error cell as blank, where the Annex A
reader must stage a formula's text (``=H2+5``: never evaluated, quarantined by
validation) and an error's code (``#REF!``). So the sheet's XML is checked for
formula and error cells — a byte search, then, only if one is there, an lxml
pass over the cells — and those cells get the value openpyxl would give.

calamine holds a whole sheet in memory, so a workbook with a worksheet part
over :data:`CALAMINE_MAX_BYTES` (uncompressed) is streamed by openpyxl instead:
memory stays flat however big the file. Either way a row is ``(Excel row
number, values)``, blank rows included, so lines match what the user sees.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any, Protocol

from lxml import etree

from cscperf.io.base import FileRefused

#: largest worksheet part (uncompressed bytes) read with calamine
CALAMINE_MAX_BYTES = 32 * 1024 * 1024

Row = tuple[int, Sequence[Any]]

_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_ERROR = re.compile(rb"""\st\s*=\s*["']e["']""")
_REF = re.compile(r"([A-Z]{1,3})(\d+)$")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARSER: dict[str, Any] = dict(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


class Workbook(Protocol):
    titles: list[str]

    def rows(self, title: str, label: str) -> Iterator[Row]: ...

    def close(self) -> None: ...


def open_workbook(path: Path) -> Workbook:
    """calamine when every worksheet part is small enough, else openpyxl (streaming).

    The file has passed :func:`cscperf.io.annex_a.check_zip`."""
    try:
        with zipfile.ZipFile(path) as zf:
            parts = sheet_parts(zf)
            sizes = [zf.getinfo(p).file_size for p in parts.values() if p in zf.NameToInfo]
    except (KeyError, ValueError, etree.XMLSyntaxError, zipfile.BadZipFile, OSError):
        parts, sizes = {}, []
    if parts and len(sizes) == len(parts) and max(sizes) <= CALAMINE_MAX_BYTES:
        book = CalamineBook(path, parts)
        if set(book.titles) <= set(parts):  # every sheet's formulas can be found
            return book
        book.close()
    return OpenpyxlBook(path)


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> its zip member, from the workbook and its relationships."""
    book = etree.fromstring(zf.read("xl/workbook.xml"), etree.XMLParser(**_PARSER))
    rels = etree.fromstring(
        zf.read("xl/_rels/workbook.xml.rels"), etree.XMLParser(**_PARSER)
    )
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter("{*}Relationship")}
    out: dict[str, str] = {}
    for sheet in book.iter("{*}sheet"):
        target = targets.get(sheet.get(f"{{{_REL_NS}}}id"))
        if not target:
            raise KeyError(sheet.get("name"))
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        out[sheet.get("name", "")] = posixpath.normpath(part)
    return out


class CalamineBook:
    def __init__(self, path: Path, parts: dict[str, str]) -> None:
        import python_calamine  # lazy: only Annex A needs it

        self.path, self.parts = path, parts
        try:
            self.book = python_calamine.CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # calamine raises its own error types for a bad workbook
            raise FileRefused(path, f"not a readable .xlsx workbook ({brief(exc)})") from None
        self.titles = list(self.book.sheet_names)
        self.zip: zipfile.ZipFile | None = None  # opened for the first sheet's XML

    def rows(self, title: str, label: str) -> Iterator[Row]:
        special = self._special(title, label)
        try:
            data = self.book.get_sheet_by_name(title).to_python(skip_empty_area=False)
        except Exception as exc:
            raise FileRefused(self.path, f"{label}: unreadable sheet ({brief(exc)})") from None
        last = max(special, default=0)
        for n, values in enumerate(data, start=1):
            cells = special.get(n)
            yield n, _patched(values, cells) if cells else values
        for n in range(len(data) + 1, last + 1):  # rows holding only formulas with no result
            cells = special.get(n)
            yield n, _patched([], cells) if cells else []

    def _special(self, title: str, label: str) -> dict[int, dict[int, Any]]:
        part = self.parts[title]  # open_workbook checked that every title has one
        try:
            if self.zip is None:
                self.zip = zipfile.ZipFile(self.path)
            return special_cells(self.zip.read(part))
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, etree.XMLSyntaxError) as exc:
            raise FileRefused(self.path, f"{label}: unreadable sheet ({brief(exc)})") from None

    def close(self) -> None:
        self.book.close()
        if self.zip is not None:
            self.zip.close()


def _patched(values: Sequence[Any], cells: dict[int, Any]) -> list[Any]:
    row = list(values)
    if len(row) <= max(cells):
        row.extend([None] * (max(cells) + 1 - len(row)))
    for col, value in cells.items():
        row[col] = value
    return row


def special_cells(xml: bytes) -> dict[int, dict[int, Any]]:
    """Excel row -> {0-based column: value} for the cells openpyxl reads otherwise than
    calamine: a formula's text (``"=H2+5"``, a shared formula moved to its cell) and
    an error cell's code (``"#REF!"``)."""
    # a plain find first: the regexes cost ~10 ms per MB, find ~0.3
    formulas = (b"<f" in xml or b":f" in xml) and _FORMULA.search(xml)
    if not (formulas or ((b'"e"' in xml or b"'e'" in xml) and _ERROR.search(xml))):
        return {}
    from openpyxl.formula.translate import Translator
    from openpyxl.utils.cell import column_index_from_string, get_column_letter

    out: dict[int, dict[int, Any]] = {}
    shared: dict[str, Translator] = {}
    row = col = 0
    events = etree.iterparse(
        BytesIO(xml), events=("start", "end"), tag=("{*}row", "{*}c"), **_PARSER
    )
    for event, el in events:
        if el.tag.endswith("row"):
            if event == "start":
                r = el.get("r")
                row, col = (int(r) if r else row + 1), 0
            else:
                el.clear()
            continue
        if event == "start":
            continue
        ref = el.get("r")
        m = _REF.match(ref or "")
        if m:
            row, col = int(m.group(2)), column_index_from_string(m.group(1))
        else:
            col += 1
            ref = f"{get_column_letter(col)}{row}"
        value = _formula(el, ref, shared, Translator)
        if value is None and el.get("t") == "e":
            value = el.findtext("{*}v")
        if value is not None:
            out.setdefault(row, {})[col - 1] = value
        el.clear()
    return out


def _formula(cell: Any, ref: str, shared: dict[str, Any], translator: Any) -> str | None:
    """The text openpyxl gives a formula cell (``data_only=False``), or None; a shared
    formula's first cell is kept in ``shared`` as a ``translator`` for the others."""
    f = cell.find("{*}f")
    if f is None:
        return None
    kind = f.get("t")
    text = "=" + (f.text or "")
    if kind == "shared":
        si = f.get("si", "")
        if si in shared:
            return str(shared[si].translate_formula(ref))
        if f.text is not None:
            shared[si] = translator(text, ref)
    elif kind == "dataTable":
        return "=TABLE()"
    return text


class OpenpyxlBook:
    """openpyxl's read-only mode: streams a sheet row by row, for very large sheets."""

    def __init__(self, path: Path) -> None:
        import openpyxl  # lazy: only Annex A needs it

        self.path = path
        try:
            self.book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many types for a bad workbook
            raise FileRefused(path, f"not a readable .xlsx workbook ({brief(exc)})") from None
        self.titles = list(self.book.sheetnames)

    def rows(self, title: str, label: str) -> Iterator[Row]:
        ws = self.book[title]
        ws.reset_dimensions()  # never trust the sheet's stored dimensions
        try:
            yield from enumerate(ws.iter_rows(values_only=True), start=1)
        except Exception as exc:
            raise FileRefused(self.path, f"{label}: unreadable sheet ({brief(exc)})") from None

    def close(self) -> None:
        self.book.close()


def brief(exc: BaseException) -> str:
    msg = str(exc).strip() or type(exc).__name__
    return msg if len(msg) < 200 else msg[:200] + "..."
