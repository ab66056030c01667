"""The batch pipeline: validation, quarantine, merging returns, atomicity, idempotency."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import duckdb
import pytest

from cscperf.ingest.arrow_stage import ArrowStage
from cscperf.ingest.pipeline import IngestError, ingest_paths
from cscperf.ingest.return_year import names_year
from cscperf.store.db import connect, table_counts
from tests.fakes import FakeReader, write

EP = "child_id|decom|rne|ls|place|dec|rec|home_post"


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    return connect(":memory:")


def test_valid_rows_load_typed(con, fake_reader: FakeReader, tmp_path: Path) -> None:
    f = write(
        tmp_path / "a.fake",
        "cla_episodes",
        2024,
        EP,
        "C1|01/04/2023|S|C2|U1|2023-05-02|X1|rm17 5aa",
        "C1|02/05/2023|P|C2|U3|||",
    )
    report = ingest_paths(con, [f], "883")
    assert [(r.rows_read, r.rows_loaded, r.rows_quarantined) for r in report.results] == [(2, 2, 0)]
    rows = con.execute(
        "SELECT child_id, decom, dec, home_post, la_code, return_year, source_line "
        "FROM cla_episodes ORDER BY decom"
    ).fetchall()
    assert rows == [
        ("C1", dt.date(2023, 4, 1), dt.date(2023, 5, 2), "RM17 5AA", "883", 2024, 3),
        ("C1", dt.date(2023, 5, 2), None, None, "883", 2024, 4),
    ]


def test_bad_rows_quarantined_with_reason(con, fake_reader, tmp_path) -> None:
    f = write(
        tmp_path / "a.fake",
        "cla_episodes",
        2024,
        EP,
        "C1|31/02/2023|S|C2|U1|||",  # impossible date
        "C2|01/03/2023|S|ZZ|U1|||",  # bad LS code
        "C3|01/03/2023|S|C2|U1|01/01/2023|E11|",  # ends before it starts
        "|01/03/2023|S|C2|U1|||",  # blank child
        "C5|01/03/2023|S|C2|U1|||",
    )  # fine
    report = ingest_paths(con, [f], "883")
    r = report.results[0]
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (5, 1, 4)
    q = con.execute(
        "SELECT source_line, field, value, reason FROM quarantine ORDER BY source_line"
    ).fetchall()
    assert q[0] == (3, "decom", "31/02/2023", "not a date (expected dd/mm/yyyy or yyyy-mm-dd)")
    assert q[1][:3] == (4, "ls", "ZZ") and "not a valid 903_ls code for return year 2024" in q[1][3]
    assert q[2] == (5, "dec", "01/01/2023", "dec is before decom (2023-01-01 < 2023-03-01)")
    assert q[3] == (6, "child_id", None, "required field is blank")
    assert con.execute("SELECT child_id FROM cla_episodes").fetchall() == [("C5",)]


def test_row_with_several_problems_is_one_quarantine_row(con, fake_reader, tmp_path) -> None:
    f = write(tmp_path / "a.fake", "cla_episodes", 2024, EP, "C1|bad|S|XX|U1|||")
    r = ingest_paths(con, [f], "883").results[0]
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (1, 0, 1)
    assert con.execute("SELECT field, value, other_problems FROM quarantine").fetchall() == [
        ("decom", "bad", "ls: 'XX' is not a valid 903_ls code for return year 2024")
    ]


def test_duplicate_key_in_one_file_is_quarantined(con, fake_reader, tmp_path) -> None:
    f = write(
        tmp_path / "a.fake",
        "cla_episodes",
        2024,
        EP,
        "C1|01/04/2023|S|C2|U1|||",
        "C1|01/04/2023|S|C2|U3|||",
    )
    r = ingest_paths(con, [f], "883").results[0]
    assert (r.rows_loaded, r.rows_quarantined) == (1, 1)
    assert con.execute("SELECT place FROM cla_episodes").fetchall() == [("U1",)]
    reason = con.execute("SELECT reason FROM quarantine").fetchone()
    assert reason is not None and reason[0].startswith("duplicate of line 3")


def test_later_return_wins_whatever_the_order(con, fake_reader, tmp_path) -> None:
    old = write(tmp_path / "y2023.fake", "cla_episodes", 2023, EP, "C1|01/04/2022|S|C2|U1|||")
    new = write(
        tmp_path / "y2024.fake", "cla_episodes", 2024, EP, "C1|01/04/2022|S|C2|U1|10/10/2023|E4A|"
    )
    ingest_paths(con, [new], "883")
    ingest_paths(con, [old], "883")  # an older return never overwrites a newer one
    assert con.execute("SELECT dec, return_year FROM cla_episodes").fetchall() == [
        (dt.date(2023, 10, 10), 2024)
    ]
    con2 = connect(":memory:")
    ingest_paths(con2, [old, new], "883")  # same batch, either order
    assert con2.execute("SELECT dec, return_year FROM cla_episodes").fetchall() == [
        (dt.date(2023, 10, 10), 2024)
    ]


def test_per_year_tables_keep_each_year(con, fake_reader, tmp_path) -> None:
    a = write(tmp_path / "a.fake", "oc3", 2023, "child_id|in_touch|activ|accom", "C1|YES|F1|U1")
    b = write(tmp_path / "b.fake", "oc3", 2024, "child_id|in_touch|activ|accom", "C1|YES|G4|U1")
    ingest_paths(con, [a, b], "883")
    assert con.execute("SELECT return_year, activ FROM oc3 ORDER BY 1").fetchall() == [
        (2023, "F1"),
        (2024, "G4"),
    ]


def test_reingest_changes_nothing(con, fake_reader, tmp_path) -> None:
    f = write(
        tmp_path / "a.fake",
        "cla_episodes",
        2024,
        EP,
        "C1|01/04/2023|S|C2|U1|||",
        "C2|bad|S|C2|U1|||",
    )
    ingest_paths(con, [tmp_path], "883")
    before = (table_counts(con), con.execute("SELECT count(*) FROM quarantine").fetchone())
    ingest_paths(con, [tmp_path], "883")
    after = (table_counts(con), con.execute("SELECT count(*) FROM quarantine").fetchone())
    assert before == after and before[0]["cla_episodes"] == 1 and before[1] == (1,)
    assert f.exists()


def test_refused_file_aborts_whole_batch(con, fake_reader, tmp_path) -> None:
    good = write(tmp_path / "a.fake", "cla_episodes", 2024, EP, "C1|01/04/2023|S|C2|U1|||")
    bad = write(tmp_path / "b.fake", "cla_episodes", 2024, EP, "REFUSE")
    with pytest.raises(IngestError, match=r"b\.fake: refused on purpose"):
        ingest_paths(con, [good, bad], "883")
    assert table_counts(con)["cla_episodes"] == 0
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)


@pytest.mark.parametrize("refused", [False, True])
def test_staged_rows_leave_no_files_behind(
    con, fake_reader, tmp_path, monkeypatch: pytest.MonkeyPatch, refused: bool
) -> None:
    """Rows staged on disk (children's data) are deleted when the batch ends, loaded or not."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    files = [write(tmp_path / "a.fake", "cla_episodes", 2024, EP, "C1|01/04/2023|S|C2|U1|||")]
    if refused:
        files.append(write(tmp_path / "b.fake", "cla_episodes", 2024, EP, "REFUSE"))
        with pytest.raises(IngestError):
            ingest_paths(con, files, "883")
    else:
        seen: list[Path] = []
        real_view = ArrowStage.view

        def spy(self: ArrowStage, table: str) -> str | None:
            seen.extend(scratch.rglob("*.arrow"))
            return real_view(self, table)

        monkeypatch.setattr(ArrowStage, "view", spy)
        ingest_paths(con, files, "883")
        assert seen, "the rows were staged in the scratch folder"
        assert table_counts(con)["cla_episodes"] == 1
    assert list(scratch.iterdir()) == []


def test_unrecognised_files_skipped_in_folders_refused_when_named(con, fake_reader, tmp_path):
    write(tmp_path / "a.fake", "cla_episodes", 2024, EP, "C1|01/04/2023|S|C2|U1|||")
    (tmp_path / "notes.txt").write_text("hello")
    report = ingest_paths(con, [tmp_path], "883")
    assert report.skipped == [str((tmp_path / "notes.txt").resolve())]
    with pytest.raises(IngestError, match="not a recognised"):
        ingest_paths(con, [tmp_path / "notes.txt"], "883")


def test_return_year_inferred_from_folder_or_dates(con, fake_reader, tmp_path) -> None:
    assert names_year(Path("x/2024/episodes.csv")) == 2024
    assert names_year(Path("x/903_2023_header.csv")) == 2023
    assert names_year(Path("x/episodes.csv")) is None
    # no year anywhere: 31 March on or after the latest DECOM/DEC in the folder
    write(
        tmp_path / "d" / "e.fake", "cla_episodes", "", EP, "C1|01/04/2023|S|C2|U1|01/04/2024|E4A|"
    )
    write(tmp_path / "d" / "h.fake", "children", "", "child_id|sex|dob", "C1|1|01/01/2010")
    ingest_paths(con, [tmp_path / "d"], "883")
    assert con.execute("SELECT return_year FROM children").fetchall() == [(2025,)]


def test_bad_la_code(con, fake_reader, tmp_path) -> None:
    with pytest.raises(IngestError, match="3-digit"):
        ingest_paths(con, [tmp_path], "Thurrock")


# -- 903 CSVs scanned lazily by DuckDB: a failure at load time -----------------

UASC = "CHILD,SEX,DOB,DUC\n"
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"


def _csv(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode()
    path.write_bytes(text)
    return path


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("1,1,01/01/2010,\n2,2\n3,1,01/01/2011,\n", "line 3 has 2 fields but the header has 4"),
        (b"1,1,01/01/2010,\nM\xfcller,2,,\n", "line 3: not UTF-8"),
    ],
)
def test_a_903_csv_refused_at_load_time_leaves_the_store_unchanged(
    con, tmp_path: Path, body: str | bytes, reason: str
) -> None:
    good = _csv(tmp_path / "2024" / "header.csv", HEADER + "9,1,01/01/2012,WBRI,,,\n")
    ingest_paths(con, [good], "883")
    before = table_counts(con)
    head = UASC.encode() + (body if isinstance(body, bytes) else body.encode())
    bad = _csv(tmp_path / "2025" / "uasc.csv", head)
    again = _csv(tmp_path / "2025" / "header.csv", HEADER + "8,2,01/01/2013,WBRI,,,\n")
    with pytest.raises(IngestError) as e:
        ingest_paths(con, [again, bad], "883")
    assert str(bad) in str(e.value) and reason in str(e.value)
    assert table_counts(con) == before


