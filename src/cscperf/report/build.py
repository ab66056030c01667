"""Gather the report's figures through :mod:`cscperf.api` and render report.html."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape

from cscperf import api
from cscperf.forecast import Forecast
from cscperf.kpis.catalogue import load_catalogue
from cscperf.report.narrative import change_sentence, fmt, forecast_sentence, month_label
from cscperf.report.svg import line_chart
from cscperf.targets.lines import shift

#: Report sections in committee order: (catalogue area, heading).
AREAS = (
    ("front_door", "The front door"),
    ("child_protection", "Child protection"),
    ("looked_after", "Looked after children"),
    ("adoption", "Adoption"),
    ("care_leavers", "Care leavers"),
    ("workforce", "Workforce"),
)
SMALL = 10
MAX_CHARTS = 4
TREND_MONTHS = 27


def trend_figures(la: str, end: date, titles: dict[str, str], db: str) -> list[str]:
    """Inline SVG trend charts of the month values over the last 24+ month ends, for
    the first few KPIs that have at least two; each names its message."""
    series: dict[str, list[tuple[date, float | None]]] = {}
    for v in api.values(la, "month", shift(end, -TREND_MONTHS), end, list(titles), db=db):
        series.setdefault(v.kpi_id, []).append((v.period_end, v.value))
    figures: list[str] = []
    for kpi_id, points in series.items():
        known = [(d, x) for d, x in points if x is not None]
        if len(known) < 2 or len(figures) == MAX_CHARTS:
            continue
        (d0, v0), (d1, v1) = known[0], known[-1]
        verb = "rose" if v1 > v0 else "fell" if v1 < v0 else "was unchanged"
        n = len(figures) + 1
        title = f"Figure {n}: {titles[kpi_id]}, month ends {month_label(d0)} to {month_label(d1)}"
        message = (
            f"{titles[kpi_id]} {verb} from {fmt(v0)} at {month_label(d0)} "
            f"to {fmt(v1)} at {month_label(d1)}."
        )
        figures.append(line_chart(f"figure-{n}", title, message, points))
    return figures


@dataclass
class Row:
    """One scorecard row: the figures plus the sentences written from them."""

    kpi_id: str
    title: str
    unit: str
    value: str
    previous: str
    last_year: str
    travel: str
    target: str
    rag: str
    forecast: str
    sn: str
    england: str
    flag: str
    sentences: list[str] = field(default_factory=list)


@dataclass
class ReportData:
    """Everything the template shows, already worded."""

    la_code: str
    period_end: date
    period_type: str
    period_label: str
    coverage: str
    rag_counts: dict[str, int]
    improving: list[str]
    worsening: list[str]
    sections: list[tuple[str, str, list[Row]]]
    rows: list[Row]
    benchmarks_note: str
    figures: list[str] = field(default_factory=list)


def _forecasts(la: str, end: date, db: str) -> dict[str, Forecast]:
    try:
        return {f.kpi_id: f for f in api.forecast(la, end, db=db, store=False)}
    except (ValueError, RuntimeError, duckdb.Error):
        return {}


def _benchmarks(la: str, db: str) -> dict[str, object]:
    try:
        return {c.kpi_id: c for c in api.benchmarks(la, db=db)}
    except (ValueError, LookupError, duckdb.Error):
        return {}


def build_report(
    la_code: str,
    period_end: date,
    period_type: str = "year",
    targets_path: str | Path | None = None,
    db: str = "cscperf.duckdb",
) -> ReportData:
    """Read the figures for one LA and period; raises ValueError when it has none."""
    lines = api.rag(la_code, period_end, period_type, targets_path, db=db)
    if not any(ln.value is not None for ln in lines):
        raise ValueError(f"no KPI values for LA {la_code} at {period_end} ({period_type}) in {db}")
    catalogue = load_catalogue()
    forecasts = _forecasts(la_code, period_end, db) if period_type != "year" else {}
    comparisons = _benchmarks(la_code, db)
    year_ago = shift(period_end, -12)
    stored = {v.kpi_id: v for v in api.values(la_code, period_type, period_end, period_end, db=db)}
    rows: list[Row] = []
    by_area: dict[str, list[Row]] = {}
    for ln in lines:
        kpi = catalogue.get(ln.kpi_id)
        unit = kpi.unit if kpi else ""
        f = forecasts.get(ln.kpi_id)
        c = comparisons.get(ln.kpi_id)
        sn = getattr(c, "sn_value", None)
        eng = getattr(c, "england_value", None)
        sentences = [change_sentence(ln.title, ln.value, ln.last_year, period_end, year_ago, unit)]
        if c is not None and ln.value is not None and sn is not None:
            side = "above" if ln.value > sn else "below" if ln.value < sn else "level with"
            sentences.append(
                f"This is {side} the statistical neighbour {getattr(c, 'sn_stat', 'mean')} of "
                f"{fmt(sn, unit)} ({getattr(c, 'year', '')}, {getattr(c, 'sn_available', 0)} of "
                f"{getattr(c, 'sn_count', 0)} available)."
            )
        if f is not None and f.point is not None:
            sentences.append(forecast_sentence(f.point, f.lo80, f.hi80, unit))
        v = stored.get(ln.kpi_id)
        small = v is not None and v.denominator is not None and v.denominator < SMALL
        if ln.value is not None and small:
            sentences.append("Small numbers: interpret with care.")
        null_reason = (v.flag if v is not None else None) or ln.reason or "no value"
        row = Row(
            kpi_id=ln.kpi_id,
            title=ln.title,
            unit=unit,
            value=fmt(ln.value, unit),
            previous=fmt(ln.previous, unit),
            last_year=fmt(ln.last_year, unit),
            travel=ln.travel,
            target=fmt(ln.target.target, unit)
            if ln.target and ln.target.target is not None
            else "",
            rag=(ln.rag or "not rated").capitalize(),
            forecast=f"{fmt(f.point, unit)} [f]" if f and f.point is not None else "",
            sn=fmt(sn, unit) if sn is not None else "",
            england=fmt(eng, unit) if eng is not None else "",
            flag=null_reason if ln.value is None else ("small numbers" if small else ""),
            sentences=sentences,
        )
        rows.append(row)
        by_area.setdefault(kpi.area if kpi else "", []).append(row)
    counts = Counter((ln.rag or "not rated") for ln in lines)
    try:
        coverage = api.coverage_summary(db, la_code)
    except (ValueError, duckdb.Error):
        coverage = "Data coverage could not be read from the store."
    return ReportData(
        la_code=la_code,
        period_end=period_end,
        period_type=period_type,
        period_label=f"{period_type} ending {month_label(period_end)}",
        coverage=coverage,
        rag_counts={k: counts.get(k, 0) for k in ("red", "amber", "green", "not rated")},
        improving=[ln.title for ln in lines if ln.travel_year == "improving"],
        worsening=[ln.title for ln in lines if ln.travel_year == "worsening"],
        sections=[(a, h, by_area[a]) for a, h in AREAS if by_area.get(a)],
        rows=rows,
        benchmarks_note=""
        if comparisons
        else "No published benchmarks are imported into the store, so no comparisons are shown.",
        figures=trend_figures(la_code, period_end, {ln.kpi_id: ln.title for ln in lines}, db),
    )


def render(data: ReportData) -> str:
    """The report as one self-contained HTML document."""
    env = Environment(
        loader=PackageLoader("cscperf.report", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html").render(d=data)


def write_report(data: ReportData, out: Path) -> Path:
    """Write report.html into ``out`` (created if missing); raises OSError."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.html"
    path.write_text(render(data), encoding="utf-8")
    return path
