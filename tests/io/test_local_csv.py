"""Local CSV templates: the shipped templates, round-trips, refusals and the docs."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, cast

import pytest

from cscperf.io.base import FileRefused
from cscperf.io.local_csv import READER, copy_templates, list_templates, template_path
from cscperf.io.memsink import MemorySink
from cscperf.store.schema import LOCAL, TABLES
from cscperf.validate.codes_local import LISTS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "local-templates.md"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def read(path: Path) -> tuple[MemorySink, Any]:
    sink = MemorySink()
    return sink, READER.read(path, sink)


def test_templates_are_the_schema_headers() -> None:
    assert list(list_templates()) == [t.name for t in LOCAL]
    for table in LOCAL:
        text = template_path(table.name).read_text(encoding="utf-8")
        assert text == ",".join(table.column_names) + "\n"  # header only, no example rows
    with pytest.raises(KeyError, match="'contacts' is not a local template table"):
        template_path("contacts")


def test_copy_templates(tmp_path: Path) -> None:
    out = copy_templates(tmp_path / "new")
    assert sorted(p.name for p in out) == sorted(f"{t.name}.csv" for t in LOCAL)
    assert (tmp_path / "new" / "case_audits.csv").read_text().startswith("audit_id,")


def test_every_template_is_sniffed_and_reads_empty() -> None:
    for name, path in list_templates().items():
        assert READER.sniff(path, path.read_bytes()), name
        sink, info = read(path)
        assert sink.count(name) == 0 and info.return_year is None


def test_workforce_round_trip(tmp_path: Path) -> None:
    path = write(
        tmp_path / "workforce.csv",
        "\ufeffSnapshot_Date,POST_ID,team,status,fte,case_holding,cases_held,annual_cost\r\n"
        "2024-03-31,P001,Duty 1,employed,1,yes,18,52000\r\n"
        "31/03/2024,P002,,agency,0.8,0,,\r\n"
        "2024-03-31,P003,Duty 1,Vacant,1,,,\r\n",
    )
    assert READER.sniff(path, path.read_bytes()[:1000])
    sink, info = read(path)
    assert sink.rows("sw_workforce") == [
        {"snapshot_date": "2024-03-31", "post_id": "P001", "team": "Duty 1", "status": "employed",
         "fte": "1", "case_holding": "yes", "cases_held": "18", "annual_cost": "52000",
         "source_line": 2},
        {"snapshot_date": "31/03/2024", "post_id": "P002", "team": None, "status": "agency",
         "fte": "0.8", "case_holding": "0", "cases_held": None, "annual_cost": None,
         "source_line": 3},
        {"snapshot_date": "2024-03-31", "post_id": "P003", "team": "Duty 1", "status": "vacant",
         "fte": "1", "case_holding": None, "cases_held": None, "annual_cost": None,
         "source_line": 4},
    ]  # fmt: skip
    assert info.return_year == 2024 and info.la_code is None and info.format == "local-csv"


@pytest.mark.parametrize(
    ("table", "rows", "year"),
    [
        (
            "fostering_households",
            [["H1", "2022-01-10", "2022-09-01", "", "", "mainstream", "2"],
             ["H2", "2023-05-02", "2024-02-01", "2024-06-30", "Retired", "short_break", "1"]],
            2025,
        ),
        ("case_audits", [["A1", "C9", "2023-11-30", "Team A", "J Smith", "good"]], 2024),
        ("health_assessments", [["C1", "2024-04-01", "2024-04-02", "2024-04-20"]], 2025),
        ("return_interviews", [["C1", "2023-12-01", "true", "false", "2023-12-04"]], 2024),
    ],
)  # fmt: skip
def test_other_templates_round_trip(
    tmp_path: Path, table: str, rows: list[list[str]], year: int
) -> None:
    cols = TABLES[table].column_names
    lines = [",".join(cols)] + [",".join(r) for r in rows]
    path = write(tmp_path / f"{table}.csv", "\n".join(lines) + "\n")
    sink, info = read(path)
    expected = [
        {**{c: (v or None) for c, v in zip(cols, r, strict=True)}, "source_line": n}
        for n, r in enumerate(rows, start=2)
    ]
    assert sink.rows(table) == expected
    assert info.return_year == year


def test_columns_in_any_order_with_la_code(tmp_path: Path) -> None:
    path = write(
        tmp_path / "audits.csv",
        "grade,la_code,audit_date,audit_id\n"
        "Requires improvement,883,01/02/2024,A1\n"
        "great,883,2024-02-02,A2\n"
        ",,,\n"
        "\n",
    )
    sink, info = read(path)
    assert sink.rows("case_audits") == [
        {"grade": "requires_improvement", "audit_date": "01/02/2024", "audit_id": "A1",
         "source_line": 2},
        {"grade": "great", "audit_date": "2024-02-02", "audit_id": "A2", "source_line": 3},
    ]  # fmt: skip
    assert info.la_code == "883"


def test_quoted_multiline_field_keeps_line_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path / "fost.csv",
        'household_id,deregistration_reason\nH1,"moved\naway"\nH2,"said ""no"""\n',
    )
    sink, _ = read(path)
    got = [(r["household_id"], r["deregistration_reason"], r["source_line"]) for r in
           sink.rows("fostering_households")]  # fmt: skip
    assert got == [("H1", "moved\naway", 2), ("H2", 'said "no"', 4)]


