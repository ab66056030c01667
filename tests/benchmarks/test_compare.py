"""Comparisons on a hand-built store: SN average and range, region, England, rank, quartile."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from cscperf.benchmarks.compare import choose_model, compare_kpi, quartile, quartile_band
from cscperf.benchmarks.importer import import_paths
from cscperf.benchmarks.mapping import parse_published
from cscperf.kpis.catalogue import Kpi
from cscperf.kpis.engine import KPI_VALUES_DDL
from cscperf.store.db import connect

HEAD = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name,group,pct\n"
)
# LA code -> published value (polarity decides who is best)
VALUES = {
    "883": "7",
    "801": "10",
    "802": "c",
    "803": "5",
    "804": "7",
    "805": "20",
    "806": "3",
    "807": "8",
}
SERIES = [
    {"lait": "NOT_IMPORTED", "decimals": 0},  # no rows: the EES series is used
    {"ees": "pub", "indicator": "pct", "filters": {"group": "All"}, "decimals": 0},
]


def kpi(polarity: str, decimals: int = 0) -> Kpi:
    block = [dict(s) for s in SERIES]
    block[1]["decimals"] = decimals
    return Kpi(
        id="test_kpi",
        title="Test",
        area="t",
        definition="d",
        unit="percent",
        aggregate="percent",
        polarity=polarity,
        source="SSDA903",
        sql="",
        path=Path("x"),
        published=parse_published(block),
    )


@pytest.fixture()
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    rows = [
        "2025,Reporting year,National,E92000001,England,,,,,,All,10",
        "2025,Reporting year,Regional,E92000001,England,E12000006,East of England,,,,All,11",
        "2025,Reporting year,Regional,E92000001,England,E12000008,South East,,,,All,12",
    ]
    for la, v in VALUES.items():
        region = "E12000006,East of England" if la == "883" else "E12000008,South East"
        rows.append(
            f"2025,Reporting year,Local authority,E92000001,England,{region},{la},"
            f"E0600{la},LA {la},All,{v}"
        )
    (tmp_path / "pub.csv").write_text(HEAD + "\n".join(rows) + "\n")
    head = "LA num,LA Name,LA number,GOInd,GOReg,SN1,SNP,SN2,SNP,SN3,SNP\n"
    (tmp_path / "sn_2025.csv").write_text(head + "883,T,883,6,East,801,C,802,C,803,C\n")
    (tmp_path / "sn_2021.csv").write_text(head + "883,T,883,6,East,805,C,806,C,807,C\n")
    c = connect(":memory:")
    import_paths(c, [tmp_path])
    return c


def test_low_polarity(con):
    c = compare_kpi(con, kpi("low"), "883", 2025)
    assert c.source == "EES pub pct [All]"
    assert (c.value, c.symbol, c.polarity) == (7.0, None, "low")
    # neighbours 801 (10), 802 (c: no value), 803 (5)
    assert (c.sn_available, c.sn_count, c.sn_availability) == (2, 3, "2 of 3 available")
    assert (c.sn_stat, c.sn_label, c.sn_value, c.sn_mean, c.sn_median) == (
        "mean",
        "SN mean",
        7.5,
        7.5,
        7.5,
    )
    assert (c.sn_min, c.sn_max, c.sn_position, c.sn_place, c.sn_model) == (
        5.0,
        10.0,
        "within range",
        2,
        2025,
    )
    # 7 values ranked; lower is better: 3 and 5 are better, 804 ties with 883 at rank 3
    assert (c.rank, c.rank_of, c.quartile) == (3, 7, "B")
    assert c.rank_basis == "1 = best (lowest is better)"
    assert (c.region_name, c.region_value, c.england_value) == ("East of England", 11.0, 10.0)
    assert (c.computed, c.difference, c.note) == (None, None, "")


def test_high_and_context_polarity_rank_high_to_low(con):
    high = compare_kpi(con, kpi("high"), "883", 2025)
    # 10, 20, 8 are higher; among the neighbours only 801 (10) is. Band by value, as
    # LAIT: values 3 5 7 7 8 10 20 have quartiles 6, 7, 9 (R type 7); 7 is in (6, 7]:
    # the second-lowest quarter, C when higher is better (the rank rule said B)
    assert (high.rank, high.quartile, high.sn_place) == (4, "C", 2)
    ctx = compare_kpi(con, kpi("context"), "883", 2025)
    assert (ctx.rank, ctx.polarity) == (4, "context")
    assert ctx.rank_basis.startswith("1 = highest")


def test_median_on_request_and_older_model_for_older_years(con):
    c = compare_kpi(con, kpi("low"), "883", 2025, sn_stat="median", sn_model=2021)
    # 2021 neighbours: 805 (20), 806 (3), 807 (8)
    assert (c.sn_label, c.sn_value, c.sn_mean, c.sn_available, c.sn_model) == (
        "SN median",
        8.0,
        pytest.approx(31 / 3),
        3,
        2021,
    )
    assert (c.sn_position, c.sn_place) == ("within range", 2)


def test_suppressed_la_value(con):
    c = compare_kpi(con, kpi("low"), "802", 2025)
    assert (c.value, c.symbol, c.rank, c.quartile, c.sn_count) == (None, "c", None, None, 0)
    assert c.note == "published as 'c': confidential: suppressed to protect individuals"


def test_computed_value_and_difference_after_the_dfes_rounding(con):
    con.execute(KPI_VALUES_DDL)
    con.execute(
        "INSERT INTO kpi_values VALUES ('test_kpi', '883', 'year', ?, ?, 'all', NULL, 6, 90, "
        "6.6, NULL)",
        [dt.date(2024, 4, 1), dt.date(2025, 3, 31)],
    )
    whole = compare_kpi(con, kpi("low", decimals=0), "883", 2025)
    assert (whole.computed, whole.difference) == (6.6, 0.0)  # 6.6 rounds to 7, as published
    tenth = compare_kpi(con, kpi("low", decimals=1), "883", 2025)
    assert tenth.difference == pytest.approx(-0.4)


def test_no_published_year(con):
    c = compare_kpi(con, kpi("low"), "883", 2019)
    assert c.value is None and c.note == "no published figures for 2019"


def test_quartile_bands_as_lait():
    # 152 LAs: A = ranks 1-38, B = 39-76, C = 77-114, D = 115-152
    assert [quartile(r, 152) for r in (1, 38, 39, 76, 77, 114, 115, 152)] == list("AABBCCDD")


def test_quartile_band_by_value_as_lait():
    # LAIT's calculate_quartile_band: R quantile() of all LAs' values. For 3 5 7 7 8 10
    # 20: Q1 = 5 + 0.5 * (7 - 5) = 6, Q2 = 7, Q3 = 8 + 0.5 * (10 - 8) = 9; the upper
    # bound of each quarter is inclusive
    vals = [3, 5, 7, 7, 8, 10, 20]
    probe = (3, 6, 6.5, 7, 8, 9, 10, 20)
    assert [quartile_band(v, vals, "low") for v in probe] == list("AABBCCDD")
    assert [quartile_band(v, vals, "high") for v in probe] == list("DDCCBBAA")
    assert [quartile_band(v, vals, "context") for v in probe] == list("DDCCBBAA")
    assert quartile_band(4, [4], "low") == "A"


def test_model_choice():
    assert [choose_model([2021, 2025], y) for y in (2020, 2024, 2025, 2026)] == [
        2021,
        2021,
        2025,
        2025,
    ]
    assert choose_model([], 2025) is None


def test_next_years_release_file_serves_the_same_mapping_and_wins(tmp_path: Path) -> None:
    """The DfE renames a release file every year (..._2013_to_2025 -> ..._2013_to_2026):
    the mapping names the data set without the range, and the later release's revised
    figures replace the earlier one's for the years both hold."""

    def write(name: str, la_value: str, eng: str) -> None:
        (tmp_path / name).write_text(
            HEAD
            + f"2025,Reporting year,National,E92000001,England,,,,,,All,{eng}\n"
            + "2025,Reporting year,Local authority,E92000001,England,E12000006,"
            + f"East of England,883,E06000034,Thurrock,All,{la_value}\n"
        )

    write("pub_2013_to_2025.csv", "7", "10")
    write("pub_2013_to_2026.csv", "8", "11")  # 2025 revised in the next release
    c = connect(":memory:")
    import_paths(c, [tmp_path])
    got = compare_kpi(c, kpi("low"), "883", 2025)
    assert (got.value, got.england_value) == (8.0, 11.0)
    assert got.source == "EES pub pct [All]"


def test_a_data_set_under_another_name_serves_a_mapping_when_unambiguous(tmp_path: Path) -> None:
    """`benchmarks download` names the EES API's files after their data set titles: the
    mapping's indicator and filters, found in exactly one other data set, are used; in
    two, neither is (no guessing)."""
    row = (
        "2025,Reporting year,Local authority,E92000001,England,E12000006,"
        "East of England,883,E06000034,Thurrock,All,{}\n"
    )
    (tmp_path / "Children_looked_after_rates.csv").write_text(HEAD + row.format(6))
    c = connect(":memory:")
    import_paths(c, [tmp_path])
    assert compare_kpi(c, kpi("low"), "883", 2025).value == 6.0
    (tmp_path / "Another_table.csv").write_text(HEAD + row.format(9))
    c2 = connect(":memory:")
    import_paths(c2, [tmp_path])
    assert compare_kpi(c2, kpi("low"), "883", 2025).value is None
