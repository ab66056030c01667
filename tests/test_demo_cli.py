"""`cscperf demo`: bad --years and --out are one line and exit 2; one year works; the
exports carry titles, units and rounded values; it says which --db later commands use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from cscperf import demo
from cscperf.cli import main
from cscperf.kpis.engine import KPI_VALUES_DDL, RunSummary


def run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, ["demo", *args])
    assert "Traceback" not in res.output, res.output
    return res.exit_code, res.output


@pytest.mark.parametrize(
    ("years", "message"),
    [
        ("abc", "'abc' is not FIRST-LAST (e.g. 2019-2025) or one year"),
        ("2025-2019", "2025 is after 2019"),
        ("2019-", "is not FIRST-LAST"),
    ],
)
def test_bad_years_one_line_exit_2(tmp_path: Path, years: str, message: str) -> None:
    code, out = run("--years", years, "--out", str(tmp_path / "o"))
    assert code == 2 and len(out.strip().splitlines()) == 1 and message in out, out
    assert not (tmp_path / "o").exists()


def test_unwritable_out_one_line_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code, out = run("--out", str(blocker / "out"))
    assert code == 2
    assert out.strip().splitlines() == [
        f"cscperf: error: {blocker / 'out'}: cannot write the demo there: Not a directory"
    ]


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo without its slow parts: no synthetic files but a population, and a
    'computation' that stores one referral rate a year (10.604453870625663 in 2024-25)
    for 883 (none for the neighbours)."""
    import cscperf.synth.api as synth_api

    def generate(las: list[str], years: Any, seed: int, out: Path, **kw: Any) -> None:
        folder = Path(out) / las[0]
        folder.mkdir(parents=True)
        (folder / "population.csv").write_text("la_code,year,age_0_17\n883,2024,2829\n")

    def compute(con: Any, la_codes: list[str], period_type: str, period_ends: list[dt.date],
                **kw: Any) -> RunSummary:  # fmt: skip
        con.execute(KPI_VALUES_DDL)
        for end in period_ends if period_type == "year" and la_codes == ["883"] else []:
            con.execute(
                "INSERT INTO kpi_values VALUES ('referral_rate', '883', 'year', ?, ?, 'all', "
                "'all', 3, 2829, 10.604453870625663, NULL)",
                [dt.date(end.year - 1, 4, 1), end],
            )
        return RunSummary()

    monkeypatch.setattr(synth_api, "generate", generate)
    monkeypatch.setattr(demo, "compute", compute)
    monkeypatch.setattr(demo, "find_reference", lambda given: None)  # no published import


def test_one_year_and_where_the_store_is(quick: None, tmp_path: Path) -> None:
    out_dir = tmp_path / "it's out"
    code, out = run("--years", "2025", "--out", str(out_dir))
    assert code == 0, out
    db = out_dir / "cscperf.duckdb"
    assert f"the store is {db}: give later commands `--db {db}`" in out
    line = next(ln for ln in out.splitlines() if ln.startswith("Referral rate per 10,000"))
    assert line.split()[-2:] == ["10.6", "-"]  # 2024-25 shown, no 2023-24
    got = pq.read_table(out_dir / "kpi_values.parquet").to_pylist()
    assert [(r["value"], r["title"], r["unit"]) for r in got] == [
        (10.6, "Referral rate per 10,000 children", "rate_per_10k")
    ]
    assert (out_dir / "kpi_values.csv").read_text().splitlines()[0].endswith(",flag,title,unit")


def test_small_demo_stores_the_eleven_las_and_writes_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two years at a tiny scale (the neighbours: the last one), no published figures: the
    LA and its 10 statistical neighbours are in the store, the pool of the 10 is written,
    and so is the report in every format."""
    import duckdb

    from cscperf.reference.las import get_la

    monkeypatch.setattr(demo, "find_reference", lambda given: None)
    out_dir = tmp_path / "o"
    res = CliRunner().invoke(
        main,
        ["demo", "--years", "2024-2025", "--neighbour-years", "1", "--scale-factor", "0.02",
         "--out", str(out_dir)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "comparisons use the regional pool alone" in res.output
    con = duckdb.connect(str(out_dir / "cscperf.duckdb"), read_only=True)
    las = {r[0] for r in con.execute("SELECT DISTINCT la_code FROM returns").fetchall()}
    computed = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT la_code FROM kpi_values WHERE period_type = 'month'"
        ).fetchall()
    }
    con.close()
    assert las == computed == {"883", *get_la("883").statistical_neighbours}
    assert len(las) == 11
    html = (out_dir / "report.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    pool = (out_dir / "pool.csv").read_text(encoding="utf-8")
    assert "regional pool (10 LAs, 2024-25)" in pool
    for name in ("report.html", "report.pdf", "report.docx", "scorecard.xlsx"):
        assert f"  {out_dir / name}" in res.output
    assert (out_dir / "report.pdf").read_bytes().startswith(b"%PDF-")
    from docx import Document
    from openpyxl import load_workbook

    assert Document(str(out_dir / "report.docx")).tables
    assert "Scorecard" in load_workbook(out_dir / "scorecard.xlsx", read_only=True).sheetnames
    assert "Looked-after children per 10,000 children" in res.output  # the scorecard (CI greps it)
