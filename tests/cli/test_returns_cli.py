"""`cscperf returns` and `cscperf returns withdraw`, and what `ingest` says on replacing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from cscperf.cli import main
from tests.ingest.test_returns import episode, episodes_csv


def _store(tmp_path: Path) -> tuple[str, Path]:
    db = str(tmp_path / "s.duckdb")
    episodes_csv(tmp_path / "2024" / "episodes.csv", [episode("A", dt.date(2023, 5, 1))])
    late = episodes_csv(
        tmp_path / "2025" / "episodes.csv",
        [episode("A", dt.date(2023, 5, 1), "U3"), episode("B", dt.date(2024, 5, 1))],
    )
    for year in ("2024", "2025"):
        res = CliRunner().invoke(main, ["ingest", "--la", "883", "--db", db, str(tmp_path / year)])
        assert res.exit_code == 0, res.output
        assert f"903 {int(year) - 1}-{year[2:]} for 883 loaded: " in res.output
    return db, late


def test_ingest_says_a_return_was_replaced(tmp_path: Path) -> None:
    db, late = _store(tmp_path)
    episodes_csv(late.parent / "episodes.csv", [episode("A", dt.date(2023, 5, 1), "U3")])
    res = CliRunner().invoke(main, ["ingest", "--la", "883", "--db", db, str(late)])
    assert res.exit_code == 0, res.output
    assert "903 2024-25 for 883 replaced: 2 → 1 episode, 1 removed" in res.output.splitlines()


def test_returns_lists_what_is_loaded(tmp_path: Path) -> None:
    db, late = _store(tmp_path)
    res = CliRunner().invoke(main, ["returns", "--db", db, "--format", "json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    assert [(r["collection"], r["return_year"], r["rows_loaded"]) for r in got] == [
        ("903", 2024, 1),
        ("903", 2025, 2),
    ]
    assert got[1]["files"] == [str(late.resolve())]
    assert got[1]["covers_from"] == "2024-04-01" and got[1]["covers_to"] == "2025-03-31"
    assert got[1]["rows_quarantined"] == 0 and got[1]["loaded_at"]
    res = CliRunner().invoke(main, ["returns", "--db", db, "--la", "882"])
    assert res.exit_code == 0 and "(0 rows)" in res.output
    res = CliRunner().invoke(main, ["returns", "--db", db])
    assert res.exit_code == 0 and "episodes.csv" in res.output


def test_withdraw_removes_a_return_and_restores_the_earlier(tmp_path: Path) -> None:
    db, _ = _store(tmp_path)
    res = CliRunner().invoke(
        main,
        ["returns", "withdraw", "--db", db, "--la", "883", "--collection", "903", "--year", "2025"],
    )
    assert res.exit_code == 0, res.output
    assert res.output.strip() == (
        "903 2024-25 for 883 withdrawn: 2 episodes removed; 1 row of earlier returns restored"
    )
    res = CliRunner().invoke(
        main,
        [
            "query",
            "--db",
            db,
            "--format",
            "json",
            "SELECT child_id, place, return_year FROM cla_episodes",
        ],
    )
    assert json.loads(res.output) == [{"child_id": "A", "place": "U1", "return_year": 2024}]
    # --db given to the group applies to the subcommand
    res = CliRunner().invoke(
        main,
        ["returns", "--db", db, "withdraw", "--la", "883", "--collection", "903", "--year", "2024"],
    )
    assert res.exit_code == 0, res.output


def test_withdraw_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    db, _ = _store(tmp_path)
    cases = [
        (
            ["--collection", "903", "--year", "2023"],
            "no 903 2022-23 return is loaded for LA 883 (loaded: 903 2023-24, 903 2024-25)",
        ),
        (["--collection", "ofsted", "--year", "2025"], "--collection 'ofsted': one of 903"),
        (["--collection", "local:nothing", "--year", "2025"], "local:<template>"),
    ]
    for args, message in cases:
        res = CliRunner().invoke(main, ["returns", "withdraw", "--db", db, "--la", "883", *args])
        assert res.exit_code == 2 and message in res.output, res.output
        assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1
    none = str(tmp_path / "none.duckdb")
    for args in (
        ["returns", "--db", none],
        [
            "returns",
            "withdraw",
            "--db",
            none,
            "--la",
            "883",
            "--collection",
            "903",
            "--year",
            "2025",
        ],
    ):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 2 and "no such store" in res.output, res.output
    assert not Path(none).exists()