def test_windows_1252_file(tmp_path: Path) -> None:
    path = write(
        tmp_path / "audits.csv",
        "audit_id,audit_date,grade,worker\nA1,2024-01-05,good,Siân Jones\n",
        "cp1252",
    )
    sink, info = read(path)
    assert sink.rows("case_audits")[0]["worker"] == "Siân Jones"
    assert "audits.csv: not UTF-8, read as Windows-1252 (Excel 'CSV')" in info.notes


def test_formula_like_values_kept_as_text(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "audit_id,audit_date,grade,team\nA1,=1+1,good,@SUM(A1)\n")
    sink, _ = read(path)
    row = sink.rows("case_audits")[0]
    assert (row["audit_date"], row["team"]) == ("=1+1", "@SUM(A1)")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("audit_id,audit_date,grade,colour\nA1,2024-01-01,good,red\n",
         "unknown column 'colour' for the case_audits template"),
        ("audit_id,audit_date,team\nA1,2024-01-01,x\n",
         "no 'grade' column (required by the case_audits template)"),
        ("audit_id,audit_date,grade,AUDIT_ID\nA1,2024-01-01,good,A1\n",
         "column 'audit_id' appears twice in the header"),
        ("audit_id,audit_date,grade\nA1,2024-01-01,good,,\nA2,2024-01-01,good,extra\n",
         "line 3: 4 values but the header has 3 columns"),
        ("audit_id,audit_date,grade,la_code\nA1,2024-01-01,good,883\nA2,2024-01-01,good,884\n",
         "la_code column holds several LAs (883, 884); give one file per LA"),
        ("audit_id,audit_date,grade,,\nA1,2024-01-01,good,,\nA2,2024-01-01,good,,oops\n",
         "line 3: a value under a column with no name"),
        ("", "empty file (no header row)"),
        ("audit_id,audit_date,grade\nA1,\0,good\n",
         "contains NUL bytes (UTF-16 or binary?): save it as 'CSV UTF-8'"),
        ("audit_id,audit_date,grade\nA1,2024-01-01,\"good\nA2,2024-01-01,good\n",
         "line 2: not a readable CSV (unexpected end of data)"),
    ],
)  # fmt: skip
def test_refusals(tmp_path: Path, text: str, reason: str) -> None:
    with pytest.raises(FileRefused) as exc:
        read(write(tmp_path / "bad.csv", text))
    assert exc.value.reason == reason


def test_sniff_rejects_other_csvs(tmp_path: Path) -> None:
    for header in ("CHILD,SEX,DOB,ETHNIC", "audit_id,audit_date", "post_id,fte,status,colour"):
        path = write(tmp_path / "x.csv", header + "\n")
        assert not READER.sniff(path, path.read_bytes()), header


def test_docs_describe_every_column_and_code() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for table in LOCAL:
        section = text.split(f"## `{table.name}`")[1].split("\n## ")[0]
        documented = set(re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE))
        assert documented == set(table.column_names), table.name
        for col in table.columns:
            if col.codes:
                for code in cast(set[str], LISTS[col.codes]):
                    assert f"`{code}`" in section, (table.name, code)
        example = section.split("```csv\n")[1].split("```")[0].splitlines()
        assert example[0] == ",".join(table.column_names)


def test_ingest_types_and_quarantines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cscperf.ingest.pipeline import ingest_paths
    from cscperf.io import registry
    from cscperf.store.db import connect

    monkeypatch.setattr(registry, "readers", lambda: (READER,))
    path = write(
        tmp_path / "workforce.csv",
        "snapshot_date,post_id,status,fte,case_holding,cases_held\n"
        "31/03/2024,P1,Agency,1,yes,20\n"
        "2024-03-31,P2,locum,0.5,no,\n"
        "2024-03-31,P3,vacant,2,,\n",
    )
    con = connect(":memory:")
    report = ingest_paths(con, [path], "883")
    r = report.results[0]
    assert (r.table, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("sw_workforce", 3, 1, 2)
    assert con.execute(
        "SELECT snapshot_date, post_id, status, fte, case_holding, cases_held, return_year "
        "FROM sw_workforce"
    ).fetchall() == [(dt.date(2024, 3, 31), "P1", "agency", 1.0, True, 20, 2024)]
    q = con.execute("SELECT source_line, field, value FROM quarantine ORDER BY 1").fetchall()
    assert q == [(3, "status", "locum"), (4, "fte", "2")]
