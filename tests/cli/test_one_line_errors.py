"""Issue 10 §5: every user error is one `cscperf: error:` line and exit 2, never a
traceback, command by command (kpis and demo have their own test files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cscperf import api
from cscperf.cli import main


def run(*args: str) -> tuple[int, list[str]]:
    res = CliRunner().invoke(main, list(args))
    assert "Traceback" not in res.output, res.output
    return res.exit_code, res.output.strip().splitlines()


@pytest.fixture
def afile(tmp_path: Path) -> Path:
    """A plain file where a folder is expected."""
    path = tmp_path / "afile"
    path.write_text("x\n")
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest", "--la", "883", "--db", "{afile}/s.duckdb", "{afile}"], "Not a directory"),
        (["ingest", "--la", "883", "--db", "{tmp}/s.duckdb", "{tmp}/none"], "no such file"),
        (["query", "--db", "{tmp}/none.duckdb", "SELECT 1"], "no such store"),
        (["query", "--db", "{afile}", "SELECT 1"], "not a cscperf DuckDB store"),
        (["quarantine", "--db", "{tmp}", "--format", "csv"], "is a directory"),
        (["population", "--db", "{tmp}/s.duckdb", "{afile}"], "not a population file"),
        (["templates", "--out", "{afile}"], "is a file"),
        (["synth", "--la", "883", "--years", "2024", "--out", "{afile}/x"], "Not a directory"),
        (["synth", "--la", "nope", "--years", "2024", "--out", "{tmp}/x"], "unknown LA code"),
        (["query", "--db", "{tmp}/s.duckdb", "--bogus", "SELECT 1"], "No such option"),
    ],
)
def test_user_error_is_one_line_exit_2(
    tmp_path: Path, afile: Path, args: list[str], message: str
) -> None:
    code, lines = run(*(a.format(tmp=tmp_path, afile=afile) for a in args))
    assert code == 2, lines
    assert len(lines) == 1 and lines[0].startswith("cscperf: error: ") and message in lines[0]


def test_query_out_into_a_file_as_folder(tmp_path: Path, afile: Path) -> None:
    from cscperf.store.db import connect

    connect(tmp_path / "s.duckdb").close()
    code, lines = run("query", "--db", str(tmp_path / "s.duckdb"), "--out",
                      str(afile / "x.csv"), "SELECT 1")  # fmt: skip
    assert code == 2 and lines == [f"cscperf: error: {afile / 'x.csv'}: cannot write: "
                                   "Not a directory"]  # fmt: skip


def test_unexpected_failure_is_one_line_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("something broke\nsecond line")

    monkeypatch.setattr(api, "query", boom)
    code, lines = run("query", "--db", str(tmp_path / "s.duckdb"), "SELECT 1")
    assert code == 1
    assert lines == [
        "cscperf: internal error: RuntimeError: something broke "
        "(please report it; CSCPERF_DEBUG=1 shows the details)"
    ]
