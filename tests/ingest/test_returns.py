"""Returns as units: a resubmitted return replaces what it held, withdrawal brings back
what it had replaced, the registry, idempotency and staleness of KPI values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from cscperf.ingest.pipeline import ingest_paths
from cscperf.kpis.engine import KPI_VALUES_DDL
from cscperf.store import returns as reg
from cscperf.store.db import connect
from cscperf.store.schema import TABLES
from tests.fakes import FakeReader, write

EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,"
    "DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
)
EP = "child_id|decom|rne|ls|place|dec|rec|home_post"


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    return connect(":memory:")


def episode(child: str, decom: dt.date, place: str = "U1") -> str:
    return f"{child},{decom:%d/%m/%Y},S,C2,N1,{place},PR1,,,,,,\n"


def episodes_csv(path: Path, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(EPISODES + "".join(rows))
    return path


def first_return(n: int = 3512) -> list[str]:
    """``n`` children, one episode each, in 2024-25."""
    start = dt.date(2024, 4, 1)
    return [episode(f"C{i:05d}", start + dt.timedelta(days=i % 360)) for i in range(n)]


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table a return writes to (the registry without its clock)."""
    out = {}
    for name in TABLES:
        for t in (name, reg.superseded(name)):
            out[t] = sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
    out["quarantine"] = sorted(
        con.execute("SELECT * EXCLUDE (ingested_at) FROM quarantine").fetchall(), key=repr
    )
    out["ingest_log"] = sorted(
        con.execute("SELECT * EXCLUDE (ingested_at) FROM ingest_log").fetchall(), key=repr
    )
    out["returns"] = con.execute("SELECT * FROM returns ORDER BY ALL").fetchall()
    return out


def test_resubmission_replaces_the_return(con, tmp_path: Path) -> None:
    """One episode's DECOM moved by a day, one episode deleted: the store holds the
    corrected return only, and says so (merging on the key alone kept both old rows)."""
    rows = first_return()
    episodes_csv(tmp_path / "v1" / "2025" / "episodes.csv", rows)
    first = ingest_paths(con, [tmp_path / "v1" / "2025"], "883")
    assert [c.describe() for c in first.returns] == ["903 2024-25 for 883 loaded: 3,512 episodes"]

    fixed = list(rows)
    fixed[10] = episode("C00010", dt.date(2024, 4, 12))  # was 11 April
    del fixed[20]
    episodes_csv(tmp_path / "v2" / "2025" / "episodes.csv", fixed)
    report = ingest_paths(con, [tmp_path / "v2" / "2025"], "883")

    assert [c.describe() for c in report.returns] == [
        "903 2024-25 for 883 replaced: 3,512 → 3,511 episodes, 1 changed, 1 removed"
    ]
    assert con.execute("SELECT count(*) FROM cla_episodes").fetchone() == (3511,)
    assert con.execute("SELECT decom FROM cla_episodes WHERE child_id = 'C00010'").fetchall() == [
        (dt.date(2024, 4, 12),)
    ]
    assert con.execute(
        "SELECT count(*) FROM cla_episodes WHERE child_id = 'C00020'"
    ).fetchone() == (0,)
    assert con.execute("SELECT DISTINCT source_file FROM cla_episodes").fetchall() == [
        (str((tmp_path / "v2" / "2025" / "episodes.csv").resolve()),)
    ]
    assert con.execute("SELECT count(*) FROM cla_episodes__superseded").fetchone() == (0,)
    got = con.execute(
        "SELECT collection, return_year, rows_loaded, rows_quarantined, len(files) FROM returns"
    ).fetchall()
    assert got == [("903", 2025, 3511, 0, 1)]


def test_resubmission_counts_added_rows_and_other_tables(con, tmp_path: Path) -> None:
    v1 = [episode("A", dt.date(2024, 5, 1)), episode("B", dt.date(2024, 6, 1))]
    v2 = [*v1, episode("C", dt.date(2024, 7, 1))]
    v2[0] = episode("A", dt.date(2024, 5, 1), place="U3")  # same key, another placement
    episodes_csv(tmp_path / "v1" / "2025" / "episodes.csv", v1)
    ingest_paths(con, [tmp_path / "v1" / "2025"], "883")
    episodes_csv(tmp_path / "v2" / "2025" / "episodes.csv", v2)
    report = ingest_paths(con, [tmp_path / "v2" / "2025"], "883")
    assert report.returns[0].describe() == (
        "903 2024-25 for 883 replaced: 2 → 3 episodes, 1 changed, 1 added"
    )


