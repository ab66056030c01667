"""Year-end forecasts of KPIs with 80% intervals, stored as made, and their back-test
(issue 12, item 5)."""

from cscperf.forecast.kinds import FLOW, LEVEL, NOT_FORECAST, kind
from cscperf.forecast.models import Projection, project_flow, project_level
from cscperf.forecast.run import (
    Backtest,
    BacktestPoint,
    BacktestRow,
    Forecast,
    ForecastRun,
    backtest,
    forecast_la,
)
from cscperf.forecast.store import ForecastOutturn, forecasts_vs_outturn, save_forecasts

__all__ = [
    "FLOW",
    "LEVEL",
    "NOT_FORECAST",
    "Backtest",
    "BacktestPoint",
    "BacktestRow",
    "Forecast",
    "ForecastOutturn",
    "ForecastRun",
    "Projection",
    "backtest",
    "forecast_la",
    "forecasts_vs_outturn",
    "kind",
    "project_flow",
    "project_level",
    "save_forecasts",
]
