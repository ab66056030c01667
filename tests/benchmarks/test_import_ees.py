"""EES open-data CSVs into bench_values: layouts, symbols, geography, idempotence, bad files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cscperf.benchmarks.errors import BenchImportError
from cscperf.benchmarks.importer import import_paths
from cscperf.benchmarks.symbols import SYMBOLS
from cscperf.store.db import connect

HEAD = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name,population_type,children_count,rate_per_10000\n"
)
ROWS = [
    "202425,Reporting year,National,E92000001,England,,,,,,Looked after,81770,67",
    "202425,Reporting year,Regional,E92000001,England,E13000001,Inner London,,,,Looked after,"
    "4000,59",
    "202425,Reporting year,Local authority,E92000001,England,E13000001,Inner London,202,"
    'E09000007,Camden,Looked after,205,"1,234.5"',
    "202425,Reporting year,Local authority,E92000001,England,E12000009,South West,801,"
    'E06000023,"Bristol, City of",Looked after,c,""',
]


def write(path: Path, text: str, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    return connect(":memory:")


def values(con: duckdb.DuckDBPyConnection, where: str = "true") -> list[tuple[object, ...]]:
    return con.execute(
        "SELECT geographic_level, region_code, old_la_code, area_name, year, series, filters, "
        f"value, symbol FROM bench_values WHERE {where} ORDER BY source_line, series"
    ).fetchall()


def test_wide_file_with_bom_quoted_empties_and_commas(con, tmp_path):
    f = write(tmp_path / "cla_rates.csv", HEAD + "\n".join(ROWS) + "\n", bom=True)
    report = import_paths(con, [f])
    (counts,) = report.files
    assert (counts.rows_read, counts.rows_loaded, counts.rows_refused) == (4, 4, 0)
    # 4 rows x 2 indicators; the suppressed count and the quoted empty rate are flagged nulls
    assert (counts.values_loaded, counts.values_suppressed) == (8, 2)
    flt = '{"population_type":"Looked after"}'
    assert values(con, "old_la_code = '801'") == [
        (
            "Local authority",
            "E12000009",
            "801",
            "Bristol, City of",
            2025,
            "children_count",
            flt,
            None,
            "c",
        ),
        (
            "Local authority",
            "E12000009",
            "801",
            "Bristol, City of",
            2025,
            "rate_per_10000",
            flt,
            None,
            None,
        ),
    ]
    assert values(con, "old_la_code = '202' AND series = 'rate_per_10000'")[0][7] == 1234.5
    # Inner London is a region row of its own; the LA row names it as its region
    assert values(con, "geographic_level = 'Regional' AND series = 'children_count'") == [
        ("Regional", "E13000001", None, "Inner London", 2025, "children_count", flt, 4000.0, None)
    ]
    blank = con.execute(
        "SELECT symbol_meaning FROM bench_values WHERE old_la_code = '801' "
        "AND series = 'rate_per_10000'"
    ).fetchone()
    assert blank == ("blank in the file",)


def test_every_symbol_is_a_flagged_null_never_zero(con, tmp_path):
    rows = [
        f"2025,Reporting year,Local authority,E92000001,England,E12000006,East,{800 + i},"
        f"E0600{i:04d},LA {i},Looked after,{sym},5"
        for i, sym in enumerate(SYMBOLS)
    ]
    f = write(tmp_path / "symbols.csv", HEAD + "\n".join(rows) + "\n")
    import_paths(con, [f])
    got = con.execute(
        "SELECT symbol, symbol_meaning, value FROM bench_values "
        "WHERE series = 'children_count' ORDER BY source_line"
    ).fetchall()
    assert [(s, m) for s, m, _ in got] == list(SYMBOLS.items())
    assert all(v is None for _, _, v in got)


def test_long_layout_and_time_period_formats(con, tmp_path):
    text = (
        "time_period,time_identifier,geographic_level,country_code,country_name,indicator,"
        "age,value\n"
        "2025,Reporting year,National,E92000001,England,placements,All ages,12\n"
        "2025,Reporting year,National,E92000001,England,stability,All ages,x\n"
        "202324,Financial year,National,E92000001,England,placements,All ages,10\n"
    )
    import_paths(con, [write(tmp_path / "long.csv", text)])
    assert con.execute(
        "SELECT time_period, year, series, filters, value, symbol FROM bench_values "
        "ORDER BY source_line"
    ).fetchall() == [
        ("2025", 2025, "placements", '{"age":"All ages"}', 12.0, None),
        ("2025", 2025, "stability", '{"age":"All ages"}', None, "x"),
        ("202324", 2024, "placements", '{"age":"All ages"}', 10.0, None),
    ]


def test_years_and_months_durations_are_months(con, tmp_path):
    text = (
        "time_period,time_identifier,geographic_level,country_code,country_name,stage,number\n"
        "2025,Reporting year,National,E92000001,England,Total,01:10\n"
        "2025,Reporting year,National,E92000001,England,Stage 3,k\n"
    )
    import_paths(con, [write(tmp_path / "adoption.csv", text)])
    got = con.execute("SELECT value, unit, symbol FROM bench_values ORDER BY source_line")
    assert got.fetchall() == [(22.0, "months", None), (None, None, "k")]


def test_reimport_replaces_the_files_rows(con, tmp_path):
    f = write(tmp_path / "cla_rates.csv", HEAD + "\n".join(ROWS) + "\n")
    import_paths(con, [f])
    import_paths(con, [f])
    assert con.execute("SELECT count(*) FROM bench_values").fetchone() == (8,)
    write(f, HEAD + ROWS[0] + "\n")
    import_paths(con, [f])
    assert con.execute("SELECT count(*) FROM bench_values").fetchone() == (2,)
    assert con.execute("SELECT count(*) FROM bench_files").fetchone() == (1,)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # truncated: the last row is cut mid-way
        (
            HEAD + ROWS[0] + "\n2025,Reporting year,Local",
            "line 3, column country_code: 3 of 13 fields: the row is cut short",
        ),
        (HEAD + ROWS[0] + '\n2025,Reporting year,"Local', "line 3: a quoted value is never closed"),
        (
            HEAD + ROWS[0] + "\n" + ROWS[2].replace("205", "q"),
            "line 3, column children_count: 'q' is neither a number nor a known symbol",
        ),
        (
            HEAD + ROWS[0] + "\n" + ROWS[2] + "\n" + ROWS[2],
            "line 4, column time_period/geography/filters: duplicated row: same time period, "
            "geography and filters as line 3",
        ),
        (
            HEAD + ROWS[0].replace("202425", "2024-25"),
            "line 2, column time_period: '2024-25' is not a time period",
        ),
        ("la,value\n883,1\n", "line 1: not a recognised published format"),
    ],
    ids=["truncated", "open-quote", "unknown-symbol", "duplicate", "time-period", "layout"],
)
def test_bad_file_one_error_and_nothing_imported(con, tmp_path, body, message):
    good = write(tmp_path / "a_good.csv", HEAD + ROWS[0] + "\n")
    bad = write(tmp_path / "b_bad.csv", body)
    with pytest.raises(BenchImportError) as err:
        import_paths(con, [good, bad])
    assert str(err.value) == f"{bad}: {message}" or str(err.value).startswith(f"{bad}: {message}")
    assert "\n" not in str(err.value)
    # the good file before it in the batch was rolled back too
    assert con.execute("SELECT count(*) FROM bench_values").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM bench_files").fetchone() == (0,)


def test_a_mostly_suppressed_indicator_is_not_taken_for_a_filter(con, tmp_path):
    # 'newer' was not collected in early years (x): still an indicator, not a filter,
    # whichever position it has (c3's Child_criminal_exploitation is like this)
    text = (
        "time_period,geographic_level,category,newer,total\n"
        "2023,National,Factors,x,5\n"
        "2024,National,Factors,x,6\n"
        "2025,National,Factors,7,8\n"
    )
    (counts,) = import_paths(con, [write(tmp_path / "c3.csv", text)]).files
    assert counts.note == "2 indicator(s), 1 filter(s)"
    assert con.execute(
        "SELECT DISTINCT filters FROM bench_values WHERE series = 'newer'"
    ).fetchall() == [('{"category":"Factors"}',)]
