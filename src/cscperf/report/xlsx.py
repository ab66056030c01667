"""scorecard.xlsx: the committee scorecard as a workbook officers can filter and reuse.

Sheets: "Scorecard" (one row per KPI, RAG as a word with a conditional fill), one
sheet per area (month trend data and native Excel line charts) and "Notes"
(definitions, sources, RAG rules, back-test, data coverage). Figures come from
:func:`cscperf.report.xlsx_data.gather`, which reads only through :mod:`cscperf.api`.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from cscperf.forecast import Backtest
from cscperf.kpis.periods import reporting_year_end
from cscperf.report import xlsx_formats as fx
from cscperf.report.xlsx_data import Row, Scorecard, area_heading, gather, year_label
from cscperf.report.xlsx_notes import write_notes
from cscperf.report.xlsx_trends import write_area_sheets
from cscperf.targets.lines import shift

FILENAME = "scorecard.xlsx"
#: Excel's own Bad / Neutral / Good cell styles: dark text on a light fill (contrast
#: above 4.5:1), and the word is in the cell, so colour is never the only signal.
RAG_STYLES = {
    "Red": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "Amber": {"bg_color": "#FFEB9C", "font_color": "#7A4400"},
    "Green": {"bg_color": "#C6EFCE", "font_color": "#006100"},
}
TRAVEL_STYLES = {"improving": "#006100", "worsening": "#9C0006"}
POLARITY_WORDS = {"high": "higher is better", "low": "lower is better", "context": "context"}

#: a cell: (value, number format or None)
Cell = tuple[Any, str | None]


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    get: Callable[[Row], Cell]


def _kpi_number(row: Row, x: float | None, suffix: str = "") -> Cell:
    return fx.value(row.kpi, x), fx.number_format(row.kpi, suffix)


def _count(x: float | None) -> Cell:
    """A numerator or denominator: whole numbers as such, others to one decimal."""
    if x is None or float(x).is_integer():
        return fx.rounded(x, 0), "#,##0"
    return fx.rounded(x, 1), "#,##0.0"


def _travel_previous(r: Row) -> Cell:
    return fx.travel_text(r.kpi, r.line.travel, r.line.value, r.line.previous), None


def _travel_year(r: Row) -> Cell:
    return fx.travel_text(r.kpi, r.line.travel_year, r.line.value, r.line.last_year), None


def _target(row: Row) -> Cell:
    t = row.line.target
    return _kpi_number(row, t.target if t is not None else None)


def _rag(row: Row) -> Cell:
    return (row.line.rag.capitalize() if row.line.rag else "Not rated"), None


def _average(row: Row, field: str) -> float | None:
    """A region or England figure, except beside a count: published counts there are
    totals (3,040 adoptions in England), not an average one LA can be set beside."""
    if row.comparison is None or row.kpi.unit == "count":
        return None
    value: float | None = getattr(row.comparison, field)
    return value


def _sn_basis(row: Row) -> Cell:
    c = row.comparison
    if c is None or c.sn_value is None:
        return None, None
    return f"{c.sn_stat}, {c.sn_available} of {c.sn_count} neighbours, {year_label(c.year)}", None


def _rank(row: Row) -> Cell:
    c = row.comparison
    if c is None or c.rank is None:
        return None, None
    return c.rank, f'0" of {c.rank_of}"'


def _made_at(row: Row) -> Cell:
    f = row.made_at_time
    return _kpi_number(row, f.point if f else None, " [f]")


def _within(row: Row) -> Cell:
    f = row.made_at_time
    if f is None or f.within80 is None:
        return None, None
    return ("yes" if f.within80 else "no"), None


def columns(card: Scorecard) -> list[Column]:
    """The Scorecard sheet's columns: headers carry the period and comparator year."""
    end = card.period_end
    step = {"month": 1, "quarter": 3}.get(card.period_type, 12)
    prev, year_ago = shift(end, -step), shift(end, -12)
    label = card.period_type
    cy = card.comparison_year
    cyl = f" {year_label(cy)}" if cy else ""
    region = card.region_name or "region"
    return [
        Column("KPI", 46, lambda r: (r.kpi.title, None)),
        Column("Area", 18, lambda r: (area_heading(r.kpi.area), None)),
        Column("KPI id", 24, lambda r: (r.kpi.id, None)),
        Column("Unit", 11, lambda r: (fx.unit_label(r.kpi), None)),
        Column("Polarity", 15, lambda r: (POLARITY_WORDS.get(r.kpi.polarity), None)),
        Column(f"Latest: {fx.period_label(label, end)}", 14,
               lambda r: _kpi_number(r, r.line.value)),
        Column("Numerator", 11, lambda r: _count(r.numerator)),
        Column("Denominator", 12, lambda r: _count(r.denominator)),
        Column(f"Previous: {fx.period_label(label, prev)}", 14,
               lambda r: _kpi_number(r, r.line.previous)),
        Column(f"Last year: {fx.period_label(label, year_ago)}", 14,
               lambda r: _kpi_number(r, r.line.last_year)),
        Column("Travel vs previous", 14, _travel_previous),
        Column("Travel vs last year", 14, _travel_year),
        Column("Target", 11, _target),
        Column("RAG", 10, _rag),
        Column("Owner", 14, lambda r: (r.line.owner or None, None)),
        Column(f"SN average{cyl}", 12,
               lambda r: _kpi_number(r, r.comparison.sn_value if r.comparison else None)),
        Column("SN basis", 34, _sn_basis),
        Column(f"{region}{cyl}", 14, lambda r: _kpi_number(r, _average(r, "region_value"))),
        Column(f"England{cyl}", 12, lambda r: _kpi_number(r, _average(r, "england_value"))),
        Column(f"Rank{cyl}", 11, _rank),
        Column("Quartile (A = best)", 10,
               lambda r: (r.comparison.quartile if r.comparison else None, None)),
        Column(f"Year-end forecast [f] (31 Mar {reporting_year_end(end)})", 16,
               lambda r: _kpi_number(r, r.forecast.point if r.forecast else None, " [f]")),
        Column("Forecast 80% low [f]", 12,
               lambda r: _kpi_number(r, r.forecast.lo80 if r.forecast else None, " [f]")),
        Column("Forecast 80% high [f]", 12,
               lambda r: _kpi_number(r, r.forecast.hi80 if r.forecast else None, " [f]")),
        Column("Forecast made at the time [f]", 15, _made_at),
        Column("Forecast made at", 12,
               lambda r: (r.made_at_time.made_at_period_end if r.made_at_time else None,
                          "dd mmm yyyy")),
        Column("Outturn within its 80% interval", 13, _within),
        Column("Data quality", 48, lambda r: (r.quality or None, None)),
    ]  # fmt: skip


