"""The five answers (issue 12 § 6): each turns its SQL's rows into an AnswerTable.

Why here and not in SQL: labels, row order, totals, percentages of a total and the
notes (definition, source, caveats) are presentation of the counts, the same for
every output; the counting itself is in the ``.sql`` files beside this module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from cscperf.answers.model import AnswerTable, Cell
from cscperf.answers.run import Answering

#: below this a count is a small number (see SMALL_NOTE)
SMALL = 5
SMALL_NOTE = (
    " Small numbers: some counts are below 5, so a change of one child moves the figures "
    "a lot; they are shown, not suppressed, because this table is for the committee's "
    "scrutiny as the other figures in the report are — replace counts under 5 with 'c' "
    "before publishing it outside the committee papers."
)


def long_date(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def between(a: Answering) -> str:
    """'1 April 2024 and 31 March 2025', to follow "between"."""
    return f"{long_date(a.start)} and {long_date(a.end)}"


def pct(n: float | None, d: float | None) -> float | None:
    """100 n / d, None when there is no denominator."""
    if n is None or not d:
        return None
    return 100.0 * n / d


def _small(counts: Sequence[Cell]) -> str:
    return SMALL_NOTE if any(isinstance(c, int) and 0 < c < SMALL for c in counts) else ""


def _int(v: object) -> int:
    return int(v) if isinstance(v, int | float) else 0


# --- 1. out-of-borough placements ----------------------------------------------------

_HOME_GROUPS = (
    ("in LA", "Home postcode in the LA"),
    ("elsewhere", "Home postcode elsewhere"),
    ("unknown", "Home postcode not known"),
    ("UASC", "Unaccompanied asylum-seeking (now or formerly)"),
)


def out_of_borough(a: Answering) -> AnswerTable:
    a.kpi("cla_placed_in_la", ("born_in_la", "placement_location"))
    got = {r["home"]: r for r in a.rows("out_of_borough")}
    rows: list[tuple[Cell, ...]] = []
    sums = [0] * 6
    for key, label in _HOME_GROUPS:
        r = got.get(key, {})
        lac, out = _int(r.get("looked_after")), _int(r.get("out_of_borough"))
        near, far = _int(r.get("within_20")), _int(r.get("over_20"))
        unknown_loc = _int(r.get("location_unknown"))
        counts = [lac, out, near, far, out - near - far, unknown_loc]
        sums = [s + c for s, c in zip(sums, counts, strict=True)]
        rows.append((label, lac, out, pct(out, lac), near, far, out - near - far, unknown_loc))
    total: tuple[Cell, ...] = ("All children looked after", sums[0], sums[1], pct(sums[1], sums[0]),
                               *sums[2:])  # fmt: skip
    note = (
        f"Children looked after on {long_date(a.end)} (SSDA903: an open episode other than "
        "short breaks), as the indicator 'placed inside the LA boundary'. Out of borough: the "
        "placement postcode's upper-tier authority in the ONS postcode directory is not this "
        "LA. The 903 records no place of birth, so the child's home postcode before care (the "
        "first HOME_POST recorded) stands in for 'born in the LA': it says where the child "
        "lived, which is usually but not always where they were born. Unaccompanied "
        "asylum-seeking children (in the 903 UASC table, now or formerly) are shown apart "
        "whatever their postcodes. Distance is the straight line between the home and "
        "placement postcodes; it is not known when the home postcode is blank or not in the "
        "directory, and not derived for asylum-seeking children (as the DfE, 903 rule 406). "
        "Children whose placement postcode could not be located are not counted as out of "
        "borough (last column)." + a.caveat("cla_placed_in_la")
    )
    if sums[0] and sums[5] == sums[0]:
        note += (
            " No placement postcode could be located (no postcode data for this LA), so "
            "out-of-borough placements cannot be counted."
        )
    flat: list[Cell] = [c for r in rows for c in r[1:]]
    return AnswerTable(
        id="out_of_borough_by_home",
        question=(
            "How many children placed outside the borough come from the borough, from "
            "elsewhere, or are unaccompanied asylum seekers?"
        ),
        title=f"Children placed out of borough by home area, {long_date(a.end)}",
        columns=("Home area", "Looked after", "Placed out of borough", "% placed out of borough",
                 "Out of borough, 20 miles or less", "Out of borough, over 20 miles",
                 "Out of borough, distance not known", "Placement location not known"),
        units=("text", "count", "count", "percent", "count", "count", "count", "count"),
        rows=tuple(rows) if sums[0] else (),
        total=total if sums[0] else None,
        note=note + _small(flat),
        none=f"No child was looked after on {long_date(a.end)}.",
    )  # fmt: skip


# --- 2. time in care before returning home -------------------------------------------

_RETURN_REASONS = (
    ("E4A", "Returned home as part of the care plan (E4A)"),
    ("E4B", "Returned home, not as part of the care plan (E4B)"),
)


def returned_home(a: Answering) -> AnswerTable:
    a.kpi("cla_returned_home_days")
    got = {r["rec"]: r for r in a.rows("returned_home")}
    total_row = got.get(None, {})
    n = _int(total_row.get("children"))
    rows: list[tuple[Cell, ...]] = []
    for key, label in _RETURN_REASONS:
        r = got.get(key, {})
        rows.append((label, _int(r.get("children")), r.get("mean_days"), r.get("median_days")))
    period = f"{long_date(a.start)} to {long_date(a.end)}"
    note = (
        f"Children whose care ended between {between(a)} with the 903 reason 'returned home to "
        "live with parents or another person with parental responsibility' (REC E4A or E4B), "
        "as the indicator 'days in care before returning home': a child counts once, by the "
        "last time care ended in the period (a child who went home, came back into care and "
        "went home again counts once, from the start of the last period of care; one whose "
        "last ending was not a return home does not count). Days are from the start of that "
        "period of care (contiguous episodes are one period) to the day care ended. The mean "
        "is pulled up by a few long stays; the median is the middle child."
        + a.caveat("cla_returned_home_days")
    )
    return AnswerTable(
        id="time_in_care_before_home",
        question="How long are children in care, on average, before they return home?",
        title=f"Time in care before returning home, {period}",
        columns=("Reason care ended", "Children", "Mean days in care", "Median days in care"),
        units=("text", "count", "days", "days"),
        rows=tuple(rows) if n else (),
        total=("All returns home", n, total_row.get("mean_days"), total_row.get("median_days"))
        if n
        else None,
        note=note + _small([n, *(r[1] for r in rows)]),
        none=f"No child returned home from care between {between(a)}.",
    )


# --- 3. permanent and agency social workers ------------------------------------------


def workforce(a: Answering) -> AnswerTable:
    a.kpi("sw_agency_rate")
    a.kpi("sw_agency_cost_premium")
    by = {r["status"]: r for r in a.rows("workforce")}
    costs = a.rows("workforce_costs")[0]
    emp, agy, vac = by.get("employed", {}), by.get("agency", {}), by.get("vacant", {})
    snap = next((r["snapshot_date"] for r in by.values() if r.get("snapshot_date")), None)
    head = [_int(emp.get("headcount")), _int(agy.get("headcount"))]
    fte = [float(emp.get("fte") or 0), float(agy.get("fte") or 0)]
    share = costs["agency_share"]
    premium = costs["premium"]
    rows: tuple[tuple[Cell, ...], ...] = (
        ("Permanent (employed by the council)", head[0], fte[0],
         None if share is None else 100.0 - 100.0 * share, costs["employed_cost_per_fte"], None),
        ("Agency", head[1], fte[1], None if share is None else 100.0 * share,
         costs["agency_cost_per_fte"], None if premium is None else 100.0 * premium),
    )  # fmt: skip
    when = f"the workforce snapshot of {long_date(snap)}" if snap else "no workforce snapshot"
    if premium is None:
        cost_note = (
            " The cost premium needs an annual_cost for at least one agency and one permanent "
            "post (the optional annual_cost column of the local sw_workforce template); this "
            "snapshot does not have both, so cost is not shown."
        )
    else:
        cost_note = (
            f" Cost per FTE is the group's total annual cost divided by its FTE, over the "
            f"{_int(costs['costed_posts'])} posts with an annual cost and FTE above 0 (the "
            "local sw_workforce template's annual_cost: the full cost of the post a year, for "
            "agency posts the agency's charge); the premium is how much more an agency FTE "
            "costs than a permanent one, as the indicator 'agency cost premium'."
        )
    note = (
        f"Social work posts in {when}, the latest in the period up to {long_date(a.end)} "
        "(local sw_workforce template). Headcount counts filled posts, one worker each; FTE "
        "is their full-time equivalent. The percentage is of in-post FTE, as the indicator "
        f"'agency social workers' and the DfE workforce census. Vacant posts: "
        f"{_int(vac.get('headcount'))} ({float(vac.get('fte') or 0):.1f} FTE), not in the "
        "table." + cost_note + a.caveat("sw_agency_rate")
    )
    n = head[0] + head[1]
    return AnswerTable(
        id="permanent_vs_agency",
        question=(
            "How many of our social workers are permanent and how many agency, and how much "
            "more do agency social workers cost?"
        ),
        title=f"Permanent and agency social workers, {long_date(snap or a.end)}",
        columns=("Social workers", "Headcount", "FTE", "% of FTE",
                 "Annual cost per FTE", "Agency cost premium (%)"),
        units=("text", "count", "fte", "percent", "money", "percent"),
        rows=rows if n else (),
        total=("All social workers in post", n, fte[0] + fte[1], 100.0 if share is not None
               else None, None, None) if n else None,
        note=note + _small(head),
        none=f"No social worker post is recorded in a workforce snapshot between {between(a)}.",
    )  # fmt: skip


# --- 4. return home interviews ---------------------------------------------------------


def return_interviews(a: Answering) -> AnswerTable:
    for k in ("missing_incidents", "rhi_offered", "rhi_accepted", "rhi_completed_72h"):
        a.kpi(k)
    r = a.rows("return_interviews")[0]
    started, ended = _int(r["started"]), _int(r["ended"])
    have_rhi = a.count("return_interviews") > 0
    offered = _int(r["offered"]) if have_rhi else None
    accepted = _int(r["accepted"]) if have_rhi else None
    acc_of = _int(r["accepted_of"]) if have_rhi else None
    done = _int(r["within_72h"]) if have_rhi else None
    rows: tuple[tuple[Cell, ...], ...] = (
        ("Missing incidents that started in the period", started, None, None),
        ("Missing incidents that ended in the period", ended, None, None),
        ("Return home interview offered", offered, ended, pct(offered, ended)),
        ("Interview accepted (of those offered)", accepted, acc_of, pct(accepted, acc_of)),
        ("Interview completed within 72 hours", done, ended, pct(done, ended)),
    )
    period = f"{long_date(a.start)} to {long_date(a.end)}"
    note = (
        f"Missing incidents (SSDA903 missing table, MISSING = M; 'away without authorisation' "
        f"not included) of children looked after, {period}. Incidents that started in the "
        "period are the indicator 'missing incidents'; the interviews are counted for "
        "incidents that ended in the period (the child came back), as the return home "
        "interview indicators, so the two counts differ when an incident spans the period's "
        "start or end. Interviews come from the local return_interviews template, matched on "
        "child and start of the incident; an incident with no record counts as not offered "
        "and not completed. The 903 records dates, not times: 'within 72 hours' is an "
        "interview dated on the day of return or up to 3 days after (so exactly 72 hours "
        "counts)."
    )
    if not have_rhi:
        note += (
            " No return interview records are loaded for this LA (local return_interviews "
            "template), so interviews are not shown."
        )
    note += a.caveat("missing_incidents", "rhi_offered")
    counts: list[Cell] = [started, ended, offered, accepted, done]
    return AnswerTable(
        id="return_home_interviews",
        question=(
            "How many return home interviews were offered, accepted and completed within 72 "
            "hours after a child went missing?"
        ),
        title=f"Missing incidents and return home interviews, {period}",
        columns=("Measure", "Number", "Out of", "%"),
        units=("text", "count", "count", "percent"),
        rows=rows if (started or ended) else (),
        note=note + _small(counts),
        none=f"No child looked after went missing between {between(a)}.",
    )


# --- 5. missing incidents by child -----------------------------------------------------

_BANDS = (("1", "1 incident"), ("2-4", "2 to 4 incidents"), ("5-9", "5 to 9 incidents"),
          ("10+", "10 or more incidents"))  # fmt: skip


def missing_by_child(a: Answering) -> list[AnswerTable]:
    a.kpi("missing_incidents")
    got = {r["band"]: r for r in a.rows("missing_by_child")}
    top = [_int(r["incidents"]) for r in a.rows("missing_top_children")]
    children = sum(_int(r["children"]) for r in got.values())
    incidents = sum(_int(r["incidents"]) for r in got.values())
    period = f"{long_date(a.start)} to {long_date(a.end)}"
    rows: list[tuple[Cell, ...]] = []
    for key, label in _BANDS:
        r = got.get(key, {})
        c, i = _int(r.get("children")), _int(r.get("incidents"))
        rows.append((label, c, pct(c, children), i, pct(i, incidents)))
    base = (
        f"Missing incidents (SSDA903, MISSING = M) that started between {between(a)}, of "
        "children "
        "looked after, as the indicator 'missing incidents' (one incident per child and start "
        "date)." + a.caveat("missing_incidents")
    )
    none = f"No child looked after went missing between {between(a)}."
    by_band = AnswerTable(
        id="missing_by_child",
        question="Are most missing incidents down to a few children?",
        title=f"Children by number of missing incidents, {period}",
        columns=("Incidents per child", "Children", "% of children", "Incidents",
                 "% of incidents"),
        units=("text", "count", "percent", "count", "percent"),
        rows=tuple(rows) if children else (),
        total=("All children who went missing", children, 100.0, incidents, 100.0)
        if children else None,
        note=base + _small([c for r in rows for c in (r[1], r[3])]),
        none=none,
    )  # fmt: skip
    letters = "ABCDE"
    top_rows: list[tuple[Cell, ...]] = []
    running = 0
    for i, n in enumerate(top):
        running += n
        top_rows.append((f"Child {letters[i]}", n, pct(n, incidents), pct(running, incidents)))
    top_total = sum(top)
    top_table = AnswerTable(
        id="missing_top_children",
        question="How many of the missing incidents are down to the five children who went "
        "missing most?",
        title=f"The {len(top) or 5} children with the most missing incidents, {period}",
        columns=("Child", "Incidents", "% of all incidents", "Cumulative %"),
        units=("text", "count", "percent", "percent"),
        rows=tuple(top_rows),
        total=(f"These {len(top)} children together", top_total, pct(top_total, incidents),
               None) if top else None,
        note=base + " Children are labelled A to E by their number of incidents, most first "
        "(ties in a fixed order); no name or identifier is shown, and the labels mean nothing "
        "outside this table. The lists of children stay in the case-management system."
        + _small(list(top)),
        none=none,
    )  # fmt: skip
    return [by_band, top_table]


#: every answer, in the order of the report
BUILDERS: tuple[Callable[[Answering], AnswerTable | list[AnswerTable]], ...] = (
    out_of_borough,
    returned_home,
    workforce,
    return_interviews,
    missing_by_child,
)
