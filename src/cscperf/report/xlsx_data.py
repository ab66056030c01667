"""The scorecard workbook's figures, gathered through :mod:`cscperf.api` only.

Kept apart from the writer so that what the workbook says (which comparison, which
forecast, which data-quality flag) can be tested without opening a spreadsheet, and
so that every optional source (benchmarks, forecasts, back-test) that is missing
leaves its columns empty with a note saying why, instead of failing the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from cscperf import api
from cscperf.benchmarks.compare import Comparison
from cscperf.forecast import Backtest, Forecast, ForecastOutturn, kind
from cscperf.forecast.run import last_month_end
from cscperf.kpis.catalogue import Kpi, load_catalogue
from cscperf.kpis.periods import reporting_year_end
from cscperf.targets import TargetLine
from cscperf.targets.lines import shift

#: Catalogue areas in committee order, with the heading (and sheet name) of each.
AREAS = {
    "front_door": "Front door",
    "child_protection": "Child protection",
    "looked_after": "Looked after children",
    "adoption": "Adoption",
    "care_leavers": "Care leavers",
    "workforce": "Workforce",
}
#: Denominators below this get the small-numbers flag members ask for.
SMALL = 10
#: Month ends before the period end on the trend sheets (27 month ends: 24+ periods).
TREND_MONTHS = 26


def area_heading(area: str) -> str:
    return AREAS.get(area) or area.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Row:
    """One KPI of the scorecard: the API's figures, nothing recomputed."""

    kpi: Kpi
    line: TargetLine
    comparison: Comparison | None
    forecast: YearEnd | None
    made_at_time: ForecastOutturn | None
    numerator: float | None
    denominator: float | None
    null_reason: str | None
    quarantined: dict[str, int]

    @property
    def small_numbers(self) -> bool:
        return self.denominator is not None and self.denominator < SMALL

    @property
    def quality(self) -> str:
        """The data-quality flag: why there is no value, small numbers, quarantined rows."""
        parts = []
        if self.line.value is None:
            parts.append(f"no value: {self.null_reason or 'not computed'}")
        elif self.small_numbers:
            n = self.denominator or 0
            parts.append(f"small numbers (denominator {n:,.0f} < {SMALL}): interpret with care")
        parts += [f"{n:,} row{'s' if n != 1 else ''} quarantined in {t}"
                  for t, n in sorted(self.quarantined.items())]  # fmt: skip
        return "; ".join(parts)


@dataclass
class Scorecard:
    """Everything the workbook shows for one LA and period."""

    la_code: str
    period_end: date
    period_type: str
    rows: list[Row]
    coverage: str
    benchmarks_note: str
    forecast_note: str
    quarantine_note: str
    #: month ends shown on the area sheets, oldest first
    months: list[date] = field(default_factory=list)
    #: {kpi_id: {month end: value}} for KPIs with at least one month value
    trends: dict[str, dict[date, float | None]] = field(default_factory=dict)
    backtest: Backtest | None = None
    backtest_note: str = ""

    @property
    def year_ended(self) -> bool:
        """The period ends on 31 March: the reporting year is over."""
        return (self.period_end.month, self.period_end.day) == (3, 31)

    @property
    def comparison_year(self) -> int | None:
        return next((r.comparison.year for r in self.rows if r.comparison), None)

    @property
    def region_name(self) -> str | None:
        return next((r.comparison.region_name for r in self.rows
                     if r.comparison and r.comparison.region_name), None)  # fmt: skip


def year_label(return_year: int) -> str:
    """2025 -> '2024-25' (a return year as the DfE labels it)."""
    return f"{return_year - 1}-{return_year % 100:02d}"


