"""Shared fixtures: the fake test-format reader and the ../shared folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from cscperf.io import registry
from tests.fakes import FakeReader

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture()
def fake_reader(monkeypatch: pytest.MonkeyPatch) -> FakeReader:
    """Route every ``*.fake`` file to the fake reader (and nothing else)."""
    reader = FakeReader()
    monkeypatch.setattr(registry, "readers", lambda: (reader,))
    return reader


@pytest.fixture()
def shared() -> Path:
    """The ../shared folder beside the repo; tests using it skip when it is absent."""
    if not (SHARED / "fixtures").is_dir():
        pytest.skip("../shared is not beside the repo (real-format fixtures unavailable)")
    return SHARED
