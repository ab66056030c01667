"""Reference tables: population CSVs, the postcode directory and its ONSPD refresh."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from cscperf.kpis.engine import ensure_reference
from cscperf.reference.population import PopulationLoad, load_csv, set_population
from cscperf.reference.postcodes import ensure_postcodes, load_onspd


def test_population_from_the_published_ees_file(
    store: duckdb.DuckDBPyConnection, shared_dir: Path
) -> None:
    path = shared_dir / "reference/dfe-published/ons_mid-year_population_estimates_2012_to_2024.csv"
    got = load_csv(store, path)
    n = got.rows_loaded
    assert got.rows_read == got.rows_loaded + got.rows_suppressed
    assert n > 1900  # ~149 LAs x 13 years; regional and national rows are skipped
    thurrock = store.execute(
        "SELECT year, age_0_17, source FROM population WHERE la_code = '883' AND year >= 2022 "
        "ORDER BY year"
    ).fetchall()
    assert thurrock == [
        (2022, 44804, path.name),
        (2023, 45530, path.name),
        (2024, 46271, path.name),
    ]
    assert load_csv(store, path).rows_loaded == n  # reload replaces, never duplicates
    assert store.execute("SELECT count(*) FROM population").fetchall() == [(n,)]


def test_population_from_a_plain_csv(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    csv = tmp_path / "pop.csv"
    csv.write_text('la_code,year,age_0_17\n883,2023,"10,500"\n883,2024,x\n882,2024,7\n')
    set_population(store, "883", 2023, 1, "old")
    # the suppressed "x" is counted, not loaded
    assert load_csv(store, csv, source="mine") == PopulationLoad(3, 2, 1)
    assert store.execute("SELECT * FROM population ORDER BY la_code").fetchall() == [
        ("882", 2024, 7, "mine"),
        ("883", 2023, 10500, "mine"),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("883,2024,12a\n", "line 3, field age_0_17: '12a' is not a whole number"),
        ("99,2024,5\n", "line 3, field la_code: '99' is not a 3-digit LA code"),
        ("883,24/25,5\n", "line 3, field year: '24/25' is not a year"),
        ("883,2024,-4\n", "line 3, field age_0_17: '-4' is not a whole number"),
        ("999,2024,5\n", "line 3, field la_code: '999' is not an English LA's DfE code"),
        ("883,2024,5\n882,2024,8\n",
         "lines 2 and 4 are both the 0-17 estimate for LA 882, year 2024: keep one"),
        ("909,2022,5\n", None),  # Cumbria, before 2023: a real LA
    ],
)
def test_a_bad_population_row_refuses_the_file_and_loads_nothing(
    store: duckdb.DuckDBPyConnection, tmp_path: Path, body: str, message: str | None
) -> None:
    csv = tmp_path / "pop.csv"
    csv.write_text("la_code,year,age_0_17\n882,2024,7\n" + body)
    if message is None:
        assert load_csv(store, csv).rows_loaded == 2
        return
    with pytest.raises(ValueError, match=re.escape(message)):
        load_csv(store, csv)
    assert store.execute("SELECT count(*) FROM population").fetchall() == [(0,)]


def test_postcodes_looked_up_on_demand(store: duckdb.DuckDBPyConnection) -> None:
    ensure_reference(store, lookup_postcodes=False)
    store.execute(
        "INSERT INTO cla_episodes (la_code, child_id, decom, home_post, pl_post) VALUES "
        "('883', 'A', DATE '2024-01-01', 'rm17 6sl', 'SS14 9AA'), "
        "('883', 'B', DATE '2024-01-01', 'ZZ99 9ZZ', NULL)"
    )
    assert ensure_postcodes(store) == 3
    rows = store.execute("SELECT * FROM postcodes ORDER BY postcode").fetchall()
    assert rows == [
        ("RM176SL", 561480.0, 177737.0, "E06000034"),  # Thurrock, a unitary
        ("SS149AA", 572172.0, 190929.0, "E10000012"),  # Basildon district -> Essex
        ("ZZ999ZZ", None, None, None),  # not in the directory: remembered as unknown
    ]
    assert ensure_postcodes(store) == 0  # nothing new to look up


def test_load_onspd_refreshes_rows(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ensure_reference(store, lookup_postcodes=False)
    store.execute("INSERT INTO postcodes VALUES ('ZZ999ZZ', NULL, NULL, NULL)")
    csv = tmp_path / "ONSPD_TEST_UK.csv"
    csv.write_text(
        "pcd,oseast1m,osnrth1m,oslaua,oscty\n"
        "ZZ99 9ZZ,100,200,E06000034,E99999999\n"
        "SS14 9AA,572172,190929,E07000066,E10000012\n"
        "AB1 2CD,1,2,E07000066,E99999999\n"
    )
    assert load_onspd(store, csv) == 3
    assert store.execute("SELECT * FROM postcodes ORDER BY postcode").fetchall() == [
        ("AB12CD", 1.0, 2.0, "E10000012"),  # district mapped to its county via the lookup
        ("SS149AA", 572172.0, 190929.0, "E10000012"),
        ("ZZ999ZZ", 100.0, 200.0, "E06000034"),
    ]


def test_population_cli_duplicate_is_one_line_exit_2(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cscperf.cli import main

    f = tmp_path / "pop.csv"
    f.write_text("la_code,year,age_0_17\n883,2024,41000\n883,2024,41500\n")
    res = CliRunner().invoke(main, ["population", "--db", str(tmp_path / "s.duckdb"), str(f)])
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        f"cscperf: error: {f}: lines 2 and 3 are both the 0-17 estimate for LA 883, "
        "year 2024: keep one"
    ]
