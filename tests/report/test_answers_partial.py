"""The answers partial: accessible tables, the report's element set, one number format."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from jinja2 import ChoiceLoader, DictLoader, Environment, PackageLoader, select_autoescape
from lxml import etree

from cscperf.answers.model import AnswerTable
from cscperf.report.answers import format_cell, formatted_rows, render_answers

#: report.html's element set (docs: briefs' report contract), less the ones a table
#: section never needs
ALLOWED = {"section", "h2", "h3", "p", "div", "table", "caption", "thead", "tbody", "tr",
           "th", "td", "strong", "span", "em"}  # fmt: skip

FULL = AnswerTable(
    id="full",
    question="How many?",
    title="Counts",
    columns=("Group", "Children", "%", "FTE", "Days", "Cost"),
    units=("text", "count", "percent", "fte", "days", "money"),
    rows=(("A & B", 1234, 12.345, 2.25, 75.5, 53333.33), ("C <x>", 0, None, 0.0, None, None)),
    note="Where from.",
    total=("All", 1234, 100.0, 2.25, None, None),
)
EMPTY = AnswerTable(
    id="empty", question="Any?", title="Nothing", columns=("Group", "Children"),
    units=("text", "count"), rows=(), note="Note.", none="No child went missing.",
)  # fmt: skip


def _tree(html: str) -> etree._Element:
    root = etree.fromstring(f"<div>{html}</div>", etree.HTMLParser(recover=False))
    div = root.find(".//body/div")
    assert div is not None
    return div


def _text(e: etree._Element) -> str:
    return "".join(str(t) for t in e.itertext())


def test_format_cell() -> None:
    assert format_cell(1234, "count") == "1,234"
    assert format_cell(12.345, "percent") == "12.3%"
    assert format_cell(2.25, "fte") == "2.2"  # round half even, as Python formats
    assert format_cell(53333.33, "money") == "£53,333"
    assert format_cell(75.5, "days") == "76"
    assert format_cell(None, "count") == "n/a"
    assert format_cell("Child A", "text") == "Child A"


def test_partial_renders_accessible_tables_with_the_same_numbers() -> None:
    root = _tree(render_answers([FULL, EMPTY]))
    assert {e.tag for e in root.iter()} - {"div"} <= ALLOWED
    tables = root.findall(".//table")
    assert [t.findtext("caption") for t in tables] == ["How many?", "Any?"]
    for t in tables:
        assert all(th.get("scope") == "col" for th in t.findall("thead/tr/th"))
        for tr in t.findall("tbody/tr"):
            first = tr[0]
            assert first.tag == "td" or first.get("scope") == "row"
    body = [[_text(c) for c in tr] for tr in tables[0].findall("tbody/tr")]
    assert body == formatted_rows(FULL)  # text escaped, not dropped: "A & B", "C <x>"
    assert _text(tables[1]).count("None. No child went missing.") == 1
    assert root.findtext(".//section[@id='answer-full']/p[@class='note']") == "Where from."


def test_partial_renders_inside_report_environment() -> None:
    """report.html's environment (build.render) has no answers filter: the partial must
    need none, so the lead can include it as it is."""
    env = Environment(
        loader=ChoiceLoader([
            DictLoader({"host.html": '{% set answers = d.answers %}{% include "_answers.html" %}'}),
            PackageLoader("cscperf.report", "templates"),
        ]),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )  # fmt: skip

    d = SimpleNamespace(answers=[FULL])
    assert env.get_template("host.html").render(d=d) == render_answers([FULL])


@pytest.mark.parametrize("unit", ["count", "fte", "percent", "days", "money"])
def test_partial_and_format_cell_agree(unit: str) -> None:
    values = [0, 1, 0.5, 1.5, 2.5, 999.95, 1000, 12345.678, -3.25]
    t = AnswerTable("u", "Q?", "T", ("Label", "V"), ("text", unit),
                    tuple((f"r{i}", v) for i, v in enumerate(values)), "n")  # fmt: skip
    cells = [td.text for td in _tree(render_answers([t])).iter("td")]
    assert cells == [format_cell(v, unit) for v in values]
