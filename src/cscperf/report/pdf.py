"""report.pdf: the rendered report.html laid out by WeasyPrint for A4.

Why from the HTML: the PDF then shows exactly the HTML's content and inline SVG
charts; the layout (page size, numbers, running header, breaks) lives in
templates/print.css, which report.html includes. Nothing is fetched: every URL is
refused, so a stray reference can never reach the network.
"""

from __future__ import annotations

import html as htmllib
import logging
import re
from pathlib import Path
from typing import Any

#: The element print.css takes the running header from (``string-set``).
RUNNING_HEAD = "running-head"
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_COVER = re.compile(r"<(header|section|div)\b[^>]*\b(?:id=\"cover\"|class=\"[^\"]*\bcover\b)[^>]*>",
                    re.I)  # fmt: skip
_BODY = re.compile(r"<body\b[^>]*>", re.I)


def running_head_text(html: str) -> str:
    """The LA and period from the document title: the part after its first colon."""
    m = _TITLE.search(html)
    title = htmllib.unescape(re.sub(r"\s+", " ", m.group(1))).strip() if m else ""
    return title.split(": ", 1)[-1]


def with_running_head(html: str) -> str:
    """The HTML with an element of class ``running-head`` in its cover (added, hidden,
    from the title when the template has none), for print.css to set the header from."""
    if re.search(rf"class=\"[^\"]*\b{RUNNING_HEAD}\b", html):
        return html
    anchor = _COVER.search(html) or _BODY.search(html)
    if anchor is None:
        return html
    text = htmllib.escape(running_head_text(html))
    tag = f'<p class="{RUNNING_HEAD} {RUNNING_HEAD}-added">{text}</p>'
    return html[: anchor.end()] + tag + html[anchor.end() :]


def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher

    class RefuseAll(URLFetcher):  # type: ignore[misc]
        """Refuses every URL (and remembers which): the report must be self-contained."""

        def __init__(self) -> None:
            super().__init__()
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            self.refused.append(url)
            raise ValueError(f"cscperf fetches nothing: {url}")

    return RefuseAll


def render_document(html: str) -> tuple[Any, list[str]]:
    """The laid-out WeasyPrint document (pages and boxes, for checks) and the URLs the
    HTML asked for (all refused; none expected)."""
    from weasyprint import HTML

    fetcher = _fetcher_class()()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # a refused URL is not news
    document = HTML(string=with_running_head(html), url_fetcher=fetcher).render()
    return document, list(fetcher.refused)


def render_pdf(html: str) -> tuple[bytes, list[str]]:
    """The PDF bytes and the URLs the HTML asked for (all refused)."""
    document, refused = render_document(html)
    pdf = document.write_pdf()
    assert isinstance(pdf, bytes)
    return pdf, refused


def write_pdf(html: str, path: Path) -> Path:
    """Write report.pdf from the report's HTML; raises OSError when it cannot be written."""
    pdf, _ = render_pdf(html)
    path.write_bytes(pdf)
    return path