def _comparisons(la: str, return_year: int, db: str) -> tuple[dict[str, Comparison], str]:
    """The published figures of the period's own return year when they are out, else the
    latest year published (a committee compares with the latest benchmarks it has)."""
    try:
        found = api.benchmarks(la, db=db)
        if found and found[0].year > return_year:
            same = api.benchmarks(la, return_year, db=db)
            if any(c.value is not None or c.england_value is not None for c in same):
                found = same
    except (ValueError, LookupError, duckdb.Error) as exc:
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return {}, f"No comparator figures: {why}."
    if not found:
        return {}, "No comparator figures: no KPI has a published series for this LA."
    year = year_label(found[0].year)
    which = "the period's own year" if found[0].year == return_year else "the latest published"
    note = (
        f"Comparators (statistical neighbours, region, England, rank, quartile) are the DfE's "
        f"published figures for {year} ({which}) for LA {la}; each KPI's series is named "
        "below. SN is the mean (or median where stated) of the LA's statistical neighbours "
        "with a published value."
    )
    return {c.kpi_id: c for c in found}, note


@dataclass(frozen=True)
class YearEnd:
    """A year-end forecast as the scorecard shows it (stored or made now)."""

    point: float
    lo80: float | None
    hi80: float | None
    made_at: date
    stored: bool


def _made_during(la: str, end: date, db: str) -> tuple[dict[str, ForecastOutturn], str]:
    """Year ended: the forecasts stored during the year, the latest made before its end."""
    try:
        stored = api.forecasts_vs_outturn(la, end, db=db)
    except duckdb.Error as exc:
        return {}, f"Stored forecasts could not be read: {str(exc).splitlines()[0]}."
    made: dict[str, ForecastOutturn] = {}
    for f in stored:  # ordered by KPI, then made-at: the last one before the year end wins
        if f.made_at_period_end < end:
            made[f.kpi_id] = f
    note = (
        f"The year ended on {end:%d %b %Y}: the year-end forecast column is empty, and the "
        "forecast made during the year (the latest stored before the year end) stands "
        "beside the outturn."
    )
    if not made:
        note += (
            " No forecast was stored for this year (forecasts are stored when the report or "
            "`cscperf forecast` runs during the year)."
        )
    return made, note


def _year_end_forecasts(
    la: str, end: date, kpi_ids: list[str], db: str
) -> tuple[dict[str, YearEnd], str]:
    """In-year: the forecasts stored as made at this month end (what report.html shows,
    and what a re-run must show), the others made now without storing them."""
    made_at = last_month_end(end)
    target = date(reporting_year_end(made_at), 3, 31)
    ids = [k for k in kpi_ids if kind(k) is not None]
    if not ids:
        return {}, "No forecasts: no forecastable KPI has a value for the period."
    out: dict[str, YearEnd] = {}
    try:
        for s in api.forecasts_vs_outturn(la, target, db=db):
            if s.made_at_period_end == made_at and s.kpi_id in ids:
                out[s.kpi_id] = YearEnd(s.point, s.lo80, s.hi80, made_at, True)
        missing = [k for k in ids if k not in out]
        fresh: list[Forecast] = []
        if missing:
            fresh = api.forecast(la, end, missing, db=db, store=False)
    except (ValueError, RuntimeError, KeyError, duckdb.Error) as exc:
        return out, f"No forecasts: {str(exc).splitlines()[0]}."
    for f in fresh:
        if f.point is not None:
            out[f.kpi_id] = YearEnd(f.point, f.lo80, f.hi80, f.made_at_period_end, False)
    note = (
        f"Forecasts [f] are projections of the value at {target:%d %b %Y} made from the months "
        f"up to {made_at:%d %b %Y}, with an 80% interval (flows: year total from the "
        "year-to-date run rate and learned seasonality; levels: a trajectory of the month-end "
        "series). Forecasts already stored as made at that month end are shown as stored."
    )
    return out, note


def _backtest(
    la: str, kpi_ids: list[str], db: str, given: Backtest | None = None
) -> tuple[Backtest | None, str]:
    ids = [k for k in kpi_ids if kind(k) is not None]
    if not ids:
        return None, "No back-test: no forecastable KPI has month values in the store."
    if given is not None:  # the report's own run: the same figures as its appendix
        bt = given.only(ids)
    else:
        try:
            bt = api.backtest(la, ids, db=db)
        except (ValueError, RuntimeError, KeyError, duckdb.Error) as exc:
            return None, f"No back-test: {str(exc).splitlines()[0]}."
    if not bt.rows:
        return None, "No back-test: the store holds no earlier year with an outturn to test on."
    return bt, (
        "Each earlier reporting year in the store was forecast from its 30 September "
        "position using only the months up to then, and compared with the year's outturn. "
        "MAE is in the KPI's units; MAPE leaves out years with an outturn of 0; 80% coverage "
        "is the share of outturns inside the 80% interval (about 80% when the intervals are "
        "honest)."
    )


