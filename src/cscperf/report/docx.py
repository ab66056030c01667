"""report.docx: the rendered report.html as an editable Word document.

Why walk the HTML: whatever the report's content becomes, the Word copy follows it,
as long as report.html keeps to the element set of the report contract. Committee
papers go through the council's Word template and officers write the exception
commentary there, so everything stays editable: paragraphs, styled headings, real
tables, inline pictures; no text boxes. The HTML is parsed with tinyhtml5 (the HTML5
algorithm browsers and WeasyPrint use), which keeps the SVG's camelCase (viewBox)
that an HTML4 parser would lower-case.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.shared import Cm, Pt
from docx.table import _Cell
from tinyhtml5.parser import HTMLParser

from cscperf.report import docx_parts as parts
from cscperf.report.pdf import running_head_text

#: Cell fills for RAG classes (the same as report.html's); the word stays in the cell.
RAG_FILLS = {"rag-red": "F6D7D2", "rag-amber": "FFF2CC", "rag-green": "D5EADD"}
#: The fields an exception page asks officers to fill in.
COMMENTARY = ("What happened", "Why", "Action", "Owner", "Date")
CONTAINERS = {"header", "main", "footer", "section", "div", "article", "aside", "nav", "body"}
SKIP = {"style", "script", "template", "head", "title", "meta", "link", "noscript"}
TEXT_WIDTH_IN = (21.0 - 2 * 2.0) / 2.54  # A4 with 2 cm margins
LANDSCAPE_WIDTH_IN = (29.7 - 2 * 2.0) / 2.54
#: Tables with this many columns or more go on a landscape page.
WIDE_TABLE = 8


def _tag(el: ET.Element) -> str:
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


def _classes(el: ET.Element) -> set[str]:
    return set((el.get("class") or "").split())


def _text(el: ET.Element) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


@dataclass
class _Run:
    text: str
    bold: bool
    italic: bool


def _runs(el: ET.Element, bold: bool = False, italic: bool = False) -> list[_Run]:
    """The inline content of ``el`` as runs, whitespace collapsed as a browser does."""
    out: list[_Run] = []
    if el.text:
        out.append(_Run(el.text, bold, italic))
    for child in el:
        tag = _tag(child)
        if tag == "br":
            out.append(_Run("\n", bold, italic))
        elif tag not in SKIP and tag != "svg":
            strong, em = tag in ("strong", "b"), tag in ("em", "i")
            out.extend(_runs(child, bold or strong, italic or em))
        if child.tail:
            out.append(_Run(child.tail, bold, italic))
    return out


def _fill(paragraph: Any, runs: list[_Run]) -> None:
    """Add the runs to a paragraph: collapsed whitespace, trimmed at both ends."""
    pieces: list[_Run] = []
    space = True  # at the start, leading space is dropped
    for r in runs:
        text = r.text if r.text == "\n" else re.sub(r"\s+", " ", r.text)
        if text.startswith(" ") and space:
            text = text[1:]
        if not text:
            continue
        space = text.endswith((" ", "\n"))
        pieces.append(_Run(text, r.bold, r.italic))
    if pieces and pieces[-1].text.endswith(" "):
        pieces[-1].text = pieces[-1].text.rstrip()
    for r in pieces:
        if r.text == "\n":
            paragraph.add_run().add_break()
            continue
        run = paragraph.add_run(r.text)
        run.bold = r.bold or None
        run.italic = r.italic or None


@dataclass
class _Writer:
    """Walks the HTML body, appending to the document (or a table cell)."""

    doc: Any
    break_next: bool = False
    first_h1: bool = True
    figures: int = 0
    tables: list[Any] = field(default_factory=list)

    def paragraph(self, box: Any, style: str | None = None) -> Any:
        p = box.add_paragraph(style=style)
        if self.break_next and box is self.doc:
            p.paragraph_format.page_break_before = True
            self.break_next = False
        return p

    def blocks(self, el: ET.Element, box: Any) -> None:
        """Block content of a container; stray text becomes a paragraph."""
        if el.text and el.text.strip():
            _fill(self.paragraph(box), [_Run(el.text, False, False)])
        for child in el:
            self.block(child, box)
            if child.tail and child.tail.strip():
                _fill(self.paragraph(box), [_Run(child.tail, False, False)])

    def block(self, el: ET.Element, box: Any) -> None:
        tag = _tag(el)
        cls = _classes(el)
        if tag in SKIP:
            return
        if tag in CONTAINERS:
            exception = tag == "section" and "exception" in cls
            if exception or "page-break-before" in cls:
                self.break_next = True
            self.blocks(el, box)
            if exception and not _has_blank_table(el):
                self.commentary(box)
            if tag == "header" and ("cover" in cls or el.get("id") == "cover"):
                self.break_next = True  # the cover has a page to itself
        elif re.fullmatch(r"h[1-6]", tag):
            self.heading(el, int(tag[1]), box)
        elif tag == "p":
            _fill(self.paragraph(box), _runs(el))
        elif tag in ("ul", "ol"):
            self.list(el, box, tag, 1)
        elif tag == "dl":
            self.definitions(el, box)
        elif tag == "table":
            self.table(el, box)
        elif tag == "figure":
            self.figure(el, box)
        elif tag == "svg":
            self.picture(el, box)
        else:  # an element outside the contract: keep its text
            _fill(self.paragraph(box), _runs(el))

    def heading(self, el: ET.Element, level: int, box: Any) -> None:
        """The first h1 is the document's Title; h1/h2 -> Heading 1, h3 -> 2, h4 -> 3."""
        if box is not self.doc:
            _fill(self.paragraph(box), _runs(el, bold=True))
            return
        if level == 1 and self.first_h1:
            self.first_h1 = False
            style = "Title"
        else:
            style = f"Heading {max(level - 1, 1)}"
        p = self.paragraph(box, style)
        _fill(p, _runs(el))
        p.paragraph_format.keep_with_next = True

    def list(self, el: ET.Element, box: Any, tag: str, depth: int) -> None:
        style = ("List Bullet" if tag == "ul" else "List Number") + (" 2" if depth > 1 else "")
        for li in el:
            if _tag(li) != "li":
                continue
            nested = [c for c in li if _tag(c) in ("ul", "ol")]
            shallow = ET.Element("li")
            shallow.text = li.text
            for c in li:
                if c not in nested:
                    shallow.append(c)
            _fill(self.paragraph(box, style), _runs(shallow))
            for sub in nested:
                self.list(sub, box, _tag(sub), depth + 1)

    def definitions(self, el: ET.Element, box: Any) -> None:
        for item in el:
            tag = _tag(item)
            if tag == "dt":
                p = self.paragraph(box)
                _fill(p, _runs(item, bold=True))
                p.paragraph_format.keep_with_next = True
                p.paragraph_format.space_after = Pt(0)
            elif tag == "dd":
                p = self.paragraph(box)
                _fill(p, _runs(item))
                p.paragraph_format.left_indent = Cm(1)
            elif tag == "div":  # <div> groups of dt/dd are allowed in HTML5
                self.definitions(item, box)

    def caption(self, text_el: ET.Element, box: Any, keep_with_next: bool) -> None:
        p = self.paragraph(box, "Caption")
        _fill(p, _runs(text_el))
        p.paragraph_format.keep_with_next = keep_with_next

    def table(self, el: ET.Element, box: Any) -> None:
        """A Word table: caption above it, header rows bold and repeated on every page,
        RAG cells shaded with their word kept, empty cells left for typing into; columns
        as wide as their content asks; a wide table on a landscape page of its own."""
        rows: list[tuple[ET.Element, bool]] = []
        for part in el:
            ptag = _tag(part)
            if ptag in ("thead", "tbody", "tfoot"):
                rows.extend((tr, ptag == "thead") for tr in part if _tag(tr) == "tr")
            elif ptag == "tr":
                rows.append((part, False))
        if not rows:
            return
        width = max(sum(_span(c) for c in tr if _tag(c) in ("th", "td")) for tr, _ in rows)
        width = max(width, 1)
        landscape = box is self.doc and width >= WIDE_TABLE
        if landscape:
            self.orient(landscape=True)
        caption = next((c for c in el if _tag(c) == "caption"), None)
        if caption is not None:
            self.caption(caption, box, keep_with_next=True)
        elif self.break_next and box is self.doc:
            self.paragraph(box)  # an empty paragraph starts the new page
        table = box.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        table.autofit = False
        self.tables.append(table)
        for (tr, head), row in zip(rows, table.rows, strict=True):
            if head:
                parts.repeat_as_header(row)
            parts.keep_row_together(row)
            col = 0
            cells = [c for c in tr if _tag(c) in ("th", "td")]
            for cell_el in cells:
                span = min(_span(cell_el), width - col)
                cell = row.cells[col]
                if span > 1:
                    cell = cell.merge(row.cells[col + span - 1])
                self.cell(cell_el, cell, bold=head or _tag(cell_el) == "th")
                col += span
            if cells and all(_tag(c) == "td" and not _text(c) for c in cells):
                row.height = Cm(1.2)  # a blank row to type into
        usable = (LANDSCAPE_WIDTH_IN if landscape else TEXT_WIDTH_IN) if box is self.doc else None
        if usable is not None:
            parts.set_column_widths(table, _column_text(rows, width), usable)
        if landscape:
            self.orient(landscape=False)

    def orient(self, landscape: bool) -> None:
        """Start a new section (on a new page) in landscape or portrait A4."""
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        long, short = Cm(29.7), Cm(21.0)
        section.page_width, section.page_height = (long, short) if landscape else (short, long)
        self.break_next = False

    def cell(self, el: ET.Element, cell: _Cell, bold: bool) -> None:
        for cls in _classes(el):
            if cls in RAG_FILLS:
                parts.shade(cell, RAG_FILLS[cls])
        if any(_tag(c) in BLOCK_TAGS for c in el):
            first = cell.paragraphs[0]
            self.blocks(el, cell)
            if not first.text and len(cell.paragraphs) > 1:
                first._p.getparent().remove(first._p)
        else:
            _fill(cell.paragraphs[0], _runs(el, bold=bold))

    def figure(self, el: ET.Element, box: Any) -> None:
        """Each SVG as a picture (alt text = its <desc>), then the caption below it."""
        caption = next((c for c in el if _tag(c) == "figcaption"), None)
        for child in el:
            if _tag(child) == "svg":
                self.picture(child, box)
            elif _tag(child) not in ("figcaption",):
                self.block(child, box)
        if caption is not None:
            self.caption(caption, box, keep_with_next=False)

    def picture(self, svg: ET.Element, box: Any) -> None:
        p = self.paragraph(box)
        p.paragraph_format.keep_with_next = True
        parts.picture(p, svg, TEXT_WIDTH_IN)
        self.figures += 1

    def commentary(self, box: Any) -> None:
        """The blank table an exception page needs when the HTML brought none."""
        table = box.add_table(rows=len(COMMENTARY) + 1, cols=2)
        table.style = "Table Grid"
        self.tables.append(table)
        for cell, text in zip(table.rows[0].cells, ("Commentary", "To be completed"),
                              strict=True):  # fmt: skip
            cell.paragraphs[0].add_run(text).bold = True
        parts.repeat_as_header(table.rows[0])
        for row, label in zip(table.rows[1:], COMMENTARY, strict=True):
            row.cells[0].paragraphs[0].add_run(label).bold = True
            row.height = Cm(1.5)


