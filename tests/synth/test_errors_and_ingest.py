"""Clean files ingest with nothing quarantined; injected faults are exactly what is quarantined."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest

from cscperf.synth.api import Manifest, generate
from cscperf.synth.errors import KINDS, NOT_QUARANTINED, QUARANTINED

pipeline = pytest.importorskip("cscperf.ingest.pipeline")
duckdb = pytest.importorskip("duckdb")

# CIN census element of each canonical table's rows (what the quarantine line points at)
_ROW_TAG = {
    "cin_children": "Child",
    "referrals": "CINdetails",
    "assessments": "Assessments",
    "cin_plans": "CINPlanDates",
    "s47_enquiries": "Section47",
    "cp_plans": "ChildProtectionPlans",
}


def _ingest(folder: Path, db: Path) -> list[tuple[str, int, str]]:
    from cscperf.store.db import connect

    con = connect(db)
    pipeline.ingest_paths(con, [folder], "883")
    rows = con.execute("SELECT source_file, source_line, field FROM quarantine").fetchall()
    con.close()
    return [(str(a), int(b), str(c)) for a, b, c in rows]


def test_faults_are_logged_where_they_were_put(tmp_path: Path) -> None:
    # a quarter of Thurrock: a tenth had too few faults to be sure every kind turns up
    # (whether they did depended on the generated data, not on the logging; at a quarter
    # every kind turned up for seeds 1-6)
    m = generate(
        ["883"], [2025], seed=5, out=tmp_path, scale_factor=0.25, errors=0.05, annex_a=False
    )
    assert m.faults and {f.kind for f in m.faults} <= set(KINDS)
    assert len({f.kind for f in m.faults}) == len(KINDS)  # every kind is used
    logged = json.loads((tmp_path / "manifest.json").read_text())["faults"]
    assert len(logged) == len(m.faults)
    xml_faults = [f for f in m.faults if f.file.endswith(".xml")]
    assert len(xml_faults) >= 4 and {f.kind for f in xml_faults} == {
        "bad_code",
        "bad_date",
        "end_before_start",
    }
    for f in m.faults:
        if f in xml_faults:
            lines = (tmp_path / f.file).read_text().splitlines()
            assert f.element_line is not None and f.element_line > f.line
            assert f">{f.injected}</" in lines[f.element_line - 1]
            assert f.table is not None and lines[f.line - 1].strip() == f"<{_ROW_TAG[f.table]}>"
            continue
        with (tmp_path / f.file).open(newline="") as fh:
            rows = list(csv.reader(fh))
        header = ["child_id" if h == "CHILD" else h.lower() for h in rows[0]]
        assert rows[f.line - 1][header.index(f.field)] == f.injected
        if f.kind == "overlapping_episodes":
            # the episode now starts inside the previous episode of the same child
            prev, row = rows[f.line - 2], rows[f.line - 1]
            assert prev[0] == row[0] and f.detected_by == NOT_QUARANTINED

            def d(t: str) -> datetime:
                return datetime.strptime(t, "%d/%m/%Y")

            assert d(prev[1]) < d(row[1]) < d(prev[header.index("dec")])
            assert f.original and d(row[1]) < d(f.original)
        else:
            assert f.detected_by == QUARANTINED
    assert all("element_line" in x for x in logged if x["file"].endswith(".xml"))
    assert all("element_line" not in x for x in logged if x["file"].endswith(".csv"))


def test_clean_files_ingest_with_zero_quarantine(
    small: tuple[Path, Manifest], tmp_path: Path
) -> None:
    out, _ = small
    assert _ingest(out / "883", tmp_path / "s.duckdb") == []


def test_quarantine_matches_the_manifest(tmp_path: Path) -> None:
    m = generate(["883"], [2024, 2025], seed=9, out=tmp_path / "o", scale_factor=0.1, errors=0.03)
    got = _ingest(tmp_path / "o" / "883", tmp_path / "e.duckdb")
    quarantined = [f for f in m.faults if f.detected_by == QUARANTINED]
    assert any(f.file.endswith("cin_census.xml") for f in quarantined)
    want = {(str((tmp_path / "o" / f.file).resolve()), f.line, f.field) for f in quarantined}
    assert {(str(Path(a).resolve()), b, c) for a, b, c in got} == want


def test_overlapping_episodes_reach_the_store(tmp_path: Path) -> None:
    """Not quarantined (each row is valid alone): the overlap is in cla_episodes to be found."""
    from cscperf.store.db import connect

    m = generate(["883"], [2025], seed=9, out=tmp_path / "o", scale_factor=0.1, errors=0.3)
    overlaps = [f for f in m.faults if f.kind == "overlapping_episodes"]
    assert overlaps
    _ingest(tmp_path / "o" / "883", tmp_path / "e.duckdb")
    con = connect(tmp_path / "e.duckdb")
    found = con.execute(
        """
        SELECT source_line FROM (
            SELECT source_line, decom,
                   LAG(dec) OVER (PARTITION BY child_id ORDER BY decom) AS prev_dec
            FROM cla_episodes WHERE source_file LIKE '%episodes.csv'
        ) WHERE decom < prev_dec
        """
    ).fetchall()
    con.close()
    assert {f.line for f in overlaps} <= {int(r[0]) for r in found}
