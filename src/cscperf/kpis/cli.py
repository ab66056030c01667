"""``cscperf kpis``: compute KPIs into the store and print or export them.

A thin layer over :func:`cscperf.kpis.engine.compute` and
:func:`cscperf.kpis.explain.explain`; all calculation lives there.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click
import duckdb

from cscperf.cli_options import parse_date
from cscperf.kpis.catalogue import BREAKDOWNS, Kpi, KpiDefinitionError, load_catalogue
from cscperf.kpis.engine import KPI_VALUES_COLUMNS, KpiRunError, RunSummary, compute
from cscperf.kpis.periods import PERIOD_TYPES, check_period_end, period_ends
from cscperf.usererror import UserError

FORMATS = ("table", "csv", "json", "parquet", "xlsx")
#: formats written by :mod:`cscperf.export` (binary: need --out)
FILE_FORMATS = ("parquet", "xlsx")
#: columns of an export: kpi_values' own, then what a reader needs to read the value
EXPORT_COLUMNS = (*KPI_VALUES_COLUMNS, "title", "unit")


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
    catalogue: dict[str, Kpi] | None = None,
) -> None:
    """Print or write the rows of ``select_sql``; kpi_values rows (``catalogue`` given)
    get each KPI's title and unit, and values rounded to its ``decimals``."""
    from cscperf.export import ExportError, write

    rel = con.execute(select_sql, params)
    columns = [d[0] for d in rel.description]
    rows = rel.fetchall()
    if catalogue is not None:
        columns, rows = readable_rows(columns, rows, catalogue)
    if fmt in FILE_FORMATS:
        if out is None:
            raise click.UsageError(f"--format {fmt} needs --out PATH")
        try:
            write(out, columns, rows, fmt)
        except ExportError as exc:
            raise UserError(str(exc)) from None
        click.echo(f"wrote {out}", err=True)
        return
    if fmt == "csv":
        text = _csv_text(columns, rows)
    elif fmt == "json":
        text = _json_text(columns, rows)
    else:
        text = _table_text(columns, rows, decimals)
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{out}: cannot write: {exc.strerror or exc}") from None
    click.echo(f"wrote {out}", err=True)


