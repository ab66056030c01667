"""A placement in a reorganised LA's new area counts as "in LA" (issue 9 §3, LA reorganisations).

Postcodes resolve to today's ONS codes (North Yorkshire E06000065, Cumberland
E06000063, ...); the LA table knows every LA's old and new codes and successors.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from cscperf.kpis.engine import compute, ensure_reference
from cscperf.store.db import connect

# (LA DfE code, placement postcode, the postcode's current upper-tier ONS code)
PLACEMENTS = [
    ("815", "HG11AA", "E06000065"),  # North Yorkshire, E10000023 until 2023
    ("933", "TA11AA", "E06000066"),  # Somerset, E10000027 until 2023
    ("825", "HP190BA", "E06000060"),  # Buckinghamshire, E10000002 until 2020
    ("370", "S701AA", "E08000038"),  # Barnsley, E08000016 until 2023
    ("373", "S11AA", "E08000039"),  # Sheffield, E08000019 until 2023
    ("909", "CA11AA", "E06000063"),  # Cumbria (to 2023) placing in Cumberland
    ("928", "NN11AA", "E06000062"),  # Northamptonshire (to 2021) in West Northamptonshire
    ("942", "CA11AA", "E06000063"),  # Cumberland itself
    ("943", "LA94AA", "E06000064"),  # Westmorland and Furness
    ("940", "NN160AA", "E06000061"),  # North Northamptonshire
    ("835", "DT11AA", "E06000059"),  # Dorset before 2019, placing in today's Dorset
]


@pytest.fixture
def store() -> duckdb.DuckDBPyConnection:
    con = connect(":memory:")
    ensure_reference(con, lookup_postcodes=False)
    pcs = {(pc, ons) for _, pc, ons in PLACEMENTS} | {("BH11AA", "E06000058")}
    con.executemany(
        "INSERT INTO postcodes VALUES (?, 400000, 400000, ?)", [list(p) for p in sorted(pcs)]
    )
    rows = [(la, pc) for la, pc, _ in PLACEMENTS] + [("837", "BH11AA")]
    con.executemany(
        "INSERT INTO cla_episodes (la_code, return_year, child_id, decom, rne, ls, place, pl_post) "
        "VALUES (?, 2022, 'C1', DATE '2021-06-01', 'S', 'C2', 'U1', ?)",
        [list(r) for r in rows],
    )
    return con


def test_one_placement_per_reorganised_la_is_in_la(store: duckdb.DuckDBPyConnection) -> None:
    las = [la for la, _, _ in PLACEMENTS] + ["837"]
    compute(store, ["cla_placed_in_la"], las, "year", [date(2022, 3, 31)], lookup_postcodes=False)
    got = dict(
        store.execute(
            "SELECT la_code, numerator FROM kpi_values WHERE breakdown = 'all'"
        ).fetchall()
    )
    assert {la: got[la] for la, _, _ in PLACEMENTS} == {la: 1.0 for la, _, _ in PLACEMENTS}
    # Bournemouth (before 2019): BCP is only partly old Bournemouth, so in or out
    # cannot be told from today's postcode directory: no value, not "outside"
    flag = store.execute(
        "SELECT value, flag FROM kpi_values WHERE la_code = '837' AND breakdown = 'all'"
    ).fetchone()
    assert flag == (None, "no postcode data")


def test_placement_location_breakdown_reads_the_la_table(
    store: duckdb.DuckDBPyConnection,
) -> None:
    compute(
        store, ["cla_children"], ["909", "815", "837"], "year", [date(2022, 3, 31)],
        ["placement_location"], lookup_postcodes=False,
    )  # fmt: skip
    rows = store.execute(
        "SELECT la_code, breakdown_value, numerator FROM kpi_values "
        "WHERE breakdown = 'placement_location' ORDER BY ALL"
    ).fetchall()
    assert rows == [("815", "in LA", 1.0), ("837", "unknown", 1.0), ("909", "in LA", 1.0)]
