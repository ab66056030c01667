"""api.rag / cscperf rag over a store, with the seed's own figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from cscperf import api
from cscperf.cli import main
from cscperf.kpis.engine import KPI_VALUES_DDL
from cscperf.store.db import connect
from cscperf.targets.lines import shift


def _store(tmp_path: Path) -> str:
    """Seed 003 §3.23: care leavers in EET 66.7% (2017-18) against 61.9% (2016-17)."""
    db = tmp_path / "s.duckdb"
    con = connect(db)
    con.execute(KPI_VALUES_DDL)
    rows = [
        ("care_leavers_eet_19_21", date(2018, 3, 31), 66.7),
        ("care_leavers_eet_19_21", date(2017, 3, 31), 61.9),
        ("cla_placed_in_la", date(2018, 3, 31), 42.0),  # §3.8: 42% against at least 50%
        ("contacts", date(2018, 3, 31), 611.0),
        ("contacts", date(2017, 3, 31), 431.0),
    ]
    con.executemany(
        "INSERT INTO kpi_values VALUES (?, '883', 'year', ?, ?, 'all', NULL, NULL, NULL, ?, NULL)",
        [(k, d, d, v) for k, d, v in rows],
    )
    con.close()
    return str(db)


def test_api_rag_lines(tmp_path: Path) -> None:
    db = _store(tmp_path)
    lines = {ln.kpi_id: ln for ln in api.rag("883", date(2018, 3, 31), db=db)}
    eet = lines["care_leavers_eet_19_21"]
    assert (eet.value, eet.previous, eet.travel, eet.rag) == (66.7, 61.9, "improving", "amber")
    assert eet.rule.startswith("Green: 70.0% or above")
    placed = lines["cla_placed_in_la"]
    assert (placed.rag, placed.travel) == ("red", "n.a.")  # 42 < 45; no previous value
    contacts = lines["contacts"]
    assert (contacts.rag, contacts.reason, contacts.travel) == (
        None, "context indicator: not rated", "up")  # fmt: skip


def test_cli_rag_and_a_bad_targets_file(tmp_path: Path) -> None:
    db = _store(tmp_path)
    ok = CliRunner().invoke(
        main, ["rag", "--db", db, "--la", "883", "--period-end", "2018-03-31", "--kpi",
               "care_leavers_eet_19_21", "--format", "csv"],
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert ok.output.splitlines()[1] == (
        "care_leavers_eet_19_21,66.7,61.9,improving,61.9,improving,70,amber,"
    )
    bad = tmp_path / "targets.yml"
    bad.write_text("targets:\n  care_leavers_eet_19_21:\n    target: seventy\n")
    res = CliRunner().invoke(
        main, ["rag", "--db", db, "--la", "883", "--period-end", "2018-03-31", "--targets",
               str(bad)],
    )  # fmt: skip
    assert res.exit_code == 2
    assert res.output.strip() == (f"cscperf: error: {bad}:3: target: 'seventy' is not a number")


@pytest.mark.parametrize(
    ("end", "months", "expected"),
    [
        (date(2024, 4, 30), -1, date(2024, 3, 31)),
        (date(2024, 3, 31), -3, date(2023, 12, 31)),
        (date(2024, 2, 29), -12, date(2023, 2, 28)),
        (date(2024, 3, 15), -1, date(2024, 2, 15)),
    ],
)
def test_previous_periods_stay_month_ends(end: date, months: int, expected: date) -> None:
    assert shift(end, months) == expected