def gather(
    la_code: str,
    period_end: date,
    period_type: str = "year",
    targets_path: str | Path | None = None,
    db: str = "cscperf.duckdb",
    backtest: Backtest | None = None,
) -> Scorecard:
    """Read the scorecard for one LA and period; raises ValueError when it has no values
    (and :class:`cscperf.targets.TargetError` for a bad targets file). ``backtest``: one
    already run, used instead of running it again."""
    lines = api.rag(la_code, period_end, period_type, targets_path, db=db)
    if not any(ln.value is not None for ln in lines):
        raise ValueError(f"no KPI values for LA {la_code} at {period_end} ({period_type}) in {db}")
    cat = load_catalogue()
    return_year = reporting_year_end(period_end)
    comparisons, bench_note = _comparisons(la_code, return_year, db)
    year_ended = (period_end.month, period_end.day) == (3, 31)
    with_value = [ln.kpi_id for ln in lines if ln.value is not None]
    forecasts: dict[str, YearEnd] = {}
    made: dict[str, ForecastOutturn] = {}
    if year_ended:
        made, forecast_note = _made_during(la_code, period_end, db)
    else:
        forecasts, forecast_note = _year_end_forecasts(la_code, period_end, with_value, db)
    stored = {v.kpi_id: v for v in api.values(la_code, period_type, period_end, period_end, db=db)}
    try:
        quarantined = api.quarantine_counts(la_code, return_year, db)
        q_note = (f"Quarantined rows are counted in the {year_label(return_year)} returns "
                  "of the tables each KPI reads.")  # fmt: skip
    except duckdb.Error as exc:
        quarantined, q_note = {}, f"Quarantine counts not read: {str(exc).splitlines()[0]}."
    order = {a: i for i, a in enumerate(AREAS)}
    rows = []
    for ln in sorted(lines, key=lambda x: (order.get(cat[x.kpi_id].area, 99), x.kpi_id)):
        kpi = cat[ln.kpi_id]
        v = stored.get(ln.kpi_id)
        rows.append(
            Row(
                kpi=kpi,
                line=ln,
                comparison=comparisons.get(ln.kpi_id),
                forecast=forecasts.get(ln.kpi_id),
                made_at_time=made.get(ln.kpi_id),
                numerator=v.numerator if v is not None else None,
                denominator=v.denominator if v is not None else None,
                null_reason=(v.flag if v is not None else None) or None,
                quarantined={t: quarantined[t] for t in kpi.requires if quarantined.get(t)},
            )
        )
    try:
        coverage = api.coverage_summary(db, la_code)
    except (ValueError, duckdb.Error):
        coverage = "Data coverage could not be read from the store."
    last = last_month_end(period_end)
    months = [shift(last, -i) for i in range(TREND_MONTHS, -1, -1)]
    trends: dict[str, dict[date, float | None]] = {}
    for mv in api.values(la_code, "month", months[0], last, [r.kpi.id for r in rows], db=db):
        trends.setdefault(mv.kpi_id, {})[mv.period_end] = mv.value
    trends = {k: s for k, s in trends.items() if any(x is not None for x in s.values())}
    backtest, bt_note = _backtest(la_code, sorted(trends), db, backtest)
    return Scorecard(
        la_code=la_code,
        period_end=period_end,
        period_type=period_type,
        rows=rows,
        coverage=coverage,
        benchmarks_note=bench_note,
        forecast_note=forecast_note,
        quarantine_note=q_note,
        months=months,
        trends=trends,
        backtest=backtest,
        backtest_note=bt_note,
    )