def _write_scorecard(wb: Workbook, card: Scorecard) -> Worksheet:
    ws = wb.add_worksheet("Scorecard")
    cols = columns(card)
    head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#D9E1F2",
                          "border": 1})  # fmt: skip
    formats: dict[str | None, Any] = {None: wb.add_format({"valign": "top"})}
    wrap = wb.add_format({"valign": "top", "text_wrap": True})
    for j, col in enumerate(cols):
        ws.write_string(0, j, col.header, head)
        ws.set_column(j, j, col.width)
    for i, row in enumerate(card.rows, start=1):
        for j, col in enumerate(cols):
            val, num = col.get(row)
            if num not in formats:
                formats[num] = wb.add_format({"num_format": num, "valign": "top"})
            fmt = wrap if col.header in ("KPI", "Data quality") else formats[num]
            if val is None:
                ws.write_blank(i, j, None, fmt)
            elif isinstance(val, str):
                ws.write_string(i, j, val, fmt)
            elif isinstance(val, date):
                ws.write_datetime(i, j, val, fmt)
            else:
                ws.write_number(i, j, val, fmt)
    for i, row in enumerate(card.rows, start=1):  # wrapped cells: rows tall enough to read
        ws.set_row(i, 15.0 * max(_lines(row.kpi.title, 46), _lines(row.quality, 48)))
    last = len(card.rows)
    rag_col = next(j for j, c in enumerate(cols) if c.header == "RAG")
    for word, style in RAG_STYLES.items():
        ws.conditional_format(1, rag_col, last, rag_col, {
            "type": "cell", "criteria": "==", "value": f'"{word}"',
            "format": wb.add_format({**style, "bold": True}),
        })  # fmt: skip
    for j, c in enumerate(cols):
        if c.header.startswith("Travel"):
            for word, colour in TRAVEL_STYLES.items():
                ws.conditional_format(1, j, last, j, {
                    "type": "text", "criteria": "containing", "value": word,
                    "format": wb.add_format({"font_color": colour}),
                })  # fmt: skip
    ws.set_row(0, 45)
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, last, len(cols) - 1)
    _print_setup(ws, card, "Scorecard")
    ws.set_paper(8)  # A3: 28 columns stay readable fitted to one page's width
    ws.repeat_rows(0)
    ws.repeat_columns(0)
    return ws


def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell of ``width`` characters needs (LibreOffice does not fit them)."""
    return max(1, math.ceil(len(text) * 1.1 / width))


def _print_setup(ws: Worksheet, card: Scorecard, what: str) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # fit to width, as many pages down as needed
    period = fx.period_label(card.period_type, card.period_end)
    ws.set_header(f"&L{what}&RLA {card.la_code}, {period}")
    ws.set_footer("&CPage &P of &N")


def write_workbook(card: Scorecard, path: Path) -> Path:
    """Write ``card`` to ``path`` (atomically: a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".scorecard-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb = xlsxwriter.Workbook(tmp, {
            "strings_to_formulas": False,  # text from data is never a formula (=, +, -, @)
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "dd mmm yyyy",
        })  # fmt: skip
        wb.set_properties({
            "title": f"Children's social care scorecard: LA {card.la_code}, "
                     f"{fx.period_label(card.period_type, card.period_end)}",
            "subject": "KPIs against targets, comparators and forecasts (cscperf)",
            "author": "cscperf",
            "company": "",
            "comments": card.coverage,
        })  # fmt: skip
        _write_scorecard(wb, card)
        write_area_sheets(wb, card, _print_setup)
        write_notes(wb, card, _print_setup)
        wb.close()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_scorecard_xlsx(
    la_code: str,
    period_end: date,
    period_type: str = "year",
    targets_path: str | Path | None = None,
    db: str | Path = "cscperf.duckdb",
    path: str | Path = FILENAME,
    backtest: Backtest | None = None,
) -> Path:
    """Write scorecard.xlsx for one LA and period; ``path`` is the file, or a folder to
    write scorecard.xlsx in; ``backtest`` is one already run (the report's), so it is
    not run twice. Raises ValueError when the LA has no values for the period,
    :class:`cscperf.targets.TargetError` for a bad targets file, OSError."""
    out = Path(path)
    if out.is_dir() or out.suffix.lower() != ".xlsx":
        out = out / FILENAME
    card = gather(la_code, period_end, period_type, targets_path, str(db), backtest)
    return write_workbook(card, out)
