"""report.html: valid, self-contained, accessible, and every number from the API."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from cscperf import api
from cscperf.cli import main
from cscperf.kpis.engine import KPI_VALUES_DDL
from cscperf.report.narrative import fmt
from cscperf.store.db import connect
from cscperf.targets.lines import shift

END = date(2025, 3, 31)


def _store(tmp_path: Path) -> str:
    """Year values for three KPIs over three years; one null with its reason."""
    db = tmp_path / "s.duckdb"
    con = connect(db)
    con.execute(KPI_VALUES_DDL)
    rows = [
        ("cla_placed_in_la", date(2025, 3, 31), 42.0),
        ("cla_placed_in_la", date(2024, 3, 31), 47.5),
        ("care_leavers_eet_19_21", date(2025, 3, 31), 66.7),
        ("care_leavers_eet_19_21", date(2024, 3, 31), 61.9),
        ("contacts", date(2025, 3, 31), 611.0),
        ("contacts", date(2024, 3, 31), 431.0),
        ("contacts", date(2023, 3, 31), 400.0),
        ("care_leavers_eet_19_21", date(2023, 3, 31), None),
    ]
    con.executemany(
        "INSERT INTO kpi_values VALUES (?, '883', 'year', ?, ?, 'all', NULL, NULL, ?, ?, ?)",
        [(k, d, d, 6 if k == "cla_placed_in_la" else None, v, None if v else "suppressed")
         for k, d, v in rows],
    )  # fmt: skip
    months = [shift(END, -i) for i in range(26, -1, -1)]  # Jan 23 .. Mar 25
    con.executemany(
        "INSERT INTO kpi_values VALUES ('cla_placed_in_la', '883', 'month', ?, ?, 'all',"
        " NULL, ?, 100, ?, ?)",
        [
            (d.replace(day=1), d, None if i == 5 else 40 + i / 2, None if i == 5 else 40 + i / 2,
             "no data" if i == 5 else None)
            for i, d in enumerate(months)
        ],
    )  # fmt: skip
    con.close()
    return str(db)


@pytest.fixture
def report(tmp_path: Path) -> tuple[str, Path]:
    db = _store(tmp_path)
    res = CliRunner().invoke(
        main, ["report", "--db", db, "--la", "883", "--period-end", "2025-03-31",
               "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    return db, tmp_path / "out" / "report.html"


def _change(p: etree._Element) -> str:
    """The change sentence of a narrative paragraph."""
    return "".join(p.xpath("span[@data-kind='change']")[0].itertext())


def _text(p: etree._Element) -> str:
    return "".join(p.itertext())


def _tree(path: Path) -> etree._Element:
    parser = etree.HTMLParser(recover=False)
    return etree.fromstring(path.read_bytes(), parser)


def test_html_is_valid_self_contained_and_accessible(report: tuple[str, Path]) -> None:
    _, path = report
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "http://" not in text and "https://" not in text and "<script" not in text
    root = _tree(path)
    assert root.findtext("head/title")
    ids = root.xpath("//@id")
    assert len(ids) == len(set(ids))
    tables = root.xpath("//table")
    assert tables
    for table in tables:
        assert table.find("caption") is not None
        assert table.xpath(".//th") and all(th.get("scope") for th in table.xpath(".//th"))
    for svg in root.xpath("//svg"):
        assert svg.get("aria-label") or svg.find("title") is not None


def test_scorecard_numbers_equal_the_api(report: tuple[str, Path]) -> None:
    db, path = report
    root = _tree(path)
    lines = {ln.kpi_id: ln for ln in api.rag("883", END, db=db)}
    seen = 0
    for tr in root.xpath("//table[@id='scorecard-table']/tbody/tr"):
        ln = lines[tr.get("data-kpi")]
        cells = [td.text or "" for td in tr.findall("td")]
        assert cells[0] == fmt(ln.value, "percent" if cells[0].endswith("%") else "")
        assert cells[2] == fmt(ln.last_year, "percent" if cells[2].endswith("%") else "")
        assert cells[5].lower() == (ln.rag or "not rated")  # RAG as text, not colour alone
        seen += 1
    assert seen == len(lines)


def test_narrative_sentence_numbers_come_from_the_api(report: tuple[str, Path]) -> None:
    db, path = report
    root = _tree(path)
    (p,) = root.xpath("//p[@class='narrative'][@data-kpi='contacts']")
    line = {ln.kpi_id: ln for ln in api.rag("883", END, db=db)}["contacts"]
    assert line.value is not None and line.last_year is not None
    numbers = [
        float(n.replace(",", ""))
        for n in re.findall(r"(?<![A-Za-z])\d[\d,]*(?:\.\d+)?", _change(p))
    ]
    # "... has increased by 180 (Mar 25: 611, Mar 24: 431)." (25 and 24 are the years)
    assert numbers == [line.value - line.last_year, 25, line.value, 24, line.last_year]
    assert "increased by 180" in _change(p)


def test_no_benchmarks_is_said(report: tuple[str, Path]) -> None:
    _, path = report
    assert "No published benchmarks are imported" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--la", "999"], "no KPI values for LA 999"),
        (["--db", "missing.duckdb"], "no such store"),
    ],
)
def test_cli_errors_are_one_line_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    db = _store(tmp_path)
    base = {"--db": db, "--la": "883", "--period-end": "2025-03-31", "--out": str(tmp_path / "o")}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    if base["--db"] == "missing.duckdb":
        base["--db"] = str(tmp_path / "missing.duckdb")
    res = CliRunner().invoke(main, ["report", *[x for kv in base.items() for x in kv]])
    assert res.exit_code == 2
    assert message in res.output and len(res.output.strip().splitlines()) == 1
    assert "Traceback" not in res.output


def test_cli_unwritable_out(tmp_path: Path) -> None:
    db = _store(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = CliRunner().invoke(
        main, ["report", "--db", db, "--la", "883", "--period-end", "2025-03-31",
               "--out", str(blocker / "sub")],
    )  # fmt: skip
    assert res.exit_code == 2, res.output
    assert "cannot write the report" in res.output and len(res.output.strip().splitlines()) == 1


def test_api_values_reads_the_month_series(tmp_path: Path) -> None:
    db = _store(tmp_path)
    got = api.values("883", "month", shift(END, -2), END, ["cla_placed_in_la"], db=db)
    assert [(v.period_end, v.value) for v in got] == [
        (date(2025, 1, 31), 52.0), (date(2025, 2, 28), 52.5), (date(2025, 3, 31), 53.0)
    ]  # fmt: skip
    nulls = api.values("883", "month", date(2023, 6, 1), date(2023, 6, 30), db=db)
    assert [(v.value, v.flag) for v in nulls] == [(None, "no data")]


def test_trend_chart_is_named_and_states_its_message(report: tuple[str, Path]) -> None:
    db, path = report
    root = _tree(path)
    (svg,) = root.xpath("//svg")
    assert svg.get("role") == "img"
    title_id, desc_id = (svg.get("aria-labelledby") or "").split()
    assert root.xpath(f"//*[@id='{title_id}']")[0].text.startswith("Figure 1: ")
    desc = root.xpath(f"//*[@id='{desc_id}']")[0].text
    series = [v for v in api.values("883", "month", date(2023, 1, 1), END, db=db)
              if v.value is not None]  # fmt: skip
    first, last = series[0], series[-1]
    pct = "percent"
    assert (
        f"rose from {fmt(first.value, pct)} at Jan 23 to {fmt(last.value, pct)} at Mar 25" in desc
    )
    assert len(svg.xpath(".//path")) == 2  # the null month breaks the line


def test_small_numbers_and_null_reasons(tmp_path: Path) -> None:
    db = _store(tmp_path)
    out = tmp_path / "o"
    args = ["report", "--db", db, "--la", "883", "--out", str(out)]
    assert CliRunner().invoke(main, [*args, "--period-end", "2025-03-31"]).exit_code == 0
    root = _tree(out / "report.html")
    (placed,) = root.xpath("//p[@class='narrative'][@data-kpi='cla_placed_in_la']")
    assert "Small numbers: interpret with care." in _text(placed)  # denominator 6
    (contacts,) = root.xpath("//p[@class='narrative'][@data-kpi='contacts']")
    assert "Small numbers" not in _text(contacts)  # no denominator
    res = CliRunner().invoke(main, [*args, "--period-end", "2023-03-31"])
    assert res.exit_code == 0, res.output
    root = _tree(out / "report.html")
    (row,) = root.xpath(
        "//table[@id='scorecard-table']/tbody/tr[@data-kpi='care_leavers_eet_19_21']"
    )
    assert row.findall("td")[-1].text == "suppressed"


def test_change_sentence_judged_on_the_figures_shown() -> None:
    from datetime import date

    from cscperf.report.narrative import change_sentence

    end, prev = date(2025, 3, 31), date(2024, 3, 31)
    assert change_sentence("Referrals", 5106, 4733, end, prev, "count") == (
        "Referrals has increased by 373 (Mar 25: 5,106, Mar 24: 4,733)."
    )
    # 1.94% and 1.91% both show as 1.9%: unchanged, never "reduced by 0.0"
    assert change_sentence("NFA", 1.94, 1.91, end, prev, "percent") == (
        "NFA is unchanged (Mar 25: 1.9%, Mar 24: 1.9%)."
    )
    # 65.06 and 65.02 show as 65.1 and 65.0: the change a reader works out is 0.1,
    # never "increased by 0.0"
    assert change_sentence("Rate", 65.06, 65.02, end, prev, "rate") == (
        "Rate has increased by 0.1 (Mar 25: 65.1, Mar 24: 65.0)."
    )


#: the element set of the report contract (the Word writer walks it)
HTML_ELEMENTS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "footer", "section",
    "h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "span", "a", "dl", "dt",
    "dd", "table", "caption", "thead", "tbody", "tr", "th", "td", "figure", "figcaption",
    "svg", "div",
}  # fmt: skip
SVG_ELEMENTS = {"title", "desc", "defs", "pattern", "rect", "line", "path", "circle", "text"}


def test_report_keeps_to_the_contract(report: tuple[str, Path]) -> None:
    _, path = report
    root = _tree(path)
    svgs = root.xpath("//svg")
    outside = {e.tag for e in root.iter() if not e.xpath("ancestor::svg")}
    assert outside <= HTML_ELEMENTS, outside - HTML_ELEMENTS
    assert {e.tag for s in svgs for e in s.iterdescendants()} <= SVG_ELEMENTS
    links = root.xpath("//a")
    assert links and all(a.get("href", "").startswith("#") for a in links)
    assert all(root.xpath(f"//*[@id='{a.get('href')[1:]}']") for a in links)  # none dangling
    assert not root.xpath("//div[@*[name() != 'class']]")
    figures = root.xpath("//figure")
    assert [f.get("id") for f in figures] == [f"figure-{n}" for n in range(1, len(figures) + 1)]
    for n, f in enumerate(figures, 1):
        svg, cap = f.getchildren()
        assert svg.tag == "svg" and svg.get("role") == "img" and cap.tag == "figcaption"
        t, d = svg.get("aria-labelledby").split()
        assert svg.find("title").get("id") == t and svg.find("desc").get("id") == d
        assert cap.text.startswith(f"Figure {n}: ") and svg.find("title").text == cap.text
        assert svg.find("desc").text
    for s in root.xpath("//section[contains(@class, 'exception')]"):
        assert s.get("id") == f"exception-{s.get('data-kpi')}"
    assert root.xpath("//section[@id='exception-cla_placed_in_la']")  # red: 42% < 45%
