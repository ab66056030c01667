"""``cscperf forecast``: year-end forecasts of an LA's KPIs, or the back-test table.

A thin layer over :func:`cscperf.api.forecast` and :func:`cscperf.api.backtest`;
numbers are shown rounded to each KPI's decimals.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
import duckdb

from cscperf import api
from cscperf.cli_options import FORMAT_OPTION, fail, parse_date
from cscperf.kpis.catalogue import load_catalogue
from cscperf.output import render
from cscperf.store.db import DEFAULT_DB, StoreError


def _r(x: float | None, decimals: int) -> float | int | None:
    if x is None:
        return None
    return round(x) if decimals == 0 else round(x, decimals)


@click.command("forecast")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="The DuckDB store.")
@click.option("--la", "la_code", required=True, help="DfE LA code, e.g. 883.")
@click.option(
    "--period-end", callback=parse_date, help="Forecast as at this date (YYYY-MM-DD; month end)."
)
@click.option("--kpi", "kpi_ids", multiple=True, help="KPI id (repeatable); default all.")
@FORMAT_OPTION
@click.option(
    "--backtest",
    is_flag=True,
    help="Instead: forecast each past year from September and print the error per KPI.",
)
@click.option("--no-store", is_flag=True, help="Do not keep the forecasts in the store.")
def forecast(
    db: str,
    la_code: str,
    period_end: date | None,
    kpi_ids: tuple[str, ...],
    fmt: str,
    backtest: bool,
    no_store: bool,
) -> None:
    """Year-end forecasts with 80% intervals for an LA's flow and level KPIs.

    Flows (adoptions, starts, referrals...) are the year-to-date count plus the
    remaining months forecast with their seasonality; levels (children looked
    after, stability...) are the projected value at 31 March.
    """
    cat = load_catalogue()
    if db != ":memory:" and not Path(db).exists():
        fail(f"{db}: no such store (run `cscperf ingest` or `cscperf demo`)")
    try:
        if backtest:
            rows = api.backtest(la_code, list(kpi_ids) or None, db=db).rows
            cols = ["kpi_id", "years", "mae", "mape_pct", "coverage80_pct", "methods"]
            out: list[tuple[object, ...]] = [
                (
                    r.kpi_id,
                    r.years,
                    _r(r.mae, max(cat[r.kpi_id].decimals, 1)),
                    _r(r.mape, 1),
                    _r(r.coverage80 * 100, 0),
                    r.methods,
                )
                for r in rows
            ]
        else:
            if period_end is None:
                raise click.UsageError("--period-end is required (or use --backtest)")
            made = api.forecast(la_code, period_end, list(kpi_ids) or None, db, not no_store)
            cols = ["kpi_id", "kind", "made_at", "year_end", "so_far", "forecast", "lo80"]
            cols += ["hi80", "method"]
            out = []
            for f in made:
                d = cat[f.kpi_id].decimals
                out.append(
                    (
                        f.kpi_id,
                        f.kind or "",
                        f.made_at_period_end,
                        f.target_period_end,
                        _r(f.latest, d),
                        _r(f.point, d),
                        _r(f.lo80, d),
                        _r(f.hi80, d),
                        f.method or f.note,
                    )
                )
    except KeyError as exc:
        fail(str(exc.args[0]))
        return
    except StoreError as exc:
        fail(str(exc))
        return
    except duckdb.Error as exc:
        fail(f"store error: {str(exc).splitlines()[0]}")
        return
    click.echo(render(cols, out, fmt))
