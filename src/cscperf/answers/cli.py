"""`cscperf answers`: the answers to members' questions for one LA and period.

A thin layer over :func:`cscperf.api.member_answers`: prints each table (text with
the report's number formats, or CSV / JSON with numbers as numbers, or the report's
HTML section) and, with ``--out``, writes one file per table through
:mod:`cscperf.export`.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
import duckdb

from cscperf.answers.model import AnswerTable
from cscperf.cli_options import DB_OPTION, fail, parse_date
from cscperf.output import render


def _rows(t: AnswerTable) -> list[tuple[object, ...]]:
    return [*t.rows, *((t.total,) if t.total else ())]


def _text(t: AnswerTable, fmt: str) -> str:
    from cscperf.report.answers import formatted_rows

    if t.empty:
        body = f"None. {t.none}"
    elif fmt == "csv":
        body = render(t.columns, _rows(t), "csv")
    else:
        body = render(t.columns, formatted_rows(t), "table")
    return f"{t.title}\n{t.question}\n{body}\nNote: {t.note}\n"


def _json(tables: list[AnswerTable]) -> str:
    return json.dumps(
        [
            {"id": t.id, "question": t.question, "title": t.title, "columns": list(t.columns),
             "units": list(t.units), "rows": [list(r) for r in t.rows],
             "total": list(t.total) if t.total else None, "note": t.note,
             "none": t.none if t.empty else None}
            for t in tables
        ],
        indent=2,
    )  # fmt: skip


@click.command()
@DB_OPTION
@click.option("--la", "la_code", required=True, help="LA code, e.g. 883.")
@click.option("--period-end", required=True, callback=parse_date, help="YYYY-MM-DD.")
@click.option(
    "--period-type",
    type=click.Choice(["year", "quarter", "month", "ytd"]),
    default="year",
    show_default=True,
    help="The period ending on --period-end (ignored with --period-start).",
)
@click.option(
    "--period-start",
    callback=parse_date,
    default=None,
    help="YYYY-MM-DD: any other first day of the period.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "html"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Also write each table to <out>/<table id>.csv (.json with --format json).",
)
def answers(db: str, la_code: str, period_end: date, period_type: str,
            period_start: date | None, fmt: str, out: str | None) -> None:  # fmt: skip
    """Tables answering committee members' questions, for one LA and period."""
    from cscperf import api
    from cscperf.export import ExportError, write
    from cscperf.kpis.periods import check_period_end
    from cscperf.kpis.periods import period_start as start_of

    if not Path(db).is_file():
        fail(f"{db}: no such store (run `cscperf ingest` or `cscperf demo`)")
    try:
        if period_start is None:
            check_period_end(period_type, period_end)
            period_start = start_of(period_type, period_end)
        tables = api.member_answers(la_code, period_start, period_end, db)
    except (ValueError, duckdb.Error) as exc:
        fail(str(exc).splitlines()[0])
    if fmt == "json":
        click.echo(_json(tables))
    elif fmt == "html":
        from cscperf.report.answers import render_answers

        click.echo(render_answers(tables))
    else:
        click.echo("\n".join(_text(t, fmt) for t in tables).rstrip("\n"))
    if out:
        ext = "json" if fmt == "json" else "csv"
        try:
            Path(out).mkdir(parents=True, exist_ok=True)
            for t in tables:
                write(Path(out) / f"{t.id}.{ext}", t.columns, _rows(t), ext)
        except (ExportError, OSError) as exc:
            fail(str(exc))
