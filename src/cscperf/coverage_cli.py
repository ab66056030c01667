"""``cscperf coverage``: which months each source's loaded returns cover, per LA.

A thin layer over :func:`cscperf.api.coverage`. The table format is a month grid an
analyst can read at a glance: one row per LA, collection and reporting year, one
character per month April to March (``#`` loaded, ``+`` part of the month, ``.``
nothing loaded), so gaps and the ends of the data show; CSV and JSON give one row
per month.
"""

from __future__ import annotations

import sys

import click

from cscperf import api
from cscperf.output import render
from cscperf.store.db import DEFAULT_DB, StoreError

_MARK = {"full": "#", "part": "+", "none": "."}
_MONTH_INITIALS = "A M J J A S O N D J F M"


def _reporting_year(month: str) -> tuple[int, int]:
    """('2018-04' -> (2018, 0)): the reporting year's first calendar year, month index."""
    year, mon = int(month[:4]), int(month[5:7])
    start = year if mon >= 4 else year - 1
    return start, (mon - 4) % 12


def grid(rows: list[tuple[object, ...]]) -> str:
    """The month grid of :func:`cscperf.api.coverage` rows."""
    cells: dict[tuple[str, str, int], list[str]] = {}
    years: dict[tuple[str, str, int], set[str]] = {}
    for la, collection, month, covered, returns in rows:
        start, idx = _reporting_year(str(month))
        key = (str(la), str(collection), start)
        cells.setdefault(key, ["."] * 12)[idx] = _MARK[str(covered)]
        years.setdefault(key, set()).update(y for y in str(returns).split(",") if y)
    table = [
        (la, collection, f"{start}-{str(start + 1)[2:]}", " ".join(cells[(la, collection, start)]),
         ", ".join(sorted(years[(la, collection, start)])))
        for la, collection, start in sorted(cells)
    ]
    head = ("la", "collection", "year", _MONTH_INITIALS, "returns")
    widths = [max(len(r[i]) for r in [head, *table]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in [head, *table]]
    lines.append("# loaded  + part of the month  . nothing loaded")
    return "\n".join(lines)


@click.command("coverage")
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="DuckDB store file.")
@click.option("--la", "la_code", help="Only this LA (DfE code, e.g. 883).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="table: a month grid; csv/json: one row per month.")
def coverage(db: str, la_code: str | None, fmt: str) -> None:
    """Show, per LA and source, which months the loaded returns cover.

    KPI values for periods outside these months are null with the reason.
    """
    try:
        cols, rows = api.coverage(db, la_code)
        summaries = (
            [api.coverage_summary(db, la) for la in sorted({str(r[0]) for r in rows})]
            if fmt == "table" else []
        )
    except StoreError as exc:
        click.echo(f"cscperf: error: {exc}", err=True)
        sys.exit(2)
    if fmt != "table":
        click.echo(render(cols, rows, fmt))
        return
    if not rows:
        click.echo("nothing loaded" + (f" for LA {la_code}" if la_code else ""))
        return
    click.echo(grid(rows))
    for la, line in zip(sorted({str(r[0]) for r in rows}), summaries, strict=True):
        click.echo(f"{la}: {line}")
