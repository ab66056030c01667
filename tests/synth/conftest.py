"""Generated data shared by the synth tests (generated once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cscperf.synth.api import Manifest, generate

SMALL_YEARS = (2021, 2024, 2025)


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    """Thurrock at a tenth of its size for 2021, 2024 and 2025 (all formats but 903 XML)."""
    out = tmp_path_factory.mktemp("synth_small")
    return out, generate(["883"], SMALL_YEARS, seed=7, out=out, scale_factor=0.1)


@pytest.fixture(scope="session")
def small_xml(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    out = tmp_path_factory.mktemp("synth_xml")
    return out, generate(
        ["883"], (2025,), seed=7, out=out, scale_factor=0.1, fmt="xml", annex_a=False
    )


@pytest.fixture(scope="session")
def thurrock(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    """Full-size Thurrock, two years (no Annex A, to keep the suite fast)."""
    out = tmp_path_factory.mktemp("synth_thurrock")
    return out, generate(["883"], (2024, 2025), seed=1, out=out, annex_a=False)
