"""What one reporting year's returns contain, as seen on its 31 March.

Every writer goes through these helpers so that each return holds exactly the
records open during its year and no date after its 31 March (an episode that
ends later is still open in that year's return).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import cast

from cscperf.synth.dates import age_at, birthday, return_year, year_end, year_start
from cscperf.synth.model import (
    S47,
    Assessment,
    CarePeriod,
    Child,
    CPPlan,
    Episode,
    Referral,
    World,
)


def cens(d: date | None, ye: date) -> date | None:
    """``d`` if it had happened by ``ye``, else blank."""
    return d if d is not None and d <= ye else None


def overlaps(start: date, end: date | None, ys: date, ye: date) -> bool:
    return start <= ye and (end is None or end >= ys)


def episodes_in_year(child: Child, year: int) -> Iterator[tuple[CarePeriod, Episode]]:
    ys, ye = year_start(year), year_end(year)
    for period in child.care:
        for e in period.episodes:
            if overlaps(e.decom, e.dec, ys, ye):
                yield period, e


def short_breaks_in_year(child: Child, year: int) -> list[Episode]:
    """V3/V4 short-break episodes open during the year (not looked after for the KPIs)."""
    ys, ye = year_start(year), year_end(year)
    return [e for e in child.short_breaks if overlaps(e.decom, e.dec, ys, ye)]


def looked_after_in_year(child: Child, year: int) -> bool:
    return any(True for _ in episodes_in_year(child, year))


def referrals_in_year(child: Child, year: int) -> list[Referral]:
    ys, ye = year_start(year), year_end(year)
    return [r for r in child.referrals if overlaps(r.date, r.closure, ys, ye)]


def assessments_in_year(r: Referral, year: int) -> list[Assessment]:
    ys, ye = year_start(year), year_end(year)
    return [a for a in r.assessments if overlaps(a.start, a.authorised, ys, ye)]


def s47_in_year(r: Referral, year: int) -> list[S47]:
    ys, ye = year_start(year), year_end(year)
    return [s for s in r.s47 if overlaps(s.start, s.icpc or s.start, ys, ye)]


def cin_plans_in_year(r: Referral, year: int) -> list[tuple[date, date | None]]:
    ys, ye = year_start(year), year_end(year)
    return [p for p in r.cin_plans if overlaps(p[0], p[1], ys, ye)]


def cp_plans_in_year(r: Referral, year: int) -> list[CPPlan]:
    ys, ye = year_start(year), year_end(year)
    return [p for p in r.cp_plans if overlaps(p.start, p.end, ys, ye)]


def in_care_12_months(child: Child, year: int) -> bool:
    """OC2 cohort: looked after continuously for 12 months at 31 March."""
    ys, ye = year_start(year), year_end(year)
    return any(p.start < ys and (p.end is None or p.end > ye) for p in child.care)


def care_leaver_in_year(child: Child, year: int) -> int | None:
    """OC3 cohort: the 17th-21st birthday in the year after leaving care at 16+."""
    ys, ye = year_start(year), year_end(year)
    for age in range(17, 22):
        bd = birthday(child.dob, age)
        if ys <= bd <= ye:
            for p in child.care:
                if (
                    p.end
                    and p.end <= bd
                    and age_at(child.dob, p.end) >= 16
                    and (p.end - p.start).days >= 91
                ):
                    return age
    return None


def _index(world: World, name: str) -> dict[int, list[Child]]:
    """Children (in id order) who may appear in each year's CIN or 903 return.

    Built once per world: without it every year's writer scans every child ever
    simulated, most of whom left years before.
    """
    hit = world.cache.get(name)
    if hit is not None:
        return cast(dict[int, list[Child]], hit)
    lo, hi = min(world.years), max(world.years)
    out: dict[int, list[Child]] = {y: [] for y in world.years}
    for child in sorted(world.children.values(), key=lambda c: c.id):
        spans: list[tuple[date, date | None]] = []
        if name == "cin":
            spans = [(r.date, r.closure) for r in child.referrals]
        else:
            spans = [(p.start, p.end) for p in child.care]
            spans += [(e.decom, e.dec) for e in child.short_breaks]
            if child.care:  # care leavers (OC3) up to the 21st birthday
                spans.append((child.care[0].start, birthday(child.dob, 22)))
        years: set[int] = set()
        for start, end in spans:
            first = max(return_year(start), lo)
            last = min(return_year(end) if end else hi, hi)
            years.update(range(first, last + 1))
        for y in sorted(years):
            if y in out:
                out[y].append(child)
    world.cache[name] = out
    return out


def cin_children_in_year(world: World, year: int) -> list[Child]:
    """Children with a referral open at some time in the year (a superset is fine)."""
    return _index(world, "cin").get(year, [])


def children_903_in_year(world: World, year: int) -> list[Child]:
    """Children looked after, on short breaks or of care-leaver age in the year (superset)."""
    return _index(world, "903").get(year, [])
