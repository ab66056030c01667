"""--la must be a real LA, and a file that names its LA must agree with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cscperf.cli import main
from cscperf.ingest.pipeline import IngestError, ingest_paths
from cscperf.store.db import connect, table_counts
from tests.ingest.test_return_year import cin_file

UASC = "CHILD,SEX,DOB,DUC,LA\n1,1,01/01/2010,,{la}\n"


def test_a_cin_file_for_la_201_is_refused_under_883(tmp_path: Path) -> None:
    f = cin_file(tmp_path / "cin.xml", 2024, lea="201")
    db = str(tmp_path / "s.duckdb")
    res = CliRunner().invoke(main, ["ingest", "--la", "883", "--db", db, str(f)])
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        f"cscperf: error: {f.resolve()}: the file is for LA 201, not --la 883: "
        "check the file, or ingest it with its own LA's --la"
    ]
    con = connect(db)
    assert sum(table_counts(con).values()) == 0
    ingest_paths(con, [f], "201")  # under its own LA it loads
    assert con.execute("SELECT la_code FROM referrals").fetchall() == [("201",)]


@pytest.mark.parametrize(("declared", "ok"), [("883", True), ("E06000034", True), ("882", False)])
def test_a_903_la_column_must_name_the_same_la(tmp_path: Path, declared: str, ok: bool) -> None:
    f = tmp_path / "2025" / "uasc.csv"
    f.parent.mkdir()
    f.write_text(UASC.format(la=declared))
    con = connect(":memory:")
    if ok:
        ingest_paths(con, [f], "883")
        assert con.execute("SELECT count(*) FROM uasc").fetchone() == (1,)
    else:
        with pytest.raises(IngestError, match="the file is for LA 882, not --la 883"):
            ingest_paths(con, [f], "883")


@pytest.mark.parametrize("code", ["999", "975", "E06000034"])
def test_la_must_be_a_real_dfe_code(tmp_path: Path, code: str) -> None:
    res = CliRunner().invoke(main, ["ingest", "--la", code, "--db", str(tmp_path / "s"), "x"])
    assert res.exit_code == 2
    assert len(res.output.strip().splitlines()) == 1
    assert "not the DfE code of an English LA" in res.output or "3-digit" in res.output


def test_a_reorganised_la_is_accepted_for_its_own_years_only(tmp_path: Path) -> None:
    con = connect(":memory:")
    early = cin_file(tmp_path / "a" / "cin.xml", 2023, lea="909")
    ingest_paths(con, [early], "909")  # Cumbria's last census, 2022-23
    late = cin_file(tmp_path / "b" / "cin.xml", 2024, lea="909")
    with pytest.raises(IngestError, match=r"Cumbria \(909\) ended on 01/04/2023.*942, 943"):
        ingest_paths(con, [late], "909")
    before = cin_file(tmp_path / "c" / "cin.xml", 2023, lea="942")
    with pytest.raises(IngestError, match=r"Cumberland \(942\) began on 01/04/2023"):
        ingest_paths(con, [before], "942")
