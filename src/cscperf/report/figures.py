"""The report's figures: which data each chart draws and the message it states. The
data come through :mod:`cscperf.api`; drawing is :mod:`cscperf.report.svg`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from cscperf import api
from cscperf.benchmarks.compare import Comparison
from cscperf.benchmarks.neighbours_values import NeighbourValue
from cscperf.forecast.kinds import kind
from cscperf.report.comparisons import ordinal, totals, year_label
from cscperf.report.expected import expected_range
from cscperf.report.narrative import fmt, month_label
from cscperf.report.svg import ORANGE, STYLES, Line, Reference, bar_chart, line_chart

Points = list[tuple[date, float | None]]


@dataclass(frozen=True)
class Figure:
    """A numbered figure: ``<figure id="figure-N">`` holding the SVG and its caption."""

    number: int
    caption: str
    svg: str


#: SSDA903 placement codes grouped as the DfE tabulates the placement mix
PLACEMENT_GROUPS = (
    ("U", "Foster placements"),
    ("A", "Placed for adoption"),
    ("P1", "Placed with parents"),
    ("K", "Secure units and children's homes"),
    ("H5", "Semi-independent living"),
    ("P2", "Independent living"),
    ("S1", "Independent living"),
    ("R", "Other residential settings"),
)


def placement_group(code: str | None) -> str:
    c = code or ""
    return next((label for prefix, label in PLACEMENT_GROUPS if c.startswith(prefix)), "Other")


def published_refs(c: Comparison | None, unit: str) -> list[Reference]:
    """SN, region and England values of the published year as steps over its months."""
    if c is None:
        return []
    start, end = date(c.year - 1, 4, 30), date(c.year, 3, 31)
    yl = year_label(c.year)
    out = []
    for key, label, v in (
        ("sn", f"SN {c.sn_stat} {yl} ({c.sn_available} of {c.sn_count})", c.sn_value),
        ("region", f"{c.region_name} {yl}", c.region_value),
        ("england", f"England {yl}", c.england_value),
    ):
        if v is not None and (key == "sn" or not totals(unit)):
            colour, dash = STYLES[key]
            out.append(Reference(f"{label}: {fmt(v, unit)}", v, colour, dash, start, end))
    return out


def comparable(kpi_id: str, unit: str) -> bool:
    """Month values of flows (counts or rates of events in the month) cannot sit on the
    same axis as annual figures; stocks and percentages can."""
    k = kind(kpi_id)
    return k != "flow" and not (unit == "rate_per_10k" and k != "level")


def trend(
    n: int,
    title: str,
    unit: str,
    points: Points,
    target: float | None,
    c: Comparison | None,
    kpi_id: str,
    history: dict[date, float | None] | None = None,
) -> Figure:
    known = [(d, v) for d, v in points if v is not None]
    (d0, v0), (d1, v1) = known[0], known[-1]
    verb = "rose" if v1 > v0 else "fell" if v1 < v0 else "was unchanged"
    refs: list[Reference] = []
    extra = ""
    if comparable(kpi_id, unit):
        if target is not None:
            colour, dash = STYLES["target"]
            refs.append(Reference(f"Target: {fmt(target, unit)}", target, colour, dash))
            extra += f" The target is {fmt(target, unit)}."
        refs += published_refs(c, unit)
        if c is not None and c.sn_value is not None:
            extra += (
                f" The statistical neighbour {c.sn_stat} for {year_label(c.year)} "
                f"is {fmt(c.sn_value, unit)}."
            )
    band: list[tuple[date, float, float]] = []
    if history is not None:  # a demand indicator: the range of the same month before
        for d, _ in points:
            r = expected_range(d, history)
            if r is not None:
                band.append((d, r.lo, r.hi))
        last = expected_range(d1, history)
        if last is not None:
            extra += (
                f" The shaded band is the lowest to highest of the same month in earlier "
                f"years; {month_label(d1)} is {last.position(v1, unit)} it."
            )
    message = (
        f"{title} {verb} from {fmt(v0, unit)} at {month_label(d0)} "
        f"to {fmt(v1, unit)} at {month_label(d1)}.{extra}"
    )
    caption = f"Figure {n}: {title}, month ends {month_label(d0)} to {month_label(d1)}"
    if band:
        label = "Expected range (same month, earlier years)"
        svg = line_chart(f"figure-{n}", caption, message, [Line(title, points)], refs, band, label)
        return Figure(n, caption, svg)
    return Figure(
        n, caption, line_chart(f"figure-{n}", caption, message, [Line(title, points)], refs)
    )


def starters_ceased(n: int, starts: Points, ceased: Points) -> Figure:
    """Children starting and ceasing care each month, and the ratio over the last 12."""
    last12 = [d for d, _ in starts][-12:]
    s = sum(v or 0 for d, v in starts if d in last12)
    c = sum(v or 0 for d, v in ceased if d in last12)
    ratio = f" For every child ceasing care, {s / c:.1f} started." if c else ""
    end = month_label(last12[-1])
    message = (
        f"In the 12 months to {end}, {fmt(s)} children started to be looked after "
        f"and {fmt(c)} ceased.{ratio}"
    )
    caption = f"Figure {n}: Children starting and ceasing to be looked after, by month"
    lines = [
        Line("Started", starts),
        Line("Ceased", ceased, ORANGE, "6 3"),
    ]
    return Figure(n, caption, line_chart(f"figure-{n}", caption, message, lines))


def placement_mix(n: int, values: Sequence[api.BreakdownValue], when: date) -> Figure | None:
    """Shares of the looked-after children by placement group."""
    groups: dict[str, float] = {}
    for v in values:
        if v.value is not None:
            groups[placement_group(v.category)] = (
                groups.get(placement_group(v.category), 0) + v.value
            )
    total = sum(groups.values())
    if not total:
        return None
    shares = sorted(
        ((g, round(100 * x / total, 1)) for g, x in groups.items()), key=lambda gx: -gx[1]
    )
    top, share = shares[0]
    message = (
        f"At {month_label(when)}, {share:.1f}% of the {fmt(total)} looked-after children "
        f"were in {top.lower()}."
    )
    caption = f"Figure {n}: Placement mix of looked-after children at {month_label(when)} (%)"
    bars = [(g, s, False) for g, s in shares]
    return Figure(n, caption, bar_chart(f"figure-{n}", caption, message, bars, "%"))


def sn_bars(
    n: int, title: str, unit: str, c: Comparison, rows: Sequence[NeighbourValue]
) -> Figure | None:
    """The LA among its statistical neighbours, published values of one year."""
    own = next((r for r in rows if r.own), None)
    if own is None or own.value is None or len(rows) < 2:
        return None
    yl = year_label(c.year)
    suffix = "%" if unit == "percent" else ""
    ordered = sorted(rows, key=lambda r: (r.value is None, -(r.value or 0)))
    place = 1 + sum(1 for r in rows if r.value is not None and r.value > own.value)
    known = sum(1 for r in rows if r.value is not None)
    where = (
        "the highest"
        if place == 1
        else "the lowest"
        if place == known
        else f"the {ordinal(place)} highest"
    )
    message = (
        f"In {yl}, {own.name}'s published figure of {fmt(own.value, unit)} was {where} of "
        f"{known} among it and its statistical neighbours (SN {c.sn_stat} "
        f"{fmt(c.sn_value, unit)})."
    )
    caption = f"Figure {n}: {title}, {own.name} and its statistical neighbours, {yl} ({c.source})"
    bars = [(f"{r.name}{' (this LA)' if r.own else ''}", r.value, r.own) for r in ordered]
    return Figure(n, caption, bar_chart(f"figure-{n}", caption, message, bars, suffix))
