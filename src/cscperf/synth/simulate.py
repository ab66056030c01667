"""Simulate one LA's children, event by event, over the whole span of years.

Each reporting year draws from its own random streams (see :mod:`.rng`), so an
LA's data never depends on which other LAs are generated. Flows that the
headline KPIs measure (referrals, S47s, ICPCs, CP and care starts) are set
from the LA's calibration table (CP and care starts year by year, as published),
and durations are chosen so that the stocks at 31 March (CP plans, children
looked after) land on the published ones. docs/calibration.md shows the result.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import date, timedelta

import numpy as np

from cscperf.synth import care, shortbreaks
from cscperf.synth import tables as T
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
from cscperf.synth.local import simulate_local
from cscperf.synth.model import S47, Assessment, Child, Contact, CPPlan, EarlyHelp, Referral, World
from cscperf.synth.params import (
    UASC_SHARE_CAP,
    LAParams,
    get_params,
    population,
    recent_starts_per_10k,
    starts_per_10k,
)
from cscperf.synth.postcodes import FarShare, PostcodeBook, book
from cscperf.synth.rng import SQRT2_STEP, FastRNG, Stratified, fast_stream, pick, stream

WARM_UP = 2  # years of front-door history before the first output year
#: of second or subsequent CP plans, the share whose earlier plan predates our records
#: (before the simulated history, or in another LA): NumberOfPreviousCPP > 0 on a new child
P_PREVIOUS_ELSEWHERE = 0.25
CARE_HISTORY = 18  # years of care entries simulated before that, for the stock
#: a child's next CP plan starts at least this long after the last one ended (3 months)
REPEAT_CP_GAP_DAYS = 91
#: mean years beyond two of the CP plans that last two years or more
CP_TAIL_YEARS = 0.4
#: share of children looked after at 31 March placed with parents or in other placements
#: the distance measure cannot count (P1 at home): the far share is scaled up by it
NOT_PLACED_AWAY = 0.05


def trunc_exp_rate(a: float, b: float, mean: float) -> float:
    """Rate λ of the exponential truncated to [a, b) whose mean is ``mean`` (λ < 0: rising
    density; the mean is clamped just inside (a, b))."""
    mean = min(max(mean, a + 0.01 * (b - a)), b - 0.01 * (b - a))
    w = b - a

    def mean_of(lam: float) -> float:
        if abs(lam) < 1e-9:
            return a + w / 2
        return a + 1 / lam - w / math.expm1(lam * w)

    lo, hi = -200.0 / w, 200.0 / w
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if mean_of(mid) < mean else (mid, hi)
    return (lo + hi) / 2


def trunc_exp_quantile(a: float, b: float, lam: float, u: float) -> float:
    """The ``u`` quantile of the exponential with rate ``lam`` truncated to [a, b)."""
    if abs(lam) < 1e-9:
        return a + u * (b - a)
    return a - math.log1p(-u * -math.expm1(-lam * (b - a))) / lam


def _cp_gap_ok(child: Child, d: date) -> bool:
    """Whether a CP plan may start for ``child`` on ``d``: every earlier plan in our
    records ended at least :data:`REPEAT_CP_GAP_DAYS` before (plans elsewhere: no dates)."""
    ends = [p.end for r in child.referrals for p in r.cp_plans]
    return all(e is not None and e <= d - timedelta(days=REPEAT_CP_GAP_DAYS) for e in ends)


def _adopted(child: Child) -> bool:
    """Adopted children leave our records: a later referral would be a new identity."""
    return any(p.rec in ("E11", "E12") for p in child.care)


def _band_age(rng: FastRNG, bands: tuple[tuple[int, int, float], ...]) -> int:
    u, acc = rng.random() * sum(b[2] for b in bands), 0.0
    for lo, hi, w in bands:
        acc += w
        if u < acc:
            return lo + int(rng.random() * (hi - lo + 1))
    return bands[-1][1]


def _uasc_age(rng: FastRNG) -> int:
    """UASC arrive as older teenagers: 14 (10%), 15 (20%), 16 or 17 (35% each)."""
    u = rng.random()
    return 14 if u < 0.1 else 15 if u < 0.3 else 16 if u < 0.65 else 17


#: UASC entry ages (whole years; the exact age adds up to a year): see :func:`_uasc_age`
UASC_AGES = ((14, 0.1), (15, 0.2), (16, 0.35), (17, 0.35))


def uasc_mean_stay(m: float) -> float:
    """Mean years a UASC stays looked after when stays are exponential with mean ``m``,
    cut at 18: E[min(L, X)] = m(1 - e^(-L/m)), averaged over L uniform on [a, a+1]
    (a = 17 - entry age)."""
    total = 0.0
    for age, w in UASC_AGES:
        a = 17 - age
        total += w * (m - m * m * (math.exp(-a / m) - math.exp(-(a + 1) / m)))
    return total


def care_mean_years(
    target_years: float, uasc_share: float = 0.0, adopted_under5: float = 0.0
) -> float:
    """Exponential mean m so that stays capped at 18 average ``target_years``.

    ``adopted_under5`` of the (non-UASC) children starting care under 5 are adopted:
    their stay is the adoption timeline's (:data:`care.MEAN_ADOPTION_DAYS`), not a draw.
    """
    ages = np.concatenate(
        [np.linspace(lo, hi + 0.999, 200) for lo, hi, w in T.CARE_AGES for _ in range(int(w * 20))]
    )
    young = ages < 5
    n_uasc = int(len(ages) * uasc_share / max(1e-9, 1 - uasc_share))
    ages = np.concatenate([ages, np.linspace(14.5, 17.99, n_uasc)])
    young = np.concatenate([young, np.zeros(n_uasc, dtype=bool)])
    left = 18 - ages
    adopted_years = care.MEAN_ADOPTION_DAYS / 365.25
    lo, hi = 0.05, 200.0
    for _ in range(60):
        m = (lo + hi) / 2
        stay = m * (1 - np.exp(-left / m))
        stay = np.where(young, (1 - adopted_under5) * stay + adopted_under5 * adopted_years, stay)
        mean = float(np.mean(stay))
        lo, hi = (m, hi) if mean < target_years else (lo, m)
    return (lo + hi) / 2


class Simulator:
    """Holds one LA's state while its years are simulated in order."""

    def __init__(
        self, la: str, years: tuple[int, ...], seed: int, scale: float, pc: PostcodeBook
    ) -> None:
        self.la, self.years, self.seed, self.scale, self.pc = la, years, seed, scale, pc
        self.p: LAParams = get_params(la)
        self.horizon = year_end(max(years))
        self.children: dict[str, Child] = {}
        self.contacts: list[Contact] = []
        self.early_help: list[EarlyHelp] = []
        self.recent: deque[tuple[date, str]] = deque()
        self._next_id = 0
        self._lite_id = 0
        self.front_door_lists = True  # contacts and early help, only needed for Annex A
        p = self.p
        # starts follow the published series year by year; stays are set so that the
        # stock at the last 31 March is the published one given the recent starts
        # (stays of about 2-3 years: 3 years of care starts; CP plans about 1: 2 years)
        cla_recent, _ = recent_starts_per_10k(la, max(years), 3)
        _, cp_recent = recent_starts_per_10k(la, max(years), 2)
        # UASC: the share of starts that makes the published UASC count at 31 March, given
        # how long they stay (until 18 at most), which depends on the mean stay: iterate
        self.uasc_share = p.uasc_share
        latest_starts = starts_per_10k(la, max(years))[0] * population(la, max(years) - 1)
        for _ in range(3):
            self.cla_mean = care_mean_years(
                max(p.cla_rate_per_10k, 1) / max(cla_recent, 1),
                self.uasc_share,
                self._adopt_share(),
            )
            if p.uasc_children >= 0:
                stay = uasc_mean_stay(self.cla_mean)
                self.uasc_share = min(
                    UASC_SHARE_CAP, p.uasc_children / stay / max(latest_starts / 10_000, 1)
                )
        cp_years = max(p.cp_rate_per_10k, 0.5) / max(cp_recent, 1)
        self.cp_min, self.cp_mean = min(0.16, cp_years / 2), cp_years
        # plan lengths: the published share of plans lasting 2+ years get 2 years plus an
        # exponential tail; the rest a truncated exponential on [cp_min, 2) whose mean makes
        # the overall mean cp_years (the stock / starts of a steady state)
        self.cp_long = min(0.5, max(0.0, p.cp_ended_2yrs_pct / 100))
        short = (cp_years - self.cp_long * (2 + CP_TAIL_YEARS)) / (1 - self.cp_long)
        self.cp_rate = trunc_exp_rate(self.cp_min, 2.0, short)
        # placements outside the LA and over 20 miles: UASC (never counted) and children
        # placed at home dilute the measure, so the far share is scaled up by them
        uasc_stock = min(
            0.9, self.uasc_share * uasc_mean_stay(self.cla_mean) * max(p.cla_starts_per_10k, 1)
            / max(p.cla_rate_per_10k, 1),
        )  # fmt: skip
        self.far = FarShare(
            min(0.9, p.placed_over_20_miles_pct / 100 / (1 - uasc_stock) / (1 - NOT_PLACED_AWAY)),
            Stratified(stream(seed, la, 0, "far-placements"), SQRT2_STEP),
        )
        self.care_strat = Stratified(stream(seed, la, 0, "care-durations"))
        self.cp_strat = Stratified(stream(seed, la, 0, "cp-durations"))
        self.rr_strat = Stratified(stream(seed, la, 0, "rereferral"))
        self.adopt_strat = Stratified(stream(seed, la, 0, "adoption"))
        self.sub_strat = Stratified(stream(seed, la, 0, "cp-subsequent"))
        # drawn beside each plan's length (cp_strat): another step, or the two correlate
        self.review_strat = Stratified(stream(seed, la, 0, "cp-reviews"), SQRT2_STEP)
        self.cp_pool: list[str] = []  # children with a CP plan: candidates for another
        self._pooled: set[str] = set()

    # --- people ---------------------------------------------------------------
    def new_child(self, rng: FastRNG, on: date, age: int, uasc: bool = False) -> Child:
        self._next_id += 1
        cid = f"{self.la}{self._next_id:07d}"
        dob = on - timedelta(days=int(age * 365.25 + rng.integers(0, 365)))
        dob = min(dob, on)
        sex = 1 if (rng.random() < (0.93 if uasc else 0.52)) else 2
        eth = pick(rng, T.UASC_ETHNICITY if uasc else T.ETHNICITY)
        letter = "ABCDEFGHJKLMNPQRTUVWXYZ"[int(rng.integers(23))]
        upn = f"{letter}{int(rng.integers(10**11)):011d}{int(rng.integers(10))}"
        dis: tuple[str, ...] = ("NONE",)
        if rng.random() >= 0.87:
            dis = tuple(sorted({T.DISABILITY[rng.integers(7)] for _ in range(rng.integers(1, 3))}))
        home = self.pc.home(self.la, rng)
        child = Child(cid, sex, dob, eth, upn, dis, home, uasc=uasc)
        self.children[cid] = child
        return child

    def pick_rereferral(self, rng: FastRNG, d: date, prior_cp: bool | None = None) -> Child | None:
        """A child referred in the last 12 months and free again; ``prior_cp`` filters on
        whether they have had a CP plan (None: either)."""
        while self.recent and self.recent[0][0] < add_months(d, -12):
            self.recent.popleft()
        if not self.recent:
            return None
        for _ in range(8):
            ref_date, cid = self.recent[int(rng.integers(len(self.recent)))]
            c = self.children[cid]
            if (
                ref_date < d
                and c.free_from is not None
                and c.free_from <= d
                and age_at(c.dob, d) < 17
                and (prior_cp is None or (c.cp_plans_so_far > 0) == prior_cp)
                and (not prior_cp or _cp_gap_ok(c, d))
                and not _adopted(c)
            ):
                return c
        return None

    def pick_repeat_cp(self, rng: FastRNG, d: date) -> Child | None:
        """A child whose last CP plan ended 3 months to 6 years before ``d``, free, under 16.

        Children adopted or still looked after are not candidates. Stale entries
        are dropped as they are met, so the pool stays the size of recent history.
        """
        pool = self.cp_pool
        for _ in range(12):
            if not pool:
                return None
            i = int(rng.integers(len(pool)))
            c = self.children[pool[i]]
            ends = [p.end for r in c.referrals for p in r.cp_plans]
            if None in ends:
                continue  # still on a plan (open at the horizon)
            ended = max(e for e in ends if e is not None)
            if ended < d - timedelta(days=6 * 365) or age_at(c.dob, d) >= 16:
                pool[i] = pool[-1]
                pool.pop()
                continue
            if (
                ended <= d - timedelta(days=REPEAT_CP_GAP_DAYS)
                and c.free_from is not None
                and c.free_from <= d
                and not _adopted(c)
            ):
                return c
        return None

    # --- the year's front door ------------------------------------------------
    def year(self, y: int, care_only: bool) -> None:
        rng = fast_stream(self.seed, self.la, y, "front")
        p, k = self.p, population(self.la, y - 1) * self.scale / 10_000
        ys = year_start(y)
        cla_rate, cp_rate = starts_per_10k(self.la, y)
        starts = cla_rate * k
        n_uasc = round(starts * self.uasc_share + rng.random() - 0.5)
        n_cla = max(0, round(starts - n_uasc + rng.random() - 0.5))
        if care_only:
            for d in self._dates(rng, n_cla + n_uasc, ys):
                self._care_only(rng, d, uasc=rng.random() < n_uasc / max(1, n_cla + n_uasc))
            return
        n_ref = int(rng.poisson(p.referral_rate_per_10k * k))
        n_cp = round(cp_rate * k)
        n_icpc = max(n_cp, round(p.icpc_rate_per_10k * k))
        n_s47 = max(n_icpc, round(p.s47_rate_per_10k * k))
        n_cp_cla = round(min(0.3 * n_cla, 0.3 * n_cp))
        fixed = {
            "cla": n_cla - n_cp_cla,
            "cp_cla": n_cp_cla,
            "cp": n_cp - n_cp_cla,
            "icpc": n_icpc - n_cp,
            "s47": n_s47 - n_icpc,
            "nfa": round(p.nfa_pct / 100 * n_ref),
        }
        sb_rng = fast_stream(self.seed, self.la, y, "short-breaks")
        n_sb = max(0, round(shortbreaks.STARTS_PER_10K * k + sb_rng.random() - 0.5))
        n_ref = max(n_ref - n_uasc - n_sb, sum(fixed.values()))
        routes = [r for r, n in fixed.items() for _ in range(n)]
        rest = n_ref - len(routes)
        n_cin = int(rest * 0.45)
        routes += ["cin"] * n_cin + ["nin"] * (rest - n_cin)
        routes = [routes[i] for i in rng.permutation(len(routes))]
        dates = self._dates(rng, len(routes), ys)
        # a list, not a set: two UASC may arrive on one day (a set lost a quarter of a
        # large LA's arrivals)
        uasc_dates = self._dates(rng, n_uasc, ys) if n_uasc else []
        events = sorted(
            [(d, r) for d, r in zip(dates, routes, strict=True)] + [(d, "uasc") for d in uasc_dates]
        )
        sub_share = p.cp_subsequent_pct / 100
        for d, route in events:
            if route == "uasc":
                child = self.new_child(rng, d, _uasc_age(rng), uasc=True)
            else:
                child = None
                cp_route = route in ("cp", "cp_cla")
                # second or subsequent plans: a share of CP-route referrals go to a child
                # with an earlier plan; first plans only to children without one
                want_sub = cp_route and self.sub_strat.next() < sub_share
                if self.rr_strat.next() < p.rereferral_pct / 100:
                    child = self.pick_rereferral(rng, d, want_sub if cp_route else None)
                if child is None and want_sub and rng.random() >= P_PREVIOUS_ELSEWHERE:
                    child = self.pick_repeat_cp(rng, d)
                if child is None:
                    bands = (
                        T.CARE_AGES
                        if route in ("cla", "cp_cla")
                        else T.CP_AGES
                        if route == "cp"
                        else T.REF_AGES
                    )
                    child = self.new_child(rng, d, _band_age(rng, bands))
                    if want_sub:  # earlier plans before our records or in another LA
                        child.cp_plans_so_far = 1 if rng.random() < 0.75 else 2
            assert child is not None
            self._journey(rng, child, d, route)
            self.recent.append((d, child.id))
        for d in self._dates(sb_rng, n_sb, ys):
            self._short_break_child(sb_rng, d)
        # contacts that did not become referrals, and early help
        if not self.front_door_lists:
            return
        for d in self._dates(rng, int(n_ref * 1.6), ys):
            c = self._lite(rng, d)
            self.contacts.append(Contact(c[0], c[1], c[2], c[3], d, pick(rng, T.SOURCES)))
        for d in self._dates(rng, int(n_ref * 0.5), ys):
            c = self._lite(rng, d)
            end = add_days(d, rng.gamma(2.0, 60.0))
            org = pick(rng, (("Early Help Hub", 0.5), ("School", 0.3), ("Health Visiting", 0.2)))
            self.early_help.append(EarlyHelp(c[0], c[1], c[2], c[3], d, end, org))

    def _lite(self, rng: FastRNG, d: date) -> tuple[str, int, str, date]:
        """A child seen only at a contact or in early help (Annex A lists 1-2)."""
        self._lite_id += 1
        dob = d - timedelta(days=int(_band_age(rng, T.REF_AGES) * 365.25 + rng.integers(0, 365)))
        return (
            f"{self.la}C{self._lite_id:06d}",
            1 if rng.random() < 0.52 else 2,
            pick(rng, T.ETHNICITY),
            dob,
        )

    @staticmethod
    def _dates(rng: FastRNG, n: int, ys: date) -> list[date]:
        """n dates in the year starting ``ys``, weekdays much likelier than weekends."""
        days = [ys + timedelta(days=rng.integers(0, 365)) for _ in range(n)]
        out = []
        for d in days:
            if d.weekday() >= 5 and rng.random() < 0.8:
                d += timedelta(days=7 - d.weekday())
            out.append(d)
        return sorted(out)

    # --- journeys -------------------------------------------------------------
    def _referral(self, rng: FastRNG, child: Child, d: date, nfa: bool = False) -> Referral:
        team = T.TEAMS[int(rng.integers(0, 2))]
        source = pick(rng, T.SOURCES)
        if source == "5D" and return_year(d) < 2023:  # 5D exists from the 2023 census
            source = "5C"
        ref = Referral(
            d,
            source,
            pick(rng, T.NEEDS),
            nfa,
            team=team,
            worker=f"Worker {int(rng.integers(1, 120)):03d}",
        )
        child.referrals.append(ref)
        return ref

    def _assess(self, rng: FastRNG, ref: Referral, start: date) -> Assessment:
        on_time = rng.random() < self.p.assessments_45wd_pct / 100
        wd = int(rng.gamma(2.2, 10.0)) + 3 if on_time else int(rng.integers(46, 90))
        wd = min(wd, 45) if on_time else wd
        auth = add_wd(start, wd)
        ry = return_year(auth)
        factors = {T.FACTORS[rng.integers(len(T.FACTORS))] for _ in range(rng.integers(1, 4))}
        if ry < 2022:  # 24A from 2022; 18B/18C/19B/19C from 2021
            factors = {"23A" if f == "24A" else f for f in factors}
        if ry < 2021:
            factors = {"18A" if f == "18B" else f for f in factors}
        a = Assessment(start, auth, tuple(sorted(factors)), child_seen=rng.random() < 0.97)
        ref.assessments.append(a)
        return a

    def _close(self, child: Child, ref: Referral, when: date | None, reason: str) -> None:
        if reason == "RC9" and when and return_year(when) < 2023:  # RC9 exists from 2023
            reason = "RC8"
        ref.closure, ref.reason = when, reason if when else None
        child.free_from = (when + timedelta(days=1)) if when else None

    def _journey(self, rng: FastRNG, child: Child, d: date, route: str) -> None:
        if route == "nfa":
            ref = self._referral(rng, child, d, nfa=True)
            self._close(child, ref, d, "RC8")
            return
        near_18 = birthday(child.dob, 18) < d + timedelta(days=120)
        if near_18 and route not in ("uasc", "nin", "cin"):
            route = "cin"  # too close to 18 for a protection plan or care to start
        ref = self._referral(rng, child, d)
        if route == "uasc":
            ref.source, ref.need = "6", "N8"
            self._assess(rng, ref, d)
            self._start_care(rng, child, ref, d, "N8")
            return
        s47_routes = ("cp", "cp_cla", "icpc", "s47")
        a_start = add_wd(d, int(rng.integers(0, 4)))
        a = self._assess(rng, ref, a_start)
        if route in s47_routes:
            s_start = add_wd(d, int(rng.integers(0, 3)))
            target = add_wd(s_start, 15)
            if route == "s47":
                ref.s47.append(S47(s_start, target, None, True))
                self._cin_or_close(rng, child, ref, a.authorised, 0.4)
                return
            icpc = add_wd(
                s_start,
                int(rng.integers(5, 15))
                if rng.random() < self.p.icpc_15wd_pct / 100
                else int(rng.integers(16, 30)),
            )
            ref.s47.append(S47(s_start, target, icpc, False, plan_followed=route != "icpc"))
            if route == "icpc":
                self._cin_or_close(rng, child, ref, max(icpc, a.authorised), 0.7)
                return
            plan = self._cp_plan(rng, child, ref, icpc)
            if route == "cp_cla":
                self._start_care(rng, child, ref, plan.end or self.horizon, ref.need)
                return
            if plan.end is None:
                self._close(child, ref, None, "")
            else:
                self._cin_or_close(rng, child, ref, plan.end, 0.5)
            return
        if route == "cla":
            start = d if rng.random() < 0.35 else a.start + timedelta(days=int(rng.integers(1, 90)))
            if start >= birthday(child.dob, 18):
                start = d
            self._start_care(rng, child, ref, start, ref.need)
            return
        if route == "cin":
            self._cin_or_close(rng, child, ref, a.authorised, 1.0)
            return
        self._close(child, ref, a.authorised, "RC8" if rng.random() < 0.8 else "RC9")

    def _cin_or_close(
        self, rng: FastRNG, child: Child, ref: Referral, after: date, p_plan: float
    ) -> None:
        if rng.random() < p_plan:
            start = add_wd(after, int(rng.integers(0, 8)))
            end = add_days(start, 30 + rng.gamma(2.0, 90.0))
            end = min(end, birthday(child.dob, 18) - timedelta(days=1))
            end = max(end, start)
            ref.cin_plans.append((start, end))
            self._close(child, ref, end, "RC7")
        else:
            self._close(child, ref, after, "RC8" if rng.random() < 0.85 else "RC9")

    def cp_plan_years(self, u: float) -> float:
        """The length in years of the CP plan at quantile ``u``: the first cp_long of them
        last 2 years or more, the rest come from the truncated exponential on [cp_min, 2)."""
        if u < self.cp_long:
            return 2.0 - CP_TAIL_YEARS * math.log(1 - u / self.cp_long)
        v = (u - self.cp_long) / (1 - self.cp_long)
        return trunc_exp_quantile(self.cp_min, 2.0, self.cp_rate, v)

    def _cp_plan(self, rng: FastRNG, child: Child, ref: Referral, start: date) -> CPPlan:
        years = self.cp_plan_years(self.cp_strat.next())
        end = add_days(start, max(1.0, years * 365.25))
        end = min(end, birthday(child.dob, 18) - timedelta(days=1))
        cat = pick(rng, T.CATEGORY)
        latest = cat if rng.random() < 0.9 else pick(rng, T.CATEGORY)
        plan = CPPlan(
            start, max(end, start + timedelta(days=1)), cat, latest, child.cp_plans_so_far
        )
        child.cp_plans_so_far += 1
        # the LA's published share of plans have every review on time; the others a late
        # first review (a later one would often fall after the plan ends or after 31
        # March, and the published share is of children on a plan then)
        on_time = self.review_strat.next() < self.p.cp_reviews_timely_pct / 100
        late = -1 if on_time else 0
        # due 3 months after the start (about 64 working days), then every 6 months
        r = add_wd(start, int(rng.integers(70, 90)) if late == 0 else int(rng.integers(40, 63)))
        n = 0
        while plan.end and r < plan.end:
            plan.reviews.append(r)
            n += 1
            due = add_months(r, 6)
            r = (
                due + timedelta(days=int(rng.integers(15, 40)))
                if n == late
                else due - timedelta(days=int(rng.integers(0, 14)))
            )
        ref.cp_plans.append(plan)
        if child.id not in self._pooled:  # a candidate for a later plan
            self._pooled.add(child.id)
            self.cp_pool.append(child.id)
        return plan

    def _start_care(
        self,
        rng: FastRNG,
        child: Child,
        ref: Referral,
        start: date,
        need: str,
        length: float | None = None,
    ) -> None:
        if start >= birthday(child.dob, 18):  # never looked after at 18 or over
            self._close(child, ref, start, "RC7")
            return
        if length is None:
            length = -self.cla_mean * math.log(1 - self.care_strat.next()) * 365.25
        age = age_at(child.dob, start)
        adopt = (
            not child.uasc
            and age < 5
            and self.adopt_strat.next() < self._adopt_share()
            and start + timedelta(days=400) < birthday(child.dob, 18)
        )
        period = care.build_period(
            rng,
            child,
            self.la,
            self.pc,
            start,
            length,
            adopt,
            need if need != "N9" else "N1",
            far=self.far,
        )
        child.care.append(period)
        end = period.end
        closing = {
            "E11": "RC1",
            "E12": "RC1",
            "E45": "RC4",
            "E46": "RC4",
            "E47": "RC4",
            "E48": "RC4",
            "E41": "RC3",
            "E3": "RC5",
            "E7": "RC6",
        }
        self._close(child, ref, end, closing.get(period.rec or "", "RC7"))

    def _short_break_child(self, rng: FastRNG, d: date) -> None:
        """A disabled child referred for short breaks: a CIN plan for the arrangement's
        length and V3/V4 episodes during it (never in :attr:`recent`: not re-referred)."""
        child = self.new_child(rng, d, 4 + int(rng.integers(0, 12)))
        child.disability = shortbreaks.disabilities(rng)
        ref = self._referral(rng, child, d)
        ref.need, ref.team = "N2", "Disabled Children Team"
        a = self._assess(rng, ref, add_wd(d, int(rng.integers(0, 4))))
        start = add_wd(a.authorised, int(rng.integers(0, 8)))
        end = shortbreaks.arrangement_end(rng, child, start)
        if end <= start:
            self._close(child, ref, a.authorised, "RC8")
            return
        ref.cin_plans.append((start, end))
        child.short_breaks = shortbreaks.episodes(rng, child, self.la, self.pc, start, end)
        adult = end >= birthday(child.dob, 18) - timedelta(days=1)
        self._close(child, ref, end, "RC6" if adult else "RC7")

    def _adopt_share(self) -> float:
        """Share of non-UASC under-5 care starts that end in adoption, so that the LA's
        adoptions per year match its target (every child chosen is adopted: the whole
        timeline fits well before 18)."""
        p = self.p
        weights = sum(w for _, _, w in T.CARE_AGES)
        young = sum(w for lo, _, w in T.CARE_AGES if lo < 5) / weights
        under5 = p.cla_starts_per_10k * (1 - self.uasc_share) * young * p.child_population / 10_000
        return min(0.85, p.adoptions_per_year / max(under5, 0.1))

    def _care_only(self, rng: FastRNG, d: date, uasc: bool) -> None:
        """A care entry before the front-door history: only its care matters."""
        age = _uasc_age(rng) if uasc else _band_age(rng, T.CARE_AGES)
        u = self.care_strat.next()
        length = -self.cla_mean * math.log(1 - u) * 365.25
        first_needed = year_start(min(self.years) - WARM_UP)
        if (
            d + timedelta(days=length + 450) < first_needed
            or d + timedelta(days=(18 - age) * 365.25) < first_needed
        ):
            return  # would have left care before any return we write
        child = self.new_child(rng, d, age, uasc=uasc)
        ref = self._referral(rng, child, d - timedelta(days=int(rng.integers(0, 30))))
        self._assess(rng, ref, ref.date)
        self._start_care(rng, child, ref, d, "N8" if uasc else ref.need, length)


