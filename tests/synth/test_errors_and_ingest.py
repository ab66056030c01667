"""Clean files ingest with nothing quarantined; injected faults are exactly what is quarantined."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from cscperf.synth.api import Manifest, generate
from cscperf.synth.errors import KINDS

pipeline = pytest.importorskip("cscperf.ingest.pipeline")
duckdb = pytest.importorskip("duckdb")


def _ingest(folder: Path, db: Path) -> list[tuple[str, int, str]]:
    from cscperf.store.db import connect

    con = connect(db)
    pipeline.ingest_paths(con, [folder], "883")
    rows = con.execute("SELECT source_file, source_line, field FROM quarantine").fetchall()
    con.close()
    return [(str(a), int(b), str(c)) for a, b, c in rows]


def test_faults_are_logged_where_they_were_put(tmp_path: Path) -> None:
    m = generate(
        ["883"], [2025], seed=5, out=tmp_path, scale_factor=0.1, errors=0.05, annex_a=False
    )
    assert m.faults and {f.kind for f in m.faults} <= set(KINDS)
    assert len({f.kind for f in m.faults}) >= 3
    logged = json.loads((tmp_path / "manifest.json").read_text())["faults"]
    assert len(logged) == len(m.faults)
    for f in m.faults:
        with (tmp_path / f.file).open(newline="") as fh:
            lines = list(csv.reader(fh))
        header = ["child_id" if h == "CHILD" else h.lower() for h in lines[0]]
        assert lines[f.line - 1][header.index(f.field)] == f.injected


def test_clean_files_ingest_with_zero_quarantine(
    small: tuple[Path, Manifest], tmp_path: Path
) -> None:
    out, _ = small
    assert _ingest(out / "883", tmp_path / "s.duckdb") == []


def test_quarantine_matches_the_manifest(tmp_path: Path) -> None:
    m = generate(["883"], [2024, 2025], seed=9, out=tmp_path / "o", scale_factor=0.1, errors=0.03)
    got = _ingest(tmp_path / "o" / "883", tmp_path / "e.duckdb")
    want = {(str((tmp_path / "o" / f.file).resolve()), f.line, f.field) for f in m.faults}
    assert {(str(Path(a).resolve()), b, c) for a, b, c in got} == want
