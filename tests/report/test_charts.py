"""The hand-written SVG charts: accessible names, reference lines told apart by dash
pattern as well as colour, the LA's bar hatched and outlined, messages from the data."""

from __future__ import annotations

from datetime import date

from lxml import etree

from cscperf.api import BreakdownValue
from cscperf.benchmarks.neighbours_values import NeighbourValue
from cscperf.report.figures import placement_mix, sn_bars, starters_ceased, trend
from cscperf.report.svg import Line, Reference, line_chart
from tests.report.numbers import year_label

MONTHS = [date(2024, m, 28 if m == 2 else 30 if m in (4, 6, 9, 11) else 31) for m in range(1, 13)]


def _svg(text: str) -> etree._Element:
    return etree.fromstring(text.encode(), etree.HTMLParser()).xpath("//svg")[0]


def _comparison(**kw: object) -> object:
    from cscperf.benchmarks.compare import Comparison

    base: dict[str, object] = dict(
        kpi_id="cla_placed_in_la", title="t", la_code="883", la_name="Thurrock", year=2024,
        source="EES x", decimals=0, polarity="high", value=40.0, symbol=None,
        symbol_meaning=None, sn_stat="mean", sn_value=45.0, sn_mean=45.0, sn_median=45.0,
        sn_min=30.0, sn_max=60.0, sn_available=10, sn_count=10, sn_model=2021,
        sn_position="within range", sn_place=3, region_name="East of England",
        region_value=48.0, england_value=50.0, rank=80, rank_of=152, rank_basis="",
        quartile="C", computed=None, difference=None,
    )  # fmt: skip
    base.update(kw)
    return Comparison(**base)  # type: ignore[arg-type]


def test_reference_lines_have_distinct_dashes_and_a_legend() -> None:
    pts: list[tuple[date, float | None]] = [(d, 40 + i) for i, d in enumerate(MONTHS)]
    c = _comparison()
    fig = trend(3, "Placed in the LA", "percent", pts, 50.0, c, "cla_placed_in_la")  # type: ignore[arg-type]
    assert fig.number == 3 and fig.caption.startswith("Figure 3: Placed in the LA")
    svg = _svg(fig.svg)
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "figure-3-t figure-3-d"
    desc = svg.xpath(".//desc")[0].text
    assert desc == (
        "Placed in the LA rose from 40% at Jan 24 to 51% at Dec 24. The target is 50%. "
        "The statistical neighbour mean for 2023-24 is 45%."
    )
    dashes = [ln.get("stroke-dasharray") for ln in svg.xpath(".//line[@stroke-dasharray]")]
    # target, SN, region, England drawn, then the same four in the legend
    assert len(dashes) == 8 and len(set(dashes[:4])) == 4 and dashes[:4] == dashes[4:]
    labels = [t.text for t in svg.xpath(".//text")]
    yl = year_label(2024)
    for want in ("Target: 50%", f"SN mean {yl} (10 of 10): 45%",
                 f"East of England {yl}: 48%", f"England {yl}: 50%"):  # fmt: skip
        assert want in labels, (want, labels)
    # published values are annual: a step over their year's months (2023-24: Apr 23 to
    # Mar 24), here clipped to the chart's Jan 24 to Mar 24 (2 of its 11 month steps)
    sn = svg.xpath(".//line[@stroke-dasharray='2 3']")[0]
    assert float(sn.get("x1")) == 56 and float(sn.get("x2")) == round(56 + 556 * 2 / 11, 1)


def test_flows_get_no_annual_reference_lines() -> None:
    pts: list[tuple[date, float | None]] = [(d, 10.0) for d in MONTHS]
    fig = trend(1, "Contacts", "count", pts, 500.0, _comparison(), "contacts")  # type: ignore[arg-type]
    svg = _svg(fig.svg)
    assert not svg.xpath(".//line[@stroke-dasharray]")  # month counts vs an annual 500: no


