"""What one reporting year's returns contain, as seen on its 31 March.

Every writer goes through these helpers so that each return holds exactly the
records open during its year and no date after its 31 March (an episode that
ends later is still open in that year's return).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from cscperf.synth.dates import age_at, birthday, year_end, year_start
from cscperf.synth.model import S47, Assessment, CarePeriod, Child, CPPlan, Episode, Referral


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