def test_a_903_return_sent_as_separate_csvs_loads_file_by_file(con, tmp_path: Path) -> None:
    """A 903 CSV carries its own table only: the header loaded after the episodes
    does not wipe them, and a corrected episodes file leaves the header in place."""
    episodes_csv(tmp_path / "2025" / "episodes.csv", [episode("A", dt.date(2024, 5, 1))])
    header = tmp_path / "2025" / "header.csv"
    header.write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA,1,01/01/2010,WBRI,,,\n")
    ingest_paths(con, [tmp_path / "2025" / "episodes.csv"], "883")
    ingest_paths(con, [header], "883")
    assert con.execute("SELECT count(*) FROM cla_episodes").fetchone() == (1,)
    episodes_csv(tmp_path / "2025" / "episodes.csv", [episode("A", dt.date(2024, 5, 2))])
    report = ingest_paths(con, [tmp_path / "2025" / "episodes.csv"], "883")
    assert report.returns[0].describe() == (
        "903 2024-25 for 883 replaced: 1 → 1 episode, 1 changed "
        "(kept, not in these files: children)"
    )
    assert con.execute("SELECT child_id FROM children").fetchall() == [("A",)]
    files = con.execute("SELECT files FROM returns").fetchone()
    assert files is not None and sorted(Path(f).name for f in files[0]) == [
        "episodes.csv",
        "header.csv",
    ]


def test_withdraw_brings_back_the_earlier_returns_rows(con, tmp_path: Path) -> None:
    """2025's row for an episode replaced 2024's; withdrawing 2025 restores 2024's
    (it had been lost: the merge kept only the winner)."""
    episodes_csv(
        tmp_path / "2024" / "episodes.csv",
        [episode("A", dt.date(2023, 5, 1)), episode("B", dt.date(2023, 6, 1))],
    )
    late = episodes_csv(
        tmp_path / "2025" / "episodes.csv",
        [episode("A", dt.date(2023, 5, 1), place="U3"), "C,01/04/2024,S,XX,N1,U1,PR1,,,,,,\n"],
    )
    ingest_paths(con, [tmp_path / "2024"], "883")
    ingest_paths(con, [tmp_path / "2025"], "883")
    assert con.execute(
        "SELECT child_id, place, return_year FROM cla_episodes ORDER BY 1"
    ).fetchall() == [
        ("A", "U3", 2025),
        ("B", "U1", 2024),
    ]
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (1,)

    con.execute("BEGIN")
    change = reg.withdraw(con, "883", "903", 2025)
    con.execute("COMMIT")
    assert change.describe() == (
        "903 2024-25 for 883 withdrawn: 1 episode removed; 1 row of earlier returns restored"
    )
    assert con.execute(
        "SELECT child_id, place, return_year, source_file FROM cla_episodes ORDER BY 1"
    ).fetchall() == [
        ("A", "U1", 2024, str((tmp_path / "2024" / "episodes.csv").resolve())),
        ("B", "U1", 2024, str((tmp_path / "2024" / "episodes.csv").resolve())),
    ]
    assert con.execute("SELECT count(*) FROM cla_episodes__superseded").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)
    assert con.execute("SELECT DISTINCT return_year FROM ingest_log").fetchall() == [(2024,)]
    assert con.execute("SELECT collection, return_year FROM returns").fetchall() == [("903", 2024)]
    assert str(late.resolve()) not in str(snapshot(con))


def test_a_replaced_later_return_that_drops_a_row_restores_the_earlier_one(
    con, tmp_path: Path
) -> None:
    episodes_csv(tmp_path / "2024" / "episodes.csv", [episode("A", dt.date(2023, 5, 1))])
    episodes_csv(
        tmp_path / "v1" / "2025" / "episodes.csv", [episode("A", dt.date(2023, 5, 1), "U3")]
    )
    episodes_csv(tmp_path / "v2" / "2025" / "episodes.csv", [episode("B", dt.date(2024, 5, 1))])
    ingest_paths(con, [tmp_path / "2024"], "883")
    ingest_paths(con, [tmp_path / "v1" / "2025"], "883")
    ingest_paths(con, [tmp_path / "v2" / "2025"], "883")
    assert con.execute(
        "SELECT child_id, place, return_year FROM cla_episodes ORDER BY 1"
    ).fetchall() == [("A", "U1", 2024), ("B", "U1", 2025)]


