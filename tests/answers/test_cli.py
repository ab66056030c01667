"""`cscperf answers`: the tables on the terminal and as files; user errors in one line."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from cscperf.cli import main
from tests.answers.conftest import Store


def _db(store: Store) -> str:
    posts = [("E1", "employed", 50000), ("E2", "employed", 60000), ("A1", "agency", 88000)]
    rows = [{"snapshot_date": date(2025, 3, 31), "post_id": p, "status": s, "fte": 1.0,
             "annual_cost": c} for p, s, c in posts]  # fmt: skip
    return store({"given": {"sw_workforce": rows}})


def test_table_json_and_files(store: Store, tmp_path: Path) -> None:
    db = _db(store)
    base = ["answers", "--db", db, "--la", "999", "--period-end", "2025-03-31"]
    res = CliRunner().invoke(main, base)
    assert res.exit_code == 0, res.output
    # employed 110000 / 2 = 55000 per FTE; agency 88000: 88000 / 55000 - 1 = 60%
    assert "£55,000" in res.output and "£88,000" in res.output and "60.0%" in res.output
    assert "None. No child was looked after on 31 March 2025." in res.output
    res = CliRunner().invoke(main, [*base, "--format", "json", "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    got = {t["id"]: t for t in json.loads(res.output)}
    assert got["permanent_vs_agency"]["rows"][1][1:] == pytest.approx(
        [1, 1.0, 100 / 3, 88000.0, 60.0]
    )
    assert got["missing_by_child"]["rows"] == [] and got["missing_by_child"]["none"]
    res = CliRunner().invoke(main, [*base, "--format", "csv", "--out", str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    with open(tmp_path / "c" / "permanent_vs_agency.csv", encoding="utf-8") as f:
        table = list(csv.reader(f))
    assert table[0][0] == "Social workers" and table[-1][:3] == [
        "All social workers in post", "3", "3.0"]  # fmt: skip


def test_user_errors_are_one_line(store: Store) -> None:
    db = _db(store)
    res = CliRunner().invoke(
        main, ["answers", "--db", db, "--la", "999", "--period-end", "2025-03-30"]
    )
    assert res.exit_code == 2 and "not the end of a reporting year" in res.output
    assert "Traceback" not in res.output
    res = CliRunner().invoke(main, ["answers", "--db", db, "--la", "999", "--period-end",
                                    "2025-03-31", "--period-start", "2025-04-01"])  # fmt: skip
    assert res.exit_code == 2 and "after its end" in res.output
    res = CliRunner().invoke(
        main, ["answers", "--db", str(Path(db).with_name("none.duckdb")), "--la", "999",
               "--period-end", "2025-03-31"],
    )  # fmt: skip
    assert res.exit_code == 2 and "no such store" in res.output
