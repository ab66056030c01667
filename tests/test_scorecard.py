"""The scorecard shows values rounded to each KPI's decimals and judges direction on them."""

from __future__ import annotations

from dataclasses import replace

from cscperf.kpis.catalogue import load_catalogue
from cscperf.scorecard import Line, fmt_value


def test_direction_judged_on_displayed_values() -> None:
    kpi = replace(load_catalogue()["referral_rate"], polarity="low", decimals=1)
    # 106.09999999999998 and 106.1 both read "106.1": no change, not "improving"
    assert fmt_value(kpi, 106.09999999999998) == "106.1"
    assert Line(kpi, 106.09999999999998, 106.1, None).direction == "no change"
    # 106.14 and 106.06 read 106.1 and 106.1: no change, though they differ by 0.08
    assert Line(kpi, 106.14, 106.06, None).direction == "no change"
    assert Line(kpi, 106.0, 106.1, None).direction == "improving"  # lower is better
    assert Line(kpi, 106.2, 106.1, None).direction == "worsening"


def test_values_use_the_kpi_decimals_and_unit() -> None:
    cat = load_catalogue()
    assert fmt_value(replace(cat["referrals"], decimals=0), 1674.0) == "1,674"
    assert fmt_value(replace(cat["referral_rate"], unit="percent", decimals=1), 12.345) == "12.3%"
    assert fmt_value(replace(cat["referral_rate"], unit="days", decimals=0), 401.6) == "402 days"
