"""Gather the report's figures through :mod:`cscperf.api` and render report.html.

Every number shown is read from the API here and worded by rules (narrative.py,
comparisons.py, expected.py): nothing is typed in by hand, so nothing can drift.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape

from cscperf import api
from cscperf.answers.model import AnswerTable
from cscperf.benchmarks.compare import Comparison
from cscperf.forecast.kinds import kind
from cscperf.forecast.run import Backtest
from cscperf.kpis.catalogue import load_catalogue
from cscperf.report import comparisons
from cscperf.report import figures as charts
from cscperf.report.expected import expected_range, range_sentence
from cscperf.report.figures import Figure
from cscperf.report.narrative import (
    change_sentence,
    fmt,
    forecast_sentence,
    forecast_value,
    month_label,
)
from cscperf.report.sections import demand_ids, load_sections
from cscperf.targets.lines import TargetLine, shift

SMALL = 10
TREND_MONTHS = 27  # 28 month ends: 24+ as members ask
HISTORY_YEARS = 6


@dataclass(frozen=True)
class Projection:
    """A year-end forecast as the report shows it (made now, or stored earlier)."""

    point: float
    lo80: float | None
    hi80: float | None
    method: str
    target: date
    flow: bool


@dataclass
class Row:
    """One indicator: the figures as shown, and the sentences written from them
    (``sentences``: (kind, text), kind names the rule that wrote it)."""

    kpi_id: str
    title: str
    unit: str
    value: str
    previous: str
    last_year: str
    travel: str
    target: str
    rag: str
    rule: str
    forecast: str
    sn: str
    region: str
    england: str
    rank: str
    flag: str
    owner: str = ""
    demand: bool = False
    sentences: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SectionView:
    id: str
    heading: str
    rows: list[Row]
    figures: list[Figure]

    @property
    def has_values(self) -> bool:
        return any(r.value != "n/a" for r in self.rows)


@dataclass
class BacktestLine:
    kpi_id: str
    title: str
    years: int
    mae: str
    mape: str
    coverage80: str
    methods: str


@dataclass
class OutturnLine:
    kpi_id: str
    title: str
    made_at: str
    forecast: str
    interval: str
    outturn: str
    within: str


@dataclass
class ReportData:
    """Everything the template shows, already worded."""

    la_code: str
    la_name: str
    period_end: date
    period_type: str
    period_label: str
    coverage: str
    rag_counts: dict[str, int]
    improving: list[str]
    worsening: list[str]
    sections: list[SectionView]
    rows: list[Row]
    exceptions: list[Row]
    benchmarks_note: str
    backtest: list[BacktestLine] = field(default_factory=list)
    backtest_years: str = ""
    #: the same back-test as numbers, for the workbook's notes (computed once per report)
    backtest_result: Backtest | None = None
    outturn_year: str = ""
    outturns: list[OutturnLine] = field(default_factory=list)
    figure_count: int = 0
    #: tables answering members' questions (api.member_answers), and why there are none
    answers: list[AnswerTable] = field(default_factory=list)
    answers_note: str = ""

    @property
    def figures(self) -> list[Figure]:
        """Every figure in report order."""
        return [f for s in self.sections for f in s.figures]


def _comparisons(la: str, db: str) -> dict[str, Comparison]:
    """The latest published year's comparisons; none when nothing is imported
    (``api.benchmarks`` raises then)."""
    try:
        return {c.kpi_id: c for c in api.benchmarks(la, db=db)}
    except (ValueError, LookupError, duckdb.Error):
        return {}


def _forecasts(la: str, end: date, period_type: str, db: str) -> dict[str, Projection]:
    """Year-end forecasts made at ``end``: the stored ones when the store has them for
    that month end (a re-run shows the forecast made at the time), else made now and
    stored. None for a year report (the year has ended: see forecasts vs outturn)."""
    from cscperf.forecast.run import last_month_end
    from cscperf.kpis.periods import reporting_year_end

    if period_type == "year":
        return {}
    made_at = last_month_end(end)
    target = date(reporting_year_end(made_at), 3, 31)
    if made_at == target:  # the year has ended: its outturn is known
        return {}
    try:
        stored = [
            f for f in api.forecasts_vs_outturn(la, target, db=db)
            if f.made_at_period_end == made_at
        ]  # fmt: skip
        if not stored:
            api.forecast(la, end, db=db, store=True)
            stored = [
                f for f in api.forecasts_vs_outturn(la, target, db=db)
                if f.made_at_period_end == made_at
            ]  # fmt: skip
    except (ValueError, RuntimeError, duckdb.Error):
        return {}
    return {
        f.kpi_id: Projection(f.point, f.lo80, f.hi80, f.method, target, kind(f.kpi_id) == "flow")
        for f in stored
    }


def _history(la: str, period_type: str, end: date, db: str) -> dict[str, dict[date, float | None]]:
    """Each KPI's values of this period type over the earlier years (expected ranges)."""
    out: dict[str, dict[date, float | None]] = {}
    for v in api.values(la, period_type, shift(end, -12 * HISTORY_YEARS), end, db=db):
        out.setdefault(v.kpi_id, {})[v.period_end] = v.value
    return out


