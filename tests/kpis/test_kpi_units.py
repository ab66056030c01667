"""Every hand-worked YAML test of every KPI, one pytest case each.

Parametrised from the catalogue at collection time, so a KPI added under
``kpis/defs/`` is tested without touching this file.
"""

from __future__ import annotations

import pytest

from cscperf.kpis.catalogue import get_kpi
from cscperf.kpis.testing import all_test_ids, run_test

CASES = all_test_ids()


@pytest.mark.parametrize(
    ("kpi_id", "index"),
    [(k, i) for k, i, _ in CASES],
    ids=[f"{k}[{i}] {name}" for k, i, name in CASES],
)
def test_kpi_yaml_case(kpi_id: str, index: int) -> None:
    kpi = get_kpi(kpi_id)
    result = run_test(kpi, kpi.tests[index])
    assert result.passed, f"{kpi.path}: test {result.name!r}\n{result.message}"
