"""The API functions the report reads through: LA name, breakdown values, neighbours'
published values."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cscperf import api
from cscperf.kpis.engine import KPI_VALUES_DDL
from cscperf.reference.las import install
from cscperf.store.db import connect
from tests.report.published import write_published


def test_la_name_from_the_store_else_the_packaged_list_else_the_code(tmp_path: Path) -> None:
    bare = tmp_path / "bare.duckdb"
    connect(bare).close()
    assert api.la_name("883", db=bare) == "Thurrock"  # packaged list
    assert api.la_name("999", db=bare) == "999"  # unknown: the code
    db = tmp_path / "ref.duckdb"
    con = connect(db)
    install(con)
    con.execute("UPDATE la_reference SET name = 'Thurrock Council' WHERE la_code = '883'")
    con.close()
    assert api.la_name("883", db=db) == "Thurrock Council"  # the store's reference wins


def test_breakdown_values_largest_first(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    con = connect(db)
    con.execute(KPI_VALUES_DDL)
    end = date(2025, 3, 31)
    con.executemany(
        "INSERT INTO kpi_values VALUES ('cla_children', '883', 'year', ?, ?, ?, ?, ?, NULL, ?,"
        " NULL)",
        [(date(2024, 4, 1), end, b, c, v, v) for b, c, v in (
            ("all", None, 40.0), ("placement_type", "U1", 10.0), ("placement_type", "K2", 25.0),
            ("placement_type", "P1", None), ("sex", "1", 20.0))],
    )  # fmt: skip
    con.close()
    got = api.breakdown_values("883", "cla_children", "placement_type", "year", end, db=db)
    assert [(b.category, b.value) for b in got] == [("K2", 25.0), ("U1", 10.0), ("P1", None)]
    assert api.breakdown_values("883", "cla_children", "age_band", "year", end, db=db) == []
    empty = tmp_path / "e.duckdb"
    connect(empty).close()
    assert api.breakdown_values("883", "cla_children", "sex", "year", end, db=empty) == []


def test_neighbour_values_la_first_then_neighbours_in_model_order(tmp_path: Path) -> None:
    db = tmp_path / "b.duckdb"
    connect(db).close()
    assert api.neighbour_values("883", "cla_children", 2025, db=db) == []  # nothing imported
    api.import_benchmarks([write_published(tmp_path / "pub")], db=db)
    got = api.neighbour_values("883", "care_leavers_eet_19_21", 2025, db=db)
    assert [(n.la_code, n.value, n.own) for n in got] == [
        ("883", 67.0, True), ("801", 60.0, False), ("802", None, False), ("803", 70.0, False)
    ]  # fmt: skip
    assert api.neighbour_values("883", "contacts", 2025, db=db) == []  # no published series
