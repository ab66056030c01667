"""Local (non-statutory) data: social work posts, fostering households, case audits.

Sized from the LA's published workforce figures (FTE, agency and vacancy
rates, caseload) and its looked-after population.
"""

from __future__ import annotations

from datetime import date, timedelta

from cscperf.synth.dates import year_end, year_start
from cscperf.synth.model import Audit, Child, Household, Post
from cscperf.synth.params import LAParams
from cscperf.synth.rng import FastRNG, fast_stream

_TEAMS = (
    "Assessment Team 1",
    "Assessment Team 2",
    "Family Support 1",
    "Family Support 2",
    "Children in Care Team",
    "Leaving Care Team",
    "Disabled Children Team",
    "MASH",
)
_GRADES = (
    ("outstanding", 0.05),
    ("good", 0.4),
    ("requires_improvement", 0.43),
    ("inadequate", 0.12),
)
_FOSTER = (("mainstream", 0.6), ("connected", 0.3), ("specialist", 0.05), ("short_break", 0.05))
_DEREG = ("resigned", "retired", "moved to IFA", "standards of care", "other")


def _choice(rng: FastRNG, options: tuple[tuple[str, float], ...]) -> str:
    u, acc = rng.random(), 0.0
    for name, w in options:
        acc += w
        if u < acc:
            return name
    return options[-1][0]


def simulate_local(
    la: str, years: tuple[int, ...], seed: int, scale: float, p: LAParams, kids: list[Child]
) -> tuple[list[Household], dict[int, list[Post]], list[Audit]]:
    workforce: dict[int, list[Post]] = {}
    for y in years:
        rng = fast_stream(seed, la, y, "workforce")
        fte = max(3.0, p.sw_fte * scale)
        vacancy, agency = p.vacancy_rate_pct / 100, p.agency_rate_pct / 100
        n_posts = max(3, round(fte / max(0.05, 1 - vacancy) * (1 + rng.normal(0, 0.03))))
        posts = []
        for i in range(n_posts):
            u = rng.random()
            status = "vacant" if u < vacancy else "agency" if u < vacancy + agency else "employed"
            post_fte = (
                1.0
                if status != "employed" or rng.random() < 0.85
                else float(rng.choice([0.5, 0.6, 0.8]))
            )
            holding = status != "vacant" and rng.random() < 0.8
            cases = int(max(0, rng.normal(p.caseload * 1.15, 4))) if holding else None
            if status == "vacant":
                cost = None
            elif status == "agency":
                cost = round(float(rng.normal(82_000, 6_000)) * post_fte, 2)
            else:
                cost = round(float(rng.normal(54_000, 5_000)) * post_fte, 2)
            posts.append(
                Post(
                    f"P{i + 1:04d}", _TEAMS[i % len(_TEAMS)], status, post_fte, holding, cases, cost
                )
            )
        workforce[y] = posts
    households: list[Household] = []
    rng = fast_stream(seed, la, 0, "fostering")
    n0 = max(4, round(p.cla_rate_per_10k * p.child_population * scale / 10_000 * 0.45))
    first = year_start(min(years) - 8)
    span = (year_end(max(years)) - first).days
    n = int(n0 * (1 + span / 365 * 0.12))
    for i in range(n):
        enquiry = first + timedelta(days=int(rng.integers(0, span)))
        approved = (
            enquiry + timedelta(days=int(rng.integers(120, 300))) if rng.random() < 0.6 else None
        )
        dereg = reason = None
        if approved and rng.random() < 0.7:
            dereg = approved + timedelta(days=int(rng.exponential(6 * 365)) + 30)
            reason = _DEREG[int(rng.integers(len(_DEREG)))]
        households.append(
            Household(
                f"H{i + 1:05d}",
                enquiry,
                approved,
                dereg,
                reason,
                _choice(rng, _FOSTER),
                int(rng.integers(1, 4)),
            )
        )
    audits: list[Audit] = []
    open_by_year: dict[int, list[str]] = {}
    for c in kids:
        for r in c.referrals:
            for y in years:
                if r.date <= year_end(y) and (r.closure is None or r.closure >= year_start(y)):
                    open_by_year.setdefault(y, []).append(c.id)
    k = 0
    for y in years:
        rng = fast_stream(seed, la, y, "audits")
        ids = open_by_year.get(y, [])
        if not ids:
            continue
        for _ in range(max(12, len(ids) // 20)):
            k += 1
            d = year_start(y) + timedelta(days=int(rng.integers(0, 365)))
            audits.append(
                Audit(
                    f"A{y}{k:06d}",
                    ids[int(rng.integers(len(ids)))],
                    d,
                    _TEAMS[int(rng.integers(7))],
                    f"Worker {int(rng.integers(1, 120)):03d}",
                    _choice(rng, _GRADES),
                )
            )
    return households, workforce, audits


__all__ = ["date", "simulate_local"]
