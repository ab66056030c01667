"""`cscperf report`: write report.html for one LA and period."""

from __future__ import annotations

from pathlib import Path

import click
import duckdb

from cscperf.cli_options import DB_OPTION, fail, parse_date
from cscperf.targets import TargetError


@click.command()
@DB_OPTION
@click.option("--la", "la_code", required=True, help="LA code, e.g. 883.")
@click.option("--period-end", required=True, callback=parse_date, help="YYYY-MM-DD.")
@click.option("--period-type", type=click.Choice(["year", "quarter", "month"]), default="year",
              show_default=True)  # fmt: skip
@click.option("--targets", "targets_path", type=click.Path(dir_okay=False), default=None,
              help="Targets file (YAML or CSV); default: the shipped targets.")  # fmt: skip
@click.option("--format", "formats", default=None, metavar="LIST",
              help="Comma-separated: html,pdf,docx,xlsx (default: all).")  # fmt: skip
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output folder.")
def report(db: str, la_code: str, period_end: object, period_type: str,
           targets_path: str | None, formats: str | None, out: str) -> None:  # fmt: skip
    """Write report.html (self-contained, accessible), report.pdf, report.docx and
    scorecard.xlsx for one LA and period."""
    from datetime import date

    from cscperf.report import build_report
    from cscperf.report.writers import (
        default_formats,
        parse_formats,
        pdf_worker,
        write_formats,
    )

    assert isinstance(period_end, date)
    chosen = parse_formats(formats) if formats is not None else default_formats()
    if not Path(db).is_file():
        fail(f"{db}: no such store")
    with pdf_worker(chosen) as worker:  # loads the PDF writer while the report is gathered
        try:
            data = build_report(la_code, period_end, period_type, targets_path, db)
        except TargetError as exc:
            fail(str(exc).splitlines()[0])
        except (ValueError, duckdb.Error) as exc:
            fail(str(exc).splitlines()[0])
        try:
            paths = write_formats(
                data, Path(out), chosen, db=db, targets_path=targets_path, worker=worker
            )
        except OSError as exc:
            fail(f"{out}: cannot write the report ({exc.strerror or exc})")
    for path in paths:
        click.echo(str(path))