def test_an_earlier_return_loaded_after_a_later_one_is_kept_for_withdrawal(
    con, fake_reader: FakeReader, tmp_path: Path
) -> None:
    new = write(tmp_path / "y2025.fake", "cla_episodes", 2025, EP, "A|01/04/2023|S|C2|U3|||")
    old = write(tmp_path / "y2024.fake", "cla_episodes", 2024, EP, "A|01/04/2023|S|C2|U1|||")
    ingest_paths(con, [new], "883")
    ingest_paths(con, [old], "883")
    assert con.execute("SELECT place FROM cla_episodes").fetchall() == [("U3",)]
    reg.withdraw(con, "883", "903", 2025)
    assert con.execute("SELECT place, return_year FROM cla_episodes").fetchall() == [("U1", 2024)]


def test_one_batch_of_several_years_keeps_every_return(
    con, fake_reader: FakeReader, tmp_path: Path
) -> None:
    a = write(tmp_path / "a.fake", "cla_episodes", 2023, EP, "A|01/04/2022|S|C2|U1|||")
    b = write(tmp_path / "b.fake", "cla_episodes", 2024, EP, "A|01/04/2022|S|C2|U2|||")
    c = write(tmp_path / "c.fake", "cla_episodes", 2025, EP, "A|01/04/2022|S|C2|U3|||")
    ingest_paths(con, [c, a, b], "883")
    assert con.execute("SELECT place FROM cla_episodes").fetchall() == [("U3",)]
    assert con.execute("SELECT place FROM cla_episodes__superseded ORDER BY 1").fetchall() == [
        ("U1",),
        ("U2",),
    ]
    reg.withdraw(con, "883", "903", 2025)
    assert con.execute("SELECT place FROM cla_episodes").fetchall() == [("U2",)]
    reg.withdraw(con, "883", "903", 2024)
    assert con.execute("SELECT place FROM cla_episodes").fetchall() == [("U1",)]


def test_per_year_tables_are_never_merged_and_cp_reviews_are_unioned(
    con, fake_reader: FakeReader, tmp_path: Path
) -> None:
    oc3 = "child_id|in_touch|activ|accom"
    rv = "child_id|plan_start_date|review_date"
    files = [
        write(tmp_path / "o24.fake", "oc3", 2024, oc3, "A|YES|F1|U1"),
        write(tmp_path / "o25.fake", "oc3", 2025, oc3, "A|YES|G4|U1"),
        write(
            tmp_path / "r24.fake",
            "cp_reviews",
            2024,
            rv,
            "A|01/01/2023|01/02/2023",
            "A|01/01/2023|01/05/2023",
        ),
        write(
            tmp_path / "r25.fake",
            "cp_reviews",
            2025,
            rv,
            "A|01/01/2023|01/05/2023",
            "A|01/01/2023|01/08/2023",
        ),
    ]
    ingest_paths(con, files, "883")
    assert con.execute("SELECT return_year, activ FROM oc3 ORDER BY 1").fetchall() == [
        (2024, "F1"),
        (2025, "G4"),
    ]
    reviews = "SELECT month(review_date), return_year FROM cp_reviews ORDER BY 1"
    assert con.execute(reviews).fetchall() == [(2, 2024), (5, 2025), (8, 2025)]
    reg.withdraw(con, "883", "cin", 2025)
    assert con.execute(reviews).fetchall() == [(2, 2024), (5, 2024)]
    reg.withdraw(con, "883", "903", 2025)
    assert con.execute("SELECT return_year, activ FROM oc3").fetchall() == [(2024, "F1")]


def test_the_same_files_again_change_nothing(con, tmp_path: Path) -> None:
    """Idempotent: every table, superseded rows, quarantine, log and registry (its
    loaded_at too) are as they were, and the report says the return is unchanged."""
    episodes_csv(
        tmp_path / "2024" / "episodes.csv",
        [episode("A", dt.date(2023, 5, 1)), "Z,01/04/2023,S,XX,N1,U1,PR1,,,,,,\n"],
    )
    episodes_csv(tmp_path / "2025" / "episodes.csv", [episode("A", dt.date(2023, 5, 1), "U3")])
    ingest_paths(con, [tmp_path], "883")
    before = snapshot(con)
    report = ingest_paths(con, [tmp_path], "883")
    assert snapshot(con) == before
    assert [c.describe() for c in report.returns] == [
        "903 2023-24 for 883 reloaded, unchanged: 1 episode",
        "903 2024-25 for 883 reloaded, unchanged: 1 episode",
    ]
    again = ingest_paths(con, [tmp_path / "2025"], "883")
    assert snapshot(con) == before and again.returns[0].action == "unchanged"


