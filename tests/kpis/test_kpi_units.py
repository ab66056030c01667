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


def test_float_expectations_hold_to_their_written_decimals() -> None:
    from cscperf.kpis.testing import _same

    assert _same(100 / 3, 33.3)
    assert not _same(100 / 3, 33.4)
    assert not _same(40.06, 40.0)
    assert _same(40, 40.0)
    assert _same(2.0, 2) and not _same(2.5, 2)
    assert _same(None, None) and not _same(None, 0.0)
