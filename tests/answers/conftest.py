"""Small hand-built stores for the answer tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cscperf.kpis.engine import ensure_reference
from cscperf.kpis.testing import load_given
from cscperf.store.db import connect

START, END = date(2024, 4, 1), date(2025, 3, 31)
LA = {"la_code": "999", "ons_code": "E06000999", "name": "Testshire", "region": "East of England"}

Store = Callable[[dict[str, Any]], str]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """``store(test)``: a store file holding a YAML-test-like ``given`` (and ``postcodes``,
    ``la_lookup``) for LA 999, return year 2025; returns its path."""

    def make(test: dict[str, Any]) -> str:
        db = tmp_path / f"s{len(list(tmp_path.iterdir()))}.duckdb"
        con = connect(db)
        try:
            ensure_reference(con, lookup_postcodes=False)
            con.execute("DELETE FROM la_reference")  # only the test's LA, as the YAML tests
            load_given(con, {"la_lookup": [LA], **test}, 2025)
        finally:
            con.close()
        return str(db)

    return make