def test_a_903_csv_duckdb_rejects_but_lines_can_read_loads_with_true_lines(
    con, tmp_path: Path
) -> None:
    # mixed line endings: DuckDB's strict scanner gives up, the exact reader does not
    f = _csv(tmp_path / "2025" / "uasc.csv", UASC + "1,1,01/01/2010,\r\n2,2,01/01/2011,\n3,1,,\n")
    report = ingest_paths(con, [f], "883")
    assert [(r.rows_read, r.rows_loaded, r.rows_quarantined) for r in report.results] == [(3, 3, 0)]
    assert con.execute("SELECT child_id, source_line FROM uasc ORDER BY 1").fetchall() == [
        ("1", 2),
        ("2", 3),
        ("3", 4),
    ]


EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,"
    "DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
)


@pytest.mark.parametrize("folder", ["2025", "returns"])
def test_903_csv_line_numbers_hold_across_parallel_scan_chunks(
    con, tmp_path: Path, folder: str
) -> None:
    """DuckDB splits a CSV over threads in 8 MB chunks; every row keeps its own line,
    whether the file is validated as it is scanned (year in the folder name) or later
    (year inferred from the episodes beside it)."""
    n = 1_100_000  # ~26 MB: several chunks
    bad = {2 + 7, 2 + n // 3, 2 + n // 2 + 1, 2 + n - 1}  # lines with an invalid SEX code
    path = tmp_path / folder / "uasc.csv"
    path.parent.mkdir()
    with path.open("w", newline="") as f:
        f.write(UASC)
        f.writelines(f"C{i:08d},{'9' if i + 2 in bad else '1'},01/01/2010,\n" for i in range(n))
    _csv(tmp_path / folder / "episodes.csv", EPISODES + "E1,01/02/2025,S,C2,N1,U1,PR1,,,,,,\n")
    report = ingest_paths(con, [tmp_path / folder], "883")
    r = next(r for r in report.results if r.table == "uasc")
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (n, n - len(bad), len(bad))
    assert con.execute("SELECT DISTINCT return_year FROM uasc").fetchall() == [(2025,)]
    q = con.execute("SELECT source_line, field, value FROM quarantine ORDER BY 1").fetchall()
    assert q == [(line, "sex", "9") for line in sorted(bad)]
    wrong = con.execute(
        "SELECT count(*) FROM uasc WHERE source_line <> CAST(substr(child_id, 2) AS BIGINT) + 2"
    ).fetchone()
    assert wrong == (0,)


OC3 = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM,YEAR\n"


@pytest.mark.parametrize(("year_column", "quarantined"), [("2021", 0), ("2023", 1)])
def test_903_csv_validated_for_the_year_it_names(
    con, tmp_path: Path, year_column: str, quarantined: int
) -> None:
    """A file is validated as it is scanned for the year in its folder name; when its
    YEAR column names another year, it is validated for that one (ACTIV P3 was
    withdrawn after the 2022 return)."""
    f = _csv(tmp_path / "2021" / "oc3.csv", OC3 + f"A1,01/01/2003,YES,P3,B1,{year_column}\n")
    report = ingest_paths(con, [f], "883")
    r = report.results[0]
    assert (r.rows_read, r.rows_quarantined) == (1, quarantined)
    if quarantined:
        reason = con.execute("SELECT field, reason FROM quarantine").fetchone()
        assert reason == ("activ", "'P3' is not a valid 903_activ code for return year 2023")
    else:
        assert con.execute("SELECT return_year, activ FROM oc3").fetchall() == [(2021, "P3")]


def test_903_csvs_validated_early_and_late_merge_in_one_batch(con, tmp_path: Path) -> None:
    """One year's episodes validated as scanned (year in the folder name), the next
    year's validated after its year is inferred from its dates: the later return wins,
    each row keeps its own file, line and year."""
    early = _csv(
        tmp_path / "2024" / "episodes.csv",
        EPISODES + "E1,01/02/2024,S,C2,N1,U1,PR1,,,,,,\nE2,01/03/2024,S,XX,N1,U1,PR1,,,,,,\n",
    )
    late = _csv(
        tmp_path / "returns" / "episodes.csv",
        EPISODES + "E3,01/01/2025,S,C2,N1,U1,PR1,,,,,,\nE1,01/02/2024,S,C2,N1,U3,PR1,,,,,,\n",
    )
    report = ingest_paths(con, [early, late], "883")
    assert sorted((r.rows_read, r.rows_loaded, r.rows_quarantined) for r in report.results) == [
        (2, 1, 1),
        (2, 2, 0),
    ]
    rows = con.execute(
        "SELECT child_id, place, return_year, source_line, source_file = ? FROM cla_episodes "
        "ORDER BY child_id",
        [str(late)],
    ).fetchall()
    assert rows == [("E1", "U3", 2025, 3, True), ("E3", "U1", 2025, 2, True)]
    q = con.execute("SELECT source_line, field, value, return_year FROM quarantine").fetchall()
    assert q == [(3, "ls", "XX", 2024)]