def simulate(
    la: str,
    years: tuple[int, ...],
    seed: int,
    scale: float = 1.0,
    pc: PostcodeBook | None = None,
    contacts: bool = True,
) -> World:
    """The whole simulated history of ``la`` covering ``years``.

    ``contacts=False`` skips contacts and early help (used only by Annex A);
    nothing else changes, as they are drawn last from each year's stream.
    """
    pc = pc or book()
    sim = Simulator(la, years, seed, scale, pc)
    sim.front_door_lists = contacts
    first = min(years) - WARM_UP
    for y in range(first - CARE_HISTORY, first):
        sim.year(y, care_only=True)
    for y in range(first, max(years) + 1):
        sim.year(y, care_only=False)
    kids = sorted(sim.children.values(), key=lambda c: c.id)
    in_care = [c for c in kids if c.care]
    care.add_moves(
        in_care,
        la,
        pc,
        fast_stream(seed, la, 0, "moves"),
        range(first, max(years) + 1),
        sim.p.pct_3plus_placements,
        sim.p.long_term_stability_pct,
        sim.far,
    )
    teens = care.teen_share(in_care, range(min(years), max(years) + 1))
    for c in in_care:
        rng = fast_stream(seed, la, c.care[0].start.year, f"care-detail-{c.id}")
        for period in c.care:
            care.add_reviews_missing_sw(
                rng,
                c,
                period,
                sim.horizon,
                max(20, int(sim.p.sw_fte * scale)),
                sim.p.cla_missing_pct,
                sim.p.cla_away_pct,
                teens,
            )
    pops = {y - 1: int(population(la, y - 1) * scale) for y in range(first, max(years) + 1)}
    local = simulate_local(la, years, seed, scale, sim.p, kids)
    return World(
        la, tuple(years), pops, sim.children, sim.contacts, sim.early_help, *local, seed=seed
    )
