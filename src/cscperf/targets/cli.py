"""``cscperf rag``: each KPI against its target — RAG, direction of travel, rule.

A thin layer over :func:`cscperf.api.rag`; a bad targets file exits 2 with one
line naming the file, line and field.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from cscperf import api
from cscperf.cli_options import FORMAT_OPTION, fail, parse_date
from cscperf.kpis.catalogue import load_catalogue
from cscperf.output import render
from cscperf.store.db import DEFAULT_DB, StoreError
from cscperf.targets.model import TargetError
from cscperf.targets.rag import shown


@click.command("rag")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="The DuckDB store.")
@click.option("--la", "la_code", required=True, help="DfE LA code, e.g. 883.")
@click.option("--period-end", required=True, callback=parse_date, help="YYYY-MM-DD.")
@click.option(
    "--period-type",
    type=click.Choice(["month", "quarter", "year", "ytd", "r12"]),
    default="year",
    show_default=True,
)
@click.option("--targets", "targets_path", type=click.Path(), help="The LA's targets file.")
@click.option("--kpi", "kpi_ids", multiple=True, help="KPI id (repeatable); default all.")
@FORMAT_OPTION
@click.option("--rules", is_flag=True, help="Print each KPI's RAG rule instead.")
def rag(
    db: str,
    la_code: str,
    period_end: date,
    period_type: str,
    targets_path: str | None,
    kpi_ids: tuple[str, ...],
    fmt: str,
    rules: bool,
) -> None:
    """Rate each KPI against its target (defaults, or --targets FILE: YAML or CSV)."""
    if db != ":memory:" and not Path(db).exists():
        fail(f"{db}: no such store (run `cscperf ingest` or `cscperf demo`)")
    cat = load_catalogue()
    try:
        lines = api.rag(la_code, period_end, period_type, targets_path, list(kpi_ids) or None, db)
    except (TargetError, StoreError) as exc:
        fail(str(exc))
        return
    except KeyError as exc:
        fail(str(exc.args[0]))
        return
    if rules:
        click.echo(render(["kpi_id", "rule"], [(ln.kpi_id, ln.rule) for ln in lines], fmt))
        return

    def show(kpi_id: str, v: float | None) -> str | None:
        return None if v is None else str(shown(cat[kpi_id], v))

    cols = ["kpi_id", "value", "previous", "travel", "last_year", "travel_year", "target"]
    cols += ["rag", "owner"]
    rows = [
        (
            ln.kpi_id,
            show(ln.kpi_id, ln.value),
            show(ln.kpi_id, ln.previous),
            ln.travel,
            show(ln.kpi_id, ln.last_year),
            ln.travel_year,
            None if ln.target is None or ln.target.target is None else f"{ln.target.target:g}",
            ln.rag or ln.reason,
            ln.owner,
        )
        for ln in lines
    ]
    click.echo(render(cols, rows, fmt))
