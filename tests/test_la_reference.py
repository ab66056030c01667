"""The LA reference: one table of DfE/ONS codes with reorganisations, in the package and store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from cscperf.reference.las import all_las, area_codes, get_la, is_la_code, load_las, same_la
from cscperf.store.db import MIGRATIONS, connect, migrate


def test_reorganisations_old_and_new_codes() -> None:
    ny = get_la("815")
    assert (ny.ons_code, ny.previous_ons_code, ny.changed) == (
        "E06000065", "E10000023", dt.date(2023, 4, 1),
    )  # fmt: skip
    assert get_la("E10000023") == get_la("E06000065") == ny and ny.current
    cumbria = get_la("909")
    assert (cumbria.ended, cumbria.successors) == (dt.date(2023, 4, 1), ("942", "943"))
    assert get_la("928").successors == ("940", "941")
    assert get_la("928").ended == dt.date(2021, 4, 1)
    assert get_la("825").previous_ons_code == "E10000002"
    assert get_la("837").successors == ("839",) and get_la("835").successors == ("838", "839")


def test_current_list_unchanged_in_size_and_ended_las_known() -> None:
    assert len(load_las()) == 153 and all(la.current for la in load_las())
    assert len(all_las()) == 158
    assert is_la_code("909") and is_la_code("E10000021") and not is_la_code("999")
    assert same_la("815", "E10000023") and not same_la("909", "942")


def test_area_codes_whole_or_overlapping() -> None:
    assert area_codes("909") == {"E10000006": True, "E06000063": True, "E06000064": True}
    assert area_codes("835") == {"E10000009": True, "E06000059": True, "E06000058": False}
    assert area_codes("837") == {"E06000028": True, "E06000058": False}
    assert area_codes("883") == {"E06000034": True}


def test_store_migration_3_builds_the_table_and_views(tmp_path: Path) -> None:
    # a store from before migration 3, with the engine's old la_lookup table
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    old = MIGRATIONS[:2]
    con.execute(
        "CREATE TABLE schema_version (version INTEGER, description VARCHAR, applied_at TIMESTAMP)"
    )
    for version, description, apply in old:
        apply(con)
        con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [version, description])
    con.execute(
        "CREATE TABLE la_lookup (la_code VARCHAR, ons_code VARCHAR, name VARCHAR, region VARCHAR)"
    )
    con.execute("INSERT INTO la_lookup VALUES ('815', 'E10000023', 'North Yorkshire', 'Y')")
    migrate(con)
    assert con.execute("SELECT count(*) FROM la_reference").fetchone() == (158,)
    assert con.execute("SELECT ons_code FROM la_lookup WHERE la_code = '815'").fetchall() == [
        ("E06000065",)
    ]
    got = con.execute(
        "SELECT ons_code, whole FROM la_ons_codes WHERE la_code = '909' ORDER BY 1"
    ).fetchall()
    assert got == [("E06000063", True), ("E06000064", True), ("E10000006", True)]
    con.close()
    again = connect(path, read_only=True)
    assert again.execute("SELECT count(*) FROM la_ons_codes WHERE NOT whole").fetchone() == (
        3,
    )  # BCP for 835, 836, 837


@pytest.mark.parametrize("code", ["909", "E06000065", "883"])
def test_get_la_accepts_predecessors_and_ons_codes(code: str) -> None:
    assert get_la(code).dfe_code in {"909", "815", "883"}