def null_reason(stored: api.KpiValue | None) -> str:
    """Why a value is missing: the engine's flag, or that it was never computed."""
    if stored is None:
        return "not computed for this period"
    return stored.flag or "no value"


def _row(
    ln: TargetLine,
    unit: str,
    end: date,
    c: Comparison | None,
    f: Projection | None,
    stored: api.KpiValue | None,
    history: dict[date, float | None],
    demand: bool,
) -> Row:
    year_ago = shift(end, -12)
    reason = null_reason(stored)
    says: list[tuple[str, str]] = [
        ("change", change_sentence(ln.title, ln.value, ln.last_year, end, year_ago, unit))
        if ln.value is not None
        else ("null", f"{ln.title}: no value for {month_label(end)} ({reason}).")
    ]
    if ln.target is not None and ln.target.target is not None and ln.value is not None:
        says.append(
            (
                "target",
                f"Against a target of {fmt(ln.target.target, unit)} it is rated "
                f"{ln.rag or 'not rated'} (rule in Appendix B).",
            )
        )
    if demand and ln.value is not None:
        says.append(("expected", range_sentence(ln.value, expected_range(end, history), unit)))
    if c is not None:
        # a month's or quarter's count of events is not set beside an annual figure
        annual = ln.period_type == "year" or charts.comparable(ln.kpi_id, unit)
        says += comparisons.sentences(ln.value if annual else None, unit, c)
    if f is not None:
        text = forecast_sentence(f.point, f.lo80, f.hi80, unit, f.target, f.flow)
        if c is not None and c.sn_value is not None:
            text = (
                text[:-1] + f" against a comparator group average of {fmt(c.sn_value, unit)} "
                f"({comparisons.sn_label(c)})."
            )
        says.append(("forecast", text))
    small = stored is not None and stored.denominator is not None and stored.denominator < SMALL
    if ln.value is not None and small:
        says.append(("small", "Small numbers: interpret with care."))
    cells = comparisons.cells(c, unit)
    return Row(
        kpi_id=ln.kpi_id,
        title=ln.title,
        unit=unit,
        value=fmt(ln.value, unit),
        previous=fmt(ln.previous, unit),
        last_year=fmt(ln.last_year, unit),
        travel=ln.travel,
        target=fmt(ln.target.target, unit) if ln.target and ln.target.target is not None else "",
        rag=(ln.rag or "not rated").capitalize(),
        rule=ln.rule,
        forecast=f"{forecast_value(f.point, unit)} [f]" if f is not None else "",
        sn=cells["sn"],
        region=cells["region"],
        england=cells["england"],
        rank=cells["rank"],
        flag=reason if ln.value is None else ("small numbers" if small else ""),
        owner=ln.owner,
        demand=demand,
        sentences=[(k, s) for k, s in says if s],
    )


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> int:
        self.n += 1
        return self.n


