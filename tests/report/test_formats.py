"""report.pdf, report.docx and the report's HTML rules: self-contained, valid, and the
same content in every format (tested on the rendered report of a hand-built store and on
a small page written to the report contract, which has every element the writers walk)."""

from __future__ import annotations

import importlib.machinery
import re
import shutil
import subprocess
import sys
import types
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from tinyhtml5.parser import HTMLParser

from cscperf.cli import main
from cscperf.report import writers
from cscperf.report.build import build_report
from cscperf.report.docx import build_docx
from cscperf.report.pdf import render_document, render_pdf, running_head_text, with_running_head
from tests.report.test_report import _store

END = date(2025, 3, 31)
SVG = "http://www.w3.org/2000/svg"
#: The report contract's element set (docs: briefs' contract; report.html keeps to it).
HTML_ELEMENTS = {
    *("html", "head", "meta", "title", "style", "body", "header", "main", "footer"),
    *("section", "h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "span", "a"),
    *("dl", "dt", "dd", "table", "caption", "thead", "tbody", "tr", "th", "td"),
    *("figure", "figcaption", "svg", "div"),
}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The hand-built store's report in html, pdf and docx (rendered once)."""
    tmp = tmp_path_factory.mktemp("formats")
    db = _store(tmp)
    out = tmp / "out"
    res = CliRunner().invoke(
        main, ["report", "--db", db, "--la", "883", "--period-end", "2025-03-31",
               "--format", "html,pdf,docx", "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert res.output.split() == [str(out / f"report.{x}") for x in ("html", "pdf", "docx")]
    return db, out


def _figure(n: int, message: str) -> str:
    return (
        f'<figure id="figure-{n}"><svg viewBox="0 0 400 200" width="100%" role="img" '
        f'aria-labelledby="figure-{n}-t figure-{n}-d" xmlns="{SVG}">'
        f'<title id="figure-{n}-t">Figure {n}: chart {n}</title>'
        f'<desc id="figure-{n}-d">{message}</desc>'
        f'<rect x="10" y="10" width="{100 * n}" height="180" fill="#d5eadd"/>'
        '<text x="200" y="100" font-family="sans-serif" text-anchor="middle">data</text>'
        f"</svg><figcaption>Figure {n}: {message}</figcaption></figure>"
    )


def contract_page() -> str:
    """A small report written to the contract: cover, summary with lists and a dl, two
    figures, a table longer than a page, an exception page, a page-break section."""
    long_rows = "".join(
        f'<tr><th scope="row">Indicator {i}</th><td>{i}</td>'
        f'<td class="rag-{("red", "amber", "green")[i % 3]}">{("Red", "Amber", "Green")[i % 3]}'
        "</td></tr>"
        for i in range(90)
    )
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>Children's social care performance report: Thurrock (883), quarter ending Dec 24</title>
<style>{{% include "print.css" %}}</style></head>
<body>
<header class="cover" id="cover"><h1>Children's social care performance report</h1>
<p>Thurrock, quarter ending Dec 24. <strong>Draft</strong> for <em>members</em>.</p></header>
<main>
<section id="summary"><h2>Executive summary</h2>
<ul><li>Strength one<ul><li>Detail</li></ul></li><li>Strength two</li></ul>
<ol><li>First</li></ol>
<dl><dt>Purpose</dt><dd>To inform members.</dd></dl>
<p>See <a href="#exception-cla_rate">the exception page</a>.</p>
{_figure(1, "Looked after children fell from 338 to 311.")}
{_figure(2, "Placements in the LA rose.")}
</section>
<section id="scorecard" class="page-break-before"><h2>Appendix: scorecard</h2>
<table id="scorecard-table"><caption>Table 1: Scorecard, quarter ending Dec 24</caption>
<thead><tr><th scope="col">Indicator</th><th scope="col">Value</th><th scope="col">RAG</th>
</tr></thead><tbody>{long_rows}</tbody></table></section>
<section class="exception" id="exception-cla_rate"><h2>Exception: CLA rate</h2>
<p>Red: 71 against a target of 60.</p>
<table><caption>Table 2: Commentary</caption>
<thead><tr><th scope="col">What happened</th><th scope="col">Why</th><th scope="col">Action</th>
<th scope="col">Owner</th><th scope="col">Date</th></tr></thead>
<tbody><tr><td></td><td></td><td></td><td></td><td></td></tr></tbody></table></section>
<section class="exception" id="exception-eet"><h2>Exception: EET</h2><p>Amber, worsening.</p>
</section>
</main><footer><p>Source: the store.</p></footer></body></html>"""


def render_contract_page() -> str:
    from jinja2 import ChoiceLoader, DictLoader, Environment, PackageLoader

    env = Environment(
        loader=ChoiceLoader(
            [
                DictLoader({"page.html": contract_page()}),
                PackageLoader("cscperf.report", "templates"),
            ]
        )
    )
    return env.get_template("page.html").render()


@pytest.fixture(scope="module")
def contract_html() -> str:
    return render_contract_page()


@pytest.fixture(scope="module")
def contract_pdf(contract_html: str) -> Any:
    document, refused = render_document(contract_html)
    assert refused == []
    return document


# ---------- helpers over WeasyPrint's laid-out boxes


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", []):
        yield from _boxes(child)


def _page_text(page: Any) -> str:
    return " ".join(b.text for b in _boxes(page._page_box) if hasattr(b, "text"))


def _margin_text(page: Any) -> str:
    margins = [c for c in page._page_box.children if type(c).__name__ == "MarginBox"]
    return " ".join(b.text for m in margins for b in _boxes(m) if hasattr(b, "text"))


def _ids_on(page: Any) -> set[str]:
    return {
        b.element.get("id")
        for b in _boxes(page._page_box)
        if getattr(b, "element", None) is not None and b.element.get("id")
    }


def _first_body_element_id(page: Any) -> str | None:
    """The id of the first element with an id laid out in the page's content area."""
    for b in _boxes(page._page_box):
        el = getattr(b, "element", None)
        if type(b).__name__ == "MarginBox":
            continue
        if el is not None and el.get("id") and el.tag not in ("html", "body", "main"):
            return str(el.get("id"))
    return None


# ---------- PDF


def test_pdf_of_the_report_opens_with_pages_numbers_and_header(written: tuple[str, Path]) -> None:
    _, out = written
    pdf = (out / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    html = (out / "report.html").read_text(encoding="utf-8")
    document, refused = render_document(html)
    assert refused == []
    n = len(document.pages)
    assert n > 1
    # the cover has no running header; every later page names the LA and the period
    head = running_head_text(html)
    assert head.endswith(", year ending Mar 25")  # "LA 883, ..." or "<LA name>, ..."
    assert head not in _margin_text(document.pages[0])
    for i, page in enumerate(document.pages, start=1):
        margin = _margin_text(page)
        assert f"Page {i} of {n}" in margin
        if i > 1:
            assert head in margin, i
    if shutil.which("pdftotext"):  # the written file, read by another program
        text = subprocess.run(
            ["pdftotext", "-layout", str(out / "report.pdf"), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        pages = text.split("\f")
        assert f"Page 2 of {n}" in pages[1] and head in pages[1]
        assert "Executive summary" in text


def test_running_head_comes_from_the_cover_or_the_title() -> None:
    html = "<html><head><title>Report: Thurrock, Q3</title></head><body><header class='x'>"
    html += '</header><header class="cover" id="cover"><h1>T</h1></header></body></html>'
    added = with_running_head(html)
    assert (
        '<header class="cover" id="cover"><p class="running-head running-head-added">'
        "Thurrock, Q3</p><h1>"
    ) in added
    own = html.replace("<h1>T</h1>", '<p class="running-head">Own</p>')
    assert with_running_head(own) == own  # the template's element wins


def test_pdf_layout_cover_exceptions_tables_figures(contract_pdf: Any) -> None:
    pages = contract_pdf.pages
    # cover alone on page 1
    assert "cover" in _ids_on(pages[0]) and "summary" not in _ids_on(pages[0])
    # page-break-before and exception sections each start a page
    for section_id in ("scorecard", "exception-cla_rate", "exception-eet"):
        first = next(p for p in pages if section_id in _ids_on(p))
        assert _first_body_element_id(first) == section_id
    # the long table spans pages and its header row is repeated on each of them
    table_pages = [p for p in pages if "scorecard-table" in _ids_on(p)]
    assert len(table_pages) >= 2
    for p in table_pages:
        assert "Indicator Value RAG" in re.sub(r"\s+", " ", _page_text(p))
    # a figure is never split: each figure's svg is drawn on exactly one page
    for fig in ("figure-1", "figure-2"):
        assert sum(fig in _ids_on(p) for p in pages) == 1
    # the running header is taken from the title when the cover has no element for it
    assert "Thurrock (883), quarter ending Dec 24" in _margin_text(pages[1])


def test_pdf_never_splits_a_figure_from_its_caption() -> None:
    """Push a figure down the page 2 mm at a time: without print.css's rule, its caption
    goes to the next page once the chart just fits (about 168 mm down on A4)."""
    from jinja2 import Environment, PackageLoader

    css = Environment(loader=PackageLoader("cscperf.report", "templates"))
    style = css.get_template("print.css").render()
    for mm in range(156, 182, 2):
        html = (
            f"<!DOCTYPE html><html lang=en><head><title>t: x</title><style>{style}</style>"
            f'</head><body><main><div style="height: {mm}mm"></div>{_figure(1, "m")}</main>'
            "</body></html>"
        )
        document, _ = render_document(html)
        assert sum("figure-1" in _ids_on(p) for p in document.pages) == 1, mm


def test_pdf_fetches_nothing() -> None:
    html = (
        '<!DOCTYPE html><html><head><title>x: y</title><link rel="stylesheet" '
        'href="https://example.invalid/a.css"><style>@import url("http://example.invalid/b.css");'
        '</style></head><body><p>text</p><img src="http://example.invalid/c.png" alt="c">'
        "</body></html>"
    )
    pdf, refused = render_pdf(html)
    assert pdf.startswith(b"%PDF-")
    assert sorted(set(refused)) == [
        "http://example.invalid/b.css", "http://example.invalid/c.png",
        "https://example.invalid/a.css",
    ]  # fmt: skip


# ---------- DOCX


def _html_root(html: str) -> ET.Element:
    root: ET.Element = HTMLParser(namespace_html_elements=False).parse(html)
    return root


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _tags(root: ET.Element, *names: str) -> list[ET.Element]:
    return [e for e in root.iter() if _local(e.tag) in names]


def _text(el: ET.Element) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def _check_docx_mirrors_html(doc: Any, html: str, extra_tables: int = 0) -> None:
    root = _html_root(html)
    headings = [
        p for p in doc.paragraphs if p.style.name == "Title" or p.style.name.startswith("Heading")
    ]
    assert [p.text for p in headings] == [_text(h) for h in _tags(root, "h1", "h2", "h3", "h4")]
    assert len(doc.tables) == len(_tags(root, "table")) + extra_tables
    figures = _tags(root, "figure")
    assert len(doc.inline_shapes) == len(figures)
    descs = [_text(d) for f in figures for d in f.iter(f"{{{SVG}}}desc")]
    alts = [s._inline.docPr.get("descr") for s in doc.inline_shapes]
    assert alts == descs
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions == [_text(c) for c in _tags(root, "caption", "figcaption")]
    for table, el in zip(doc.tables, _tags(root, "table"), strict=False):
        thead_rows = len([tr for tr in _tags(el, "thead")[0] if _local(tr.tag) == "tr"]) if (
            _tags(el, "thead")) else 0  # fmt: skip
        for i, row in enumerate(table.rows):
            header = row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None
            assert header == (i < thead_rows)
        if thead_rows:
            assert all(r.bold for c in table.rows[0].cells for r in c.paragraphs[0].runs)


def test_docx_of_the_report_holds_headings_tables_figures(written: tuple[str, Path]) -> None:
    _, out = written
    doc = Document(str(out / "report.docx"))
    html = (out / "report.html").read_text(encoding="utf-8")
    _check_docx_mirrors_html(doc, html)
    assert doc.core_properties.title == _text(_html_root(html).find("head/title"))  # type: ignore[arg-type]
    assert len(doc.inline_shapes) >= 1  # the hand-built store has a month series


def test_docx_of_the_contract_page(contract_html: str, tmp_path: Path) -> None:
    path = tmp_path / "r.docx"
    build_docx(contract_html).save(str(path))
    doc = Document(str(path))
    # the second exception has no blank table: one is added for officers to type into
    _check_docx_mirrors_html(doc, contract_html, extra_tables=1)
    styles = [(p.style.name, p.text) for p in doc.paragraphs]
    assert ("List Bullet", "Strength one") in styles and ("List Bullet 2", "Detail") in styles
    assert ("List Number", "First") in styles
    assert ("Normal", "Thurrock, quarter ending Dec 24. Draft for members.") in styles
    by_text = {p.text: p for p in doc.paragraphs}
    assert by_text["Thurrock, quarter ending Dec 24. Draft for members."].runs[1].bold
    # the paragraph after the cover, the page-break section and each exception start pages
    starts = ("Executive summary", "Appendix: scorecard", "Exception: CLA rate", "Exception: EET")
    for heading in starts:
        assert by_text[heading].paragraph_format.page_break_before, heading
    # RAG cells: shaded and still saying the word
    scorecard = doc.tables[0]
    red = scorecard.rows[1].cells[2]  # Indicator 0 -> Red
    assert red.text == "Red"
    assert red._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) == "F6D7D2"
    # exception tables: blank cells to type into; the added one names the fields
    assert [c.text for c in doc.tables[1].rows[1].cells] == [""] * 5
    added = doc.tables[2]
    assert [r.cells[0].text for r in added.rows[1:]] == [
        "What happened", "Why", "Action", "Owner", "Date"
    ]  # fmt: skip
    assert all(r.cells[1].text == "" for r in added.rows[1:])
    with zipfile.ZipFile(path) as z:
        body = z.read("word/document.xml").decode()
        media = [n for n in z.namelist() if n.startswith("word/media/")]
    assert "txbxContent" not in body and "wp:anchor" not in body  # no text boxes/floats
    assert len(media) == 2
    with zipfile.ZipFile(path) as z:
        png = z.read(media[0])
    assert png.startswith(b"\x89PNG")
    width = int.from_bytes(png[16:20], "big")
    assert width == 800  # 400 px wide SVG at 2x
    assert doc.core_properties.subject == "Children's social care performance report"


# ---------- HTML rules


def _urls_outside_namespaces(html: str) -> list[str]:
    """http(s) URLs anywhere in the document text, except namespace declarations
    (xmlns / xmlns:xlink attribute values name a namespace and are never fetched)."""
    stripped = re.sub(r"""\sxmlns(?::\w+)?\s*=\s*("[^"]*"|'[^']*')""", "", html)
    return re.findall(r"https?://[^\s\"'<>)]*", stripped, flags=re.I)


def test_url_rule_allows_only_namespace_declarations() -> None:
    ok = f'<svg xmlns="{SVG}" xmlns:xlink="http://www.w3.org/1999/xlink"></svg>'
    assert _urls_outside_namespaces(ok) == []
    for bad in ('<a href="https://x.invalid">', "<style>@import url(http://x.invalid/a)</style>",
                "<p>see HTTPS://x.invalid</p>", f'<svg data-x="{SVG}"></svg>'):  # fmt: skip
        assert _urls_outside_namespaces(bad), bad


def _html_problems(html: str) -> list[str]:
    """HTML5 parse errors (tinyhtml5: the WHATWG parsing algorithm reports every parse
    error) plus a structural check: doctype, lang, title, the contract's element set,
    unique ids, aria references that resolve, nothing an SVG could fetch."""
    parser = HTMLParser(namespace_html_elements=False)
    root = parser.parse(html)
    problems = [f"parse error {code} at {pos} {data}" for pos, code, data in parser.errors]
    if not html.lstrip().lower().startswith("<!doctype html>"):
        problems.append("no <!DOCTYPE html>")
    if not root.get("lang"):
        problems.append("<html> has no lang")
    title = root.find("head/title")
    if title is None or not _text(title):
        problems.append("no <title>")
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    problems += [f"duplicate id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag.startswith(f"{{{SVG}}}"):
            if _local(tag) in ("image", "foreignObject", "script", "use"):
                problems.append(f"svg <{_local(tag)}>")
            problems += [f"svg {k}" for k in el.attrib if _local(k) == "href"]
        elif tag and tag not in HTML_ELEMENTS:
            problems.append(f"<{tag}> outside the report contract")
        if tag == "a" and not (el.get("href") or "").startswith("#"):
            problems.append(f"link {el.get('href')!r} is not within the page")
        for ref in (el.get("aria-labelledby") or "").split():
            if ref not in ids:
                problems.append(f"aria-labelledby {ref} does not resolve")
    return problems


def test_html_validity_check_catches_problems() -> None:
    assert _html_problems(render_contract_page()) == []
    bad = (
        render_contract_page()
        .replace("<ol>", "<ol><blink>")
        .replace('id="summary"', 'id="cover"')
        .replace("<p>Source", '<p x="1" x="2">Source')
    )
    problems = _html_problems(bad)
    assert any("<blink>" in p for p in problems)
    assert "duplicate id cover" in problems
    assert any("duplicate-attribute" in p for p in problems)


def test_report_html_is_valid_and_has_no_external_url(written: tuple[str, Path]) -> None:
    _, out = written
    html = (out / "report.html").read_text(encoding="utf-8")
    assert _html_problems(html) == []
    assert _urls_outside_namespaces(html) == []


# ---------- formats and the CLI


def _invoke(db: str, out: Path, *extra: str) -> Any:
    return CliRunner().invoke(
        main, ["report", "--db", db, "--la", "883", "--period-end", "2025-03-31",
               "--out", str(out), *extra],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("html,pfd", "--format: unknown format 'pfd' (choose from html, pdf, docx, xlsx)"),
        (",", "--format: no format given"),
    ],
)
def test_unknown_format_is_one_line_exit_2(tmp_path: Path, value: str, message: str) -> None:
    db = _store(tmp_path)
    res = _invoke(db, tmp_path / "o", "--format", value)
    assert res.exit_code == 2
    assert message in res.output and len(res.output.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_only_the_formats_asked_are_written(tmp_path: Path) -> None:
    db = _store(tmp_path)
    res = _invoke(db, tmp_path / "o", "--format", "DOCX, html,docx")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["report.docx", "report.html"]
    assert res.output.split() == [str(tmp_path / "o" / n) for n in ("report.docx", "report.html")]


def test_xlsx_without_its_writer_is_one_line(tmp_path: Path, monkeypatch: Any) -> None:
    db = _store(tmp_path)
    monkeypatch.setattr(writers, "XLSX_MODULE", "cscperf.report.no_such_writer")
    res = _invoke(db, tmp_path / "o", "--format", "html,xlsx")
    assert res.exit_code == 2
    assert res.output.strip() == "cscperf: error: xlsx writer not installed"
    assert "xlsx" not in writers.default_formats()


def test_xlsx_is_written_by_the_xlsx_module(tmp_path: Path, monkeypatch: Any) -> None:
    db = _store(tmp_path)
    calls: list[tuple[Any, ...]] = []
    given: list[Any] = []

    def fake(*args: Any, backtest: Any = None) -> Path:
        calls.append(args)
        given.append(backtest)
        args[-1].write_bytes(b"xlsx")
        return Path(args[-1])

    module = types.ModuleType("fake_xlsx")
    module.write_scorecard_xlsx = fake  # type: ignore[attr-defined]
    module.__spec__ = importlib.machinery.ModuleSpec("fake_xlsx", None)
    monkeypatch.setitem(sys.modules, "fake_xlsx", module)
    monkeypatch.setattr(writers, "XLSX_MODULE", "fake_xlsx")
    assert writers.default_formats() == ["html", "pdf", "docx", "xlsx"]
    data = build_report("883", END, db=db)
    paths = writers.write_formats(data, tmp_path / "o", ["xlsx"], db=db, targets_path="t.yml")
    assert paths == [tmp_path / "o" / "scorecard.xlsx"]
    assert calls == [("883", END, "year", "t.yml", db, tmp_path / "o" / "scorecard.xlsx")]
    # the report's own back-test is handed over, not run a second time
    assert given == [data.backtest_result]


def test_docx_wide_table_on_a_landscape_page_columns_sized_by_content() -> None:
    head = "".join(f'<th scope="col">C{i}</th>' for i in range(8))
    body = '<tr><th scope="row">Children looked after placed inside the LA boundary</th>'
    body += "<td>42%</td>" * 7 + "</tr>"
    html = (
        "<!DOCTYPE html><html lang=en><head><title>t: x</title></head><body><main>"
        "<p>Before.</p><table><caption>Wide</caption><thead><tr>" + head + "</tr></thead>"
        "<tbody>" + body + "</tbody></table><p>After.</p>"
        "<table><caption>Narrow</caption><tr><td>a</td><td>b</td></tr></table></main></body></html>"
    )
    doc = build_docx(html)
    orient = [(s.page_width > s.page_height) for s in doc.sections]
    assert orient == [False, True, False]  # portrait, the wide table landscape, portrait
    wide, narrow = doc.tables
    widths = [c.width for c in wide.columns]
    assert widths[0] > 3 * widths[1] and len(set(widths[1:])) == 1
    assert abs(sum(widths) - (29.7 - 4) / 2.54 * 914400) < 914400 * 0.01
    assert abs(sum(c.width for c in narrow.columns) - (21.0 - 4) / 2.54 * 914400) < 9144
