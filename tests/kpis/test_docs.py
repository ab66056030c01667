"""docs/kpis.md is generated from the YAML and must never drift from it."""

from __future__ import annotations

from cscperf.kpis.catalogue import load_catalogue
from cscperf.kpis.docs import DOCS_PATH, generate


def test_committed_reference_page_is_current() -> None:
    assert DOCS_PATH.exists(), "run: python -m cscperf.kpis.docs"
    assert DOCS_PATH.read_text(encoding="utf-8") == generate(), (
        "docs/kpis.md is stale: run python -m cscperf.kpis.docs"
    )


def test_every_kpi_has_a_section() -> None:
    page = generate()
    for kpi_id in load_catalogue():
        assert f"### `{kpi_id}` — " in page
        assert f"[`{kpi_id}`](#{kpi_id})" in page
