"""``cscperf benchmarks pool``: an LA beside the regional pool of other LAs in the store.

A subcommand of its own (not an option of ``show``): ``show`` reads the DfE's published
figures for a return year, the pool is computed from case-level data for any period.
Thin: the work is in :func:`cscperf.api.pool`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
import duckdb

from cscperf import api
from cscperf.benchmarks.emit import emit
from cscperf.benchmarks.pool import PoolValue, shown_label
from cscperf.cli_options import DB_OPTION, fail, parse_date
from cscperf.kpis.catalogue import load_catalogue
from cscperf.kpis.periods import PERIOD_TYPES
from cscperf.store.db import StoreError

COLUMNS = (
    "la_code", "period_type", "period_end", "kpi_id", "title", "pool", "comparator", "value",
    "numerator",
    "denominator", "la_value", "place", "members_with_value", "mean_of_members", "used",
    "members", "chosen", "basis", "published_sn", "shown", "note",
)  # fmt: skip
TABLE_COLUMNS = ("kpi_id", "la_value", "comparator", "place", "mean_of_members", "shown")


def _r(v: float | None, d: int) -> float | None:
    return None if v is None else round(v, d)


def _published(la_code: str, end: dt.date, db: str) -> dict[str, tuple[str, float | None]]:
    """The published SN figure by KPI for a year ending 31 March, when imported."""
    if end.month != 3:
        return {}
    try:
        rows = api.benchmarks(la_code, year=end.year, db=db)
    except (StoreError, LookupError, ValueError, duckdb.Error):  # none imported
        return {}
    return {c.kpi_id: (f"{c.sn_label} {end.year - 1}-{end.year % 100:02d}", c.sn_value)
            for c in rows}  # fmt: skip


def record(
    p: PoolValue, decimals: int, published: tuple[str, float | None] | None
) -> dict[str, Any]:
    """One pool row for output; values to one more place than the KPI shows."""
    d = decimals + 1
    sn_label, sn_value = published or ("", None)
    shown = shown_label(sn_label if sn_value is not None else None, p)
    return {
        "la_code": p.la_code,
        "period_type": p.period_type,
        "period_end": p.period_end,
        "kpi_id": p.kpi_id,
        "title": p.title,
        "pool": p.label,
        "comparator": _r(p.comparator, d),
        "value": _r(p.value, d),
        "numerator": p.numerator,
        "denominator": p.denominator,
        "la_value": _r(p.la_value, d),
        "place": f"{p.place} of {p.place_of}" if p.place is not None else None,
        "members_with_value": p.with_value,
        "mean_of_members": _r(p.mean_of_values, d),
        "used": " ".join(p.used),
        "members": " ".join(p.members),
        "chosen": p.chosen,
        "basis": p.basis,
        "published_sn": _r(sn_value, d) if sn_value is not None else None,
        "shown": shown,
        "note": p.note,
    }


@click.command("pool")
@DB_OPTION
@click.option("--la", "la_code", required=True, help="DfE 3-digit LA code, e.g. 883.")
@click.option("--period-type", type=click.Choice(list(PERIOD_TYPES)), default="quarter",
              show_default=True)  # fmt: skip
@click.option("--period-end", required=True, callback=parse_date, help="YYYY-MM-DD.")
@click.option("--kpi", "kpis", multiple=True, help="KPI id (repeat); default every KPI.")
@click.option("--members", default=None,
              help="LAs to pool, comma-separated (default: the LA's statistical neighbours in "
                   "the store, else the other LAs of its region).")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "parquet"]),
              default="table", show_default=True)  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write here instead of standard output (needed for parquet).")  # fmt: skip
def pool_cmd(
    db: str,
    la_code: str,
    period_type: str,
    period_end: dt.date | None,
    kpis: tuple[str, ...],
    members: str | None,
    fmt: str,
    out: str | None,
) -> None:
    """An LA's KPIs beside the regional pool: each KPI computed over the pooled children of
    other LAs in the store (not a mean of their rates), for any period."""
    assert period_end is not None
    if not Path(db).is_file():
        fail(f"{db}: no such store")
    codes = [c.strip() for c in (members or "").split(",") if c.strip()] or None
    try:
        rows = api.pool(la_code, period_type, period_end, list(kpis) or None, codes, db=db)
    except (StoreError, KeyError, ValueError) as exc:
        fail(str(exc).strip("'\"").splitlines()[0])
        return
    cat = load_catalogue(strict=False)
    published = _published(la_code, period_end, db) if period_type == "year" else {}
    records = [
        record(p, cat[p.kpi_id].decimals if p.kpi_id in cat else 1, published.get(p.kpi_id))
        for p in rows
    ]
    if rows:
        click.echo(f"{rows[0].label}: {rows[0].chosen}", err=True)
    emit(records, COLUMNS if fmt != "table" else TABLE_COLUMNS, fmt, out)
