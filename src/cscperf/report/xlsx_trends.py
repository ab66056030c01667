"""The area sheets of scorecard.xlsx: month trend data and a native line chart per KPI.

The data table is the charts' source and their text alternative; each chart also
carries alt text stating its message (the withdrawn Excel LAIT failed WCAG 1.1.1).
A flow's monthly counts are not drawn against its yearly target (different scales),
so only other KPIs get the target as a second, dashed series.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from cscperf.forecast import kind
from cscperf.report import xlsx_formats as fx
from cscperf.report.xlsx_data import AREAS, Row, Scorecard, area_heading

CHART_W, CHART_H = 520, 300
PER_ROW = 2

PrintSetup = Callable[[Worksheet, Scorecard, str], None]


def sheet_name(area: str) -> str:
    """A valid, unique-per-area sheet name (at most 31 characters, no []:*?/\\)."""
    name = "".join(c for c in area_heading(area) if c not in "[]:*?/\\")
    return name[:31]


def _message(row: Row, points: list[tuple[date, float | None]]) -> str:
    known = [(d, fx.value(row.kpi, x)) for d, x in points if x is not None]
    (d0, v0), (d1, v1) = known[0], known[-1]
    unit = {"percent": "%", "days": " days"}.get(row.kpi.unit, "")
    a = f"{v0:,.{row.kpi.decimals}f}{unit}"
    b = f"{v1:,.{row.kpi.decimals}f}{unit}"
    assert v0 is not None and v1 is not None
    verb = "rose" if v1 > v0 else "fell" if v1 < v0 else "was unchanged"
    how = f"from {a} to {b}" if verb != "was unchanged" else f"at {b}"
    return (f"Line chart of {row.kpi.title}, month ends {d0:%b %Y} to {d1:%b %Y}: it {verb} "
            f"{how}.")  # fmt: skip


def header(row: Row) -> str:
    """The KPI's title, with its unit unless the title already says it."""
    unit = fx.unit_label(row.kpi)
    return row.kpi.title if f"({unit})" in row.kpi.title else f"{row.kpi.title} ({unit})"


def _has_target_line(row: Row) -> bool:
    t = row.line.target
    return t is not None and t.target is not None and kind(row.kpi.id) != "flow"


def _write_area(wb: Workbook, ws: Worksheet, card: Scorecard, rows: list[Row]) -> int:
    """Write the table and charts of one area; returns the number of charts."""
    head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#D9E1F2",
                          "border": 1})  # fmt: skip
    month_fmt = wb.add_format({"num_format": "mmm yyyy"})
    months = card.months
    n = len(months)
    ws.write_string(0, 0, "Month end", head)
    ws.set_column(0, 0, 11)
    for i, d in enumerate(months, start=1):
        ws.write_datetime(i, 0, d, month_fmt)
    targets = [r for r in rows if _has_target_line(r)]
    col_of: dict[str, int] = {}
    for j, row in enumerate(rows, start=1):
        col_of[row.kpi.id] = j
        ws.write_string(0, j, header(row), head)
        ws.set_column(j, j, 14)
        num = wb.add_format({"num_format": fx.number_format(row.kpi)})
        series = card.trends[row.kpi.id]
        for i, d in enumerate(months, start=1):
            v = fx.value(row.kpi, series.get(d))
            if v is None:
                ws.write_blank(i, j, None, num)
            else:
                ws.write_number(i, j, v, num)
    target_col: dict[str, int] = {}
    for j, row in enumerate(targets, start=len(rows) + 1):
        t = row.line.target
        assert t is not None and t.target is not None
        target_col[row.kpi.id] = j
        ws.write_string(0, j, f"Target: {row.kpi.title}", head)
        ws.set_column(j, j, 14)
        num = wb.add_format({"num_format": fx.number_format(row.kpi), "font_color": "#595959"})
        for i in range(1, n + 1):
            ws.write_number(i, j, float(t.target), num)
    ws.set_row(0, 90)
    ws.freeze_panes(1, 1)
    top = n + 3
    ws.write_string(top - 1, 0, f"Charts: {area_heading(rows[0].kpi.area)}, month ends",
                    wb.add_format({"bold": True, "font_size": 12}))  # fmt: skip
    ws.set_h_pagebreaks([top - 1])  # the charts start a printed page
    name = ws.get_name()
    for k, row in enumerate(rows):
        j = col_of[row.kpi.id]
        chart = wb.add_chart({"type": "line"})
        assert chart is not None
        chart.add_series({
            "name": f"LA {card.la_code}",
            "categories": [name, 1, 0, n, 0],
            "values": [name, 1, j, n, j],
            "line": {"color": "#1F4E79", "width": 2.25},
            "marker": {"type": "circle", "size": 4},
        })  # fmt: skip
        if row.kpi.id in target_col:
            tj = target_col[row.kpi.id]
            chart.add_series({
                "name": "Target",
                "categories": [name, 1, 0, n, 0],
                "values": [name, 1, tj, n, tj],
                "line": {"color": "#C00000", "dash_type": "dash", "width": 1.5},
            })  # fmt: skip
        chart.set_title({"name": row.kpi.title, "name_font": {"size": 10, "bold": True}})
        chart.set_x_axis({"name": "Month end", "num_format": "mmm yy", "interval_unit": 3,
                          "interval_tick": 1, "num_font": {"rotation": -45}})  # fmt: skip
        y_axis: dict[str, object] = {"name": fx.unit_label(row.kpi),
                                     "num_format": fx.number_format(row.kpi)}  # fmt: skip
        shown = [x for x in card.trends[row.kpi.id].values() if x is not None]
        if row.kpi.unit == "percent" and max(shown) > 90:
            y_axis["max"] = 100  # no axis running past 100%
        chart.set_y_axis(y_axis)
        chart.set_legend({"position": "bottom"})
        chart.show_blanks_as("gap")
        chart.set_size({"width": CHART_W, "height": CHART_H})
        points = sorted(card.trends[row.kpi.id].items())
        alt = _message(row, [(d, x) for d, x in points if d in set(months)] or points)
        if row.kpi.id in target_col and row.line.target and row.line.target.target is not None:
            alt += f" Target {row.line.target.target:g}."
        ws.insert_chart(top, 0, chart, {
            "x_offset": 5 + (k % PER_ROW) * (CHART_W + 15),
            "y_offset": 10 + (k // PER_ROW) * (CHART_H + 15),
            "description": alt,
            "object_position": 1,
        })  # fmt: skip
    return len(rows)


def write_area_sheets(wb: Workbook, card: Scorecard, print_setup: PrintSetup) -> list[str]:
    """One sheet per area with month values; returns the sheet names written."""
    names = []
    order = list(AREAS)
    areas = sorted({r.kpi.area for r in card.rows}, key=lambda a: (order.index(a)
                   if a in order else 99, a))  # fmt: skip
    for area in areas:
        rows = [r for r in card.rows if r.kpi.area == area and r.kpi.id in card.trends]
        if not rows:
            continue
        name = sheet_name(area)
        ws = wb.add_worksheet(name)
        _write_area(wb, ws, card, rows)
        print_setup(ws, card, name)
        names.append(name)
    return names
