"""Short breaks: disabled children looked after under an agreed series of short-term breaks.

These children are in the SSDA903 (legal status V3 when each stay is recorded,
V4 when only the agreements are) but every looked-after KPI ignores them, so
they are a stream of their own and never touch the care periods that the CLA
calibration works on. The 903 rules they follow: a V3 stay starts a new
episode (RNE S) and lasts at most 17 days, at most 75 days of V3 stays in any
12 months, no temporary placements, and a child is never V3 and V4 in the same
year (here a child keeps one kind for the whole arrangement).
"""

from __future__ import annotations

from datetime import date, timedelta

from cscperf.synth.dates import add_days, birthday
from cscperf.synth.model import Child, Episode
from cscperf.synth.postcodes import PostcodeBook
from cscperf.synth.rng import FastRNG, pick

#: new short-break arrangements a year per 10,000 children aged 0-17 (an assumption
#: giving about 4 per 10,000 with breaks at any time, ~5,000 for England)
STARTS_PER_10K = 1.3
P_V3 = 0.75  # share of arrangements recorded stay by stay (V3) rather than by agreement
_PLACES = (("U4", 0.25), ("U5", 0.1), ("U6", 0.35), ("K2", 0.3))
_DISABILITY = ("LD", "AUT", "COMM", "MOB", "BEH")
MAX_STAY = 17  # days (903 rule 365)
MAX_DAYS_12M = 75  # days of V3 stays in any 12 months (903 rule 367)


def arrangement_end(rng: FastRNG, child: Child, start: date) -> date:
    """Arrangements last a few years, and always end before the 18th birthday."""
    years = 0.5 + rng.gamma(2.0, 1.5)
    return min(add_days(start, years * 365.25), birthday(child.dob, 18) - timedelta(days=1))


def disabilities(rng: FastRNG) -> tuple[str, ...]:
    n = 1 if rng.random() < 0.6 else 2
    return tuple(sorted({_DISABILITY[rng.integers(len(_DISABILITY))] for _ in range(n)}))


def episodes(
    rng: FastRNG, child: Child, la: str, book: PostcodeBook, start: date, end: date
) -> list[Episode]:
    """The V3 stays or V4 agreements between ``start`` and ``end`` (one carer throughout)."""
    place = pick(rng, _PLACES)
    post, where = book.placement(la, rng, 0.9)
    urn = f"SC{int(rng.integers(100000, 999999))}" if place == "K2" else "XXXXXXX"
    provider = "PR1" if rng.random() < 0.7 else "PR4"

    def ep(decom: date, dec: date, ls: str) -> Episode:
        return Episode(decom, "S", ls, "N2", place, provider, post, where, urn, dec, "E13")

    out: list[Episode] = []
    if rng.random() < P_V3:
        d = add_days(start, rng.integers(7, 40))
        while d < end:
            short = rng.random() < 0.95
            nights = 1 + int(rng.integers(0, 4)) if short else int(rng.integers(5, 15))
            dec = min(d + timedelta(days=min(nights, MAX_STAY)), end)
            if dec > d and _room(out, d, (dec - d).days):
                out.append(ep(d, dec, "V3"))
            d = dec + timedelta(days=int(rng.integers(14, 45)))
    else:
        d = start
        while d < end:
            dec = min(add_days(d, rng.integers(180, 366)), end)
            if dec <= d:
                break
            out.append(ep(d, dec, "V4"))
            d = dec + timedelta(days=int(rng.integers(1, 15)))
    return out


def _room(stays: list[Episode], d: date, nights: int) -> bool:
    """Whether a stay of ``nights`` from ``d`` keeps the last 12 months within 75 days."""
    since = d - timedelta(days=365)
    used = sum((e.dec - max(e.decom, since)).days for e in stays[-40:] if e.dec and e.dec > since)
    return used + nights <= MAX_DAYS_12M
