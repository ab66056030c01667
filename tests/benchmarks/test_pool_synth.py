"""The regional pool on `cscperf synth --la 883 --region` (tiny scale): for every KPI the
pool from the members' stored numerators and denominators equals the KPI run over the
pooled children's rows, and it is not the mean of the members' values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from cscperf.benchmarks.pool import ADDITIVE, pool_many, pooled_from_members
from cscperf.ingest.pipeline import ingest_paths
from cscperf.kpis.catalogue import get_kpi
from cscperf.reference.las import get_la
from cscperf.reference.population import load_csv
from cscperf.store.db import connect
from cscperf.synth.api import generate

NEIGHBOURS = get_la("883").statistical_neighbours
QUARTER = dt.date(2024, 9, 30)
YEAR = dt.date(2025, 3, 31)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    base = tmp_path_factory.mktemp("region")
    data = base / "data"
    generate(["883"], [2025], seed=7, out=data, region=True, scale_factor=0.02,
             annex_a=False)  # fmt: skip
    con = connect(base / "s.duckdb")
    for la in ("883", *NEIGHBOURS):
        ingest_paths(con, [data / la], la)
        for pop in sorted(Path(data / la).rglob("population.csv")):
            load_csv(con, pop)
    yield con
    con.close()


def test_eleven_las_and_the_neighbours_are_the_members(store: duckdb.DuckDBPyConnection) -> None:
    rows = pool_many(store, "883", "quarter", [QUARTER], ["cla_children"])
    assert rows[0].members == NEIGHBOURS and rows[0].used == NEIGHBOURS
    assert rows[0].label == "regional pool (10 LAs, Q2 2024-25)"
    assert rows[0].chosen.endswith("in the store: 10 of 10")


#: the year-only KPIs and one of each aggregate (the quarter checks the whole catalogue)
YEAR_KPIS = ["care_leavers_eet_17_18", "cla_sdq_average", "cla_rate", "cla_returned_home_days",
             "cla_children", "sw_caseload", "adoption_a1_days"]  # fmt: skip


@pytest.mark.parametrize(("ptype", "end", "kpis"), [("quarter", QUARTER, None),
                                                    ("year", YEAR, YEAR_KPIS)])  # fmt: skip
def test_every_kpi_pool_equals_the_kpi_over_the_pooled_rows(
    store: duckdb.DuckDBPyConnection, ptype: str, end: dt.date, kpis: list[str] | None
) -> None:
    rows = pool_many(store, "883", ptype, [end], kpis)
    checked = differs = 0
    for r in rows:
        if r.note.startswith("only defined"):
            continue
        kpi = get_kpi(r.kpi_id)
        n, d, v = pooled_from_members(store, kpi, ptype, {end: r.used})[end]
        assert n == pytest.approx(r.numerator, abs=1e-9), r.kpi_id
        assert (d is None) == (r.denominator is None), r.kpi_id
        if d is not None:
            assert d == pytest.approx(r.denominator, abs=1e-9), r.kpi_id
        if v is None or r.value is None:
            assert v is None and r.value is None, r.kpi_id
        else:
            assert v == pytest.approx(r.value, rel=1e-12), r.kpi_id
        checked += kpi.aggregate in ADDITIVE
        if (
            kpi.aggregate != "count"
            and r.value is not None
            and r.mean_of_values is not None
            and abs(r.value - r.mean_of_values) > 1e-6
        ):
            differs += 1
    assert checked >= (30 if kpis is None else 4)  # most of the catalogue is additive
    assert differs >= (10 if kpis is None else 2)  # pooling weighs children, not LAs


def test_pooled_rate_by_hand_from_the_store(store: duckdb.DuckDBPyConnection) -> None:
    """cla_rate: Σ children in care / Σ populations x 10,000, read straight from the store."""
    (row,) = pool_many(store, "883", "year", [YEAR], ["cla_rate"])
    got = store.execute(
        "SELECT sum(numerator), sum(denominator) FROM kpi_values WHERE kpi_id = 'cla_rate' "
        "AND period_type = 'year' AND period_end = ? AND breakdown = 'all' "
        "AND la_code IN (SELECT unnest(?))",
        [YEAR, list(NEIGHBOURS)],
    ).fetchone()
    assert got is not None
    assert row.value == pytest.approx(got[0] * 10000 / got[1], rel=1e-12)
