"""Forecast an LA's KPIs at a period end, and back-test the method on past years.

A forecast made at month end *m* uses only the months up to *m* and projects the
value of the reporting year ending the next 31 March: a flow's year total, a
level's value at 31 March. The back-test repeats this for each earlier year from
its month-6 (30 September) position and compares with the year's outturn (its
``year`` value in ``kpi_values``).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import astuple, dataclass, field, replace
from datetime import date

import duckdb

from cscperf.forecast import backtest_cache as cache
from cscperf.forecast.kinds import NOT_FORECAST, kind
from cscperf.forecast.models import Projection, project_flow, project_level
from cscperf.forecast.series import Series, data_span, ensure_values, month_ends, read_values
from cscperf.kpis.catalogue import Kpi, load_catalogue
from cscperf.kpis.periods import add_months, reporting_year_end


@dataclass(frozen=True)
class Forecast:
    """One KPI's year-end forecast made at ``made_at_period_end``.

    ``latest`` is what is known when it is made: the year-to-date count for a flow,
    the latest month-end value for a level. ``point`` is None when the KPI has no
    forecast; ``note`` then says why.
    """

    la_code: str
    kpi_id: str
    kind: str | None
    made_at_period_end: date
    target_period_end: date
    latest: float | None
    point: float | None
    lo80: float | None
    hi80: float | None
    method: str
    note: str = ""


@dataclass
class ForecastRun:
    forecasts: list[Forecast] = field(default_factory=list)
    computed: bool = False
    #: KPIs the engine failed on when it computed the month values (id -> error)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def last_month_end(d: date) -> date:
    """``d`` when it is a month end, else the month end before it."""
    nxt = date.fromordinal(d.toordinal() + 1)
    if nxt.day == 1:
        return d
    return date.fromordinal(d.replace(day=1).toordinal() - 1)


def _bounds(kpi: Kpi) -> tuple[float | None, float | None]:
    if kpi.unit == "percent":
        return (0.0, 100.0)
    return (0.0, None)


def _project(
    kpi: Kpi, series: Series, first: date, made_at: date
) -> tuple[float | None, Projection | None]:
    """(latest known, projection) for the reporting year containing ``made_at``."""
    ends = month_ends(first, made_at)
    values = [series.get(d) for d in ends]
    in_year = made_at.month - 3 if made_at.month >= 4 else made_at.month + 9  # Apr = 1
    in_year = min(in_year, len(values))
    if in_year == 0:  # asked for a date before the LA's data begin
        return None, None
    if kind(kpi.id) == "flow":
        ytd = [v for v in values[-in_year:] if v is not None]
        return (sum(ytd) if ytd else None), project_flow(values, in_year)
    known = [v for v in values if v is not None]
    return (known[-1] if known else None), project_level(values, 12 - in_year, _bounds(kpi))


def _select(kpi_ids: Sequence[str] | None) -> tuple[dict[str, Kpi], list[str]]:
    cat = load_catalogue()
    if not kpi_ids:
        ids = [k for k in sorted(cat) if kind(k) is not None]
    else:
        unknown = [k for k in kpi_ids if k not in cat]
        if unknown:
            raise KeyError(f"unknown KPI {unknown[0]!r}; see docs/kpis.md for the list")
        ids = list(dict.fromkeys(kpi_ids))
    return cat, ids


def forecast_la(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    period_end: date,
    kpi_ids: Sequence[str] | None = None,
    recompute: bool = False,
) -> ForecastRun:
    """Year-end forecasts for the LA's forecastable KPIs (or those asked for), made
    at the last month end on or before ``period_end``."""
    started = time.perf_counter()
    cat, ids = _select(kpi_ids)
    made_at = last_month_end(period_end)
    target = date(reporting_year_end(made_at), 3, 31)
    span = data_span(con, la_code)
    first, last = span if span else (date(made_at.year - 7, 4, 1), made_at)
    # months after the last return's year have no data: left null, not computed as 0
    upto = min(made_at, last)
    wanted = [k for k in ids if kind(k) is not None]
    run = ForecastRun()
    summary = ensure_values(con, la_code, wanted, month_ends(first, upto), (), recompute)
    run.computed = summary is not None
    run.errors = dict(summary.errors) if summary is not None else {}
    values = read_values(con, la_code, wanted, "month", first, upto)
    for kpi_id in ids:
        base = Forecast(la_code, kpi_id, kind(kpi_id), made_at, target, None, None, None, None, "")
        if base.kind is None:
            note = NOT_FORECAST.get(kpi_id, "not classified for forecasting")
            run.forecasts.append(replace(base, note=note))
            continue
        latest, proj = _project(cat[kpi_id], values[kpi_id], first, made_at)
        if proj is None:
            note = "no value in the months so far"
            if kpi_id in run.errors:
                note = f"the KPI failed: {run.errors[kpi_id].splitlines()[0]}"
            run.forecasts.append(replace(base, latest=latest, note=note))
            continue
        run.forecasts.append(
            replace(
                base,
                latest=latest,
                point=proj.point,
                lo80=proj.lo80,
                hi80=proj.hi80,
                method=proj.method,
            )
        )
    run.seconds = time.perf_counter() - started
    return run


# --- back-test ---------------------------------------------------------------------


@dataclass(frozen=True)
class BacktestPoint:
    """One past year forecast from its month-6 position, beside its outturn."""

    kpi_id: str
    target_period_end: date
    made_at_period_end: date
    point: float
    lo80: float
    hi80: float
    outturn: float
    method: str

    @property
    def within80(self) -> bool:
        return self.lo80 <= self.outturn <= self.hi80


@dataclass(frozen=True)
class BacktestRow:
    """Error of one KPI's forecasts over the past years: MAE in the KPI's units, MAPE
    in % (years with outturn 0 left out of it), share of outturns inside the 80%
    interval."""

    kpi_id: str
    years: int
    mae: float
    mape: float | None
    coverage80: float
    methods: str


_SHORT = (
    ("exponential smoothing, 12", "ETS seasonal"),
    ("exponential smoothing, damped", "ETS damped trend"),
    ("seasonal naive", "seasonal naive"),
    ("run rate", "run rate"),
    ("last value", "last value"),
    ("outturn", "outturn"),
)


def short_method(method: str) -> str:
    """A method's short name for tables ("ETS seasonal", "run rate", ...)."""
    return next((short for start, short in _SHORT if method.startswith(start)), method)


