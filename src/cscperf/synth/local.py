"""Local (non-statutory) data: social work posts, fostering households, case audits.

Sized from the LA's published workforce figures (FTE, agency and vacancy
rates, caseload) and its looked-after population.
"""

from __future__ import annotations

from datetime import date, timedelta
from statistics import NormalDist

from cscperf.synth.dates import year_end, year_start
from cscperf.synth.model import Audit, Child, Household, Post
from cscperf.synth.params import LAParams
from cscperf.synth.rng import FastRNG, Stratified, fast_stream

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


_NORMAL = NormalDist()


def _z(u: float) -> float:
    """The standard normal quantile of ``u`` (kept off 0 and 1)."""
    return _NORMAL.inv_cdf(min(max(u, 1e-6), 1 - 1e-6))


#: mean FTE of an employed social work post (85% full-time, the rest 0.5, 0.6 or 0.8)
EMPLOYED_FTE = 0.85 + 0.15 * (0.5 + 0.6 + 0.8) / 3


def simulate_local(
    la: str, years: tuple[int, ...], seed: int, scale: float, p: LAParams, kids: list[Child]
) -> tuple[list[Household], dict[int, list[Post]], list[Audit]]:
    workforce: dict[int, list[Post]] = {}
    for y in years:
        rng = fast_stream(seed, la, y, "workforce")
        fte = max(3.0, p.sw_fte * scale)
        # the DfE rates are in FTE: vacant / (vacant + employed), agency / (agency + employed);
        # an employed post averages EMPLOYED_FTE, so per employed post there are
        # v/(1-v)*EMPLOYED_FTE vacant and a/(1-a)*EMPLOYED_FTE agency (full-time) posts
        vacancy = min(0.9, p.vacancy_rate_pct / 100)
        agency = min(0.9, p.agency_rate_pct / 100)
        w_vac = vacancy / (1 - vacancy) * EMPLOYED_FTE
        w_agy = agency / (1 - agency) * EMPLOYED_FTE
        total = 1 + w_vac + w_agy
        in_post = (EMPLOYED_FTE + w_agy) / total  # FTE in post per post
        n_posts = max(3, round(fte / in_post * (1 + rng.normal(0, 0.03))))
        posts = []
        # stratified draws: a small LA's rates and caseload land near its published ones
        strat, strat_cases = Stratified(rng), Stratified(rng)
        for i in range(n_posts):
            u = strat.next() * total
            status = "vacant" if u < w_vac else "agency" if u < w_vac + w_agy else "employed"
            post_fte = (
                1.0
                if status != "employed" or rng.random() < 0.85
                else float(rng.choice([0.5, 0.6, 0.8]))
            )
            holding = status != "vacant" and rng.random() < 0.8
            # cases in proportion to the post's FTE: cases / FTE averages the caseload
            cases = (
                max(1, round(post_fte * (p.caseload + 3 * _z(strat_cases.next()))))
                if holding
                else None
            )
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
