"""``cscperf benchmarks import|show``: counts per file, one-line errors (exit 2), formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from cscperf.cli import main

HEAD = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name,population_type,population_estimate,"
    "children_count,rate_per_10000\n"
)
FLT = "Children looked after on 31 March each year"


def published(folder: Path) -> Path:
    folder.mkdir()
    rows = [
        f"2025,Reporting year,National,E92000001,England,,,,,,{FLT},100000,670,67",
        f"2025,Reporting year,Regional,E92000001,England,E12000006,East of England,,,,{FLT},"
        "10000,49,49",
        f"2025,Reporting year,Local authority,E92000001,England,E12000006,East of England,883,"
        f"E06000034,Thurrock,{FLT},46271,276,60",
        f"2025,Reporting year,Local authority,E92000001,England,E12000006,East of England,881,"
        f"E10000012,Essex,{FLT},300000,c,c",
        f"2025,Reporting year,Local authority,E92000001,England,E12000006,East of England,882,"
        f"E06000033,Southend-on-Sea,{FLT},40000,260,65",
    ]
    (folder / "cla_number_and_rate_per_10k_children.csv").write_text(HEAD + "\n".join(rows))
    head = "LA num,LA Name,LA number,GOInd,GOReg,SN1,SNP,SN2,SNP\n"
    (folder / "sn_model_2025.csv").write_text(head + "883,Thurrock,883,6,East,881,C,882,C\n")
    (folder / "notes.ods").write_bytes(b"PK")
    return folder


def test_import_then_show_csv(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    folder = published(tmp_path / "pub")
    res = CliRunner().invoke(main, ["benchmarks", "import", "--db", db, str(folder)])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].endswith(
        "cla_number_and_rate_per_10k_children.csv: EES: rows read 5, loaded 5, refused 0; "
        "values 15, suppressed 2 (3 indicator(s), 1 filter(s))"
    )
    assert lines[2].endswith("notes.ods: skipped (not .csv, .parquet or .xlsx)")
    res = CliRunner().invoke(
        main,
        ["benchmarks", "show", "--db", db, "--la", "883", "--year", "2025", "--format", "csv"],
    )
    assert res.exit_code == 0, res.output
    rows = {r["kpi_id"]: r for r in csv.DictReader(io.StringIO(res.stdout))}
    # only the KPIs whose published series is in the store have figures
    rate = rows["cla_rate"]
    assert rate["source"].startswith("EES cla_number_and_rate_per_10k_children rate_per_10000")
    assert (rate["value"], rate["sn_shown"], rate["sn_value"], rate["sn_available"]) == (
        "60.0",
        "SN mean",
        "65.0",
        "1 of 2 available",
    )
    assert (rate["region"], rate["region_value"], rate["england_value"]) == (
        "East of England",
        "49.0",
        "67.0",
    )
    # context measure, ranked high-to-low: Southend (65) is above Thurrock; banded by
    # value (A = highest): 60 is at or below Q1 = 60 + 0.25 * 5 of {60, 65} -> D
    assert (rate["rank"], rate["rank_of"], rate["quartile"]) == ("2", "2", "D")
    assert rows["cla_children"]["value"] == "276.0"
    assert rows["cp_rate"]["note"] == "no published figures for 2025"


def test_show_json_parquet_and_median(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    CliRunner().invoke(main, ["benchmarks", "import", "--db", db, str(published(tmp_path / "p"))])
    res = CliRunner().invoke(
        main,
        [
            "benchmarks",
            "show",
            "--db",
            db,
            "--la",
            "883",
            "--kpi",
            "cla_rate",
            "--sn-stat",
            "median",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    (rec,) = json.loads(res.stdout)
    assert (rec["year"], rec["sn_shown"], rec["sn_median"]) == (2025, "SN median", 65.0)
    out = tmp_path / "b.parquet"
    res = CliRunner().invoke(
        main,
        [
            "benchmarks",
            "show",
            "--db",
            db,
            "--la",
            "883",
            "--kpi",
            "cla_rate",
            "--format",
            "parquet",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert pq.read_table(out).to_pylist()[0]["value"] == 60.0


def test_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEAD + "2025,Reporting year,National,E92000001,England,,,,,,x,1,2,q\n")
    res = CliRunner().invoke(main, ["benchmarks", "import", "--db", db, str(bad)])
    assert res.exit_code == 2
    assert res.stderr == (
        f"cscperf: error: {bad}: line 2, column rate_per_10000: 'q' is neither a number nor a "
        "known symbol (c, x, z, k, low, ~, u, :, .., ., -)\n"
    )
    res = CliRunner().invoke(main, ["benchmarks", "show", "--db", db, "--la", "883"])
    assert res.exit_code == 2
    assert res.stderr.startswith("cscperf: error: no published figures for LA 883")
    res = CliRunner().invoke(
        main, ["benchmarks", "show", "--db", db, "--la", "883", "--kpi", "nope", "--year", "2025"]
    )
    assert (res.exit_code, res.stderr) == (2, "cscperf: error: unknown KPI nope\n")
