"""The CLI is a thin layer: exit codes, output formats, read-only query, documented commands."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cscperf.cli import main
from tests.fakes import FakeReader, write

EP = "child_id|decom|rne|ls|place|dec|rec"


def test_ingest_json_counts_and_quarantine(fake_reader: FakeReader, tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    write(
        tmp_path / "in" / "a.fake",
        "cla_episodes",
        2024,
        EP,
        "C1|01/04/2023|S|C2|U1||",
        "C2|01/04/2023|S|C2|BAD||",
    )
    res = CliRunner().invoke(
        main, ["ingest", "--la", "883", "--db", db, "--json", str(tmp_path / "in")]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out == [
        {
            "file": str((tmp_path / "in" / "a.fake").resolve()),
            "table": "cla_episodes",
            "rows_read": 2,
            "rows_loaded": 1,
            "rows_quarantined": 1,
        }
    ]
    res = CliRunner().invoke(main, ["quarantine", "--db", db, "--format", "csv"])
    lines = res.output.strip().splitlines()
    assert lines[0] == (
        "la_code,return_year,source_file,source_line,table_name,field,value,reason,other_problems"
    )
    assert lines[1].endswith(
        ",4,cla_episodes,place,BAD,'BAD' is not a valid 903_place code for return year 2024,"
    )


def test_refused_batch_exits_2_with_one_line(fake_reader, tmp_path) -> None:
    db = str(tmp_path / "s.duckdb")
    bad = write(tmp_path / "b.fake", "cla_episodes", 2024, EP, "REFUSE")
    res = CliRunner().invoke(main, ["ingest", "--la", "883", "--db", db, str(bad)])
    assert res.exit_code == 2
    assert res.output.strip() == f"cscperf: error: {bad.resolve()}: refused on purpose"


def test_query_is_read_only(fake_reader, tmp_path) -> None:
    db = str(tmp_path / "s.duckdb")
    write(tmp_path / "a.fake", "cla_episodes", 2024, EP, "C1|01/04/2023|S|C2|U1||")
    assert (
        CliRunner()
        .invoke(main, ["ingest", "--la", "883", "--db", db, str(tmp_path / "a.fake")])
        .exit_code
        == 0
    )
    res = CliRunner().invoke(
        main, ["query", "--db", db, "--format", "json", "SELECT child_id, decom FROM cla_episodes"]
    )
    assert json.loads(res.output) == [{"child_id": "C1", "decom": "2023-04-01"}]
    res = CliRunner().invoke(main, ["query", "--db", db, "DELETE FROM cla_episodes"])
    assert res.exit_code == 2 and "read-only" in res.output


def test_missing_store_is_a_clear_error(tmp_path) -> None:
    res = CliRunner().invoke(main, ["query", "--db", str(tmp_path / "none.duckdb"), "SELECT 1"])
    assert res.exit_code == 2 and "no such store" in res.output


def test_every_command_is_documented_in_readme() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for name in main.commands:
        assert f"cscperf {name}" in readme, f"`cscperf {name}` is not documented in README.md"


def test_templates_copy(tmp_path) -> None:
    res = CliRunner().invoke(main, ["templates", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "case_audits.csv", "fostering_households.csv", "health_assessments.csv",
        "return_interviews.csv", "sw_workforce.csv", "targets.yml",
    ]  # fmt: skip
    assert (tmp_path / "sw_workforce.csv").read_text().startswith("snapshot_date,post_id")


def test_population_load(tmp_path) -> None:
    db = str(tmp_path / "s.duckdb")
    f = tmp_path / "pop.csv"
    f.write_text("la_code,year,age_0_17\n883,2023,41000\n883,2024,41500\n")
    res = CliRunner().invoke(main, ["population", "--db", db, str(f)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["query", "--db", db, "--format", "csv",
                                    "SELECT year, age_0_17 FROM population ORDER BY year"])
    assert res.output.split() == ["year,age_0_17", "2023,41000", "2024,41500"]


def test_population_bad_row_exits_2_naming_line_and_field(tmp_path) -> None:
    db = str(tmp_path / "s.duckdb")
    f = tmp_path / "pop.csv"
    f.write_text("la_code,year,age_0_17\n883,2023,41000\n883,2024,n/a\n")
    res = CliRunner().invoke(main, ["population", "--db", db, str(f)])
    assert res.exit_code == 2
    assert "line 3, field age_0_17: 'n/a'" in res.output
    assert "Traceback" not in res.output
