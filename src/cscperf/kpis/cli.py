"""``cscperf kpis``: compute KPIs into the store and print or export them.

A thin layer over :func:`cscperf.kpis.engine.compute` and
:func:`cscperf.kpis.explain.explain`; all calculation lives there.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click
import duckdb

from cscperf.kpis.catalogue import BREAKDOWNS, KpiDefinitionError, load_catalogue
from cscperf.kpis.engine import KPI_VALUES_COLUMNS, KpiRunError, RunSummary, compute
from cscperf.kpis.periods import PERIOD_TYPES, period_ends

FORMATS = ("table", "csv", "json", "parquet")


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)") from None


def _fmt_number(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def _csv_text(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(
            [
                v.isoformat() if isinstance(v, date) else _fmt_number(v) if v is not None else ""
                for v in r
            ]
        )
    return buf.getvalue()


def _json_text(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    records = [
        {c: (v.isoformat() if isinstance(v, date) else v) for c, v in zip(columns, r, strict=True)}
        for r in rows
    ]
    return json.dumps(records, indent=1) + "\n"


def _table_text(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], decimals: dict[str, int]
) -> str:
    """Aligned text; values rounded for display by each KPI's ``decimals``."""
    shown = []
    for r in rows:
        rec = dict(zip(columns, r, strict=True))
        out = []
        for c in columns:
            v = rec[c]
            if c == "value" and isinstance(v, float):
                out.append(f"{v:.{decimals.get(str(rec.get('kpi_id')), 1)}f}")
            elif isinstance(v, date):
                out.append(v.isoformat())
            else:
                out.append(_fmt_number(v))
        shown.append(out)
    widths = [max([len(c), *(len(r[i]) for r in shown)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in shown]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _emit(
    con: duckdb.DuckDBPyConnection,
    select_sql: str,
    params: list[Any],
    fmt: str,
    out: Path | None,
    decimals: dict[str, int],
) -> None:
    if fmt == "parquet":
        if out is None:
            raise click.UsageError("--format parquet needs --out PATH")
        con.execute(f"COPY ({select_sql}) TO '{out}' (FORMAT parquet)", params)
        click.echo(f"wrote {out}", err=True)
        return
    rel = con.execute(select_sql, params)
    columns = [d[0] for d in rel.description]
    rows = rel.fetchall()
    if fmt == "csv":
        text = _csv_text(columns, rows)
    elif fmt == "json":
        text = _json_text(columns, rows)
    else:
        text = _table_text(columns, rows, decimals)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)


def _open(db: str) -> duckdb.DuckDBPyConnection:
    from cscperf.store.db import StoreError, connect

    if db != ":memory:" and not Path(db).exists():
        raise click.ClickException(f"{db}: no such store (run `cscperf ingest` or `cscperf demo`)")
    try:
        return connect(db)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


def _report(summary: RunSummary) -> None:
    for kpi_id, reason in summary.skipped.items():
        click.echo(f"skipped {kpi_id}: {reason}", err=True)
    for kpi_id, err in summary.errors.items():
        click.echo(f"error in {kpi_id}: {err}", err=True)


@click.command("kpis")
@click.option("--db", default="cscperf.duckdb", show_default=True, help="The DuckDB store.")
@click.option("--la", "la", required=True, help="DfE LA code (e.g. 883), or 'all'.")
@click.option("--kpi", "kpi_ids", multiple=True, help="KPI id (repeatable); default all.")
@click.option("--period-type", type=click.Choice(PERIOD_TYPES), default="year", show_default=True)
@click.option("--period-end", required=True, callback=_date, help="Last period end, YYYY-MM-DD.")
@click.option(
    "--from",
    "from_",
    callback=_date,
    help="Also every month/quarter/year end from this date up to --period-end.",
)
@click.option(
    "--breakdown",
    "breakdowns",
    multiple=True,
    type=click.Choice(("all", "*", *BREAKDOWNS)),
    help="Breakdown (repeatable; '*' = every breakdown each KPI declares).",
)
@click.option("--value", "value", help="With --explain and --breakdown: the breakdown value.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.option("--explain", is_flag=True, help="List the children/events behind one KPI value.")
def kpis(
    db: str,
    la: str,
    kpi_ids: tuple[str, ...],
    period_type: str,
    period_end: date,
    from_: date | None,
    breakdowns: tuple[str, ...],
    value: str | None,
    fmt: str,
    out: Path | None,
    explain: bool,
) -> None:
    """Compute KPIs for LA(s) and period(s) into kpi_values, and print them.

    Example: cscperf kpis --la 883 --period-type year --period-end 2025-03-31 --format csv
    """
    try:
        catalogue = load_catalogue()
    except KpiDefinitionError as exc:
        raise click.ClickException(str(exc)) from exc
    unknown = [k for k in kpi_ids if k not in catalogue]
    if unknown:
        raise click.UsageError(f"unknown KPI {', '.join(unknown)}")
    if from_ is not None and from_ > period_end:
        raise click.UsageError("--from is after --period-end")
    ends = period_ends(period_type, from_, period_end) if from_ else [period_end]
    decimals = {k.id: k.decimals for k in catalogue.values()}
    con = _open(db)
    try:
        if explain:
            _explain(con, la, kpi_ids, period_type, ends, breakdowns, value, fmt, out, decimals)
            return
        try:
            summary = compute(
                con,
                list(kpi_ids) or None,
                None if la == "all" else [la],
                period_type,
                ends,
                list(breakdowns) or None,
                on_error="collect",
            )
        except (KpiRunError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
        _report(summary)
        names = ["all", *(b for b in breakdowns if b != "*")]
        bd_filter = (
            "" if "*" in breakdowns else (f"AND breakdown IN ({', '.join('?' for _ in names)})")
        )
        kpi_filter = ", ".join("?" for _ in summary.computed) or "NULL"
        sql = (
            f"SELECT {', '.join(KPI_VALUES_COLUMNS)} FROM kpi_values "
            f"WHERE kpi_id IN ({kpi_filter}) AND period_type = ? "
            f"AND la_code IN ({', '.join('?' for _ in summary.las) or 'NULL'}) "
            f"AND period_end IN ({', '.join('?' for _ in ends)}) {bd_filter} "
            "ORDER BY kpi_id, la_code, period_end, breakdown <> 'all', breakdown, breakdown_value"
        )
        params: list[Any] = [*summary.computed, period_type, *summary.las, *ends]
        if bd_filter:
            params += names
        _emit(con, sql, params, fmt, out, decimals)
        if fmt == "table" and out is None:  # what the figures rest on (issue 10)
            from cscperf.store.coverage import summary_line

            click.echo("\n".join(f"{la}: {summary_line(con, la)}" for la in summary.las))
        if summary.errors:
            sys.exit(1)
    finally:
        con.close()


def _explain(
    con: duckdb.DuckDBPyConnection,
    la: str,
    kpi_ids: Sequence[str],
    period_type: str,
    ends: Sequence[date],
    breakdowns: Sequence[str],
    value: str | None,
    fmt: str,
    out: Path | None,
    decimals: dict[str, int],
) -> None:
    from cscperf.kpis.explain import explain

    if len(kpi_ids) != 1 or la == "all" or len(ends) != 1:
        raise click.UsageError("--explain needs exactly one --kpi, one --la and one period end")
    breakdown = next((b for b in breakdowns if b not in ("all", "*")), None)
    if breakdown and value is None:
        raise click.UsageError("--explain with --breakdown needs --value")
    try:
        rows = explain(con, kpi_ids[0], la, period_type, ends[0], breakdown, value)
    except (KpiRunError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if not rows:
        click.echo("no members", err=True)
        return
    columns = list(rows[0])
    data = [tuple(r[c] for c in columns) for r in rows]
    con.register("_explain_rows", _arrow(columns, data))
    try:
        _emit(con, "SELECT * FROM _explain_rows", [], fmt, out, decimals)
    finally:
        con.unregister("_explain_rows")


def _arrow(columns: Sequence[str], data: Sequence[Sequence[Any]]) -> Any:
    import pyarrow as pa

    return pa.table({c: [r[i] for r in data] for i, c in enumerate(columns)})
