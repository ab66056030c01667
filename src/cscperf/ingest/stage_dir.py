"""Where a batch stages child-level rows on disk: beside the store, owner-only.

Staged Arrow files hold every row of the batch (3-29 MB for an LA-year). They
live in ``.<store name>.staging-<pid>-<random>`` in the store's own folder, mode
0700, so they stay wherever the user chose to keep child-level data (never in a
shared /tmp) and only the owner can read them. A run killed mid-batch cannot
delete its folder, so each batch first removes the folders of runs whose
process is no longer alive. A store in memory (tests) stages in the system's
temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import duckdb

_PID = re.compile(r"\.staging-(\d+)-")


def store_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file of the connection's current database (None in memory)."""
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return Path(row[0]) if row and row[0] else None


def prefix(store: Path) -> str:
    return f".{store.name}.staging-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def remove_leftovers(store: Path) -> list[Path]:
    """Delete staging folders beside ``store`` left by runs that are no longer alive."""
    removed = []
    for folder in store.parent.glob(prefix(store) + "*"):
        m = _PID.search(folder.name)
        if not m or not folder.is_dir() or _alive(int(m.group(1))):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def make_stage_dir(con: duckdb.DuckDBPyConnection) -> Path:
    """A new owner-only (0700) folder for one batch's staged files."""
    store = store_path(con)
    if store is None:
        return Path(tempfile.mkdtemp(prefix="cscperf-stage-"))
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix(store)}{os.getpid()}-", dir=store.parent))
    folder.chmod(0o700)  # mkdtemp makes it 0700; said again, since the data need it
    return folder
