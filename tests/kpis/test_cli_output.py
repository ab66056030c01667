"""Issue 10 §4-5 for `cscperf kpis`: --list, rounded values with titles and units, real
workbooks, unsupported breakdowns refused, exit 2 for user errors, read-only stores."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from cscperf.cli import main
from cscperf.kpis import cli as kpis_cli
from cscperf.store import readonly
from cscperf.store.db import connect

YEAR = ["--la", "883", "--period-type", "year", "--period-end", "2025-03-31"]


@pytest.fixture
def db(tmp_path: Path) -> str:
    """Three referrals for LA 883 in 2024-25 and 2,829 children: a rate of
    3 / 2829 * 10000 = 10.604453870625663 per 10,000, shown as 10.6 (decimals: 1)."""
    path = tmp_path / "store" / "s.duckdb"
    path.parent.mkdir()
    con = connect(path)
    con.execute(
        "INSERT INTO referrals (la_code, child_id, referral_date) VALUES "
        "('883', 'A', DATE '2024-04-01'), ('883', 'A', DATE '2024-10-01'), "
        "('883', 'B', DATE '2025-03-31')"
    )
    con.execute("INSERT INTO cin_children (la_code, child_id, sex) VALUES ('883', 'A', '1')")
    con.execute(
        "INSERT INTO returns (la_code, collection, return_year, covers_from, covers_to) "
        "VALUES ('883', 'cin', 2025, DATE '2024-04-01', DATE '2025-03-31')"
    )
    con.execute(
        "CREATE TABLE IF NOT EXISTS population "
        "(la_code VARCHAR, year INTEGER, age_0_17 BIGINT, source VARCHAR)"
    )
    con.execute("INSERT INTO population VALUES ('883', 2023, 2829, 't'), ('883', 2024, 2829, 't')")
    con.close()
    return str(path)


def run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args))
    assert "Traceback" not in res.output, res.output
    return res.exit_code, res.output


def test_list_gives_ids_titles_units_and_polarity() -> None:
    code, out = run("kpis", "--list", "--format", "json")
    assert code == 0, out
    rows = {r["kpi_id"]: r for r in json.loads(out)}
    assert rows["referral_rate"]["title"] == "Referral rate per 10,000 children"
    assert rows["referral_rate"]["unit"] == "rate_per_10k"
    assert rows["referrals"]["polarity"] == "context"
    assert len(rows) > 50


def test_values_rounded_as_displayed_with_title_and_unit(db: str) -> None:
    code, out = run("kpis", "--db", db, *YEAR, "--kpi", "referral_rate", "--format", "json")
    assert code == 0, out
    (row,) = json.loads(out)
    assert row["value"] == 10.6  # not 10.604453870625663
    assert (row["title"], row["unit"]) == ("Referral rate per 10,000 children", "rate_per_10k")
    code, out = run("kpis", "--db", db, *YEAR, "--kpi", "referral_rate", "--format", "csv")
    assert out.splitlines()[1].split(",")[9] == "10.6"


@pytest.mark.parametrize("name", ["v.parquet", "v.xlsx"])
def test_files_by_extension_have_titles_units_rounded_values(
    db: str, tmp_path: Path, name: str
) -> None:
    out_file = tmp_path / name
    code, out = run("kpis", "--db", db, *YEAR, "--kpi", "referral_rate", "--out", str(out_file))
    assert code == 0, out
    if name.endswith(".parquet"):
        got = pq.read_table(out_file).to_pylist()[0]
        assert (got["value"], got["title"], got["unit"]) == (
            10.6, "Referral rate per 10,000 children", "rate_per_10k"
        )  # fmt: skip
    else:
        import openpyxl

        sheet = openpyxl.load_workbook(out_file).active  # a real workbook
        assert sheet is not None
        header = [c.value for c in sheet[1]]
        values = dict(zip(header, [c.value for c in sheet[2]], strict=True))
        assert values["value"] == 10.6 and values["unit"] == "rate_per_10k"


def test_quoted_parquet_path_is_not_pasted_into_sql(db: str, tmp_path: Path) -> None:
    out_file = tmp_path / "it's.parquet"
    code, out = run("kpis", "--db", db, *YEAR, "--kpi", "referrals", "--format", "parquet",
                    "--out", str(out_file))  # fmt: skip
    assert code == 0, out
    assert pq.read_table(out_file).column("value").to_pylist() == [3.0]


def test_extension_contradicting_format_refused(db: str, tmp_path: Path) -> None:
    code, out = run("kpis", "--db", db, *YEAR, "--format", "csv", "--out", str(tmp_path / "v.xlsx"))
    assert code == 2 and "is a .xlsx file but --format is csv" in out


def test_unsupported_breakdown_is_an_error(db: str) -> None:
    code, out = run("kpis", "--db", db, *YEAR, "--kpi", "referrals", "--breakdown", "legal_status")
    assert code == 2
    assert out.strip().splitlines() == [
        "cscperf: error: referrals: no breakdown 'legal_status' "
        "(available for referrals: sex, age_band, ethnicity, uasc)"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--db", "{tmp}/none.duckdb", *YEAR], "no such store"),
        (["--db", "{db}", "--la", "883", "--period-end", "2025-13-01"], "not a date"),
        (["--db", "{db}", "--period-end", "2025-03-31"], "missing option '--la'"),
        (["--db", "{db}", *YEAR, "--kpi", "nope"], "unknown KPI nope"),
        (["--db", "{db}", *YEAR, "--format", "xlsx"], "needs --out"),
        (["--db", "{db}", *YEAR, "--out", "{tmp}/no/such/dir/v.csv"], "cannot write"),
        (["--db", "{tmp}", *YEAR], "is a folder"),
    ],
)
def test_user_errors_are_one_line_exit_2(
    db: str, tmp_path: Path, args: list[str], message: str
) -> None:
    code, out = run("kpis", *(a.format(tmp=tmp_path, db=db) for a in args))
    lines = out.strip().splitlines()
    assert code == 2 and len(lines) == 1 and message in lines[0], out


def test_same_missing_store_same_exit_code_everywhere(tmp_path: Path) -> None:
    none = str(tmp_path / "none.duckdb")
    codes = {
        run("kpis", "--db", none, *YEAR)[0],
        run("query", "--db", none, "SELECT 1")[0],
        run("quarantine", "--db", none)[0],
    }
    assert codes == {2}


def test_progress_on_a_terminal(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kpis_cli, "_progress_wanted", lambda: True)
    code, out = run("kpis", "--db", db, *YEAR, "--kpi", "referrals")
    assert code == 0 and "computing 1 KPI(s) for 883, 1 year period(s)..." in out


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()
            if p.is_file()}  # fmt: skip


def test_kpis_query_quarantine_on_a_store_the_user_can_only_read(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a normal user the store file is 0444 in a 0555 folder. Root ignores those
    modes, so there the engine is told the store is not writable, which is what its
    own check (os.access on the file and folder) would say for a normal user; either
    way the store's folder must be left byte for byte as it was."""
    store = Path(db)
    folder = store.parent
    root = os.geteuid() == 0
    if root:
        monkeypatch.setattr(readonly, "store_writable", lambda path: False)
    before = _digest(folder)
    store.chmod(0o444)
    folder.chmod(0o555)
    try:
        code, out = run("kpis", "--db", db, *YEAR, "--kpi", "referrals", "--format", "csv")
        assert code == 0, out
        assert "read-only here" in out
        assert out.splitlines()[-1] == (
            "referrals,883,year,2024-04-01,2025-03-31,all,all,3,,3,,Referrals,count"
        )
        code, out = run("query", "--db", db, "SELECT count(*) AS n FROM referrals")
        assert code == 0 and "3" in out
        code, out = run("quarantine", "--db", db)
        assert code == 0, out
    finally:
        folder.chmod(0o755)
        store.chmod(0o644)
    after = _digest(folder)
    assert after == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file modes")
def test_store_writable_sees_file_and_folder_modes(db: str) -> None:
    store = Path(db)
    assert readonly.store_writable(store)
    store.parent.chmod(0o555)  # the WAL could not be created beside it
    try:
        assert not readonly.store_writable(store)
    finally:
        store.parent.chmod(0o755)
