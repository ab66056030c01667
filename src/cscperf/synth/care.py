"""Looked-after journeys: legal statuses, placements, moves, reviews, missing, leaving.

A period of care is built in two passes. :func:`build_period` lays down the
structure (legal status changes, the adoption path, the leaving reason);
:func:`add_moves` later splits placements so that, among children looked
after at each 31 March, the share with 3+ placements in the year matches
the LA's published figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import pairwise

from cscperf.synth.dates import (
    add_days,
    add_months,
    add_wd,
    age_at,
    birthday,
    return_year,
    year_end,
    year_start,
)
from cscperf.synth.model import Adoption, CarePeriod, Child, Episode, Missing
from cscperf.synth.postcodes import FarShare, PostcodeBook
from cscperf.synth.rng import FastRNG
from cscperf.synth.rng import pick as _pick

P_INSIDE = 0.6  # share of placements inside the LA boundary

_FOSTER = (("U4", 0.18), ("U5", 0.06), ("U6", 0.46), ("U1", 0.08), ("U2", 0.04), ("U3", 0.18))
_CHANGE_REASONS = (
    "CARPL",
    "CLOSE",
    "ALLEG",
    "STAND",
    "APPRR",
    "CREQB",
    "CREQO",
    "CHILD",
    "LAREQ",
    "PLACE",
    "OTHER",
)


def placement_type(rng: FastRNG, age: int, uasc: bool) -> str:
    if age >= 16 and rng.random() < (0.55 if uasc else 0.35):
        return "H5"
    if age >= 11 and rng.random() < 0.22:
        return _pick(rng, (("K2", 0.85), ("R1", 0.05), ("S1", 0.05), ("K1", 0.05)))
    if age < 16 and rng.random() < 0.05:
        return "P1"
    if age < 1 and rng.random() < 0.04:
        return "R3"
    return _pick(rng, _FOSTER)


def provider_for(rng: FastRNG, place: str) -> str:
    if place == "P1":
        return "PR0"
    if place.startswith("U"):
        return "PR1" if rng.random() < (0.95 if place in ("U1", "U2", "U3") else 0.55) else "PR4"
    if place.startswith("A"):
        return _pick(rng, (("PR1", 0.6), ("PR2", 0.15), ("PR5", 0.25)))
    if place in ("K2", "H5", "S1", "R1"):
        return _pick(rng, (("PR4", 0.8), ("PR1", 0.12), ("PR5", 0.08)))
    return _pick(rng, (("PR1", 0.5), ("PR3", 0.5)))


def _urn(rng: FastRNG, place: str) -> str:
    if place in ("K1", "K2", "R1", "S1", "H5"):
        return f"SC{int(rng.integers(100000, 999999))}"
    if place.startswith("U"):
        return "XXXXXXX"
    return ""


def new_episode(
    rng: FastRNG,
    child: Child,
    la: str,
    book: PostcodeBook,
    d: date,
    rne: str,
    ls: str,
    cin: str,
    place: str | None = None,
    far: FarShare | None = None,
) -> Episode:
    """One placement episode; ``far`` is the share of placements made outside the LA
    and over 20 miles away (None: :data:`P_INSIDE` inside, the rest nearby or far)."""
    place = place or placement_type(rng, age_at(child.dob, d), child.uasc)
    if place == "P1":
        post, where = child.home_post, la
    else:
        post, where = book.placement(la, rng, P_INSIDE, far)
    return Episode(d, rne, ls, cin, place, provider_for(rng, place), post, where, _urn(rng, place))


def _leaving_reason(rng: FastRNG, age_end: int, eighteen: bool) -> str:
    if eighteen:
        return _pick(rng, (("E17", 0.2), ("E5", 0.3), ("E6", 0.05), ("E8", 0.35), ("E4A", 0.1)))
    opts: tuple[tuple[str, float], ...] = (
        ("E4A", 0.5),
        ("E4B", 0.05),
        ("E13", 0.08),
        ("E41", 0.06),
        ("E45", 0.08),
        ("E46", 0.02),
        ("E47", 0.05),
        ("E48", 0.01),
        ("E8", 0.08),
        ("E3", 0.02),
    )
    if age_end >= 12:
        opts = (*opts, ("E9", 0.02), ("E5", 0.03 if age_end >= 16 else 0.0), ("E14", 0.01))
    return _pick(rng, opts)


def build_period(
    rng: FastRNG,
    child: Child,
    la: str,
    book: PostcodeBook,
    start: date,
    length_days: float,
    adopt: bool,
    cin_code: str,
    far: FarShare | None = None,
) -> CarePeriod:
    """The structure of one period of care starting at ``start``.

    An adopted child's period lasts as long as its adoption timeline (see
    :func:`adoption_timeline`), not the drawn ``length_days``: adoptions end care
    about two and a quarter years after entry, whatever the LA's typical stay.
    """
    age0 = age_at(child.dob, start)
    turns18 = birthday(child.dob, 18)
    natural_end = add_days(start, max(length_days, 1))
    timeline = adoption_timeline(rng, start, age0) if adopt else None
    if timeline:
        natural_end = timeline.order
    end = min(natural_end, turns18)
    eighteen = end == turns18
    eps: list[Episode] = []
    if child.uasc:
        eps.append(new_episode(rng, child, la, book, start, "S", "V2", "N1", far=far))
    else:
        u = rng.random()
        if u < 0.35 and not adopt:
            ls0 = "V2"
        elif u < 0.45:
            ls0 = "L2" if rng.random() < 0.6 else "L1"
        elif age0 >= 12 and u < 0.47:
            ls0 = "J2"
        else:
            ls0 = "C1"
        eps.append(new_episode(rng, child, la, book, start, "S", ls0, cin_code, far=far))
        d = start
        if ls0 in ("L1", "L2"):  # police protection / EPO: days, then interim order
            d = add_days(start, int(rng.integers(2, 8)))
            if d < end:
                eps.append(replace(eps[-1], decom=d, rne="L", ls="C1"))
        if eps[-1].ls in ("C1",):
            d = add_days(d, int(rng.integers(120, 300)))
            # the care order comes before the placement order (or with it, at the same
            # final hearing: then the child goes from the interim order straight to E1)
            if d < end and (timeline is None or d < timeline.placement_order):
                eps.append(replace(eps[-1], decom=d, rne="L", ls="C2"))
    adoption = None
    if timeline and not eighteen:
        adoption = _adoption_path(rng, child, la, book, timeline, eps)
    for prev, nxt in pairwise(eps):
        prev.dec, prev.rec = nxt.decom, "X1"
    eps[-1].dec = end
    if adoption:
        eps[-1].rec = "E11" if rng.random() < 0.6 else "E12"
        adoption.ceased_reason = eps[-1].rec
    else:
        eps[-1].rec = _leaving_reason(rng, age_at(child.dob, end), eighteen)
    return CarePeriod(start, end, eps, adoption=adoption, category_of_need=cin_code)


@dataclass(frozen=True)
class Timeline:
    """The dates of one adoption, in order (entry < decision < order)."""

    decision: date  # agency decision maker: should be placed for adoption
    placement_order: date  # court authority to place (legal status E1)
    match: date
    placed: date  # moves in with the adopters (or foster carers become adopters)
    order: date  # adoption order: care ends


#: mean days from entry to the adoption order drawn by :func:`adoption_timeline` (stage
#: means 270 + 94 + ~196 + 33 + 235); the stock calibration counts adopted stays with it
MEAN_ADOPTION_DAYS = 828


def adoption_timeline(rng: FastRNG, start: date, age: int) -> Timeline:
    """Stage lengths drawn forward from entry to care, on England's published averages.

    England 2023-24 and 2024-25 (DfE, children adopted): entry to decision about
    9 months, decision to match about 10, match to placed about 1, entry to placed
    1 year 7 months (about 580 days; A1), placed to adoption order about 9 months.
    Decision to match splits into decision to court authority (a few months) and
    authority to match (A2, about 200 days, longer for older children). Each stage
    is a shifted gamma, so a few children wait 2-3 years and hardly any more than 4.
    """
    decision = add_days(start, 45 + rng.gamma(2.5, 90.0))  # mean ~270 days
    po = add_days(decision, 14 + rng.gamma(2.0, 40.0))  # mean ~95 days
    match = add_days(po, 20 + rng.gamma(2.0, 80.0) * (1 + 0.1 * min(age, 4)))  # ~200 days
    placed = match + timedelta(days=int(rng.integers(7, 60)))
    order = add_days(placed, 70 + rng.gamma(3.0, 55.0))  # 10 weeks at least; ~235 days
    return Timeline(decision, po, match, placed, order)


def _adoption_path(
    rng: FastRNG,
    child: Child,
    la: str,
    book: PostcodeBook,
    t: Timeline,
    eps: list[Episode],
) -> Adoption:
    floor = eps[-1].decom + timedelta(days=1)  # after any legal status already recorded
    po = max(t.placement_order, floor)
    match = max(t.match, po)
    placed = max(t.placed, match + timedelta(days=1))
    order = t.order
    eps.append(replace(eps[-1], decom=po, rne="L", ls="E1"))
    with_carer = rng.random() < 0.15
    place = "A5" if with_carer else "A6"
    if placed < order:
        ep = new_episode(
            rng, child, la, book, placed, "B" if with_carer else "P", "E1", eps[-1].cin, place
        )
        if with_carer:
            ep.pl_post, ep.pl_la, ep.urn = eps[-1].pl_post, eps[-1].pl_la, eps[-1].urn
        eps.append(ep)
    return Adoption(
        decision=min(t.decision, po),
        placement_order=po,
        match=match,
        placed=placed if placed < order else None,
        order=order,
        ceased_reason=None,
        ceased=order,
        foster_care=with_carer,
        nb_adopters="2" if rng.random() < 0.8 else "1",
        sex_adopters=_pick(
            rng, (("MF", 0.75), ("MM", 0.08), ("FF", 0.08), ("F1", 0.08), ("M1", 0.01))
        ),
        ls_adopters=_pick(
            rng, (("L0", 0.55), ("L11", 0.25), ("L12", 0.1), ("L2", 0.05), ("L4", 0.05))
        ),
    )


def split_placement(
    rng: FastRNG,
    child: Child,
    la: str,
    book: PostcodeBook,
    period: CarePeriod,
    when: date,
    temporary: bool,
    far: FarShare | None = None,
) -> bool:
    """Start a new placement at ``when`` inside the period; False if not possible."""
    eps = period.episodes
    i = max(k for k, e in enumerate(eps) if e.decom <= when)
    cur = eps[i]
    if cur.decom == when or (cur.dec is not None and cur.dec <= when) or cur.place.startswith("A"):
        return False
    if i + 1 < len(eps) and eps[i + 1].decom <= when + timedelta(days=1):
        return False
    place = _pick(rng, (("T1", 0.4), ("T2", 0.2), ("T3", 0.2), ("T4", 0.2))) if temporary else None
    new = new_episode(rng, child, la, book, when, "P", cur.ls, cur.cin, place, far)
    new.dec, new.rec = cur.dec, cur.rec
    cur.dec, cur.rec = when, "X1"
    cur.reason_change = _CHANGE_REASONS[int(rng.integers(len(_CHANGE_REASONS)))]
    eps.insert(i + 1, new)
    # later episodes of the same placement (legal status changes) move with the child
    for e in eps[i + 2 :]:
        if e.rne in ("L",):
            e.place, e.provider, e.pl_post, e.pl_la, e.urn = (
                new.place,
                new.provider,
                new.pl_post,
                new.pl_la,
                new.urn,
            )
        else:
            break
    return True


def placements_in(period: CarePeriod, ws: date, we: date) -> int:
    """Placements (catalogue definition, simplified to our own episode shapes) in [ws, we]."""
    n = 0
    for e in period.episodes:
        if e.rne not in ("S", "P", "T") or e.place.startswith("T"):
            continue
        end = _placement_end(period, e)
        if e.decom <= we and (end is None or end > ws) and (end is None or end > e.decom):
            n += 1
    return n


def _placement_end(period: CarePeriod, first: Episode) -> date | None:
    eps = period.episodes
    i = eps.index(first)
    end = first.dec
    for e in eps[i + 1 :]:
        if e.rne in ("L", "U", "B"):
            end = e.dec
        else:
            break
    return end


def teen_share(children: list[Child], years: range) -> float:
    """Share of the children looked after during the ``years`` who are 11 or over at
    some time in care in the year: a published "% went missing" of all children looked
    after is this share times the chance that a child of 11+ goes missing in a year."""
    n = teen = 0
    for y in years:
        ys, ye = year_start(y), year_end(y)
        for c in children:
            last = None
            for p in c.care:
                if p.start <= ye and (p.end is None or p.end >= ys):
                    last = min(p.end or ye, ye)
            if last is not None:
                n += 1
                teen += age_at(c.dob, last) >= 11
    return teen / n if n else 1.0


def add_reviews_missing_sw(
    rng: FastRNG,
    child: Child,
    period: CarePeriod,
    horizon: date,
    sw_pool: int,
    missing_pct: float = 7.0,
    away_pct: float = 3.0,
    teens: float = 0.45,
) -> None:
    """Statutory reviews, missing/away episodes, social worker changes and the IHA.

    Each year of care at 11 or over, a child goes missing with a chance set so that
    ``missing_pct`` of all children looked after in a year do, ``teens`` of whom are
    11 or over (likewise ``away_pct`` for away from placement without authorisation).
    """
    stop = min(period.end or horizon, horizon)
    d = add_wd(
        period.start, int(rng.integers(8, 21)) if rng.random() < 0.93 else int(rng.integers(21, 35))
    )
    gap = 3
    while d < stop:
        age = age_at(child.dob, d)
        code = (
            "PN0"
            if age < 4
            else _pick(
                rng,
                (
                    ("PN1", 0.6),
                    ("PN2", 0.05),
                    ("PN3", 0.05),
                    ("PN4", 0.1),
                    ("PN5", 0.06),
                    ("PN6", 0.08),
                    ("PN7", 0.06),
                ),
            )
        )
        period.reviews.append((d, code))
        late = rng.random() > 0.9
        d = add_months(d, gap) - timedelta(days=int(rng.integers(0, 20)))
        if late:
            d += timedelta(days=int(rng.integers(5, 40)))
        gap = 6
    # missing and away from placement: teenagers, year by year (April to March)
    first = max(period.start, birthday(child.dob, 11))
    starts: list[tuple[date, str]] = []
    for y in range(return_year(first), return_year(stop) + 1):
        lo, hi = max(first, year_start(y)), min(stop, year_end(y))
        span = (hi - lo).days
        if span <= 5:
            continue
        for kind, pct, mean in (("M", missing_pct, 2.0), ("A", away_pct, 0.5)):
            if rng.random() < min(0.95, pct / 100 / max(teens, 0.05)):
                n = 1 + int(rng.poisson(mean))
                starts += [(lo + timedelta(days=int(rng.integers(0, span))), kind)
                           for _ in range(n)]  # fmt: skip
    for start, kind in sorted(set(starts)):
        end = start + timedelta(days=int(rng.integers(0, 4)))
        m = Missing(kind, start, end if end < stop else None)
        if kind == "M" and m.end:
            m.rhi_offered = rng.random() < 0.92
            m.rhi_accepted = m.rhi_offered and rng.random() < 0.6
            if m.rhi_accepted:
                m.rhi_date = add_wd(m.end, int(rng.integers(0, 6)))
        if not period.missing or start > (period.missing[-1].end or start):
            period.missing.append(m)
    # social workers
    d = period.start
    while d < stop:
        nxt = add_days(d, 60 + rng.exponential(300))
        sw = f"SW{int(rng.integers(1, sw_pool + 1)):04d}"
        if nxt >= (period.end or date.max):
            period.social_workers.append((sw, d, None, None))
            break
        reason = _pick(
            rng,
            (
                ("MANAGE", 0.3),
                ("FCONTA", 0.1),
                ("LEFTRL", 0.25),
                ("ORGRST", 0.1),
                ("TSPROC", 0.1),
                ("ABSENC", 0.05),
                ("CHCHAN", 0.05),
                ("OTHERS", 0.05),
            ),
        )
        period.social_workers.append((sw, d, nxt, reason))
        d = nxt
    if period.end and period.social_workers and period.social_workers[-1][2] is None:
        last_sw, since, _, _ = period.social_workers[-1]
        period.social_workers[-1] = (last_sw, since, period.end, "CHCHAN")
    period.iha_requested = add_wd(period.start, int(rng.integers(0, 6)))
    period.iha_date = add_wd(period.start, int(rng.gamma(4.0, 6.0)) + 3)
    if period.iha_date >= stop:
        period.iha_date = None


def add_moves(
    world_children: list[Child],
    la: str,
    book: PostcodeBook,
    rng: FastRNG,
    years: range,
    p3: float,
    long_stable: float = 70.0,
    far: FarShare | None = None,
) -> None:
    """Placement moves, year by year, calibrated on children in care at 31 March.

    ``p3``% of them have 3+ placements in the year, and 20% of the rest a second one;
    but a child in care for 2.5 years at 31 March and under 16 moves at all with the
    chance m a year such that ``long_stable``% stay with the same carer for two years
    ((1 - m)^2 = long_stable): 3+ placements first (p3, at most m), then a second one.
    Children owed a third placement (their window was too short) are never long
    stayers.
    """
    from cscperf.synth.rng import Stratified

    strat = Stratified(rng)
    m_long = 1 - math.sqrt(min(max(long_stable, 0.0), 100.0) / 100)
    for y in years:
        ws, we = year_start(y), year_end(y)
        debt = 0  # 3+ placements owed by children whose window was too short
        for child in world_children:
            for period in child.care:
                if period.start > we or (period.end is not None and period.end < ws):
                    continue
                lo = max(period.start + timedelta(days=1), ws)
                hi = min((period.end or we + timedelta(days=1)) - timedelta(days=1), we)
                if hi <= lo:
                    continue
                at_end = period.end is None or period.end > we
                temporary = False
                if at_end:
                    u = strat.next()
                    # in the long-term stability cohort at this 31 March or the next (2.5
                    # years in care, under 16): a move this year counts for both
                    long = period.start <= we - timedelta(days=548) and age_at(child.dob, we) < 16
                    # a long stayer moves at most m_long a year, 3+ placements included
                    p3_here = min(p3 / 100, m_long) if long else p3 / 100
                    p2 = m_long - p3_here if long else 0.2
                    want = 3 if u < p3_here else 2 if u < p3_here + p2 else 1
                    if want < 3 and debt and not long and (hi - lo).days > 120:
                        want, debt = 3, debt - 1
                    extra = max(0, want - placements_in(period, ws, we))
                else:
                    extra = int(rng.poisson(0.35 * (hi - lo).days / 365))
                    temporary = rng.random() < 0.1
                tries = 0
                while extra > 0 and tries < 10:
                    when = lo + timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))
                    temp = temporary and extra == 1
                    if split_placement(rng, child, la, book, period, when, temp, far):
                        extra -= 1
                        if temp:  # a temporary placement lasts days, then a proper one
                            back = when + timedelta(days=int(rng.integers(3, 15)))
                            if period.end is None or back < period.end:
                                split_placement(rng, child, la, book, period, back, False, far)
                    tries += 1
                if at_end and want == 3 and placements_in(period, ws, we) < 3:
                    debt += 1


__all__ = [
    "P_INSIDE",
    "add_moves",
    "add_reviews_missing_sw",
    "build_period",
    "placements_in",
    "year_end",
]
