"""The simulated world of one LA: children and the events of their journeys.

Plain dataclasses; the writers turn them into each year's return by keeping
what that year's return would hold and blanking dates after its 31 March.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

Day = _dt.date


@dataclass
class Assessment:
    start: Day
    authorised: Day
    factors: tuple[str, ...]
    child_seen: bool = True


@dataclass
class S47:
    start: Day
    icpc_target: Day
    icpc: Day | None
    icpc_not_required: bool
    plan_followed: bool = False


@dataclass
class CPPlan:
    start: Day
    end: Day | None
    initial_category: str
    latest_category: str
    previous: int
    reviews: list[Day] = field(default_factory=list)


@dataclass
class Referral:
    date: Day
    source: str
    need: str
    nfa: bool
    closure: Day | None = None
    reason: str | None = None
    assessments: list[Assessment] = field(default_factory=list)
    s47: list[S47] = field(default_factory=list)
    cin_plans: list[tuple[Day, Day | None]] = field(default_factory=list)
    cp_plans: list[CPPlan] = field(default_factory=list)
    team: str = ""
    worker: str = ""


@dataclass
class Episode:
    decom: Day
    rne: str
    ls: str
    cin: str
    place: str
    provider: str
    pl_post: str
    pl_la: str
    urn: str
    dec: Day | None = None
    rec: str | None = None
    reason_change: str | None = None


@dataclass
class Missing:
    kind: str  # M or A
    start: Day
    end: Day | None
    rhi_offered: bool = False
    rhi_accepted: bool = False
    rhi_date: Day | None = None


@dataclass
class Adoption:
    decision: Day  # ADM decision that the child should be placed (903 DATE_PLACED)
    placement_order: Day | None
    match: Day | None
    placed: Day | None
    order: Day | None  # adoption order = care end (E11/E12)
    ceased_reason: str | None  # E11/E12 or RD1-RD4 when the plan changed
    ceased: Day | None
    foster_care: bool
    nb_adopters: str
    sex_adopters: str
    ls_adopters: str


@dataclass
class CarePeriod:
    start: Day
    end: Day | None
    episodes: list[Episode]
    reviews: list[tuple[Day, str]] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    social_workers: list[tuple[str, Day, Day | None, str | None]] = field(default_factory=list)
    adoption: Adoption | None = None
    iha_requested: Day | None = None
    iha_date: Day | None = None
    category_of_need: str = "N1"

    @property
    def rec(self) -> str | None:
        return self.episodes[-1].rec if self.end else None


@dataclass
class Child:
    id: str
    sex: int  # 1 male, 2 female
    dob: Day
    ethnicity: str
    upn: str
    disability: tuple[str, ...]
    home_post: str
    uasc: bool = False
    referrals: list[Referral] = field(default_factory=list)
    care: list[CarePeriod] = field(default_factory=list)
    cp_plans_so_far: int = 0
    free_from: Day | None = None  # earliest date a new CIN episode may start
    short_breaks: list[Episode] = field(default_factory=list)  # V3/V4, each its own episode

    @property
    def duc(self) -> Day:
        """UASC status ceases at 18 (a 29 February birthday counts from 28 February)."""
        d = self.dob
        return Day(d.year + 18, d.month, 28 if (d.month, d.day) == (2, 29) else d.day)


@dataclass
class Contact:
    child_id: str
    sex: int
    ethnicity: str
    dob: Day
    date: Day
    source: str


@dataclass
class EarlyHelp:
    child_id: str
    sex: int
    ethnicity: str
    dob: Day
    start: Day
    end: Day | None
    organisation: str


@dataclass
class Household:
    id: str
    enquiry: Day
    approval: Day | None
    deregistration: Day | None
    reason: str | None
    kind: str
    places: int


@dataclass
class Post:
    id: str
    team: str
    status: str
    fte: float
    case_holding: bool
    cases: int | None
    cost: float | None


@dataclass
class Audit:
    id: str
    child_id: str
    date: Day
    team: str
    worker: str
    grade: str


@dataclass
class World:
    """Everything simulated for one LA over the whole span."""

    la_code: str
    years: tuple[int, ...]
    population: dict[int, int]  # mid-year -> 0-17 population (scaled)
    children: dict[str, Child]
    contacts: list[Contact]
    early_help: list[EarlyHelp]
    households: list[Household]
    workforce: dict[int, list[Post]]  # return year -> posts at its 31 March
    audits: list[Audit]
    seed: int = 0
    #: derived look-ups built once by the writers (see :mod:`.views`), not data
    cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
