"""Comparisons, the rest of issue 11: a month or quarter against the published year, the
3-year direction against England's, reorganisations, and how a quartile is to be read."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from cscperf.benchmarks.compare import _context, _la_name, compare_kpi
from cscperf.benchmarks.direction import direction
from cscperf.benchmarks.importer import import_paths
from cscperf.benchmarks.mapping import parse_published
from cscperf.benchmarks.periods import match_period
from cscperf.cli import main
from cscperf.kpis.catalogue import Kpi
from cscperf.kpis.engine import KPI_VALUES_DDL
from cscperf.store.db import connect

HEAD = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name,group,pct\n"
)
EAST = "E12000006,East of England"
MIDS = "E12000004,East Midlands"


def row(year: int, level: str, la: str, name: str, value: str, region: str = EAST) -> str:
    if level == "National":
        return f"{year},Reporting year,National,E92000001,England,,,,,,All,{value}"
    return (
        f"{year},Reporting year,Local authority,E92000001,England,{region},{la},E0{la},"
        f'"{name}",All,{value}'
    )


# a hand-built EES file: Thurrock 2022 and 2025, and Northamptonshire (928) until its
# split on 1 April 2021 into North (940) and West (941) Northamptonshire
ROWS = [
    row(2020, "National", "", "", "50"),
    row(2020, "Local authority", "928", "Northamptonshire", "40", MIDS),
    row(2022, "National", "", "", "10"),
    row(2022, "Local authority", "883", "Thurrock", "9"),
    row(2023, "National", "", "", "45"),
    row(2023, "Local authority", "940", "North Northamptonshire", "30", MIDS),
    row(2023, "Local authority", "941", "West Northamptonshire", "35", MIDS),
    row(2025, "National", "", "", "12"),
    row(2025, "Local authority", "883", "Thurrock", "7"),
    row(2025, "Local authority", "801", "Bristol", "8"),
    row(2025, "Local authority", "802", "Bath", "5"),
]


def kpi(polarity: str, aggregate: str = "percent", series: list[dict] | None = None) -> Kpi:
    ees = {"ees": "pub", "indicator": "pct", "filters": {"group": "All"}, "decimals": 0}
    block = series or [ees]
    return Kpi(
        id="test_kpi",
        title="Test",
        area="t",
        definition="d",
        unit="percent" if aggregate == "percent" else "count",
        aggregate=aggregate,
        polarity=polarity,
        source="SSDA903",
        sql="",
        path=Path("x"),
        published=parse_published(block),
    )


@pytest.fixture()
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    (tmp_path / "pub.csv").write_text(HEAD + "\n".join(ROWS) + "\n")
    c = connect(":memory:")
    import_paths(c, [tmp_path])
    c.execute(KPI_VALUES_DDL)
    return c


def computed(
    con: duckdb.DuckDBPyConnection, ptype: str, end: dt.date, value: float, la: str = "883"
) -> None:
    con.execute(
        "INSERT INTO kpi_values VALUES ('test_kpi', ?, ?, ?, ?, 'all', NULL, NULL, NULL, ?, NULL)",
        [la, ptype, dt.date(2000, 1, 1), end, value],
    )


# --- direction over 3 years -----------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "england", "polarity", "words"),
    [
        (-3, -1, "low", "improving faster than England"),
        (-1, -3, "low", "improving more slowly than England"),
        (3, 1, "low", "worsening faster than England"),
        (2, 2, "high", "improving as fast as England"),
        (-2, 1, "high", "worsening while England improves"),
        (2, 0, "high", "improving while England is unchanged"),
        (0, -1, "low", "unchanged while England improves"),
        (0, 0.0000001, "high", "unchanged, as England"),
        (1, None, "high", "improving (England not published)"),
        (5, 2, "context", "rising faster than England"),
        (-1, 2, "context", "falling while England rises"),
    ],
)
def test_direction_words(change, england, polarity, words):
    assert direction(change, england, polarity) == words


def test_three_year_change_against_england(con):
    # Thurrock 9 -> 7 (-2), England 10 -> 12 (+2), 2022 to 2025
    low = compare_kpi(con, kpi("low"), "883", 2025)
    assert (low.change_from, low.change, low.england_change) == (2022, -2.0, 2.0)
    assert (low.direction, low.change_basis) == ("improving while England worsens", "published")
    assert compare_kpi(con, kpi("high"), "883", 2025).direction == (
        "worsening while England improves"
    )
    ctx = compare_kpi(con, kpi("context"), "883", 2025)
    assert ctx.direction == "falling while England rises"


def test_three_year_change_from_a_computed_value(con):
    # Bristol has no published 2022 figure: no direction ...
    assert compare_kpi(con, kpi("low"), "801", 2025).direction is None
    # ... until its own 2022 value is computed: 10 -> 8 (published), England +2
    computed(con, "year", dt.date(2022, 3, 31), 10.0, la="801")
    b = compare_kpi(con, kpi("low"), "801", 2025)
    assert (b.change, b.change_basis) == (-2.0, "computed, published")
    assert b.direction == "improving while England worsens"
    # a computed value never replaces a published one
    computed(con, "year", dt.date(2022, 3, 31), 99.0)
    c = compare_kpi(con, kpi("low"), "883", 2025)
    assert (c.change, c.change_basis) == (-2.0, "published")


# --- reorganisations ------------------------------------------------------------------


def test_a_successor_spanning_a_reorganisation(con):
    # North Northamptonshire 2023 (30) against Northamptonshire 2020 (40); England 50 -> 45
    c = compare_kpi(con, kpi("low"), "940", 2023)
    assert (c.value, c.change, c.england_change) == (30.0, -10.0, -5.0)
    assert c.direction == "improving faster than England"
    assert c.note == (
        "the change since 2020 spans a reorganisation: 2020 is Northamptonshire (928), "
        "before North Northamptonshire (940) began on 01/04/2021"
    )
    # a count of the larger predecessor's area is no trend for the successor
    n = compare_kpi(con, kpi("low", aggregate="count"), "940", 2023)
    assert n.direction is None and n.change is None
    assert n.note.startswith("no change since 2020: North Northamptonshire (940) began later")


def test_years_before_an_la_began_and_after_it_ended(con):
    before = compare_kpi(con, kpi("low"), "940", 2020)
    assert before.value is None
    assert before.note == (
        "North Northamptonshire (940) began on 01/04/2021: 2020 figures are "
        "Northamptonshire (928)'s"
    )
    after = compare_kpi(con, kpi("low"), "928", 2023)
    assert after.note == (
        "Northamptonshire (928) ended on 01/04/2021: its area's 2023 figures are 940, 941's"
    )


def test_names_come_from_the_stores_la_reference(con):
    assert _la_name(con, "940") == "North Northamptonshire"
    con.execute("UPDATE la_reference SET name = 'N. Northants' WHERE la_code = '940'")
    assert _la_name(con, "940") == "N. Northants"
    con.execute("UPDATE la_reference SET successors = ['941'] WHERE la_code = '928'")
    # 940 no longer succeeds 928 in this store: no predecessor, no spanning change
    c = compare_kpi(con, kpi("low"), "940", 2023)
    assert c.direction is None and c.note == ""


# --- a month or quarter against the published year ------------------------------------

P25 = "published 2024-25 compared with computed "
P24 = "published 2023-24 compared with computed "


@pytest.mark.parametrize(
    ("ptype", "end", "latest", "year", "label"),
    [
        ("year", dt.date(2025, 3, 31), 2025, 2025, ""),
        ("year", dt.date(2026, 3, 31), 2025, 2026, ""),
        ("quarter", dt.date(2025, 9, 30), 2025, 2025, P25 + "Q2 2025-26"),
        ("quarter", dt.date(2025, 3, 31), 2025, 2025, P25 + "Q4 2024-25"),
        ("month", dt.date(2025, 2, 28), 2025, 2024, P24 + "February 2025"),
        ("quarter", dt.date(2026, 12, 31), 2025, 2025, P25 + "Q3 2026-27"),
        ("year", dt.date(2025, 9, 30), 2025, 2025, P25 + "year ending 30 September 2025"),
    ],
)
def test_period_maps_to_the_published_year(ptype, end, latest, year, label):
    m = match_period(ptype, end, latest)
    assert (m.year, m.label, m.same_period) == (year, label, not label)


def test_a_quarter_beside_the_published_year(con):
    computed(con, "year", dt.date(2025, 3, 31), 6.6)
    computed(con, "quarter", dt.date(2025, 9, 30), 5.2)
    m = match_period("quarter", dt.date(2025, 9, 30), 2025)
    k = kpi("low")
    c = compare_kpi(con, k, "883", 2025, ctx=_context(con, [k], "883", 2025, None, m))
    assert (c.value, c.computed, c.period_type, c.period_end) == (
        7.0,
        5.2,
        "quarter",
        dt.date(2025, 9, 30),
    )
    # no difference across unlike periods; the output says which two stand side by side
    assert c.difference is None
    assert c.compared == P25 + "Q2 2025-26"
    assert c.note == c.compared
    year = compare_kpi(con, k, "883", 2025)
    assert (year.computed, year.difference, year.compared) == (6.6, 0.0, "")


def test_show_period_options(tmp_path: Path):
    db = str(tmp_path / "s.duckdb")
    folder = tmp_path / "pub"
    folder.mkdir()
    flt = "Children looked after on 31 March each year"
    head = (
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,new_la_code,la_name,population_type,rate_per_10000\n"
    )
    lines = [
        f"2025,Reporting year,National,E92000001,England,,,,,,{flt},67",
        f"2025,Reporting year,Local authority,E92000001,England,{EAST},883,E06000034,"
        f"Thurrock,{flt},60",
    ]
    (folder / "cla_number_and_rate_per_10k_children.csv").write_text(head + "\n".join(lines))
    run = CliRunner().invoke
    assert run(main, ["benchmarks", "import", "--db", db, str(folder)]).exit_code == 0
    args = ["benchmarks", "show", "--db", db, "--la", "883", "--kpi", "cla_rate"]
    quarter = ["--period-type", "quarter", "--period-end", "2025-09-30"]
    res = run(main, [*args, *quarter, "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert res.stderr.splitlines()[0] == P25 + "Q2 2025-26"
    (r,) = csv.DictReader(io.StringIO(res.stdout))
    assert (r["year"], r["value"], r["period_type"], r["period_end"]) == (
        "2025",
        "60.0",
        "quarter",
        "2025-09-30",
    )
    assert r["compared"] == P25 + "Q2 2025-26"
    assert r["quartile_basis"].startswith("context: A = highest")
    both = run(main, [*args, "--year", "2025", *quarter])
    assert both.exit_code == 2 and "not both" in both.output
    half = run(main, [*args, "--period-type", "month"])
    assert half.exit_code == 2 and "go together" in half.output
    bad = run(main, [*args, "--period-type", "month", "--period-end", "2025-13-01"])
    assert bad.exit_code == 2 and "is not a date" in bad.output


# --- how a quartile reads -------------------------------------------------------------


def test_context_quartile_is_labelled_and_no_quartile_is_honoured(con, tmp_path):
    assert compare_kpi(con, kpi("context"), "883", 2025).quartile_basis == (
        "context: A = highest (neither better nor worse)"
    )
    assert compare_kpi(con, kpi("low"), "883", 2025).quartile_basis == "A = best quarter"
    cols = ["Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region"]
    data = [
        ("Tiny", None, "2025", name, v, code, "East of England")
        for name, v, code in (("Thurrock", "1", 883.0), ("Bristol", "2", 801.0))
    ]
    table = pa.table({c: pa.array([r[i] for r in data]) for i, c in enumerate(cols)})
    table = table.set_column(5, "LA Number", pa.array([r[5] for r in data], pa.float64()))
    pq.write_table(table, tmp_path / "bds_long_0.parquet")
    (tmp_path / "lait_data_dictionary.csv").write_text(
        "Measure_code,Chart_title,Measure_short,Polarity,dps,Year_Type,No_Quartile\n"
        "1,Tiny range,Tiny,Low,0,Annual,N\n"
    )
    import_paths(con, [tmp_path / "bds_long_0.parquet", tmp_path / "lait_data_dictionary.csv"])
    c = compare_kpi(con, kpi("high", series=[{"lait": "Tiny", "decimals": 0}]), "883", 2025)
    assert (c.polarity, c.rank, c.quartile) == ("low", 1, None)
    assert "no quartile band: LAIT's dictionary says the range is too small" in c.note


def test_table_labels_a_context_band(tmp_path: Path):
    db = str(tmp_path / "s.duckdb")
    folder = tmp_path / "pub"
    folder.mkdir()
    flt = "Children looked after on 31 March each year"
    head = (
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,new_la_code,la_name,population_type,rate_per_10000\n"
    )
    lines = [
        f"2025,Reporting year,Local authority,E92000001,England,{EAST},883,E06000034,"
        f"Thurrock,{flt},60",
    ]
    (folder / "cla_number_and_rate_per_10k_children.csv").write_text(head + "\n".join(lines))
    run = CliRunner().invoke
    assert run(main, ["benchmarks", "import", "--db", db, str(folder)]).exit_code == 0
    res = run(main, ["benchmarks", "show", "--db", db, "--la", "883", "--kpi", "cla_rate"])
    assert res.exit_code == 0, res.output
    # the only LA: every quartile is 60, and 60 <= Q1 is the lowest quarter: D
    assert "D (context: A = highest)" in res.stdout
