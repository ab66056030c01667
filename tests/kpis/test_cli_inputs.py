"""`cscperf kpis` refuses an unknown LA and a period end that ends no period (one line, exit 2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from cscperf.kpis.cli import kpis
from cscperf.kpis.periods import check_period_end
from cscperf.store.db import connect


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "store.duckdb"
    con = connect(path)
    con.execute(
        "INSERT INTO referrals (la_code, child_id, referral_date) VALUES "
        "('883', 'A', DATE '2024-04-01')"
    )
    con.close()
    return str(path)


def _run(db: str, *args: str) -> tuple[int, list[str]]:
    res = CliRunner().invoke(kpis, ["--db", db, "--kpi", "referrals", *args])
    return res.exit_code, res.output.strip().splitlines()


def test_unknown_la_is_an_error_not_rows_of_no_data(db: str) -> None:
    code, out = _run(db, "--la", "999", "--period-end", "2025-03-31")
    assert code == 2
    assert out == [
        "cscperf: error: --la 999: not the DfE code of an English LA, current or reorganised "
        "(e.g. 883 for Thurrock)"
    ]
    con = connect(db)
    rows = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    con.close()
    assert "kpi_values" not in {r[0] for r in rows}  # nothing computed


def test_a_reorganised_la_is_a_real_la(db: str) -> None:
    code, _ = _run(db, "--la", "909", "--period-end", "2022-03-31")
    assert code == 0


@pytest.mark.parametrize(
    ("period_type", "end", "message"),
    [
        ("month", "2025-03-30",
         "not the end of a month; the nearest are 2025-02-28 and 2025-03-31"),
        ("r12", "2024-02-28", "not the end of a month; the nearest are 2024-01-31 and 2024-02-29"),
        ("quarter", "2025-05-31",
         "not the end of a quarter; the nearest are 2025-03-31 and 2025-06-30"),
        ("year", "2025-06-30",
         "not the end of a reporting year (31 March); the nearest are 2025-03-31 and 2026-03-31"),
        ("year", "2025-03-30",
         "not the end of a reporting year (31 March); the nearest are 2024-03-31 and 2025-03-31"),
    ],
)  # fmt: skip
def test_period_end_must_end_a_period(db: str, period_type: str, end: str, message: str) -> None:
    code, out = _run(db, "--la", "883", "--period-type", period_type, "--period-end", end)
    assert code == 2
    assert out == [f"cscperf: error: --period-end {end} is {message}"]


@pytest.mark.parametrize(
    ("period_type", "end"),
    [("month", date(2024, 2, 29)), ("ytd", date(2024, 11, 30)), ("quarter", date(2024, 12, 31)),
     ("quarter", date(2025, 3, 31)), ("year", date(2025, 3, 31))],
)  # fmt: skip
def test_natural_ends_pass(period_type: str, end: date) -> None:
    check_period_end(period_type, end)
