"""LAIT bds_long + dictionary, statistical neighbour models, LA code list, population routing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cscperf.benchmarks.errors import BenchImportError
from cscperf.benchmarks.importer import import_paths
from cscperf.store.db import connect


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    return connect(":memory:")


def bds(path: Path, rows: list[tuple[object, ...]]) -> Path:
    cols = ["Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region"]
    table = pa.table({c: pa.array([r[i] for r in rows]) for i, c in enumerate(cols)})
    table = table.set_column(5, "LA Number", pa.array([r[5] for r in rows], pa.float64()))
    pq.write_table(table, path)
    return path


BDS_ROWS = [
    ("LAC", None, "2025", "Thurrock", "60", 883.0, "East of England"),
    ("LAC", None, "2025", "England", "67", 970.0, "NA"),
    ("LAC", None, "2025", "London (Inner)", "59", 987.0, "NA"),
    ("LAC", None, "2025", "City of London", "-", 201.0, "Inner London"),
    ("ReReferral", None, "2024-25", "Thurrock", "16", 883.0, "East of England"),
    ("A3A", None, "2025 (Rev)", "Thurrock", "9.3699999999999992", 883.0, "East of England"),
    ("Old", None, "2013/14-15/16", "Thurrock", "1", 883.0, "East of England"),
    ("CINPermExclusion", None, "0", "Thurrock", "2", 883.0, "East of England"),
]


def test_bds_long_levels_years_and_dash(con, tmp_path):
    (counts,) = import_paths(con, [bds(tmp_path / "bds_long_0.parquet", BDS_ROWS)]).files
    # the row whose year label names no year is refused, not loaded
    assert (counts.rows_read, counts.rows_loaded, counts.rows_refused) == (8, 7, 1)
    assert counts.values_suppressed == 1
    got = con.execute(
        "SELECT series, time_period, year, geographic_level, old_la_code, region_name, value, "
        "symbol FROM bench_values ORDER BY source_line"
    ).fetchall()
    assert got == [
        ("LAC", "2025", 2025, "Local authority", "883", "East of England", 60.0, None),
        ("LAC", "2025", 2025, "National", None, None, 67.0, None),
        ("LAC", "2025", 2025, "Regional", None, "London (Inner)", 59.0, None),
        ("LAC", "2025", 2025, "Local authority", "201", "Inner London", None, "-"),
        ("ReReferral", "2024-25", 2025, "Local authority", "883", "East of England", 16.0, None),
        ("A3A", "2025 (Rev)", 2025, "Local authority", "883", "East of England", 9.37, None),
        ("Old", "2013/14-15/16", 2016, "Local authority", "883", "East of England", 1.0, None),
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ("LAC", None, "2025", "Thurrock", "n/a", 883.0, "X"),
            "row 9, column Values: 'n/a' is neither a number nor a known symbol",
        ),
        (
            ("LAC", None, "2025", "Thurrock", "61", 883.0, "X"),
            "row 9, column Short Desc/Years/LA Number: duplicated row: same measure, year and LA "
            "as row 1",
        ),
        (
            ("LAC", None, "2025", "Nowhere", "61", 12.0, "X"),
            "row 9, column LA Number: '12.0' is not a 3-digit LA number",
        ),
    ],
    ids=["symbol", "duplicate", "la-number"],
)
def test_bad_bds_rows(con, tmp_path, row, message):
    f = bds(tmp_path / "bds.parquet", [*BDS_ROWS, row])
    with pytest.raises(
        BenchImportError,
        match="^"
        + str(f).replace(".", r"\.")
        + ": "
        + message.replace("(", r"\(").replace(")", r"\)"),
    ):
        import_paths(con, [f])
    assert con.execute("SELECT count(*) FROM bench_values").fetchone() == (0,)


def test_truncated_parquet_is_refused(con, tmp_path):
    f = bds(tmp_path / "bds.parquet", BDS_ROWS)
    f.write_bytes(f.read_bytes()[:-40])
    with pytest.raises(BenchImportError, match=r"bds\.parquet: not a readable Parquet file"):
        import_paths(con, [f])


def test_dictionary_polarity_decimals_and_repeats(con, tmp_path):
    f = tmp_path / "lait_data_dictionary.csv"
    f.write_text(
        "Measure_code,Chart_title,Measure_short,Polarity,dps,Year_Type,No_Quartile\n"
        '1,"Rate, per 10,000",LAC,-,NA,Annual,NA\n'
        "2,Re-referrals,ReReferral,Low,1,Financial Year,NA\n"
        "3,Absence,LAC_Unauth,Low,NA,Academic Year,NA\n"
        "4,Absence,LAC_Unauth,Low,2,Academic Year,N\n"
    )
    (counts,) = import_paths(con, [f]).files
    assert (counts.rows_read, counts.values_loaded) == (4, 3)
    assert con.execute(
        "SELECT series, title, polarity, decimals, no_quartile FROM bench_series ORDER BY series"
    ).fetchall() == [
        ("LAC", "Rate, per 10,000", "context", None, False),
        ("LAC_Unauth", "Absence", "low", 2, True),
        ("ReReferral", "Re-referrals", "low", 1, False),
    ]


SN_HEAD = (
    "LA num,LA Name,LA number,GOInd,GOReg," + ",".join(f"SN{i},SNP" for i in range(1, 11)) + ",\n"
)


def sn_row(code: str, name: str, neighbours: list[str]) -> str:
    return f'{code},"{name}",{code},6,East,' + ",".join(f"{n},Close" for n in neighbours) + ",\n"


def test_sn_model_csv_and_workbook(con, tmp_path):
    nbs = [str(n) for n in range(301, 311)]
    csv_file = tmp_path / "sn_groupings_2021.csv"
    csv_file.write_text(
        SN_HEAD
        + sn_row("883", "Thurrock", nbs)
        + ",,,,\n,Old SNs:,,\n"
        + sn_row("909", "Cumbria", ["-"] * 10)
    )
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["A", "B", "C"])  # LAIT's junk rows above the header
    ws.append([1, 2, 3])
    ws.append(SN_HEAD.strip().split(","))
    row = sn_row("883", "Thurrock", list(reversed(nbs))).strip().split(",")
    ws.append([int(c) if c.isdigit() else c.strip('"') for c in row])
    ws.append([int(c) if c.isdigit() else c.strip('"') for c in row])  # repeated: kept once
    xlsx = tmp_path / "sn_may_2025.xlsx"
    book.save(xlsx)
    report = import_paths(con, [csv_file, xlsx])
    assert [c.kind for c in report.files] == ["SN model 2021", "SN model 2025"]
    got = con.execute(
        "SELECT model, la_code, list(neighbour_code ORDER BY rank) FROM bench_sn "
        "GROUP BY ALL ORDER BY 1, 2"
    ).fetchall()
    assert got == [(2021, "883", nbs), (2025, "883", list(reversed(nbs)))]


def test_sn_conflicting_repeat_and_bad_code(con, tmp_path):
    nbs = [str(n) for n in range(301, 311)]
    f = tmp_path / "sn_2025.csv"
    f.write_text(SN_HEAD + sn_row("883", "Thurrock", nbs) + sn_row("883", "Thurrock", nbs[::-1]))
    with pytest.raises(BenchImportError, match="line 3, column LA num: duplicated row"):
        import_paths(con, [f])
    f.write_text(SN_HEAD + sn_row("883", "Thurrock", [*nbs[:9], "3O1"]))
    with pytest.raises(BenchImportError, match="line 2, column SN10: '3O1' is not a 3-digit"):
        import_paths(con, [f])


def test_population_file_goes_to_the_population_table(con, tmp_path):
    f = tmp_path / "ons_pop.csv"
    f.write_text(
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,new_la_code,la_name,age_group,population_estimate\n"
        "2024,Reporting year,National,E92000001,England,,,,,,Children aged 0 to 17 years,12183016\n"
        "2024,Reporting year,Local authority,E92000001,England,E12000006,East,883,E06000034,"
        "Thurrock,Children aged 0 to 17 years,46271\n"
        "2024,Reporting year,Local authority,E92000001,England,E12000006,East,884,E06000035,"
        "Other,Children aged 0 to 17 years,x\n"
    )
    (counts,) = import_paths(con, [f]).files
    assert (counts.rows_read, counts.rows_loaded, counts.rows_refused) == (2, 1, 1)
    assert con.execute("SELECT la_code, year, age_0_17 FROM population").fetchall() == [
        ("883", 2024, 46271)
    ]
    assert con.execute("SELECT count(*) FROM bench_values").fetchone() == (0,)


def test_reference_las_neighbours_are_the_imported_2025_model(shared: Path, con) -> None:
    """reference/las.py (committed las.csv) and bench_sn must not drift apart."""
    from cscperf.reference.las import load_las

    for name in ("dfe-published/sn_model_2025_wide.csv", "lait/sn_may_2025.xlsx"):
        import_paths(con, [shared / "reference" / name])
    for la in load_las():
        got = con.execute(
            "SELECT DISTINCT rank, neighbour_code FROM bench_sn WHERE model = 2025 "
            "AND la_code = ? ORDER BY rank",
            [la.dfe_code],
        ).fetchall()
        assert tuple(n for _, n in got) == la.statistical_neighbours, la.dfe_code
