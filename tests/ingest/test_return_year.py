"""One rule decides a file's return year (the year its reporting year ends)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from cscperf.ingest.pipeline import IngestError, ingest_paths
from cscperf.ingest.return_year import ReturnYearError, decide, names_year, years_in_name
from cscperf.store.db import connect

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,1,01/01/2012,WBRI,,,\n2,2,05/06/2015,WBRI,,,\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    "1,01/05/2024,S,C2,N1,U1,PR1,,,,,,\n"
    "2,10/06/2024,S,C2,N1,U1,PR1,01/09/2024,E11,,,,\n"
)


@pytest.mark.parametrize(
    ("name", "year"),
    [
        ("2024-25", 2025),
        ("2024_25", 2025),
        ("202425", 2025),
        ("SSDA903 2024-25", 2025),
        ("903_2025", 2025),
        ("FY24-25", 2025),
        ("fy 2024-2025", 2025),
        ("903_2023-24", 2024),
        ("2025", 2025),
        ("episodes", None),
        ("episodes_20240331", None),  # a date, not a year
    ],
)
def test_real_world_names(name: str, year: int | None) -> None:
    assert names_year(Path(name) / "episodes.csv") == year
    assert names_year(Path("returns") / f"{name}.csv") == year


@pytest.mark.parametrize("name", ["2024 and 2025-26", "903_2023_vs_2024", "returns_2019-2025"])
def test_a_name_with_two_years_is_refused_not_guessed(name: str) -> None:
    assert len(years_in_name(name)) == 2
    with pytest.raises(ReturnYearError, match="give --year"):
        names_year(Path(name) / "episodes.csv")


def test_file_and_folder_naming_different_years_is_ambiguous() -> None:
    with pytest.raises(ReturnYearError, match="2024 and 2025"):
        names_year(Path("2024-25") / "episodes_2024.csv")


def test_precedence_year_option_then_file_then_name_then_dates() -> None:
    ambiguous = Path("2024 and 2025-26") / "e.csv"
    assert decide(ambiguous, given=2023, declared=2022) == 2023  # --year
    assert decide(ambiguous, declared=2022) == 2022  # YEAR column / CIN <Year>
    assert decide(Path("2024-25/e.csv"), latest=dt.date(2019, 1, 1)) == 2025
    assert decide(Path("x/e.csv"), latest=dt.date(2024, 3, 31)) == 2024
    assert decide(Path("x/e.csv"), latest=dt.date(2024, 4, 1)) == 2025
    with pytest.raises(ReturnYearError, match="cannot tell"):
        decide(Path("x/e.csv"))


def _returns(root: Path) -> None:
    root.mkdir(parents=True)
    (root / "header.csv").write_text(HEADER)
    (root / "episodes.csv").write_text(EPISODES)


def _rows(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = []
    for table in ("children", "cla_episodes"):
        out += con.execute(f"SELECT * EXCLUDE (source_file) FROM {table} ORDER BY ALL").fetchall()
    return out


def test_folders_2024_25_and_2025_store_identical_rows_under_2025(tmp_path: Path) -> None:
    stores = []
    for folder in ("2024-25", "2025"):
        _returns(tmp_path / folder)
        con = connect(":memory:")
        ingest_paths(con, [tmp_path / folder], "883")
        stores.append(_rows(con))
        years = con.execute("SELECT DISTINCT return_year FROM cla_episodes").fetchall()
        assert years == [(2025,)]
    assert stores[0] == stores[1] and len(stores[0]) == 4


def test_an_ambiguous_folder_is_refused_unless_year_given(tmp_path: Path) -> None:
    _returns(tmp_path / "903 2024 and 2025-26")
    con = connect(":memory:")
    with pytest.raises(IngestError, match=r"give --year"):
        ingest_paths(con, [tmp_path], "883")
    assert con.execute("SELECT count(*) FROM cla_episodes").fetchone() == (0,)
    ingest_paths(con, [tmp_path], "883", year=2025)
    assert con.execute("SELECT DISTINCT return_year FROM cla_episodes").fetchall() == [(2025,)]


CIN = """<Message><Header><CollectionDetails><Collection>CIN</Collection>
<Year>{year}</Year><ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails>
<Source><LEA>{lea}</LEA></Source></Header><Children><Child><ChildIdentifiers>
<LAchildID>A1</LAchildID><PersonBirthDate>2015-06-01</PersonBirthDate><GenderCurrent>2</GenderCurrent>
</ChildIdentifiers><CINdetails><CINreferralDate>{ref}</CINreferralDate></CINdetails>
</Child></Children></Message>
"""


def cin_file(path: Path, year: int, lea: str = "883", ref: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CIN.format(year=year, lea=lea, ref=ref or f"{year - 1}-05-01"))
    return path


def test_a_cin_file_is_its_year_whatever_its_folder(tmp_path: Path) -> None:
    f = cin_file(tmp_path / "2023-24" / "cin.xml", 2024)
    con = connect(":memory:")
    ingest_paths(con, [f], "883")
    assert con.execute("SELECT return_year FROM referrals").fetchall() == [(2024,)]


def test_year_option_over_the_files_own_year_is_said(tmp_path: Path) -> None:
    """--year wins over a CIN census's own <Year> (the catalogue's precedence), but not
    silently: the report says which year the file declared and which it was loaded as."""
    f = cin_file(tmp_path / "cin.xml", 2024)
    con = connect(":memory:")
    report = ingest_paths(con, [f], "883", year=2025)
    assert con.execute("SELECT return_year FROM referrals").fetchall() == [(2025,)]
    assert any(
        n.startswith("cin.xml: the file declares return year 2024; loaded as 2025")
        for n in report.notes
    ), report.notes
    same = ingest_paths(connect(":memory:"), [f], "883", year=2024)
    assert not any("declares return year" in n for n in same.notes)


def test_a_readers_notes_reach_the_report(tmp_path: Path) -> None:
    """A note the reader makes (here: a local CSV read as Windows-1252) is in the
    report the CLI prints; it used to be collected and dropped."""
    path = tmp_path / "audits.csv"
    path.write_bytes(
        "audit_id,audit_date,grade,worker\nA1,2024-01-05,good,Siân Jones\n".encode("cp1252")
    )
    report = ingest_paths(connect(":memory:"), [path], "883", year=2024)
    assert "audits.csv: not UTF-8, read as Windows-1252 (Excel 'CSV')" in report.notes


@pytest.mark.parametrize("year", [2012, 2016, 2027, 2030])
def test_a_cin_census_without_a_schema_in_cscperf_is_refused(tmp_path: Path, year: int) -> None:
    f = cin_file(tmp_path / f"cin_{year}.xml", year)
    con = connect(":memory:")
    with pytest.raises(IngestError, match=r"not a supported CIN census collection.*2017-2026"):
        ingest_paths(con, [f], "883")
    assert con.execute("SELECT count(*) FROM referrals").fetchone() == (0,)


@pytest.mark.parametrize("year", [2012, 2027])
def test_a_903_year_outside_the_code_lists_is_refused(tmp_path: Path, year: int) -> None:
    _returns(tmp_path / "r")
    con = connect(":memory:")
    with pytest.raises(IngestError, match=r"not a supported SSDA903 collection.*2013-2026"):
        ingest_paths(con, [tmp_path / "r"], "883", year=year)
    assert con.execute("SELECT count(*) FROM cla_episodes").fetchone() == (0,)


def test_cli_says_it_in_one_line_exit_2(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cscperf.cli import main

    _returns(tmp_path / "903 2024 and 2025-26")
    old = cin_file(tmp_path / "cin" / "cin_2016.xml", 2016)
    db = str(tmp_path / "s.duckdb")
    for path, says in [
        (tmp_path / "903 2024 and 2025-26", "suggests return years 2024 and 2026"),
        (old, "return year 2016 is not a supported CIN census collection (supported: 2017-2026"),
    ]:
        res = CliRunner().invoke(main, ["ingest", "--la", "883", "--db", db, str(path)])
        assert res.exit_code == 2
        lines = res.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("cscperf: error: ") and says in lines[0]
