"""Invariants of the simulated world that every return relies on."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from cscperf.synth.dates import birthday
from cscperf.synth.simulate import simulate


def test_journeys_are_internally_consistent() -> None:
    world = simulate("883", (2023, 2024, 2025), seed=21, scale=0.5, contacts=False)
    assert len(world.children) > 1000
    for c in world.children.values():
        eighteen = birthday(c.dob, 18)
        refs = sorted(c.referrals, key=lambda r: r.date)
        for a, b in pairwise(refs):
            assert a.closure is not None and a.closure < b.date, c.id  # CIN episodes never overlap
        for r in refs:
            assert r.closure is None or r.closure >= r.date
            for p in r.cp_plans:
                assert p.end is None or p.end > p.start
                assert p.start < eighteen
                assert all(p.start < d for d in p.reviews)
            for a in r.assessments:
                assert a.authorised >= a.start
        for period in c.care:
            assert c.dob < period.start < eighteen, c.id  # never looked after at 18 or over
            assert period.end is None or period.end <= eighteen
            eps = period.episodes
            assert eps[0].rne == "S" and eps[0].decom == period.start
            for e, nxt in pairwise(eps):
                assert e.dec == nxt.decom and e.rec == "X1"  # contiguous, one period of care
                assert nxt.decom > e.decom
            assert eps[-1].dec == period.end and eps[-1].rec not in (None, "X1")
            for m in period.missing:
                assert m.end is None or m.end >= m.start
            if period.adoption:
                a = period.adoption
                assert period.start < a.decision <= (a.placement_order or a.decision)
                assert eps[-1].rec in ("E11", "E12")
            first_review = period.reviews[0][0] if period.reviews else None
            if first_review:
                assert first_review <= period.start + timedelta(days=60)
