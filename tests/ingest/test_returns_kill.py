"""``kill -9`` during a replacing ingest leaves the previous return in place, and
running the ingest again completes."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cscperf.ingest.pipeline import ingest_paths
from cscperf.store.db import connect
from tests.ingest.test_returns import episode, episodes_csv, snapshot

#: Runs an ingest that stops, uncommitted, at a point of the batch transaction and
#: says READY; the test then kills it with SIGKILL.
CHILD = textwrap.dedent(
    """
    import sys, time
    from cscperf.ingest import returns as batch_returns
    from cscperf.ingest.pipeline import ingest_paths
    from cscperf.store.db import connect

    db, folder, where = sys.argv[1:4]
    real = getattr(batch_returns, where)

    def stop_after(*args, **kwargs):
        out = real(*args, **kwargs)
        print("READY", flush=True)
        time.sleep(120)
        return out

    setattr(batch_returns, where, stop_after)
    ingest_paths(connect(db), [folder], "883")
    print("COMMITTED", flush=True)
    """
)

#: More rows than a DuckDB row group (122,880), so the uncommitted rows reach the file.
N = 130_000


def _rows(n: int, place: str) -> list[str]:
    start = dt.date(2024, 4, 1)
    return [episode(f"C{i:06d}", start + dt.timedelta(days=i % 360), place) for i in range(n)]


@pytest.mark.parametrize("where", ["prepare", "finish"])
def test_kill_9_during_a_replacing_ingest(tmp_path: Path, where: str) -> None:
    """Killed after the old return was taken out ('prepare') or after everything but
    the commit ('finish'): the store reopens with the previous return whole."""
    db = tmp_path / "store.duckdb"
    episodes_csv(tmp_path / "v1" / "2024" / "episodes.csv", [episode("OLD", dt.date(2023, 6, 1))])
    episodes_csv(tmp_path / "v1" / "2025" / "episodes.csv", _rows(1000, "U1"))
    con = connect(db)
    ingest_paths(con, [tmp_path / "v1"], "883")
    before = snapshot(con)
    con.close()

    episodes_csv(tmp_path / "v2" / "2025" / "episodes.csv", _rows(N, "U3"))
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(tmp_path / "v2" / "2025"), where],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "READY", proc.stderr.read() if proc.stderr else line
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    time.sleep(0.1)

    con = connect(db)
    try:
        assert snapshot(con) == before
        report = ingest_paths(con, [tmp_path / "v2" / "2025"], "883")
        assert [c.describe() for c in report.returns] == [
            f"903 2024-25 for 883 replaced: 1,000 → {N:,} episodes, 1,000 changed, "
            f"{N - 1000:,} added"
        ]
        assert con.execute(
            "SELECT return_year, place, count(*) FROM cla_episodes GROUP BY ALL ORDER BY ALL"
        ).fetchall() == [(2024, "U1", 1), (2025, "U3", N)]
        assert con.execute(
            "SELECT rows_loaded FROM returns WHERE return_year = 2025"
        ).fetchall() == [(N,)]
    finally:
        con.close()
