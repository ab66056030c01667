"""The adoption path looks like England's: stage lengths, spread and the LA's count.

England 2023-24 and 2024-25 (DfE, children adopted): entry to placed with the
adopters about 19 months (~580 days), placed to the adoption order about 9 months;
court authority to match (A2) about 200 days. Thurrock adopted 6-15 children a
year in 2018-2025 (LAIT); its calibration target is 11.2 a year.
"""

from __future__ import annotations

from datetime import date
from statistics import mean

from cscperf.synth.care import MEAN_ADOPTION_DAYS
from cscperf.synth.dates import age_at
from cscperf.synth.model import World
from cscperf.synth.simulate import simulate

YEARS = tuple(range(2019, 2026))


def _world() -> World:
    return simulate("883", YEARS, seed=2025, contacts=False)  # the demo's LA and seed


def test_adoption_stages_are_englands() -> None:
    a1, a2, settle, by_year = [], [], [], dict.fromkeys(YEARS, 0)
    for c in _world().children.values():
        for p in c.care:
            a = p.adoption
            if a is None or p.rec not in ("E11", "E12") or p.end is None:
                continue
            assert age_at(c.dob, p.end) < 10, c.id  # adopted young, never as a teenager
            if p.end < date(2016, 4, 1):
                continue
            moved = min(e.decom for e in p.episodes if e.place in ("A3", "A4", "A5", "A6"))
            assert a.placement_order is not None and a.match is not None
            a1.append((moved - p.start).days)
            a2.append((a.match - a.placement_order).days)
            assert a.order is not None
            settle.append((a.order - moved).days)
            y = p.end.year + (p.end.month > 3)
            if y in by_year:
                by_year[y] += 1
    assert len(a1) > 60
    assert 500 <= mean(a1) <= 650  # was 1,255 days: care lengths ignored the adoption
    assert sum(d > 730 for d in a1) >= len(a1) // 10  # some wait over two years ...
    assert sum(d > 1095 for d in a1) <= len(a1) // 20  # ... few over three
    assert max(a1) <= 1461  # none over four
    assert 150 <= mean(a2) <= 250
    assert min(settle) >= 70 and 150 <= mean(settle) <= 300  # 10 weeks at least
    # the stock calibration counts an adopted child's stay as MEAN_ADOPTION_DAYS
    assert abs(mean(x + y for x, y in zip(a1, settle, strict=True)) / MEAN_ADOPTION_DAYS - 1) < 0.1
    assert 7 <= mean(by_year.values()) <= 15  # was 18: the adoption share was over twice