def _kpi_row(con: duckdb.DuckDBPyConnection, la: str) -> None:
    con.execute(KPI_VALUES_DDL)
    con.execute(
        "INSERT INTO kpi_values VALUES ('cla_count', ?, 'year', DATE '2024-04-01', "
        "DATE '2025-03-31', 'all', 'all', 1, NULL, 1, NULL)",
        [la],
    )


def test_kpi_values_of_a_changed_la_are_dropped_not_served(con, tmp_path: Path) -> None:
    f = episodes_csv(tmp_path / "2025" / "episodes.csv", [episode("A", dt.date(2024, 5, 1))])
    ingest_paths(con, [f], "883")
    _kpi_row(con, "883")
    _kpi_row(con, "882")
    ingest_paths(con, [f], "883")  # unchanged: the values still hold
    kpis = "SELECT la_code FROM kpi_values ORDER BY 1"
    assert con.execute(kpis).fetchall() == [("882",), ("883",)]
    episodes_csv(f.parent / "episodes.csv", [episode("A", dt.date(2024, 5, 2))])
    ingest_paths(con, [f], "883")
    assert con.execute(kpis).fetchall() == [("882",)]
    _kpi_row(con, "883")
    reg.withdraw(con, "883", "903", 2025)
    assert con.execute(kpis).fetchall() == [("882",)]
    _kpi_row(con, "883")
    episodes_csv(tmp_path / "2024" / "episodes.csv", [episode("B", dt.date(2023, 5, 1))])
    ingest_paths(con, [tmp_path / "2024"], "883")  # a new return changes figures too
    assert con.execute(kpis).fetchall() == [("882",)]


def test_registry_rows_and_what_each_return_covers(
    con, fake_reader: FakeReader, tmp_path: Path
) -> None:
    files = [
        write(
            tmp_path / "e.fake",
            "cla_episodes",
            2025,
            EP,
            "A|01/05/2024|S|C2|U1|||",
            "B|bad|S|C2|U1|||",
        ),
        write(tmp_path / "r.fake", "referrals", 2025, "child_id|referral_date", "A|01/06/2024"),
        write(
            tmp_path / "c.fake",
            "contacts",
            2025,
            "child_id|dob|contact_date|contact_source",
            "A|01/01/2010|15/04/2024|1A",
            "B|01/01/2011|02/03/2025|1A",
        ),
        write(
            tmp_path / "l.fake", "annexa_cla", 2025, "child_id|start_date", "A|01/01/2015"
        ),  # a child in care since 2015 does not widen the window
        write(
            tmp_path / "w.fake",
            "case_audits",
            2025,
            "audit_id|audit_date|child_id|grade",
            "1|10/05/2024|A|good",
            "2|20/01/2025|B|good",
        ),
    ]
    ingest_paths(con, files, "883")
    rows = con.execute(
        "SELECT collection, return_year, covers_from, covers_to, len(files), rows_loaded, "
        "rows_quarantined FROM returns ORDER BY collection"
    ).fetchall()
    assert rows == [
        ("903", 2025, dt.date(2024, 4, 1), dt.date(2025, 3, 31), 1, 1, 1),
        ("annex-a", 2025, dt.date(2024, 4, 1), dt.date(2025, 3, 31), 2, 3, 0),
        ("cin", 2025, dt.date(2024, 4, 1), dt.date(2025, 3, 31), 1, 1, 0),
        ("local:case_audits", 2025, dt.date(2024, 4, 1), dt.date(2025, 3, 31), 1, 2, 0),
    ]
    stamp = con.execute("SELECT DISTINCT loaded_at FROM returns").fetchall()
    assert len(stamp) == 1 and stamp[0][0] is not None


def test_collections() -> None:
    assert reg.collection_of("cla_episodes") == "903"
    assert reg.collection_of("oc3") == "903"
    assert reg.collection_of("cp_reviews") == "cin"
    assert reg.collection_of("care_leavers") == "annex-a"
    assert reg.collection_of("sw_workforce") == "local:sw_workforce"
    every = [t.name for c in ("903", "cin", "annex-a") for t in reg.tables_of(c)]
    local = [t for t in TABLES if reg.collection_of(t).startswith("local:")]
    assert all(TABLES[t].source.startswith("local ") for t in local)  # none fell through
    assert sorted(every + local) == sorted(TABLES)


