"""Repeat child protection plans and short breaks (V3/V4) in the simulated world and files."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

from cscperf.synth.api import Manifest
from cscperf.synth.dates import birthday
from cscperf.synth.model import World
from cscperf.synth.simulate import simulate

from .counts import cla_at_end


def _world() -> World:
    return simulate("883", (2023, 2024, 2025), seed=31, contacts=False)


def test_cp_plans_count_the_earlier_ones() -> None:
    world = _world()
    repeats = elsewhere = 0
    for c in world.children.values():
        plans = sorted((p for r in c.referrals for p in r.cp_plans), key=lambda p: p.start)
        if not plans:
            continue
        assert plans[0].previous in (0, 1, 2)  # 1-2: plans before our records / another LA
        elsewhere += plans[0].previous > 0
        for a, b in pairwise(plans):
            assert b.previous == a.previous + 1, c.id
            assert a.end is not None and a.end + timedelta(days=91) <= b.start, c.id
            assert b.start < birthday(c.dob, 18)
            repeats += 1
    assert repeats > 50 and elsewhere > 20  # both sources of subsequent plans are used


def test_short_break_stays_follow_the_903_rules() -> None:
    world = _world()
    kids = [c for c in world.children.values() if c.short_breaks]
    assert len(kids) > 20
    for c in kids:
        assert not c.care and "NONE" not in c.disability, c.id
        kinds = {e.ls for e in c.short_breaks}
        assert kinds in ({"V3"}, {"V4"}), c.id  # never V3 and V4 for one child
        for e in c.short_breaks:
            assert e.rne == "S" and e.cin == "N2" and not e.place.startswith("T")
            assert e.dec is not None and e.decom < e.dec < birthday(c.dob, 18)
            if e.ls == "V3":
                assert (e.dec - e.decom).days <= 17
        for a, b in pairwise(c.short_breaks):
            assert a.dec is not None and a.dec < b.decom  # separate stays, never overlapping
        v3 = [e for e in c.short_breaks if e.ls == "V3"]
        for e in v3:  # at most 75 days of stays in the 12 months up to each stay's end
            since = e.dec - timedelta(days=365)  # type: ignore[operator]
            used = sum((x.dec - max(x.decom, since)).days for x in v3 if since < x.dec <= e.dec)  # type: ignore[operator]
            assert used <= 75, c.id
        # the child is a child in need throughout: a CIN plan covers the stays
        (ref,) = c.referrals
        assert ref.need == "N2" and ref.cin_plans
        start, end = ref.cin_plans[0]
        assert start <= c.short_breaks[0].decom and (end is None or c.short_breaks[-1].dec <= end)  # type: ignore[operator]


def _episodes(folder: Path) -> list[dict[str, str]]:
    with (folder / "episodes.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def test_short_breaks_are_in_the_903_but_not_counted_as_looked_after(
    thurrock: tuple[Path, Manifest],
) -> None:
    folder = thurrock[0] / "883" / "2025"
    eps = _episodes(folder)
    by_child: dict[str, set[str]] = defaultdict(set)
    for e in eps:
        by_child[e["CHILD"]].add(e["LS"])
    breaks = {c for c, ls in by_child.items() if ls & {"V3", "V4"}}
    assert len(breaks) >= 10  # Thurrock-sized: ~4 per 10,000 children
    assert all(by_child[c] <= {"V3", "V4"} for c in breaks)
    with (folder / "header.csv").open(newline="") as f:
        assert breaks <= {r["CHILD"] for r in csv.DictReader(f)}
    open_now = {e["CHILD"] for e in eps if not e["DEC"]}  # blank DEC: open on 31 March
    open_breaks = {c for c in open_now if c in breaks}
    assert {e["CHILD"] for e in eps if e["LS"] == "V4" and not e["DEC"]}  # open agreements
    cla, _ = cla_at_end(folder, 2025)
    assert cla == len(open_now - open_breaks)  # ... are not looked after


def test_direct_cla_count_ignores_short_breaks(tmp_path: Path) -> None:
    """Hand-made file: A is looked after (C2); B has an open V4; C a V3 stay over 31 March."""
    rows = [
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN",
        "A,01/05/2024,S,C2,N1,U1,PR1,,,,RM17 6LF,RM15 5AW,XXXXXXX",
        "B,01/06/2024,S,V4,N2,U6,PR1,,,,RM17 6LF,RM15 5AW,XXXXXXX",
        "C,30/03/2025,S,V3,N2,U6,PR1,,,,RM17 6LF,RM15 5AW,XXXXXXX",
    ]
    (tmp_path / "episodes.csv").write_text("\n".join(rows) + "\n")
    assert cla_at_end(tmp_path, 2025) == (1, 0)


def test_a_rereferred_child_waits_three_months_for_another_cp_plan() -> None:
    """A re-referral that leads to a second plan never picks a child whose last plan ended
    under 91 days ago (seen with seed 0: a plan ended 19 January, the next began 14 March)."""
    from cscperf.synth.model import CPPlan, Referral
    from cscperf.synth.postcodes import book
    from cscperf.synth.rng import fast_stream
    from cscperf.synth.simulate import Simulator

    sim = Simulator("883", (2025,), 1, 1.0, book())
    rng = fast_stream(1, "883", 2025, "test")
    d = date(2024, 6, 3)
    child = sim.new_child(rng, date(2020, 1, 1), 4)
    ref = Referral(date(2024, 1, 8), "1A", "N1", False)
    ref.cp_plans.append(CPPlan(date(2024, 1, 20), d - timedelta(days=30), "PHY", "PHY", 0))
    child.referrals.append(ref)
    child.cp_plans_so_far, child.free_from = 1, d - timedelta(days=29)
    sim.recent.append((ref.date, child.id))
    assert sim.pick_rereferral(rng, d, prior_cp=True) is None
    assert sim.pick_rereferral(rng, d, prior_cp=None) is child  # other routes may take them
    later = d + timedelta(days=61)  # 91 days after the plan ended
    assert sim.pick_rereferral(rng, later, prior_cp=True) is child