def readable_rows(
    columns: list[str], rows: list[tuple[Any, ...]], catalogue: dict[str, Kpi]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """kpi_values rows with title and unit, the value rounded as displayed (106.1, not
    106.09999999999998) and float noise cleaned from numerator and denominator."""
    at = {c: i for i, c in enumerate(columns)}
    out = []
    for r in rows:
        kpi = catalogue.get(str(r[at["kpi_id"]]))
        row = list(r)
        if kpi is not None and row[at["value"]] is not None:
            row[at["value"]] = round(float(row[at["value"]]), kpi.decimals)
        for c in ("numerator", "denominator"):
            if isinstance(row[at[c]], float):
                row[at[c]] = round(row[at[c]], 6)
        row += [kpi.title if kpi else None, kpi.unit if kpi else None]
        out.append(tuple(row))
    return [*columns, "title", "unit"], out


def _open(db: str) -> duckdb.DuckDBPyConnection:
    from cscperf.store.db import StoreError
    from cscperf.store.readonly import open_for_compute

    if db != ":memory:" and not Path(db).exists():
        raise UserError(f"{db}: no such store (run `cscperf ingest` or `cscperf demo`)")
    try:
        con, in_store = open_for_compute(db)
    except StoreError as exc:
        raise UserError(str(exc)) from exc
    if not in_store:
        click.echo(
            f"note: {db} is read-only here: KPI values are computed in memory for this run "
            "and not saved in the store",
            err=True,
        )
    return con


def _progress_wanted() -> bool:
    """Progress lines go to a terminal only, so piped or captured output stays clean."""
    return sys.stderr.isatty()


def _progress(message: str) -> None:
    if _progress_wanted():
        click.echo(message, err=True)


def _check_breakdowns(
    kpis: list[Kpi], breakdowns: tuple[str, ...], named: bool
) -> None:
    """A breakdown asked for by name must exist for the KPIs asked for by name; for the
    whole catalogue, the KPIs that lack it are said, never silently dropped."""
    wanted = [b for b in breakdowns if b not in ("all", "*")]
    for b in wanted:
        lacking = [k.id for k in kpis if b not in k.breakdowns]
        if not lacking:
            continue
        if named or len(lacking) == len(kpis):
            first = next(k for k in kpis if k.id == lacking[0])
            has = ", ".join(first.breakdowns) or "none"
            raise UserError(
                f"{', '.join(lacking)}: no breakdown {b!r} (available for {lacking[0]}: {has})"
            )
        click.echo(f"note: no breakdown {b!r} for {len(lacking)} KPI(s): "
                   f"{', '.join(lacking)}", err=True)


def _list(catalogue: dict[str, Kpi], fmt: str, out: Path | None) -> None:
    """``kpis --list``: every KPI's id, title, unit and polarity."""
    from cscperf.output import render

    cols = ["kpi_id", "title", "unit", "polarity", "decimals", "area", "breakdowns"]
    rows = [
        (k.id, k.title, k.unit, k.polarity, k.decimals, k.area, " ".join(k.breakdowns))
        for k in sorted(catalogue.values(), key=lambda k: (k.area, k.id))
    ]
    if out is not None or fmt in FILE_FORMATS:
        from cscperf.export import ExportError, write

        if out is None:
            raise click.UsageError(f"--format {fmt} needs --out PATH")
        try:
            write(out, cols, rows, fmt if fmt != "table" else None)
        except ExportError as exc:
            raise UserError(str(exc)) from None
        click.echo(f"wrote {out}", err=True)
        return
    click.echo(render(cols, rows, fmt))


def _check_la_and_end(la: str, period_type: str, period_end: date) -> None:
    """A user error (one line, exit 2) for an unknown LA or a period end that is not one."""
    from cscperf.reference.las import check_la_code

    try:
        if la != "all":
            check_la_code(la)
        check_period_end(period_type, period_end)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _report(summary: RunSummary) -> None:
    for kpi_id, reason in summary.skipped.items():
        click.echo(f"skipped {kpi_id}: {reason}", err=True)
    for kpi_id, err in summary.errors.items():
        click.echo(f"error in {kpi_id}: {err}", err=True)


@click.command("kpis")
@click.option("--db", default="cscperf.duckdb", show_default=True, help="The DuckDB store.")
@click.option("--la", "la", help="DfE LA code (e.g. 883), or 'all'.")
@click.option("--kpi", "kpi_ids", multiple=True, help="KPI id (repeatable); default all.")
@click.option("--period-type", type=click.Choice(PERIOD_TYPES), default="year", show_default=True)
@click.option("--period-end", callback=parse_date, help="Last period end, YYYY-MM-DD.")
@click.option(
    "--from",
    "from_",
    callback=parse_date,
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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format; with --out, a .csv/.json/.parquet/.xlsx name sets it.",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.option("--explain", is_flag=True, help="List the children/events behind one KPI value.")
@click.option("--list", "list_", is_flag=True, help="List the KPIs: id, title, unit, polarity.")
@click.pass_context
def kpis(
    ctx: click.Context,
    db: str,
    la: str | None,
    kpi_ids: tuple[str, ...],
    period_type: str,
    period_end: date | None,
    from_: date | None,
    breakdowns: tuple[str, ...],
    value: str | None,
    fmt: str,
    out: Path | None,
    explain: bool,
    list_: bool,
) -> None:
    """Compute KPIs for LA(s) and period(s) into kpi_values, and print them.

    Example: cscperf kpis --la 883 --period-type year --period-end 2025-03-31 --format csv

    On a store you may only read, the values are computed in memory and not saved.
    """
    try:
        catalogue = load_catalogue()
    except KpiDefinitionError as exc:
        raise UserError(str(exc)) from exc
    fmt = _format(ctx, fmt, out)
    if list_:
        _list(catalogue, fmt, out)
        return
    if la is None:
        raise click.UsageError("missing option '--la' (an LA code, or 'all')")
    if period_end is None:
        raise click.UsageError("missing option '--period-end' (YYYY-MM-DD)")
    unknown = [k for k in kpi_ids if k not in catalogue]
    if unknown:
        raise click.UsageError(f"unknown KPI {', '.join(unknown)} (see `cscperf kpis --list`)")
    if from_ is not None and from_ > period_end:
        raise click.UsageError("--from is after --period-end")
    _check_la_and_end(la, period_type, period_end)
    if fmt in FILE_FORMATS and out is None:
        raise click.UsageError(f"--format {fmt} needs --out PATH")
    selected = [catalogue[k] for k in kpi_ids] if kpi_ids else list(catalogue.values())
    if not explain:
        _check_breakdowns(selected, breakdowns, named=bool(kpi_ids))
    ends = period_ends(period_type, from_, period_end) if from_ else [period_end]
    decimals = {k.id: k.decimals for k in catalogue.values()}
    con = _open(db)
    try:
        if explain:
            _explain(con, la, kpi_ids, period_type, ends, breakdowns, value, fmt, out, decimals)
            return
        where = "every LA" if la == "all" else la
        _progress(f"computing {len(selected)} KPI(s) for {where}, {len(ends)} "
                  f"{period_type} period(s)...")  # fmt: skip
        started = time.perf_counter()
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
            raise UserError(str(exc)) from exc
        _progress(f"computed {len(summary.computed)} KPI(s) in "
                  f"{time.perf_counter() - started:.1f}s")  # fmt: skip
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
        _emit(con, sql, params, fmt, out, decimals, catalogue)
        if fmt == "table" and out is None:  # what the figures rest on (issue 10)
            from cscperf.store.coverage import summary_line

            click.echo("\n".join(f"{la}: {summary_line(con, la)}" for la in summary.las))
        if summary.errors:
            sys.exit(1)
    finally:
        con.close()


def _format(ctx: click.Context, fmt: str, out: Path | None) -> str:
    """The output format: --format, or what an --out file's extension says. An
    extension that contradicts an explicit --format is refused."""
    from cscperf.export import EXTENSIONS

    by_name = EXTENSIONS.get(out.suffix.lower()) if out is not None else None
    given = ctx.get_parameter_source("fmt") is not click.core.ParameterSource.DEFAULT
    if by_name is None:
        return fmt
    if given and fmt != by_name:
        raise click.UsageError(f"--out {out} is a .{by_name} file but --format is {fmt}")
    return by_name


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
        raise UserError(str(exc)) from exc
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
