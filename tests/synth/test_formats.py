"""The generated files are in the real formats and every value passes validation."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from cscperf.store.schema import TABLES
from cscperf.synth.api import TABLES_903, Manifest
from cscperf.synth.writers_903 import COLUMNS
from cscperf.validate.codes import codes_for

from .conftest import SMALL_YEARS

_903_TABLE = TABLES_903
UK_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
LOCAL = (
    "sw_workforce",
    "fostering_households",
    "case_audits",
    "health_assessments",
    "return_interviews",
)


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        r = csv.DictReader(f)
        return list(r.fieldnames or []), list(r)


def _parse(text: str, iso: bool) -> date:
    return date.fromisoformat(text) if iso else datetime.strptime(text, "%d/%m/%Y").date()


def _check_table(path: Path, table: str, year: int, iso: bool) -> int:
    """Every code in its list, required fields present, dates valid, end not before start."""
    _, rows = _read(path)
    t = TABLES[table]
    for row in rows:
        values = {("child_id" if k == "CHILD" else k.lower()): v for k, v in row.items()}
        for name, v in values.items():
            c = t.col(name)
            if c.required:
                assert v != "", f"{path.name}: {name} blank"
            if v and c.kind == "code" and c.codes:
                assert v in codes_for(c.codes, year), (
                    f"{path.name}: {name}={v!r} not valid in {year}"
                )
            if v and c.kind == "date":
                assert iso or UK_DATE.match(v), f"{path.name}: {name}={v!r}"
                _parse(v, iso)
        for chk in t.checks:
            start = chk.sql.split(" < ")[1]
            if values.get(chk.field) and values.get(start):
                assert _parse(values[chk.field], iso) >= _parse(values[start], iso), (
                    f"{path.name}: {chk.reason}"
                )
    return len(rows)


def test_one_folder_per_la_year_with_every_file(small: tuple[Path, Manifest]) -> None:
    out, m = small
    for year in SMALL_YEARS:
        names = {p.name for p in (out / "883" / str(year)).iterdir()}
        expected = {f"{n}.csv" for n in COLUMNS} | {f"{n}.csv" for n in LOCAL}
        expected |= {"cin_census.xml", "annex_a.xlsx", "population.csv"}
        if year < 2024:  # social worker episodes and DoLOs joined the 903 in 2024
            expected -= {"sw_episodes.csv", "DoLo.csv"}
        assert names == expected
    assert (out / "manifest.json").exists()
    assert m.children > 0 and not m.faults


@pytest.mark.parametrize("year", SMALL_YEARS)
def test_903_csv_columns_codes_and_dates(small: tuple[Path, Manifest], year: int) -> None:
    folder = small[0] / "883" / str(year)
    counts = {}
    for name in COLUMNS:
        path = folder / f"{name}.csv"
        if not path.exists():
            continue
        assert tuple(_read(path)[0]) == COLUMNS[name]
        counts[name] = _check_table(path, _903_TABLE[name], year, iso=False)
    assert counts["header"] > 10 and counts["episodes"] >= counts["header"]
    assert counts["reviews"] > 0 and counts["previous_permanence"] == counts["header"]


@pytest.mark.shared
def test_903_columns_match_the_real_format(shared: Path) -> None:
    for name, cols in COLUMNS.items():
        real = shared / "fixtures" / "ssda903-fake" / f"{name}.csv"
        with real.open(encoding="utf-8-sig") as f:
            assert tuple(next(csv.reader(f))) == cols, name


@pytest.mark.parametrize("year", SMALL_YEARS)
def test_local_csvs_are_the_canonical_templates(small: tuple[Path, Manifest], year: int) -> None:
    folder = small[0] / "883" / str(year)
    for name in LOCAL:
        cols, _ = _read(folder / f"{name}.csv")
        assert tuple(cols) == TABLES[name].column_names
        _check_table(folder / f"{name}.csv", name, year, iso=True)
    _, rows = _read(folder / "population.csv")
    assert rows == [{"la_code": "883", "year": str(year - 1), "age_0_17": rows[0]["age_0_17"]}]
    assert 4000 < int(rows[0]["age_0_17"]) < 5000  # a tenth of Thurrock's ~45,000 children


@pytest.mark.shared
@pytest.mark.parametrize("year", SMALL_YEARS)
def test_cin_census_validates_against_its_years_xsd(
    small: tuple[Path, Manifest], shared: Path, year: int
) -> None:
    xsd = etree.XMLSchema(
        etree.parse(str(shared / "spec" / "cin-census-xsd" / f"CIN_schema_{year}.xsd"))
    )
    doc = etree.parse(str(small[0] / "883" / str(year) / "cin_census.xml"))
    assert xsd.validate(doc), xsd.error_log
    sex_tag = "Sex" if year >= 2025 else "GenderCurrent"
    assert doc.find(f".//{sex_tag}") is not None
    assert (doc.find(".//CINPlanDates") is not None) == (year >= 2022)
    assert doc.findtext(".//Year") == str(year)


@pytest.mark.shared
def test_903_xml_validates(small_xml: tuple[Path, Manifest], shared: Path) -> None:
    xsd = etree.XMLSchema(etree.parse(str(shared / "spec" / "ssda903-CLA.xsd")))
    doc = etree.parse(str(small_xml[0] / "883" / "2025" / "ssda903.xml"))
    assert xsd.validate(doc), xsd.error_log
    assert len(doc.findall("CHILD")) == small_xml[1].files["883/2025/ssda903.xml"] > 10


@pytest.mark.shared
def test_annex_a_headers_match_the_real_workbook(
    small: tuple[Path, Manifest], shared: Path
) -> None:
    real = openpyxl.load_workbook(
        shared / "fixtures" / "annex-a" / "Annex_A_2024_Jan.xlsx", read_only=True
    )
    ours = openpyxl.load_workbook(small[0] / "883" / "2025" / "annex_a.xlsx", read_only=True)
    for n in range(1, 12):
        want = next(real[f"List {n}"].iter_rows(max_row=1, values_only=True))
        got = next(ours[f"List {n}"].iter_rows(max_row=1, values_only=True))
        assert got == want, f"List {n}"
    rows = list(ours["List 3"].iter_rows(min_row=2, values_only=True))
    assert rows and all(date(2024, 4, 1) <= r[5].date() <= date(2025, 3, 31) for r in rows)


def test_returns_hold_only_what_was_known_at_31_march(small: tuple[Path, Manifest]) -> None:
    """No date after the year's 31 March; an episode ending later is open in that return."""
    folder = small[0] / "883" / "2024"
    _, eps = _read(folder / "episodes.csv")
    for e in eps:
        for k in ("DECOM", "DEC"):
            if e[k]:
                assert _parse(e[k], False) <= date(2024, 3, 31)
        if not e["DEC"]:
            assert e["REC"] == "" and e["REASON_PLACE_CHANGE"] == ""