def _column_text(rows: list[tuple[ET.Element, bool]], width: int) -> list[tuple[int, int]]:
    """Per column, in characters: its longest word (the least it needs) and its longest
    cell up to 40 (what it would like)."""
    longest = [1] * width
    word = [1] * width
    for tr, _ in rows:
        col = 0
        for c in (c for c in tr if _tag(c) in ("th", "td")):
            if _span(c) == 1 and col < width:
                text = _text(c)
                longest[col] = max(longest[col], min(len(text), 40))
                word[col] = max(word[col], *(len(w) for w in text.split() or [""]))
            col += _span(c)
    return [(w, max(n, w)) for w, n in zip(word, longest, strict=True)]


BLOCK_TAGS = {"p", "ul", "ol", "dl", "table", "figure", "div", "h1", "h2", "h3", "h4"}


def _span(el: ET.Element) -> int:
    try:
        return max(int(el.get("colspan") or 1), 1)
    except ValueError:
        return 1


def _has_blank_table(el: ET.Element) -> bool:
    """Whether a section holds a table with an empty data cell (a field to fill in)."""
    return any(
        _tag(td) == "td" and not _text(td)
        for table in el.iter()
        if _tag(table) == "table"
        for td in table.iter()
    )


def parse(html: str) -> ET.Element:
    """The HTML as an element tree (HTML elements without namespace, SVG with it)."""
    root: ET.Element = HTMLParser(namespace_html_elements=False).parse(html)
    return root


def build_docx(html: str) -> Any:
    """The report's HTML as a python-docx Document (A4, page numbers, running header)."""
    root = parse(html)
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(10)
    title_el = root.find("head/title")
    title = _text(title_el) if title_el is not None else "Report"
    h1 = next((e for e in root.iter() if _tag(e) == "h1"), None)
    props = doc.core_properties
    props.title = title
    props.subject = _text(h1) if h1 is not None else title
    props.author = "cscperf"
    props.last_modified_by = "cscperf"
    props.comments = "Written by cscperf from report.html; officers write the exception commentary."
    section.different_first_page_header_footer = True
    section.header.paragraphs[0].add_run(running_head_text(html))
    foot = section.footer.paragraphs[0]
    foot.add_run("Page ")
    parts.add_field(foot, "PAGE")
    foot.add_run(" of ")
    parts.add_field(foot, "NUMPAGES")
    body = root.find("body")
    if body is not None:
        _Writer(doc).blocks(body, doc)
    return doc


def write_docx(html: str, path: Path) -> Path:
    """Write report.docx from the report's HTML; raises OSError when it cannot be written."""
    build_docx(html).save(str(path))
    return path