def _section_figures(
    la: str,
    end: date,
    period_type: str,
    ids: tuple[str, ...],
    section_id: str,
    lines: dict[str, TargetLine],
    units: dict[str, str],
    months: dict[str, list[tuple[date, float | None]]],
    comps: dict[str, Comparison],
    number: _Counter,
    db: str,
    month_history: dict[str, dict[date, float | None]],
) -> list[Figure]:
    """A trend chart for the section's first KPI with a month series, the SN bar chart
    for its first KPI with neighbours' values, starters vs ceased, placement mix."""
    out: list[Figure] = []
    for k in ids:
        pts = months.get(k, [])
        if sum(v is not None for _, v in pts) >= 2 and k in lines:
            ln = lines[k]
            target = ln.target.target if ln.target else None
            hist = month_history.get(k) if k in demand_ids() else None
            out.append(
                charts.trend(number(), ln.title, units[k], pts, target, comps.get(k), k, hist)
            )
            break
    if section_id == "looked_after" and months.get("cla_starts") and months.get("cla_ceased"):
        out.append(charts.starters_ceased(number(), months["cla_starts"], months["cla_ceased"]))
    if section_id == "placements":
        mix = api.breakdown_values(la, "cla_children", "placement_type", period_type, end, db=db)
        when = end
        if not mix and period_type != "year":  # breakdowns are computed for year ends
            when = date(end.year if end.month > 3 else end.year - 1, 3, 31)
            mix = api.breakdown_values(la, "cla_children", "placement_type", "year", when, db=db)
        if mix:
            n = number()
            svg = charts.placement_mix(n, mix, when)
            if svg:
                out.append(svg)
            else:
                number.n -= 1
    # neighbours of very different size make raw counts a poor comparison: a rate or
    # percentage first
    for k in sorted(ids, key=lambda k: units[k] == "count"):
        c = comps.get(k)
        if c is None or k not in lines:
            continue
        nbs = api.neighbour_values(la, k, c.year, db=db)
        if len(nbs) >= 2:
            n = number()
            svg = charts.sn_bars(n, lines[k].title, units[k], c, nbs)
            if svg:
                out.append(svg)
                break
            number.n -= 1
    return out


def build_report(
    la_code: str,
    period_end: date,
    period_type: str = "year",
    targets_path: str | Path | None = None,
    db: str = "cscperf.duckdb",
    backtest: bool = True,
) -> ReportData:
    """Read the figures for one LA and period; raises ValueError when it has none."""
    lines = api.rag(la_code, period_end, period_type, targets_path, db=db)
    if not any(ln.value is not None for ln in lines):
        raise ValueError(f"no KPI values for LA {la_code} at {period_end} ({period_type}) in {db}")
    catalogue = load_catalogue()
    units = {k: kpi.unit for k, kpi in catalogue.items()}
    comps = _comparisons(la_code, db)
    forecasts = _forecasts(la_code, period_end, period_type, db)
    history = _history(la_code, period_type, period_end, db)
    stored = {v.kpi_id: v for v in api.values(la_code, period_type, period_end, period_end, db=db)}
    by_id = {ln.kpi_id: ln for ln in lines}
    demand = demand_ids()
    rows = {
        ln.kpi_id: _row(
            ln,
            units.get(ln.kpi_id, ""),
            period_end,
            comps.get(ln.kpi_id),
            forecasts.get(ln.kpi_id),
            stored.get(ln.kpi_id),
            history.get(ln.kpi_id, {}),
            ln.kpi_id in demand and (ln.target is None or ln.target.target is None),
        )
        for ln in lines
    }
    months: dict[str, list[tuple[date, float | None]]] = {}
    month_history: dict[str, dict[date, float | None]] = {}
    chart_start = shift(period_end, -TREND_MONTHS)
    back = shift(chart_start, -12 * HISTORY_YEARS)
    for v in api.values(la_code, "month", back, period_end, db=db):
        month_history.setdefault(v.kpi_id, {})[v.period_end] = v.value
        if v.period_end >= chart_start:
            months.setdefault(v.kpi_id, []).append((v.period_end, v.value))
    number = _Counter()
    sections = []
    for s in load_sections():
        ids = tuple(k for k in s.kpis if k in rows)
        shown = [rows[k] for k in ids]
        figs = _section_figures(
            la_code,
            period_end,
            period_type,
            ids,
            s.id,
            by_id,
            units,
            months,
            comps,
            number,
            db,
            month_history,
        )
        sections.append(SectionView(s.id, s.heading, shown, figs))
    placed = {r.kpi_id for s in sections for r in s.rows}
    ordered = [r for s in sections for r in s.rows] + [
        r for k, r in rows.items() if k not in placed
    ]
    counts = Counter((ln.rag or "not rated") for ln in lines)
    try:
        coverage = api.coverage_summary(db, la_code)
    except (ValueError, duckdb.Error):
        coverage = "Data coverage could not be read from the store."
    data = ReportData(
        la_code=la_code,
        la_name=api.la_name(la_code, db=db),
        period_end=period_end,
        period_type=period_type,
        period_label=f"{period_type} ending {month_label(period_end)}",
        coverage=coverage,
        rag_counts={k: counts.get(k, 0) for k in ("red", "amber", "green", "not rated")},
        improving=[ln.title for ln in lines if ln.travel_year == "improving"],
        worsening=[ln.title for ln in lines if ln.travel_year == "worsening"],
        sections=sections,
        rows=ordered,
        exceptions=[
            rows[k]
            for k in (r.kpi_id for r in ordered)
            if by_id[k].rag == "red"
            or (by_id[k].rag == "amber" and "worsening" in (by_id[k].travel, by_id[k].travel_year))
        ],
        benchmarks_note=""
        if comps
        else "No published benchmarks are imported into the store, so no comparisons are shown.",
        figure_count=number.n,
    )
    titles = {k: kpi.title for k, kpi in catalogue.items()}
    if backtest:
        _add_backtest(data, la_code, titles, db)
    _add_outturns(data, la_code, period_end, units, titles, db)
    _add_answers(data, la_code, period_type, period_end, db)
    return data