def _summary(kpi_id: str, points: list[BacktestPoint]) -> BacktestRow:
    errors = [abs(p.point - p.outturn) for p in points]
    pct = [abs(p.point - p.outturn) / abs(p.outturn) * 100 for p in points if p.outturn != 0]
    counts = Counter(short_method(p.method) for p in points)
    return BacktestRow(
        kpi_id,
        len(points),
        sum(errors) / len(errors),
        sum(pct) / len(pct) if pct else None,
        sum(p.within80 for p in points) / len(points),
        ", ".join(f"{m} x{n}" for m, n in sorted(counts.items(), key=lambda mn: -mn[1])),
    )


@dataclass(frozen=True)
class Backtest:
    """The back-test: the error per KPI, and every past year's forecast (``points``)."""

    rows: list[BacktestRow]
    points: list[BacktestPoint]

    def up_to(self, end: date) -> Backtest:
        """Only the years ended by ``end``, summarised again (a report looks back from
        its own date)."""
        ids = [r.kpi_id for r in self.rows]
        return _backtest_from([p for p in self.points if p.target_period_end <= end], ids)

    def only(self, kpi_ids: Sequence[str]) -> Backtest:
        """Only these KPIs."""
        keep = set(kpi_ids)
        return Backtest(
            [r for r in self.rows if r.kpi_id in keep],
            [p for p in self.points if p.kpi_id in keep],
        )


def backtest(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    kpi_ids: Sequence[str] | None = None,
    made_at_month: int = 6,
    recompute: bool = False,
) -> Backtest:
    """Forecast each past reporting year in the store from its ``made_at_month``-th
    month end (6 = 30 September) using only the months up to then, and compare
    with the outturn."""
    cat, ids = _select(kpi_ids)
    ids = [k for k in ids if kind(k) is not None]
    span = data_span(con, la_code)
    if span is None or not ids:
        return Backtest([], [])
    first, last = span
    year_ends = [date(y, 3, 31) for y in range(first.year + 1, last.year + 1)]
    ensure_values(con, la_code, ids, month_ends(first, last), year_ends, recompute)
    values = read_values(con, la_code, ids, "month", first, last)
    outturns = read_values(con, la_code, ids, "year", first, last)
    fp = cache.fingerprint(ids, made_at_month, span, values, outturns)
    kept = None if recompute else cache.load(con, la_code, ids, made_at_month, fp)
    if kept is not None:  # the same inputs and code: the same points
        return _backtest_from([BacktestPoint(*row) for row in kept], ids)  # type: ignore[arg-type]
    points: list[BacktestPoint] = []
    for year_end in year_ends:
        made_at = last_month_end(add_months(date(year_end.year - 1, 3, 31), made_at_month))
        for kpi_id in ids:
            outturn = outturns[kpi_id].get(year_end)
            if outturn is None:
                continue
            _, proj = _project(cat[kpi_id], values[kpi_id], first, made_at)
            if proj is None:
                continue
            points.append(
                BacktestPoint(
                    kpi_id,
                    year_end,
                    made_at,
                    proj.point,
                    proj.lo80,
                    proj.hi80,
                    outturn,
                    proj.method,
                )
            )
    if points:
        cache.save(con, la_code, ids, made_at_month, fp, [astuple(p) for p in points])
    return _backtest_from(points, ids)


def _backtest_from(points: list[BacktestPoint], ids: Sequence[str]) -> Backtest:
    rows = [
        _summary(k, [p for p in points if p.kpi_id == k])
        for k in ids
        if any(p.kpi_id == k for p in points)
    ]
    return Backtest(rows, points)
