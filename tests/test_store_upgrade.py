"""A store made by an earlier release is brought up to date when it is next opened,
even by a command that only reads (`report`, `kpis`, `benchmarks show`)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cscperf.store.db import SCHEMA_VERSION, StoreError, connect, schema_version


def _older_store(tmp_path: Path) -> Path:
    db = tmp_path / "old.duckdb"
    connect(db).close()
    raw = duckdb.connect(str(db))
    raw.execute("DROP TABLE backtest_points")  # what migration 7 added
    raw.execute("DELETE FROM schema_version WHERE version = 7")
    raw.close()
    return db


def test_a_read_only_open_upgrades_an_older_store_once(tmp_path: Path) -> None:
    db = _older_store(tmp_path)
    con = connect(db, read_only=True)
    assert schema_version(con) == SCHEMA_VERSION
    assert con.execute("SELECT count(*) FROM backtest_points").fetchone() == (0,)
    con.close()


def test_an_older_store_that_cannot_be_written_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _older_store(tmp_path)
    monkeypatch.setattr("cscperf.store.db.os.access", lambda path, mode: False)
    with pytest.raises(StoreError, match="cannot be written here; ask its owner"):
        connect(db, read_only=True)