def _add_answers(data: ReportData, la: str, period_type: str, end: date, db: str) -> None:
    """The members' question tables for the report's period; a failure is said in the
    report, not raised (the indicators stand without them)."""
    from cscperf.kpis.periods import period_start

    try:
        data.answers = api.member_answers(la, period_start(period_type, end), end, db)
    except (ValueError, duckdb.Error) as exc:
        data.answers_note = (
            "The answers to members' questions could not be computed: "
            f"{str(exc).splitlines()[0]}"
        )


def _add_backtest(data: ReportData, la: str, titles: dict[str, str], db: str) -> None:
    """The back-test error table (each past year forecast from September)."""
    try:
        bt = api.backtest(la, db=db).up_to(data.period_end)
    except (ValueError, RuntimeError, duckdb.Error):
        return
    years = sorted({p.target_period_end for p in bt.points})
    data.backtest_years = ", ".join(comparisons.year_label(d.year) for d in years)
    rows = bt.rows
    data.backtest_result = bt
    data.backtest = [
        BacktestLine(
            r.kpi_id,
            titles.get(r.kpi_id, r.kpi_id),
            r.years,
            fmt(round(r.mae, 1)),
            "n/a" if r.mape is None else f"{r.mape:.1f}%",
            f"{r.coverage80 * 100:.0f}%",
            r.methods,
        )
        for r in rows
    ]


def _add_outturns(
    data: ReportData,
    la: str,
    end: date,
    units: dict[str, str],
    titles: dict[str, str],
    db: str,
) -> None:
    """Once a year has ended: the forecasts made during it beside its outturn."""
    year_end = date(end.year if (end.month, end.day) >= (3, 31) else end.year - 1, 3, 31)
    try:
        got = api.forecasts_vs_outturn(la, year_end, db=db)
    except duckdb.Error:
        return
    data.outturn_year = comparisons.year_label(year_end.year)
    for f in got:
        if f.outturn is None:
            continue
        u = units.get(f.kpi_id, "")
        data.outturns.append(
            OutturnLine(
                f.kpi_id,
                titles.get(f.kpi_id, f.kpi_id),
                month_label(f.made_at_period_end),
                f"{forecast_value(f.point, u)} [f]",
                f"{forecast_value(f.lo80, u)} to {forecast_value(f.hi80, u)}",
                fmt(f.outturn, u),
                "yes" if f.within80 else "no",
            )
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
