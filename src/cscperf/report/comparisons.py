"""Comparison sentences and cells from :class:`cscperf.benchmarks.compare.Comparison`:
the phrasing members expect ("below the East of England average", "within the range
of its statistical neighbours", "ranked 12th of 152"), each comparator with its source
and year, judged on the figures as shown (two values that print the same are "in line
with" each other)."""

from __future__ import annotations

from cscperf.benchmarks.compare import Comparison
from cscperf.report.narrative import fmt


def year_label(year: int) -> str:
    """Return year 2025 -> '2024-25' (the reporting year it ends)."""
    return f"{year - 1}-{year % 100:02d}"


def sn_label(c: Comparison) -> str:
    """'SN mean 2024-25, 10 of 10 available'."""
    return f"SN {c.sn_stat} {year_label(c.year)}, {c.sn_available} of {c.sn_count} available"


def side(value: float, other: float, unit: str) -> str:
    """'above' | 'below' | 'in line with', on the figures as printed."""
    if fmt(value, unit) == fmt(other, unit):
        return "in line with"
    return "above" if value > other else "below"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def totals(unit: str) -> bool:
    """Published region and England figures of a count are totals, not averages an LA
    could be set beside: they are left out for counts."""
    return unit == "count"


def sentences(value: float | None, unit: str, c: Comparison) -> list[tuple[str, str]]:
    """(kind, sentence) pairs comparing ``value`` (the LA's latest) with the published
    figures; kinds: sn, sn_range, region, england, rank, source."""
    out: list[tuple[str, str]] = []
    yl = year_label(c.year)
    if value is not None:
        if c.sn_value is not None:
            out.append(
                (
                    "sn",
                    f"This is {side(value, c.sn_value, unit)} the statistical neighbour "
                    f"{c.sn_stat} of {fmt(c.sn_value, unit)} ({sn_label(c)}).",
                )
            )
        if c.sn_min is not None and c.sn_max is not None:
            lo, hi = fmt(c.sn_min, unit), fmt(c.sn_max, unit)
            where = (
                "within"
                if c.sn_min <= value <= c.sn_max or fmt(value, unit) in (lo, hi)
                else "below"
                if value < c.sn_min
                else "above"
            )
            out.append(
                (
                    "sn_range",
                    f"It is {where} the range of its statistical neighbours "
                    f"({lo} to {hi}; {sn_label(c)}).",
                )
            )
        if c.region_value is not None and c.region_name and not totals(unit):
            out.append(
                (
                    "region",
                    f"It is {side(value, c.region_value, unit)} the {c.region_name} average "
                    f"of {fmt(c.region_value, unit)} ({c.region_name}, {yl}).",
                )
            )
        if c.england_value is not None and not totals(unit):
            out.append(
                (
                    "england",
                    f"It is {side(value, c.england_value, unit)} the England average of "
                    f"{fmt(c.england_value, unit)} (England, {yl}).",
                )
            )
    if c.rank is not None and c.value is not None and c.quartile:
        basis = "1 = highest" if c.polarity == "context" else "1 = best"
        out.append(
            (
                "rank",
                f"The published {yl} figure of {fmt(c.value, unit)} ranked "
                f"{ordinal(c.rank)} of {c.rank_of} local authorities "
                f"(quartile {c.quartile}; {basis}).",
            )
        )
    if out:
        out.append(("source", f"Comparators: {c.source}, {yl}."))
    return out


def cells(c: Comparison | None, unit: str) -> dict[str, str]:
    """Scorecard cells, each with its year: sn, region, england, rank."""
    if c is None:
        return {"sn": "", "region": "", "england": "", "rank": ""}
    yl = year_label(c.year)
    sn = f"{fmt(c.sn_value, unit)} ({sn_label(c)})" if c.sn_value is not None else ""
    shown = not totals(unit)
    region = (
        f"{fmt(c.region_value, unit)} ({c.region_name}, {yl})"
        if c.region_value is not None and shown
        else ""
    )
    england = (
        f"{fmt(c.england_value, unit)} ({yl})" if c.england_value is not None and shown else ""
    )
    rank = (
        f"{c.rank} of {c.rank_of}, quartile {c.quartile} ({yl})"
        if c.rank is not None and c.quartile
        else ""
    )
    return {"sn": sn, "region": region, "england": england, "rank": rank}
