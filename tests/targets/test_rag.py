"""RAG and direction of travel: boundaries worked by hand, on displayed values."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from cscperf.kpis.catalogue import Kpi
from cscperf.targets import Target, rate, rule_text, travel


def kpi(polarity: str = "high", decimals: int = 1, unit: str = "percent") -> Kpi:
    return Kpi(
        id="k", title="K", area="a", definition="d", unit=unit, aggregate="percent",
        polarity=polarity, source="local", sql="", path=Path("k.yml"), decimals=decimals,
    )  # fmt: skip


HIGH = Target("k", 70.0, "high", tolerance=5.0)
LOW = Target("k", 18.0, "low", tolerance=2.0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (70.0, "green"),  # exactly at target
        (69.96, "green"),  # displayed 70.0
        (69.94, "amber"),  # displayed 69.9
        (65.0, "amber"),  # exactly at the tolerance edge: the better band
        (64.96, "amber"),  # displayed 65.0
        (64.94, "red"),  # displayed 64.9
        (99.0, "green"),
    ],
)
def test_high_polarity_boundaries(value: float, expected: str) -> None:
    assert rate(kpi("high"), HIGH, value).rag == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(18.0, "green"), (18.04, "green"), (18.05, "amber"), (20.0, "amber"), (20.1, "red"),
     (0.0, "green")],
)  # fmt: skip
def test_low_polarity_boundaries(value: float, expected: str) -> None:
    # 18.05 displays as 18.1 (binary 18.050000000000000711) -> amber
    assert rate(kpi("low"), LOW, value).rag == expected


def test_relative_tolerance_and_floor() -> None:
    k = kpi("high")
    pct = Target("k", 50.0, "high", tolerance_pct=10.0)  # amber down to 45.0
    assert [rate(k, pct, v).rag for v in (50.0, 45.0, 44.9)] == ["green", "amber", "red"]
    floor = Target("k", 50.0, "high", floor=40.0)
    assert [rate(k, floor, v).rag for v in (49.9, 40.0, 39.9)] == ["amber", "amber", "red"]
    low_floor = Target("k", 10.0, "low", floor=12.5)
    assert [rate(k, low_floor, v).rag for v in (10.0, 12.5, 12.6)] == ["green", "amber", "red"]


def test_no_band_is_green_or_red() -> None:
    t = Target("k", 70.0, "high")
    assert [rate(kpi(), t, v).rag for v in (70.0, 69.9)] == ["green", "red"]


def test_unrated_cases() -> None:
    assert rate(kpi("context"), None, 5.0).reason == "context indicator: not rated"
    assert rate(kpi("context"), Target("k", 5.0, "context"), 5.0).rag is None
    assert rate(kpi("high"), None, 5.0).reason == "no target"
    assert rate(kpi("high"), Target("k", None, "high"), 5.0).reason == "no target"
    assert rate(kpi("high"), HIGH, None).reason == "no value"
    # a target's direction rates a context KPI the LA chose to rate
    assert rate(kpi("context"), Target("k", 5.0, "high"), 6.0).rag == "green"


def test_counts_round_to_whole_numbers() -> None:
    k = kpi("high", decimals=0, unit="count")
    t = Target("k", 20.0, "high", tolerance=2.0)
    assert [rate(k, t, v).rag for v in (19.5, 19.4, 17.6, 17.4)] == [
        "green", "amber", "amber", "red"]  # fmt: skip  # 19.5 -> "20" (half to even: 20)


def test_rule_text_states_the_numbers_used() -> None:
    assert rule_text(kpi("high"), HIGH) == (
        "Green: 70.0% or above (the target). Amber: below the target but 65.0% or above "
        "(within 5 percentage points of the target). Red: below 65.0%. Higher is better; "
        "judged on the value as displayed (1 decimal place)."
    )
    low = rule_text(kpi("low"), LOW)
    assert low.startswith("Green: 18.0% or below (the target). Amber: above the target but 20.0%")
    assert "Red: above 20.0%." in low
    assert "No amber band" in rule_text(kpi(), replace(HIGH, tolerance=None))
    assert rule_text(kpi("context"), None).startswith("Not rated: a context indicator")
    assert rule_text(kpi("high"), None) == "Not rated: no target set."


@pytest.mark.parametrize(
    ("polarity", "now", "before", "label"),
    [
        ("high", 33.34, 33.33, "no change"),  # both shown 33.3
        ("high", 33.36, 33.34, "improving"),  # 33.4 vs 33.3
        ("high", 33.34, 33.36, "worsening"),
        ("low", 33.34, 33.36, "improving"),
        ("low", 40.0, 30.0, "worsening"),
        ("context", 12.0, 10.0, "up"),
        ("context", 10.0, 12.0, "down"),
        ("context", 10.01, 10.04, "no change"),
        ("high", None, 10.0, "n.a."),
    ],
)
def test_direction_of_travel_on_displayed_values(
    polarity: str, now: float | None, before: float | None, label: str
) -> None:
    assert travel(kpi(polarity), now, before).label == label


def test_direction_of_travel_context_judgement_is_na() -> None:
    t = travel(kpi("context"), 12.0, 10.0)
    assert (t.movement, t.judgement) == ("up", "n.a.")
    assert travel(kpi("context"), 12.0, 10.0, direction="low").label == "worsening"
