"""Which KPIs get a year-end forecast, and how.

* ``FLOW``: counts of events in the period (adoptions, starts, referrals...): the
  year's outturn is the year-to-date count plus the months still to come, so they
  are projected from monthly counts with their seasonality.
* ``LEVEL``: values that describe the position *at* the period end (stocks such as
  children looked after, snapshot percentages, rolling-window rates): the year's
  outturn is the value at 31 March, so they get a trajectory of the month-end series.
* anything else (a percentage or average over the year's events, or a KPI computed
  for reporting years only) has no in-year projection: :data:`NOT_FORECAST` says why.

The sets are explicit (a test checks every KPI of the catalogue is in exactly one)
because a wrong guess would silently sum a stock or extrapolate a ratio. They may
name KPIs of the catalogue document whose definitions are not written yet.
"""

from __future__ import annotations

FLOW = frozenset(
    {
        "adoptions",
        "assessments_completed",
        "case_audits",
        "cla_ceased",
        "cla_starts",
        "contacts",
        "cp_ends",
        "cp_starts",
        "foster_households_recruited",
        "missing_incidents",
        "referrals",
        "s47_enquiries",
    }
)

LEVEL = frozenset(
    {
        "adoption_a1_days_3yr",
        "assessment_rate",
        "cin_children",
        "cin_rate",
        "cla_3plus_placements",
        "cla_children",
        "cla_long_term_stability",
        "cla_placed_in_la",
        "cla_placed_over_20_miles_out",
        "cla_rate",
        "cp_children",
        "cp_end_rate",
        "cp_open_2yrs",
        "cp_rate",
        "cp_reviews_timely",
        "referral_rate",
        "s47_rate",
        "sw_agency_cost_premium",
        "sw_agency_rate",
        "sw_caseload",
        "sw_vacancy_rate",
        "uasc_children",
    }
)

_OVER_EVENTS = "a percentage or average over the year's events: no in-year projection"
_YEAR_ONLY = "computed for reporting years only: no monthly series to project"
_SNAPSHOT = "from the year-end Annex A list: its month-end values are not a series"

NOT_FORECAST: dict[str, str] = {
    **{
        k: _OVER_EVENTS
        for k in (
            "adoption_a10_days",
            "adoption_a1_days",
            "adoption_a2_days",
            "adoption_a2_days_period",
            "adoptions_pct",
            "assessments_45wd",
            "away_children",
            "case_audits_good_pct",
            "cla_missing_children",
            "cla_returned_home_days",
            "cla_reviews_timely",
            "cp_ended_2yrs",
            "cp_subsequent",
            "icpc_15wd",
            "initial_health_assessments_20wd",
            "referrals_nfa",
            "rereferrals_12m",
            "rhi_accepted",
            "rhi_completed_72h",
            "rhi_offered",
        )
    },
    **{
        k: _YEAR_ONLY
        for k in (
            "care_leavers_eet_17_18",
            "care_leavers_eet_19_21",
            "care_leavers_not_in_touch",
            "care_leavers_suitable_accommodation",
            "cla_dental_checks",
            "cla_health_assessments",
            "cla_sdq_average",
        )
    },
    "care_leavers_pathway_plans": _SNAPSHOT,
}


def kind(kpi_id: str) -> str | None:
    """``'flow'``, ``'level'`` or None (see :data:`NOT_FORECAST` for why)."""
    if kpi_id in FLOW:
        return "flow"
    if kpi_id in LEVEL:
        return "level"
    return None
