"""Staged child-level rows stay beside the store, owner-only, and a crashed run's are removed."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from cscperf import api
from cscperf.ingest import arrow_stage, stage_dir
from tests.fakes import FakeReader, write

EP = "child_id|decom|rne|ls|place|dec|rec"


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(proc.stdout)


def test_staging_is_beside_the_store_0700_and_nothing_goes_to_tmp(
    fake_reader: FakeReader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    watched = tmp_path / "system-tmp"
    watched.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(watched))
    monkeypatch.setenv("TMPDIR", str(watched))
    store = tmp_path / "store" / "s.duckdb"
    store.parent.mkdir()
    seen: list[tuple[Path, int]] = []

    def spy(con):  # type: ignore[no-untyped-def]
        folder = stage_dir.make_stage_dir(con)
        seen.append((folder, folder.stat().st_mode & 0o777))
        return folder

    monkeypatch.setattr(arrow_stage, "make_stage_dir", spy)
    f = write(tmp_path / "in" / "a.fake", "cla_episodes", 2024, EP, "C1|01/04/2023|S|C2|U1||")
    api.ingest([f], "883", db=store)
    assert len(seen) == 1
    folder, mode = seen[0]
    assert folder.parent == store.parent and folder.name.startswith(".s.duckdb.staging-")
    assert mode == 0o700
    assert not folder.exists()  # removed when the batch ended
    assert list(watched.iterdir()) == []  # nothing under the system temporary folder


def test_leftovers_of_a_dead_run_are_removed_at_the_next_ingest(
    fake_reader: FakeReader, tmp_path: Path
) -> None:
    store = tmp_path / "s.duckdb"
    dead = tmp_path / f".s.duckdb.staging-{_dead_pid()}-x1"
    alive = tmp_path / f".s.duckdb.staging-{os.getpid()}-x2"  # a run still going
    other = tmp_path / f".t.duckdb.staging-{_dead_pid()}-x3"  # another store's
    for d in (dead, alive, other):
        d.mkdir(mode=0o700)
        (d / "cla_episodes.arrow").write_bytes(b"child-level rows")
    f = write(tmp_path / "in" / "a.fake", "cla_episodes", 2024, EP, "C1|01/04/2023|S|C2|U1||")
    api.ingest([f], "883", db=store)
    assert not dead.exists()
    assert alive.exists() and other.exists()
