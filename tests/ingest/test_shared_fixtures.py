"""Every real-format fixture in ../shared ingests; counts balance; reasons are true.

The quarantine reasons are re-checked here in plain Python, independently of the
SQL that produced them, so a wrong reason fails the test.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from cscperf.cli import main
from cscperf.ingest.pipeline import ingest_paths
from cscperf.store.db import connect, table_counts
from cscperf.store.schema import TABLES
from cscperf.validate.codes import codes_for
from cscperf.validate.sql import POSTCODE_RE

FOLDERS = ("ssda903-fake", "cin-census-fake", "annex-a")
#: the CIN fixtures declare LEA 201 (City of London); fake_CIN_data.xml declares
#: 975, which is no LA, so it is refused under any --la (tested below)
LA = "201"
NOT_AN_LA = "fake_CIN_data.xml"


def _fixture_files(shared: Path) -> list[Path]:
    return [
        f
        for folder in FOLDERS
        for f in sorted((shared / "fixtures" / folder).iterdir())
        if f.name != NOT_AN_LA
    ]


def _date(v: str | None) -> dt.date | None:
    if v is None:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(v.strip(), fmt).date()
        except ValueError:
            pass
    return None


def _reason_is_true(table: str, field: str, value: str | None, reason: str, year: int) -> bool:
    col = TABLES[table].col(field)
    if reason == "required field is blank":
        return value is None or value.strip() == ""
    if reason.startswith("not a date"):
        return value is not None and _date(value) is None
    if reason == "date before 1900":
        d = _date(value)
        return d is not None and d < dt.date(1900, 1, 1)
    if reason == "date after 2100":
        d = _date(value)
        return d is not None and d > dt.date(2100, 12, 31)
    year_end = r"date after the end of the return's reporting year \(31/03/(\d{4})\)"
    if m := re.fullmatch(year_end, reason):
        d = _date(value)
        return int(m.group(1)) == year and d is not None and d > dt.date(year, 3, 31)
    if m := re.fullmatch(r"before the child's date of birth \((\S+) < (\S+)\)", reason):
        d, dob = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
        return d < dob and _date(value) == d
    if reason.startswith("not a whole number"):
        return value is not None and not re.fullmatch(r"\s*[+-]?\d+\s*", value)
    if reason.startswith("not a number"):
        try:
            float(value or "")
        except ValueError:
            return True
        return False
    if m := re.fullmatch(r"(less|more) than (\S+)", reason):
        n = float(value or "nan")
        return n < float(m.group(2)) if m.group(1) == "less" else n > float(m.group(2))
    if reason.startswith("not a yes/no"):
        return (value or "").strip().lower() not in (
            "1",
            "0",
            "true",
            "false",
            "y",
            "n",
            "yes",
            "no",
        )
    if reason == "not a UK postcode":
        return not re.fullmatch(POSTCODE_RE, (value or "").strip().upper())
    if "is not a valid" in reason:
        assert col.codes is not None
        return (value or "").strip() not in codes_for(col.codes, year)
    if m := re.fullmatch(r"(\w+) is before (\w+) \((\S+) < (\S+)\)", reason):
        end, start = dt.date.fromisoformat(m.group(3)), dt.date.fromisoformat(m.group(4))
        return m.group(1) == field and end < start and _date(value) == end
    raise AssertionError(f"unexpected reason {reason!r}")


@pytest.fixture()
def loaded(shared: Path, tmp_path: Path) -> tuple[duckdb.DuckDBPyConnection, list[object]]:
    con = connect(tmp_path / "s.duckdb")
    report = ingest_paths(con, _fixture_files(shared), LA, year=None)
    return con, report.results


def test_every_fixture_file_ingests_and_balances(loaded, shared: Path) -> None:
    con, results = loaded
    seen = {Path(r.file).name for r in results}
    for f in _fixture_files(shared):
        assert f.name in seen, f"{f} produced no rows"
    for r in results:
        assert r.rows_read == r.rows_loaded + r.rows_quarantined, r
        q = con.execute(
            "SELECT count(*) FROM quarantine WHERE source_file = ? AND table_name = ?",
            [r.file, r.table],
        ).fetchone()
        assert q is not None and q[0] == r.rows_quarantined, r


def test_quarantine_reasons_are_true(loaded) -> None:
    con, _ = loaded
    rows = con.execute(
        "SELECT table_name, field, value, reason, return_year FROM quarantine"
    ).fetchall()
    assert rows, "the fixtures contain deliberate errors; some rows must be quarantined"
    for table, field, value, reason, year in rows:
        if reason.startswith("duplicate of line"):
            continue  # checked in test_duplicates_point_at_a_loaded_earlier_line
        assert _reason_is_true(table, field, value, reason, year), (table, field, value, reason)


def test_duplicates_point_at_a_loaded_earlier_line(loaded) -> None:
    con, _ = loaded
    dups = con.execute(
        "SELECT table_name, source_file, source_line, reason FROM quarantine "
        "WHERE reason LIKE 'duplicate of line%'"
    ).fetchall()
    for table, source_file, line, reason in dups:
        first = int(reason.split()[3])
        assert first < line
        found = con.execute(
            f"SELECT count(*) FROM {table} WHERE source_file = ? AND source_line = ?",
            [source_file, first],
        ).fetchone()
        assert found == (1,), (table, source_file, line, reason)


def test_ingesting_twice_changes_nothing(loaded, shared: Path) -> None:
    con, _ = loaded
    before = (table_counts(con), con.execute("SELECT count(*) FROM quarantine").fetchone())
    ingest_paths(con, _fixture_files(shared), LA)
    after = (table_counts(con), con.execute("SELECT count(*) FROM quarantine").fetchone())
    assert before == after


BOMB = """<?xml version="1.0"?>
<!DOCTYPE Message [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2024</Year>
</CollectionDetails></Header><Children><Child><ChildIdentifiers><LAchildID>&c;</LAchildID>
</ChildIdentifiers></Child></Children></Message>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2024</Year>
</CollectionDetails></Header><Children><Child><ChildIdentifiers><LAchildID>&x;</LAchildID>
</ChildIdentifiers></Child></Children></Message>
"""


@pytest.mark.parametrize("payload", [BOMB, XXE], ids=["entity-bomb", "external-entity"])
def test_hostile_cin_xml_refused_store_unchanged(payload: str, shared: Path, tmp_path) -> None:
    db = str(tmp_path / "s.duckdb")
    runner = CliRunner()
    cin = shared / "fixtures" / "cin-census-fake" / "CIN_Census_2024.xml"
    ok = runner.invoke(main, ["ingest", "--la", LA, "--db", db, str(cin)])
    assert ok.exit_code == 0, ok.output
    con = connect(db)
    before = table_counts(con)
    con.close()
    batch = tmp_path / "batch"
    shutil.copytree(shared / "fixtures" / "ssda903-fake", batch)  # good files in the same batch
    (batch / "hostile.xml").write_text(payload)
    res = runner.invoke(main, ["ingest", "--la", LA, "--db", db, str(batch)])
    assert res.exit_code == 2
    assert "hostile.xml" in res.output and "Traceback" not in res.output
    con = connect(db)
    assert table_counts(con) == before


def test_a_file_for_another_la_is_refused(shared: Path, tmp_path: Path) -> None:
    """CIN_Census_2024.xml says <LEA>201</LEA>: refused under --la 883, store unchanged."""
    db = str(tmp_path / "s.duckdb")
    cin = shared / "fixtures" / "cin-census-fake" / "CIN_Census_2024.xml"
    res = CliRunner().invoke(main, ["ingest", "--la", "883", "--db", db, str(cin)])
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        f"cscperf: error: {cin}: the file is for LA 201, not --la 883: "
        "check the file, or ingest it with its own LA's --la"
    ]
    bogus = shared / "fixtures" / "cin-census-fake" / NOT_AN_LA
    res = CliRunner().invoke(main, ["ingest", "--la", "883", "--db", db, str(bogus)])
    assert res.exit_code == 2 and "the file is for LA 975" in res.output
    con = connect(db)
    assert sum(table_counts(con).values()) == 0
