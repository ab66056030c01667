"""The Notes sheet of scorecard.xlsx: what each figure is and where it comes from.

Members ask for each indicator's definition, polarity, period and source, and the
vintage of its benchmarks (field research § c.1.6); the back-test shows how far the
forecasts can be trusted. Everything is text or a number from the catalogue and the
API, never a formula.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from cscperf.forecast.run import BacktestPoint
from cscperf.kpis.catalogue import Kpi
from cscperf.report import xlsx_formats as fx
from cscperf.report.xlsx_data import Row, Scorecard, area_heading, year_label
from cscperf.targets import RAG_RULE

PrintSetup = Callable[[Worksheet, Scorecard, str], None]

#: (header, width) of the definitions table; the back-test table reuses the columns.
DEF_COLUMNS = (
    ("KPI id", 26), ("KPI", 40), ("Definition", 60), ("Area", 16), ("Unit", 10),
    ("Polarity", 12), ("Source (return)", 14), ("Published series (comparators)", 40),
    ("RAG rule", 60), ("Target from", 30),
)  # fmt: skip
TEXT_SPAN = 8  # about-section text merged over columns B..I
LEGEND = (
    ("[f]", "A forecast, not an outturn: a projection with its 80% interval."),
    ("RAG", "Red / Amber / Green against the target, written as a word and coloured; "
            "'Not rated' when there is no target or the KPI is a context indicator."),
    ("Travel", "Arrow = movement of the displayed value (up, down, no change); the word "
               "judges it by the KPI's polarity (improving / worsening; up / down alone for "
               "a context KPI); n.a. when a value is missing."),
    ("Numbers", "Every KPI figure is stored as a number rounded as displayed (the KPI's "
                "decimals), the value the RAG rating and travel are judged on; percentages "
                "are stored as percents (66.7 shows as 66.7%)."),
    ("Area sheets", "Month values over the last 27 month ends (each month as a period: a "
                    "flow's count in the month, a stock at the month end). A flow's monthly "
                    "counts are not charted against its yearly target."),
    ("Rank, quartile", "Among all LAs with a published value (rank 1 and quartile A = best; "
                       "for a context KPI, where neither direction is better, = highest)."),
    ("Region, England", "Left blank beside a count: the published region and England counts "
                        "are totals, not averages one LA can be set beside."),
    ("Data quality", "Why a value is missing, small numbers (denominator under 10), and rows "
                     "quarantined at ingest in the tables the KPI reads."),
)  # fmt: skip


def _height(text: str, width_chars: float) -> float:
    return 15.0 * max(1, math.ceil(len(text) / max(width_chars, 1.0) * 1.1))


def _about(wb: Workbook, ws: Worksheet, card: Scorecard, r: int) -> int:
    label = wb.add_format({"bold": True, "valign": "top"})
    text = wb.add_format({"text_wrap": True, "valign": "top"})
    span_chars = sum(w for _, w in DEF_COLUMNS[1 : 1 + TEXT_SPAN])
    lines: list[tuple[str, str]] = [
        ("Data", card.coverage),
        ("Comparators", card.benchmarks_note),
        ("Forecasts", card.forecast_note),
        ("Back-test", card.backtest_note),
        ("Quarantine", card.quarantine_note),
        ("RAG rules", RAG_RULE),
        *LEGEND,
    ]
    missing = sorted({area_heading(x.kpi.area) for x in card.rows} - {
        area_heading(x.kpi.area) for x in card.rows if x.kpi.id in card.trends})  # fmt: skip
    if missing:
        lines.append(("No area sheet", "No month values in the store for: "
                      + ", ".join(missing) + "."))  # fmt: skip
    for name, body in lines:
        ws.write_string(r, 0, name, label)
        ws.merge_range(r, 1, r, TEXT_SPAN, body, text)
        ws.set_row(r, _height(body, span_chars))
        r += 1
    return r + 1


def _published(row: Row) -> str:
    series = "; ".join(p.label for p in row.kpi.published)
    c = row.comparison
    if c is not None:
        used = f"used: {c.source} ({year_label(c.year)}, SN model {c.sn_model or 'n/a'})"
        return f"{used}. {c.note}".strip(". ") if c.note else used
    return series or "none published"


def _definitions(wb: Workbook, ws: Worksheet, card: Scorecard, r: int) -> int:
    head = wb.add_format({"bold": True, "text_wrap": True, "bg_color": "#D9E1F2", "border": 1,
                          "valign": "top"})  # fmt: skip
    text = wb.add_format({"text_wrap": True, "valign": "top"})
    ws.write_string(r, 0, "KPI definitions, sources and RAG rules",
                    wb.add_format({"bold": True, "font_size": 12}))  # fmt: skip
    r += 1
    for j, (h, _) in enumerate(DEF_COLUMNS):
        ws.write_string(r, j, h, head)
    r += 1
    for row in card.rows:
        k, t = row.kpi, row.line.target
        cells = (
            k.id, k.title, k.definition, area_heading(k.area), fx.unit_label(k), k.polarity,
            k.source, _published(row), row.line.rule,
            (t.source or "") + (f" (owner: {t.owner})" if t and t.owner else "") if t else "",
        )  # fmt: skip
        for j, c in enumerate(cells):
            ws.write_string(r, j, c, text)
        ws.set_row(r, max(_height(k.definition, 60), _height(row.line.rule, 60)))
        r += 1
    return r + 1


def _error_format(kpi: Kpi) -> str:
    """A KPI's format for an error: a percentage's error is in percentage points."""
    if kpi.unit == "percent":
        return "#,##0" + ("." + "0" * kpi.decimals if kpi.decimals else "") + '" pp"'
    return fx.number_format(kpi)


def _years_used(points: list[BacktestPoint]) -> str:
    return ", ".join(year_label(p.target_period_end.year) for p in points)


def _backtest(wb: Workbook, ws: Worksheet, card: Scorecard, r: int) -> int:
    bold = wb.add_format({"bold": True, "font_size": 12})
    ws.write_string(r, 0, "Forecast back-test: error per KPI", bold)
    r += 1
    if card.backtest is None:
        ws.write_string(r, 0, card.backtest_note)
        return r + 2
    head = wb.add_format({"bold": True, "text_wrap": True, "bg_color": "#D9E1F2", "border": 1,
                          "valign": "top"})  # fmt: skip
    headers = ("KPI id", "KPI", "Years used (outturn years)", "Years tested",
               "MAE (KPI units)", "MAPE", "80% coverage", "Methods")  # fmt: skip
    for j, h in enumerate(headers):
        ws.write_string(r, j, h, head)
    ws.set_row(r, 30)
    r += 1
    kpis = {x.kpi.id: x.kpi for x in card.rows}
    formats: dict[str, Any] = {}

    def fmt(num: str) -> Any:
        if num not in formats:
            formats[num] = wb.add_format({"num_format": num, "valign": "top"})
        return formats[num]

    for bt in card.backtest.rows:
        kpi = kpis.get(bt.kpi_id)
        pts = [p for p in card.backtest.points if p.kpi_id == bt.kpi_id]
        ws.write_string(r, 0, bt.kpi_id)
        ws.write_string(r, 1, kpi.title if kpi else bt.kpi_id)
        ws.write_string(r, 2, _years_used(pts))
        ws.write_number(r, 3, bt.years, fmt("0"))
        if kpi is not None:
            ws.write_number(r, 4, fx.value(kpi, bt.mae) or 0.0, fmt(_error_format(kpi)))
        else:
            ws.write_number(r, 4, fx.rounded(bt.mae, 1) or 0.0, fmt("#,##0.0"))
        if bt.mape is None:
            ws.write_string(r, 5, "n/a (outturns of 0)")
        else:
            ws.write_number(r, 5, fx.rounded(bt.mape, 1) or 0.0, fmt('0.0"%"'))
        ws.write_number(r, 6, fx.rounded(bt.coverage80 * 100, 0) or 0.0, fmt('0"%"'))
        ws.write_string(r, 7, bt.methods)
        r += 1
    return r + 1


def write_notes(wb: Workbook, card: Scorecard, print_setup: PrintSetup) -> Worksheet:
    ws = wb.add_worksheet("Notes")
    for j, (_, w) in enumerate(DEF_COLUMNS):
        ws.set_column(j, j, w)
    title = (f"Notes: children's social care scorecard, LA {card.la_code}, "
             f"{fx.period_label(card.period_type, card.period_end)}")  # fmt: skip
    ws.write_string(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
    r = _about(wb, ws, card, 2)
    r = _definitions(wb, ws, card, r)
    _backtest(wb, ws, card, r)
    print_setup(ws, card, "Notes")
    return ws