def test_a_store_from_before_the_registry_gets_its_returns_registered(tmp_path: Path) -> None:
    """Migration 4 registers the returns an older store holds (from its rows), and
    gives its log rows the year their rows were loaded under."""
    from cscperf.store import db as store_db

    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    store_db._v1(old)
    store_db._v2(old)
    old.execute(
        "CREATE TABLE schema_version (version INTEGER, description VARCHAR, applied_at TIMESTAMP)"
    )
    old.execute("INSERT INTO schema_version VALUES (1, 'v1', now()), (2, 'v2', now())")
    old.execute(
        "INSERT INTO cla_episodes (la_code, return_year, source_file, source_line, child_id, "
        "decom) VALUES ('883', 2024, '/r/2024/episodes.csv', 2, 'A', DATE '2023-05-01'), "
        "('883', 2025, '/r/2025/episodes.csv', 2, 'B', DATE '2024-05-01'), "
        "('883', 2025, '/r/2025/episodes.csv', 3, 'C', DATE '2024-06-01')"
    )
    old.execute(
        "INSERT INTO ingest_log VALUES ('883', '/r/2025/episodes.csv', 'ssda903-csv', NULL, "
        "'cla_episodes', 3, 2, 1, TIMESTAMP '2025-06-01 10:00:00')"
    )
    old.execute(
        "INSERT INTO quarantine VALUES ('883', 2025, '/r/2025/episodes.csv', 4, 'cla_episodes', "
        "'ls', 'XX', 'bad', NULL, now())"
    )
    old.close()

    con = connect(path)
    assert con.execute(
        "SELECT collection, return_year, files, rows_loaded, rows_quarantined, covers_from "
        "FROM returns ORDER BY return_year"
    ).fetchall() == [
        ("903", 2024, ["/r/2024/episodes.csv"], 0, 0, dt.date(2023, 4, 1)),
        ("903", 2025, ["/r/2025/episodes.csv"], 2, 1, dt.date(2024, 4, 1)),
    ]
    assert con.execute("SELECT return_year FROM ingest_log").fetchall() == [(2025,)]
    reg.withdraw(con, "883", "903", 2025)
    assert con.execute("SELECT child_id FROM cla_episodes").fetchall() == [("A",)]
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)


def test_return_summary_lines() -> None:
    t = reg.TableChange
    lines = [
        reg.ReturnChange("883", "903", 2025, "loaded", [t("children", 0, 1, added=1)]),
        reg.ReturnChange(
            "883",
            "903",
            2025,
            "withdrawn",
            [
                t("children", 300, 0, removed=300),
                t("cla_episodes", 3512, 0, removed=3512, restored=12),
            ],
        ),
        reg.ReturnChange(
            "883",
            "cin",
            2024,
            "replaced",
            [t("referrals", 10, 10), t("cp_reviews", 5, 4, removed=1)],
        ),
        reg.ReturnChange("882", "local:case_audits", 2024, "unchanged", [t("case_audits", 1, 1)]),
    ]
    assert [c.describe() for c in lines] == [
        "903 2024-25 for 883 loaded: 1 row of children",
        "903 2024-25 for 883 withdrawn: 3,512 episodes and 300 other rows removed; "
        "12 rows of earlier returns restored",
        "cin 2023-24 for 883 replaced: 10 → 10 referrals; cp_reviews: 5 → 4 rows, 1 removed",
        "local:case_audits 2023-24 for 882 reloaded, unchanged: 1 row",
    ]


def test_a_cin_census_is_a_whole_return(con, tmp_path: Path) -> None:
    """A CIN census resubmitted without its child protection plan: the plan and its
    reviews go too, though no file carried those tables this time."""
    from tests.io.test_cin_xml import CHILD_A, FOOTER, HEADER

    first = tmp_path / "v1" / "cin.xml"
    first.parent.mkdir()
    first.write_text((HEADER + CHILD_A + FOOTER).replace("<LEA>999<", "<LEA>883<"))
    ingest_paths(con, [first], "883")
    assert con.execute("SELECT count(*) FROM cp_reviews").fetchone() == (2,)
    start = CHILD_A.index("        <ChildProtectionPlans>")
    end = CHILD_A.index("</ChildProtectionPlans>\n") + len("</ChildProtectionPlans>\n")
    second = tmp_path / "v2" / "cin.xml"
    second.parent.mkdir()
    second.write_text(
        (HEADER + CHILD_A[:start] + CHILD_A[end:] + FOOTER).replace("<LEA>999<", "<LEA>883<")
    )
    report = ingest_paths(con, [second], "883")
    assert [c.describe() for c in report.returns] == [
        "cin 2024-25 for 883 replaced: 2 → 2 referrals; cp_plans: 1 → 0 rows, 1 removed; "
        "cp_reviews: 2 → 0 rows, 2 removed"
    ]
    assert con.execute("SELECT count(*) FROM cp_plans").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM cp_reviews").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM referrals").fetchone() == (2,)
