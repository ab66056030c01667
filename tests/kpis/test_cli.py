"""``cscperf kpis`` through click's CliRunner on a small store file."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from cscperf.kpis.cli import kpis
from cscperf.store.db import connect

HEADER = (
    "kpi_id,la_code,period_type,period_start,period_end,breakdown,breakdown_value,"
    "numerator,denominator,value,flag,title,unit"
)


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "store.duckdb"
    con = connect(path)
    con.execute(
        "INSERT INTO referrals (la_code, child_id, referral_date) VALUES "
        "('883', 'A', DATE '2024-04-01'), ('883', 'A', DATE '2024-10-01'), "
        "('883', 'B', DATE '2025-03-31'), ('883', 'C', DATE '2025-04-01')"
    )
    con.execute(
        "INSERT INTO cin_children (la_code, child_id, sex) "
        "VALUES ('883', 'A', '1'), ('883', 'B', '2')"
    )
    con.close()
    return str(path)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(kpis, list(args))
    return result.exit_code, result.output


def test_csv_has_exactly_the_kpi_values_columns(db: str) -> None:
    code, out = run(
        "--db", db, "--la", "883", "--kpi", "referrals", "--kpi", "referral_rate",
        "--period-type", "year", "--period-end", "2025-03-31", "--format", "csv",
    )  # fmt: skip
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == HEADER
    assert lines[1:] == [
        "referral_rate,883,year,2024-04-01,2025-03-31,all,all,3,,,no population,"
        '"Referral rate per 10,000 children",rate_per_10k',
        "referrals,883,year,2024-04-01,2025-03-31,all,all,3,,3,,Referrals,count",
    ]


def test_range_of_months_with_breakdown_as_json(db: str) -> None:
    code, out = run(
        "--db", db, "--la", "all", "--kpi", "referrals", "--period-type", "month",
        "--from", "2025-02-01", "--period-end", "2025-04-30", "--breakdown", "sex",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, out
    rows = [
        (r["period_end"], r["breakdown"], r["breakdown_value"], r["value"]) for r in json.loads(out)
    ]
    assert rows == [
        ("2025-02-28", "all", "all", 0.0),
        ("2025-03-31", "all", "all", 1.0),
        ("2025-03-31", "sex", "Female", 1.0),
        ("2025-04-30", "all", "all", 1.0),
        ("2025-04-30", "sex", "Unknown", 1.0),
    ]


def test_explain_lists_the_children(db: str) -> None:
    code, out = run(
        "--db", db, "--la", "883", "--kpi", "referrals", "--period-end", "2025-03-31",
        "--explain", "--breakdown", "sex", "--value", "Male", "--format", "csv",
    )  # fmt: skip
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("la_code,period_end,subject_id,event_date,num,den,sex,age_band")
    assert [line.split(",")[2:4] for line in lines[1:]] == [
        ["A", "2024-04-01"],
        ["A", "2024-10-01"],
    ]


def test_parquet_and_table_output(db: str, tmp_path: Path) -> None:
    out_file = tmp_path / "v.parquet"
    code, out = run(
        "--db", db, "--la", "883", "--kpi", "referrals", "--period-end", "2025-03-31",
        "--format", "parquet", "--out", str(out_file),
    )  # fmt: skip
    assert code == 0, out
    got = duckdb.sql(f"SELECT kpi_id, value FROM '{out_file}'").fetchall()
    assert got == [("referrals", 3.0)]
    code, out = run("--db", db, "--la", "883", "--kpi", "referrals", "--period-end", "2025-03-31")
    assert code == 0 and out.splitlines()[1].split()[-3] == "3"  # counts shown with 0 dp


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period-end", "2025-13-01"], "not a date"),
        (["--period-end", "2025-03-31", "--kpi", "nope"], "unknown KPI nope"),
        (["--period-end", "2025-03-31", "--explain"], "exactly one --kpi"),
        (["--period-end", "2025-03-31", "--format", "parquet"], "needs --out"),
    ],
)
def test_bad_input_gets_a_message_not_a_traceback(db: str, args: list[str], message: str) -> None:
    code, out = run("--db", db, "--la", "883", *args)
    assert code != 0 and message in out


def test_missing_store(tmp_path: Path) -> None:
    code, out = run(
        "--db", str(tmp_path / "none.duckdb"), "--la", "883", "--period-end", "2025-03-31"
    )
    assert code == 2 and "no such store" in out