def test_sn_bars_highlight_the_la_by_pattern_and_outline() -> None:
    rows = [
        NeighbourValue("883", "Thurrock", 40.0, True),
        NeighbourValue("801", "A", 60.0, False),
        NeighbourValue("802", "B", None, False),
        NeighbourValue("803", "C", 30.0, False),
    ]
    fig = sn_bars(2, "Placed in the LA", "percent", _comparison(), rows)  # type: ignore[arg-type]
    assert fig is not None
    svg = _svg(fig.svg)
    own = svg.xpath(".//rect[starts-with(@fill, 'url(#figure-2-hatch')]")
    assert len(own) == 1 and own[0].get("stroke") == "#0b0c0c"
    texts = [t.text for t in svg.xpath(".//text")]
    assert "Thurrock (this LA)" in texts and "40%" in texts and "not published" in texts
    desc = svg.xpath(".//desc")[0].text
    assert desc == (
        "In 2023-24, Thurrock's published figure of 40% was the 2nd highest of 3 among it "
        "and its statistical neighbours (SN mean 45%)."
    )


def test_starters_ceased_message_counts_the_last_12_months() -> None:
    starts: list[tuple[date, float | None]] = [(d, 2.0) for d in MONTHS]
    ceased: list[tuple[date, float | None]] = [
        (d, 1.0 if i % 2 else None) for i, d in enumerate(MONTHS)
    ]
    fig = starters_ceased(5, starts, ceased)
    desc = _svg(fig.svg).xpath(".//desc")[0].text
    assert desc == (
        "In the 12 months to Dec 24, 24 children started to be looked after and 6 ceased. "
        "For every child ceasing care, 4.0 started."
    )
    svg = _svg(fig.svg)
    assert len(svg.xpath(".//path[@stroke-dasharray='6 3']")) == 6  # ceased: dashed, gaps


def test_placement_mix_groups_codes() -> None:
    when = date(2025, 3, 31)
    vals = [BreakdownValue("cla_children", when, "placement_type", c, v)
            for c, v in (("U1", 10.0), ("U4", 20.0), ("K2", 5.0), ("P1", 5.0))]  # fmt: skip
    fig = placement_mix(4, vals, when)
    assert fig is not None
    desc = _svg(fig.svg).xpath(".//desc")[0].text
    assert desc == "At Mar 25, 75.0% of the 40 looked-after children were in foster placements."


def test_line_chart_breaks_at_nulls() -> None:
    pts: list[tuple[date, float | None]] = [
        (d, None if i == 5 else 1.0) for i, d in enumerate(MONTHS)
    ]
    svg = _svg(line_chart("c", "t", "m", [Line("x", pts)], [Reference("T", 1.0, "#000", "4 4")]))
    assert len(svg.xpath(".//path")) == 2


def test_demand_trend_shows_the_expected_range_band() -> None:
    pts: list[tuple[date, float | None]] = [(d, 10.0) for d in MONTHS]
    # the same months in 2022 (5) and 2023 (8): range 5 to 8 each month; Dec 24 = 10
    history: dict[date, float | None] = {}
    for d in MONTHS:
        history[d.replace(year=2022, day=28 if d.month == 2 else d.day)] = 5.0
        history[d.replace(year=2023, day=28 if d.month == 2 else d.day)] = 8.0
    fig = trend(1, "Contacts", "count", pts, None, None, "contacts", history)
    svg = _svg(fig.svg)
    (band,) = svg.xpath(".//path[@fill='#dcdcdc']")
    assert band.get("d").count("L") == 2 * len(MONTHS) - 1  # upper and lower edges
    assert svg.xpath(".//desc")[0].text.endswith(
        "The shaded band is the lowest to highest of the same month in earlier years; "
        "Dec 24 is above it."
    )
    assert "Expected range (same month, earlier years)" in [t.text for t in svg.xpath(".//text")]
    no_band = _svg(trend(1, "Contacts", "count", pts, None, None, "contacts", {}).svg)
    assert not no_band.xpath(".//path[@fill='#dcdcdc']")


def test_a_long_legend_label_gets_a_row_of_its_own() -> None:
    """A long indicator title ran into the next legend entry when the legend had two
    columns; with any label too long for half the width, each entry has its own row."""
    pts: list[tuple[date, float | None]] = [(d, 1.0) for d in MONTHS]
    long = "Initial child protection conferences within 15 working days (%)"
    refs = [Reference("SN mean 2024-25 (10 of 10): 80.6%", 1.0, "#000", "4 4")]

    def legend_ys(label: str) -> list[str]:
        svg = _svg(line_chart("c", "t", "m", [Line(label, pts)], refs))
        wanted = (label, refs[0].label)
        texts = [t for t in svg.xpath(".//*[local-name()='text']") if t.text in wanted]
        return [t.get("y") for t in texts]

    assert len(set(legend_ys(long))) == 2  # one row each
    assert len(set(legend_ys("Contacts"))) == 1  # short labels share a row
