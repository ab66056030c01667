"""Small pieces of Word XML python-docx has no API for: cell shading, repeated header
rows, page-number fields, a picture's alt text, and an SVG chart as a PNG."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from io import BytesIO

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

SVG_NS = "http://www.w3.org/2000/svg"
XMLNS_NS = "http://www.w3.org/2000/xmlns/"
#: CSS pixels per inch (the SVG's user unit when it has no absolute size).
PX_PER_INCH = 96


def shade(cell: _Cell, fill: str) -> None:
    """Fill a table cell with a colour (hex RGB without '#')."""
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def repeat_as_header(row: _Row) -> None:
    """Mark a table row as a header row Word repeats at the top of every page."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def keep_row_together(row: _Row) -> None:
    """Do not split this row across pages."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


#: Rough width of a 10 pt Arial character and a cell's left+right padding, in inches.
CHAR_IN, PAD_IN = 0.09, 0.16


def set_column_widths(table: Table, sizes: list[tuple[int, int]], total_in: float) -> None:
    """Give each column room for its longest word, then share what is left of
    ``total_in`` by how much more its longest cell wants (Word reads the cells' widths,
    LibreOffice the grid's)."""
    need = [w * CHAR_IN + PAD_IN for w, _ in sizes]
    want = [max(n - w, 0) * CHAR_IN for w, n in sizes]
    spare = total_in - sum(need)
    if spare <= 0:
        widths = [n * total_in / sum(need) for n in need]
    else:
        share = [x / sum(want) if sum(want) else 1 / len(want) for x in want]
        widths = [n + spare * f for n, f in zip(need, share, strict=True)]
    emus = [Inches(w) for w in widths]
    for col, w in zip(table.columns, emus, strict=True):
        col.width = w
    for row in table.rows:
        for cell, w in zip(row.cells, emus, strict=True):
            cell.width = w


def add_field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (e.g. PAGE, NUMPAGES) Word updates when it lays out the pages."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None),
                       (None, "1"), ("end", None)):  # fmt: skip
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def set_alt_text(inline_shape: object, title: str, descr: str) -> None:
    """Alt text of an inline picture: Word reads docPr's descr (and title) aloud."""
    doc_pr = inline_shape._inline.docPr  # type: ignore[attr-defined]
    doc_pr.set("descr", descr)
    if title:
        doc_pr.set("title", title)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def svg_text(svg: ET.Element, child: str) -> str:
    """The text of the SVG's direct <title> or <desc> child."""
    for el in svg:
        if _local(el.tag) == child:
            return re.sub(r"\s+", " ", "".join(el.itertext())).strip()
    return ""


def svg_size_px(svg: ET.Element) -> tuple[float, float]:
    """The SVG's drawing size in CSS pixels: its viewBox (width/height when absolute)."""
    box = (svg.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        return float(box[2]), float(box[3])
    try:
        return float(svg.get("width", "")), float(svg.get("height", ""))
    except ValueError:
        return 640.0, 360.0


def svg_png(svg: ET.Element, scale: float = 2.0) -> bytes:
    """The inline SVG as a PNG at ``scale`` times its size (crisp when printed)."""
    import cairosvg

    el = copy.deepcopy(svg)
    for node in el.iter():
        if node.tag.startswith("{" + SVG_NS + "}"):
            node.tag = _local(node.tag)
        for name in [k for k in node.attrib if k.startswith(("xmlns", "{" + XMLNS_NS))]:
            del node.attrib[name]  # namespace declarations: ElementTree writes its own
    w, h = svg_size_px(svg)
    el.set("xmlns", SVG_NS)
    el.set("width", f"{w:g}")
    el.set("height", f"{h:g}")
    png = cairosvg.svg2png(bytestring=ET.tostring(el), scale=scale, background_color="white")
    assert isinstance(png, bytes)
    return png


def picture(paragraph: Paragraph, svg: ET.Element, max_width_in: float) -> object:
    """Add the SVG as an inline PNG picture with its <desc> as alt text."""
    w, _ = svg_size_px(svg)
    width = Inches(min(w / PX_PER_INCH, max_width_in))
    shape = paragraph.add_run().add_picture(BytesIO(svg_png(svg)), width=width)
    set_alt_text(shape, svg_text(svg, "title"), svg_text(svg, "desc") or svg_text(svg, "title"))
    return shape
