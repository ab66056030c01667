"""The two worksheet engines of io/xlsx_rows stage the same rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from cscperf.io import xlsx_rows
from cscperf.io.annex_a import READER
from cscperf.io.memsink import MemorySink


def test_engines_stage_identical_rows_for_a_synthetic_annex_a(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cscperf.synth.api import generate

    generate(["883"], [2025], seed=5, out=tmp_path, scale_factor=0.04, errors=0.05)
    path = tmp_path / "883" / "2025" / "annex_a.xlsx"
    book = xlsx_rows.open_workbook(path)
    book.close()
    assert type(book) is xlsx_rows.CalamineBook
    fast = MemorySink()
    fast_info = READER.read(path, fast)
    monkeypatch.setattr(xlsx_rows, "CALAMINE_MAX_BYTES", -1)
    slow = MemorySink()
    slow_info = READER.read(path, slow)
    assert fast.tables.keys() == slow.tables.keys() and len(fast.tables) >= 9
    for table in fast.tables:
        assert fast.count(table) > 0
        assert fast.rows(table) == slow.rows(table), table
    assert (fast_info.notes, fast_info.return_year) == (slow_info.notes, slow_info.return_year)
