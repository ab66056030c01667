"""sections.yml places every catalogue KPI in exactly one report section, and a section
without values says so in one line rather than vanishing."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from click.testing import CliRunner
from lxml import etree

from cscperf.cli import main
from cscperf.kpis.catalogue import load_catalogue
from cscperf.report.sections import demand_ids, load_sections
from tests.report.test_report import _store

AREAS = (
    "front door", "assessments", "child protection", "children in need", "looked-after",
    "placements", "reviews", "missing and return home", "adoption", "care leavers", "health",
    "workforce", "fostering",
)  # fmt: skip


def test_every_catalogue_kpi_is_in_exactly_one_section() -> None:
    placed = Counter(k for s in load_sections() for k in s.kpis)
    twice = sorted(k for k, n in placed.items() if n > 1)
    assert not twice, f"in more than one section of report/sections.yml: {twice}"
    catalogue = set(load_catalogue())
    missing = sorted(catalogue - set(placed))
    assert not missing, f"add these KPIs to a section of report/sections.yml: {missing}"
    unknown = sorted(set(placed) - catalogue)
    assert not unknown, f"not in the catalogue: {unknown}"
    assert demand_ids() <= catalogue


def test_the_sections_the_issue_lists_in_committee_order() -> None:
    headings = [s.heading.lower() for s in load_sections()]
    assert len(headings) == len(AREAS)
    for want, got in zip(AREAS, headings, strict=True):
        assert want in got, (want, got)


def test_a_section_without_values_says_so(tmp_path: Path) -> None:
    db = _store(tmp_path)  # values for contacts, placed in LA and care leavers only
    out = tmp_path / "o"
    res = CliRunner().invoke(main, ["report", "--db", db, "--la", "883", "--period-end",
                                    "2025-03-31", "--out", str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    root = etree.fromstring((out / "report.html").read_bytes(), etree.HTMLParser())
    sections = root.xpath("//main/section[starts-with(@id, 'area-')]")
    assert [s.get("id") for s in sections] == [f"area-{s.id}" for s in load_sections()]
    (adoption,) = root.xpath("//section[@id='area-adoption']")
    (line,) = adoption.xpath("p[@class='no-values']")
    assert line.text.startswith("No indicator in this section has a value for the year ending")
    assert not adoption.xpath(".//table") and not adoption.xpath("p[@class='narrative']")
    (leavers,) = root.xpath("//section[@id='area-care_leavers']")
    assert not leavers.xpath("p[@class='no-values']") and leavers.xpath(".//table")
