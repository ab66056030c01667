"""Fixtures for the KPI tests: an empty store and the ../shared folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from cscperf.kpis.testing import new_store

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


@pytest.fixture
def store() -> Iterator[duckdb.DuckDBPyConnection]:
    con = new_store()
    yield con
    con.close()


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} not present (real-format fixtures and published data)")
    return SHARED
