"""Issue 10 §4: the store's child-level data stay in; `query` reads the store and nothing else."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from cscperf.cli import main
from cscperf.store.db import connect


@pytest.fixture
def store(tmp_path: Path) -> str:
    db = tmp_path / "s.duckdb"
    con = connect(db)
    con.execute(
        "INSERT INTO referrals (la_code, child_id, referral_date) VALUES "
        "('883', 'A', DATE '2024-05-01'), ('883', 'B', DATE '2024-06-01')"
    )
    con.close()
    return str(db)


def query(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, ["query", *args])
    assert "Traceback" not in res.output
    return res.exit_code, res.output


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "COPY referrals TO '{dir}/leak.csv'",
        "EXPORT DATABASE '{dir}/leak'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "ATTACH '{dir}/other.duckdb' AS other",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "SELECT * FROM read_csv('https://example.com/x.csv')",
    ],
)
def test_query_reads_the_store_and_nothing_else(store: str, tmp_path: Path, sql: str) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out = query("--db", store, sql.format(dir=tmp_path))
    assert code == 2
    lines = out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cscperf: error: query refused:"), out
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_a_bare_file_name_is_not_read_either(store: str) -> None:
    code, out = query("--db", store, "SELECT * FROM '/etc/passwd'")
    assert code == 2 and len(out.strip().splitlines()) == 1 and "root" not in out


def test_query_still_reads_and_cannot_write(store: str) -> None:
    code, out = query("--db", store, "--format", "json",
                      "SELECT child_id FROM referrals ORDER BY 1")
    assert code == 0 and json.loads(out) == [{"child_id": "A"}, {"child_id": "B"}]
    code, out = query("--db", store, "DELETE FROM referrals")
    assert code == 2 and "read-only" in out


@pytest.mark.parametrize("name", ["it's.parquet", "r.csv", "r.json", "r.xlsx"])
def test_query_out_writes_only_the_result(store: str, tmp_path: Path, name: str) -> None:
    out_file = tmp_path / "exports" / name
    out_file.parent.mkdir()
    code, out = query("--db", store, "--out", str(out_file),
                      "SELECT child_id, referral_date FROM referrals ORDER BY 1")  # fmt: skip
    assert code == 0, out
    assert [p.name for p in out_file.parent.iterdir()] == [name]  # no part file left
    if name.endswith(".parquet"):
        assert pq.read_table(out_file).column("child_id").to_pylist() == ["A", "B"]
    elif name.endswith(".csv"):
        assert out_file.read_text().split() == [
            "child_id,referral_date", "A,2024-05-01", "B,2024-06-01"
        ]  # fmt: skip
    elif name.endswith(".json"):
        assert json.loads(out_file.read_text())[1] == {
            "child_id": "B", "referral_date": "2024-06-01"
        }  # fmt: skip
    else:
        import openpyxl

        sheet = openpyxl.load_workbook(out_file).active
        assert sheet is not None
        assert [c.value for c in sheet["A"]] == ["child_id", "A", "B"]


def test_query_out_unknown_extension_refused(store: str, tmp_path: Path) -> None:
    code, out = query("--db", store, "--out", str(tmp_path / "r.txt"), "SELECT 1")
    assert code == 2 and "use .csv, .json, .parquet or .xlsx" in out
    assert not (tmp_path / "r.txt").exists()


def test_a_sqlite_db_is_one_clear_error_and_nothing_is_downloaded(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE t (a)").connection.commit()
    for args in (["query", "--db", str(path), "SELECT 1"],
                 ["quarantine", "--db", str(path)],
                 ["population", "--db", str(path), str(path)]):  # fmt: skip
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 2, (args, res.output)
        assert res.output.strip().splitlines() == [
            f"cscperf: error: {path}: not a cscperf DuckDB store (a SQLite database)"
        ]


def test_every_store_connection_has_autoinstall_and_autoload_off(tmp_path: Path) -> None:
    connect(tmp_path / "a.duckdb").close()
    for read_only in (False, True):
        con = connect(tmp_path / "a.duckdb", read_only=read_only)
        got = dict(
            con.execute(
                "SELECT name, value FROM duckdb_settings() WHERE name IN "
                "('autoinstall_known_extensions', 'autoload_known_extensions', "
                "'allow_community_extensions')"
            ).fetchall()
        )
        con.close()
        assert got == {
            "autoinstall_known_extensions": "false",
            "autoload_known_extensions": "false",
            "allow_community_extensions": "false",
        }


def test_spill_folder_is_beside_the_store_and_owner_only(tmp_path: Path) -> None:
    con = connect(tmp_path / "a.duckdb")
    row = con.execute("SELECT current_setting('temp_directory')").fetchone()
    con.close()
    assert row is not None and row[0] == str(tmp_path / "a.duckdb.tmp")
    assert (tmp_path / "a.duckdb.tmp").stat().st_mode & 0o777 == 0o700


def test_templates_not_overwritten_when_filled_in_without_force(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["templates", "--out", str(tmp_path)]).exit_code == 0
    again = CliRunner().invoke(main, ["templates", "--out", str(tmp_path)])
    assert again.exit_code == 0, again.output  # unchanged copies may be refreshed
    filled = tmp_path / "sw_workforce.csv"
    mine = filled.read_text() + "2024-03-31,P1,filled,1.0\n"
    filled.write_text(mine)
    res = CliRunner().invoke(main, ["templates", "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        f"cscperf: error: {filled}: already there and filled in; "
        "not overwritten (use --force to replace)"
    ]
    assert filled.read_text() == mine
    res = CliRunner().invoke(main, ["templates", "--out", str(tmp_path), "--force"])
    assert res.exit_code == 0 and filled.read_text() != mine


def test_duckdb_error_classes_used_exist() -> None:
    assert issubclass(duckdb.PermissionException, duckdb.Error)
