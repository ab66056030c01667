"""scorecard.xlsx: every number from the API, RAG as word and fill, native charts, notes."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from cscperf import api
from cscperf.benchmarks.compare import Comparison
from cscperf.forecast.series import month_ends
from cscperf.kpis.catalogue import load_catalogue
from cscperf.kpis.engine import KPI_VALUES_DDL
from cscperf.report import xlsx_data
from cscperf.report.xlsx import write_scorecard_xlsx
from cscperf.report.xlsx_formats import number_format, travel_text
from cscperf.store.db import connect

END = date(2025, 3, 31)
MONTHS = month_ends(date(2022, 4, 1), END)  # 36 month ends, return years 2023-2025
CONTACTS = [40.0, 52.0, 61.0, 47.0, 55.0, 66.0, 70.0, 38.0, 49.0, 58.0, 63.0, 44.0]  # Apr..Mar
#: year values at 31 Mar 2025 (and 2024 where given): (value, previous year, denominator)
YEAR = {
    "care_leavers_eet_19_21": (66.7, 61.9, 42.0),  # amber: target 70, tolerance 5
    "cp_reviews_timely": (100.0, 96.0, 80.0),  # green: target 100
    "rereferrals_12m": (12.25, 15.0, 400.0),  # shows 12.2 (Excel alone would round to 12.3)
    "adoption_a1_days": (482.5, 501.0, 8.0),  # shows 482 days; small numbers (8 adoptions)
}


def _row(kpi: str, ptype: str, end: date, value: float | None, den: float | None = None,
         flag: str | None = None) -> tuple[Any, ...]:  # fmt: skip
    return (kpi, "883", ptype, end, end, "all", None, value, den, value, flag)


def _placed(i: int) -> float:
    """cla_placed_in_la at month end i: 59.5% falling to 42.0% at Mar 25 (red: target 50)."""
    return 59.5 - 0.5 * i


def build(db: Path) -> str:
    """Three reporting years of month values for a level (cla_placed_in_la) and a flow
    (contacts) with their year outturns, four more year-only KPIs, a null with its
    reason, three quarantined 903 rows and a stored forecast."""
    con = connect(db)
    con.execute(KPI_VALUES_DDL)
    con.executemany(
        "INSERT INTO returns (la_code, collection, return_year, covers_from, covers_to) "
        "VALUES ('883', '903', ?, make_date(? - 1, 4, 1), make_date(?, 3, 31))",
        [(y, y, y) for y in (2023, 2024, 2025)],
    )
    rows = []
    for i, end in enumerate(MONTHS):
        rows.append(_row("cla_placed_in_la", "month", end, _placed(i), 100.0))
        rows.append(_row("contacts", "month", end, CONTACTS[i % 12] + i // 12))
    for y in range(3):
        end = MONTHS[12 * y + 11]
        rows.append(_row("cla_placed_in_la", "year", end, _placed(12 * y + 11), 100.0))
        rows.append(_row("contacts", "year", end, sum(CONTACTS) + 12 * y))
    for kpi, (now, before, den) in YEAR.items():
        rows.append(_row(kpi, "year", END, now, den))
        rows.append(_row(kpi, "year", date(2024, 3, 31), before, den))
    rows.append(_row("care_leavers_eet_17_18", "year", END, None, None, "suppressed"))
    con.executemany(f"INSERT INTO kpi_values VALUES ({', '.join('?' * 11)})", rows)
    con.executemany(
        "INSERT INTO quarantine (la_code, return_year, source_file, source_line, table_name, "
        "field, value, reason) VALUES ('883', ?, 'episodes.csv', ?, 'cla_episodes', 'DECOM', "
        "'x', 'not a date')",
        [(2025, 2), (2025, 3), (2025, 4), (2024, 9)],
    )
    con.executemany(
        "INSERT INTO forecasts VALUES ('883', 'cla_placed_in_la', ?, DATE '2025-03-31', ?, ?, ?,"
        " 'last value', current_timestamp)",
        [(date(2024, 6, 30), 49.0, 45.0, 53.0), (date(2024, 9, 30), 44.44, 41.0, 47.0),
         (END, 42.0, 42.0, 42.0)],
    )  # fmt: skip
    con.close()
    return str(db)


@pytest.fixture
def store(tmp_path: Path) -> str:
    return build(tmp_path / "s.duckdb")


@pytest.fixture
def book(store: str, tmp_path: Path) -> Path:
    return write_scorecard_xlsx("883", END, "year", None, store, tmp_path / "out")


def _header(ws: Worksheet) -> list[str]:
    return [str(c.value) for c in ws[1]]


def _rows(ws: Worksheet) -> dict[str, dict[str, Any]]:
    """The Scorecard's rows by KPI id: {header: cell}."""
    head = _header(ws)
    out = {}
    for r in ws.iter_rows(min_row=2):
        cells = dict(zip(head, r, strict=True))
        out[str(cells["KPI id"].value)] = cells
    return out


def _col(head: list[str], start: str) -> str:
    return next(h for h in head if h.startswith(start))


def test_every_scorecard_number_is_the_api_value_as_displayed(book: Path, store: str) -> None:
    assert book.name == "scorecard.xlsx"
    ws = openpyxl.load_workbook(book)["Scorecard"]
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
    head = _header(ws)
    latest, prev, last = _col(head, "Latest"), _col(head, "Previous"), _col(head, "Last year")
    assert latest == "Latest: Year to Mar 2025" and last == "Last year: Year to Mar 2024"
    cat = load_catalogue()
    lines = api.rag("883", END, db=store)
    rows = _rows(ws)
    assert sorted(rows) == sorted(ln.kpi_id for ln in lines)  # every KPI, once
    for ln in lines:
        kpi, cells = cat[ln.kpi_id], rows[ln.kpi_id]
        for header, x in ((latest, ln.value), (prev, ln.previous), (last, ln.last_year)):
            cell = cells[header]
            if x is None:
                assert cell.value is None, (ln.kpi_id, header)
            else:
                assert isinstance(cell.value, int | float), (ln.kpi_id, header)
                assert cell.value == float(f"{x:.{kpi.decimals}f}"), (ln.kpi_id, header)
                assert cell.number_format == number_format(kpi)
        assert cells["RAG"].value == (ln.rag.capitalize() if ln.rag else "Not rated")
        assert cells["KPI"].value == ln.title
    assert rows["cla_placed_in_la"][latest].value == 42.0
    assert rows["cla_placed_in_la"][latest].number_format == '#,##0.0"%"'
    assert rows["contacts"][latest].value == sum(CONTACTS) + 24
    assert rows["contacts"][latest].number_format == "#,##0"
    assert [rows[k]["RAG"].value for k in ("cla_placed_in_la", "care_leavers_eet_19_21",
            "cp_reviews_timely", "contacts")] == ["Red", "Amber", "Green", "Not rated"]  # fmt: skip


def test_values_are_rounded_as_displayed_not_by_excel(book: Path) -> None:
    """482.5 days and 12.25% are shown (and rated) as 482 and 12.2; a raw value would
    let Excel round half away from zero (483, 12.3), so the cell holds the displayed one."""
    rows = _rows(openpyxl.load_workbook(book)["Scorecard"])
    latest = _col(list(next(iter(rows.values()))), "Latest")
    a1 = rows["adoption_a1_days"][latest]
    assert (a1.value, a1.number_format) == (482, '#,##0" days"')
    assert rows["rereferrals_12m"][latest].value == 12.2


def test_travel_quality_and_forecast_made_at_the_time(book: Path) -> None:
    rows = _rows(openpyxl.load_workbook(book)["Scorecard"])
    placed = rows["cla_placed_in_la"]
    assert placed["Travel vs last year"].value == "\u2193 worsening"  # 48.0% -> 42.0%
    assert rows["contacts"]["Travel vs last year"].value == "\u2191 up"  # context
    assert rows["adoption_a1_days"]["Travel vs previous"].value == "\u2193 improving"
    assert placed["Data quality"].value == "3 rows quarantined in cla_episodes"  # 2025 only
    assert rows["adoption_a1_days"]["Data quality"].value.startswith(
        "small numbers (denominator 8 < 10)")  # fmt: skip
    assert rows["care_leavers_eet_17_18"]["Data quality"].value == "no value: suppressed"
    # the year has ended: the forecast made at 30 Sep beside the outturn, none made now
    made = placed["Forecast made at the time [f]"]
    assert made.value == 44.4 and made.number_format == '#,##0.0"% [f]"'
    assert placed["Forecast made at"].value.date() == date(2024, 9, 30)
    assert placed["Outturn within its 80% interval"].value == "yes"
    assert placed[_col(list(placed), "Year-end forecast")].value is None


def test_travel_text_says_the_word_beside_the_arrow() -> None:
    kpi = load_catalogue()["cla_placed_in_la"]
    assert travel_text(kpi, "improving", 50.0, 49.0) == "\u2191 improving"
    assert travel_text(kpi, "no change", 50.04, 49.96) == "\u2192 no change"
    assert travel_text(kpi, "n.a.", None, 49.0) == "n.a."


def test_rag_conditional_formats_fill_the_rag_column(book: Path) -> None:
    ws = openpyxl.load_workbook(book)["Scorecard"]
    col = ws.cell(1, _header(ws).index("RAG") + 1).column_letter
    rules = {}
    for rng in ws.conditional_formatting:
        for rule in rng.rules:
            if str(rng.sqref) == f"{col}2:{col}{ws.max_row}":
                rules[rule.formula[0]] = rule.dxf.fill.bgColor.rgb
    assert rules == {'"Red"': "FFFFC7CE", '"Amber"': "FFFFEB9C", '"Green"': "FFC6EFCE"}


def _charts_by_sheet(path: Path) -> dict[str, list[str]]:
    """{sheet name: [chart XML]} read from the package (openpyxl drops charts on load)."""
    z = zipfile.ZipFile(path)
    wb = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    target = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
    target |= {k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)}
    out: dict[str, list[str]] = {}
    for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+" r:id="(rId\d+)"', wb):
        sheet = target[rid].split("/")[-1]
        charts: list[str] = []
        srels = f"xl/worksheets/_rels/{sheet}.rels"
        if srels in z.namelist():
            for drawing in re.findall(r'Target="../drawings/([^"]+)"', z.read(srels).decode()):
                drels = z.read(f"xl/drawings/_rels/{drawing}.rels").decode()
                for chart in re.findall(r'Target="../charts/([^"]+)"', drels):
                    charts.append(z.read(f"xl/charts/{chart}").decode())
        out[name.replace("&amp;", "&")] = charts
    return out


def test_each_area_sheet_has_native_charts_with_the_target(book: Path) -> None:
    charts = _charts_by_sheet(book)
    assert list(charts) == ["Scorecard", "Front door", "Looked after children", "Notes"]
    assert [len(charts[s]) for s in charts] == [0, 1, 1, 0]
    [placed] = charts["Looked after children"]
    assert placed.count("<c:ser>") == 2 and "<c:v>Target</c:v>" in placed  # level + target
    assert charts["Front door"][0].count("<c:ser>") == 1  # a flow: no yearly target line
    assert "Children looked after placed inside the LA boundary" in placed
    ws = openpyxl.load_workbook(book)["Looked after children"]
    assert ws.freeze_panes == "B2"
    assert ws["A2"].value.date() == date(2023, 1, 31) and ws.max_row >= 28  # 27 month ends
    assert ws["B28"].value == 42.0 and ws["C28"].value == 50.0  # Mar 25 value and target
    z = zipfile.ZipFile(book)
    drawings = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/drawings/d"))
    assert 'descr="Line chart of Children looked after placed inside the LA boundary' in drawings


def test_notes_define_every_kpi_and_show_the_backtest(book: Path, store: str) -> None:
    ws = openpyxl.load_workbook(book)["Notes"]
    col_a = [c.value for c in ws["A"]]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    lines = api.rag("883", END, db=store)
    for ln in lines:
        if ln.value is not None:
            assert ln.kpi_id in col_a
    assert api.coverage_summary(store, "883") in text
    assert "No comparator figures: no published figures for LA 883" in text
    bt = api.backtest("883", ["cla_placed_in_la", "contacts"], db=store)
    start = col_a.index("Forecast back-test: error per KPI")
    assert [c.value for c in ws[start + 2]][:6] == [
        "KPI id",
        "KPI",
        "Years used (outturn years)",
        "Years tested",
        "MAE (KPI units)",
        "MAPE",
    ]
    got = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(3, 8)]
           for r in range(start + 3, start + 3 + len(bt.rows))}  # fmt: skip
    assert sorted(got) == ["cla_placed_in_la", "contacts"]
    cat = load_catalogue()
    for row in bt.rows:
        used, years, mae, _, cover = got[row.kpi_id]
        assert years == row.years == 3
        assert mae == float(f"{row.mae:.{cat[row.kpi_id].decimals}f}")
        assert cover == round(row.coverage80 * 100)
        assert used == "2022-23, 2023-24, 2024-25"


def test_no_backtest_without_earlier_years(tmp_path: Path) -> None:
    con = connect(tmp_path / "one.duckdb")
    con.execute(KPI_VALUES_DDL)
    con.execute("INSERT INTO kpi_values VALUES ('contacts', '883', 'year', DATE '2025-03-31', "
                "DATE '2025-03-31', 'all', NULL, 5, NULL, 5, NULL)")  # fmt: skip
    con.close()
    path = write_scorecard_xlsx("883", END, "year", None, tmp_path / "one.duckdb",
                                tmp_path / "x.xlsx")  # fmt: skip
    ws = openpyxl.load_workbook(path)["Notes"]
    col_a = [c.value for c in ws["A"]]
    i = col_a.index("Forecast back-test: error per KPI")
    assert str(col_a[i + 1]).startswith("No back-test")
    assert list(_charts_by_sheet(path)) == ["Scorecard", "Notes"]  # no month values


def test_comparators_from_the_benchmarks_api(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = Comparison(
        "cla_placed_in_la", "t", "883", "Thurrock", 2024, "LAIT X", 1, "high", 41.0, None, None,
        "median", 47.25, 46.0, 47.25, 30.0, 60.0, 9, 10, 2025, "within range", 7,
        "East of England", 52.04, 49.96, 120, 150, "1 = highest", "D", 42.0, 1.0,
    )  # fmt: skip
    counts = dataclasses.replace(c, kpi_id="contacts", decimals=0, sn_value=5000.0,
                                 region_value=290000.0, england_value=3e6)  # fmt: skip
    monkeypatch.setattr(api, "benchmarks", lambda *a, **k: [c, counts])
    path = write_scorecard_xlsx("883", END, "year", None, store, tmp_path / "b.xlsx")
    ws = openpyxl.load_workbook(path)["Scorecard"]
    head = _header(ws)
    assert {"SN average 2023-24", "East of England 2023-24", "England 2023-24"} <= set(head)
    cells = _rows(ws)["cla_placed_in_la"]
    assert cells["SN average 2023-24"].value == 47.2  # the median, as displayed (47.25)
    assert cells["SN basis"].value == "median, 9 of 10 neighbours, 2023-24"
    assert cells["East of England 2023-24"].value == 52.0
    assert cells["England 2023-24"].value == 50.0
    rank = cells["Rank 2023-24"]
    assert (rank.value, rank.number_format) == (120, '0" of 150"')
    assert cells[_col(head, "Quartile")].value == "D"
    contacts = _rows(ws)["contacts"]  # a count: the SN average, but no region/England totals
    assert contacts["SN average 2023-24"].value == 5000
    assert contacts["East of England 2023-24"].value is None
    assert contacts["England 2023-24"].value is None
    assert _rows(ws)["referrals"]["SN average 2023-24"].value is None


def test_in_year_forecast_columns(store: str, tmp_path: Path) -> None:
    path = write_scorecard_xlsx("883", date(2024, 12, 31), "month", None, store,
                                tmp_path / "m.xlsx")  # fmt: skip
    rows = _rows(openpyxl.load_workbook(path)["Scorecard"])
    made = {f.kpi_id: f for f in api.forecast("883", date(2024, 12, 31),
            ["cla_placed_in_la", "contacts"], db=store, store=False)}  # fmt: skip
    cat = load_catalogue()
    for kpi_id in ("cla_placed_in_la", "contacts"):
        f, cells = made[kpi_id], rows[kpi_id]
        d = cat[kpi_id].decimals
        assert f.point is not None and f.lo80 is not None and f.hi80 is not None
        assert cells["Year-end forecast [f] (31 Mar 2025)"].value == float(f"{f.point:.{d}f}")
        assert cells["Forecast 80% low [f]"].value == float(f"{f.lo80:.{d}f}")
        assert cells["Forecast 80% high [f]"].value == float(f"{f.hi80:.{d}f}")
        assert cells["Forecast 80% high [f]"].number_format.endswith(' [f]"')
    assert rows["cla_placed_in_la"]["Forecast made at the time [f]"].value is None


def test_in_year_forecast_stored_as_made_is_shown_as_stored(store: str, tmp_path: Path) -> None:
    """report.html stores the forecasts it shows; the workbook shows those, not new ones."""
    con = connect(store)
    con.execute("INSERT INTO forecasts VALUES ('883', 'contacts', DATE '2024-12-31', "
                "DATE '2025-03-31', 999.4, 900, 1100, 'stored', current_timestamp)")  # fmt: skip
    con.close()
    path = write_scorecard_xlsx("883", date(2024, 12, 31), "month", None, store, tmp_path)
    rows = _rows(openpyxl.load_workbook(path)["Scorecard"])
    assert rows["contacts"]["Year-end forecast [f] (31 Mar 2025)"].value == 999
    assert rows["contacts"]["Forecast 80% low [f]"].value == 900
    placed = rows["cla_placed_in_la"]["Year-end forecast [f] (31 Mar 2025)"].value
    assert placed is not None  # not stored: made now, and not kept
    con = connect(store, read_only=True)
    assert con.execute("SELECT count(*) FROM forecasts").fetchone() == (4,)
    con.close()


def test_text_from_data_is_never_a_formula(store: str, tmp_path: Path) -> None:
    targets = tmp_path / "t.yml"
    targets.write_text('targets:\n  contacts:\n    owner: "=HYPERLINK(\\"x\\")"\n'
                       '  cla_placed_in_la:\n    owner: "+1-2"\n', encoding="utf-8")  # fmt: skip
    path = write_scorecard_xlsx("883", END, "year", targets, store, tmp_path / "f.xlsx")
    rows = _rows(openpyxl.load_workbook(path)["Scorecard"])
    assert rows["contacts"]["Owner"].value == '=HYPERLINK("x")'
    assert rows["contacts"]["Owner"].data_type == "s"
    assert rows["cla_placed_in_la"]["Owner"].value == "+1-2"
    z = zipfile.ZipFile(path)
    assert not any("<f>" in z.read(n).decode() for n in z.namelist() if "worksheets/s" in n)


def test_workbook_properties_and_print_setup(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    assert wb.properties.title == "Children's social care scorecard: LA 883, Year to Mar 2025"
    assert wb.properties.subject
    app = zipfile.ZipFile(book).read("docProps/app.xml").decode()
    assert "<Company></Company>" in app or "<Company/>" in app
    ws = wb["Scorecard"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # 1 wide
    assert ws.print_title_rows == "$1:$1"


def test_no_values_is_an_error_and_writes_nothing(store: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no KPI values for LA 999"):
        write_scorecard_xlsx("999", END, "year", None, store, tmp_path / "n.xlsx")
    assert list(tmp_path.glob("*.xlsx")) == [] and list(tmp_path.glob(".scorecard-*")) == []


def test_gather_small_numbers_flag() -> None:
    kpi = load_catalogue()["contacts"]
    row = xlsx_data.Row(kpi, None, None, None, None, 3.0, 9.0, None, {"contacts": 1})  # type: ignore[arg-type]
    assert row.small_numbers
    line = type("L", (), {"value": 3.0})()
    row = xlsx_data.Row(kpi, line, None, None, None, 3.0, 10.0, None, {})  # type: ignore[arg-type]
    assert not row.small_numbers and row.quality == ""


def test_quarantine_counts_per_table(store: str) -> None:
    assert api.quarantine_counts("883", 2025, store) == {"cla_episodes": 3}
    assert api.quarantine_counts("883", db=store) == {"cla_episodes": 4}
    assert api.quarantine_counts("999", db=store) == {}


def test_comparators_of_the_periods_own_year_when_published(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 2023-24 scorecard is compared with the 2023-24 figures, not the latest ones."""

    def fake(la: str, year: int | None = None, *a: Any, **k: Any) -> list[Comparison]:
        y = year or 2025
        return [Comparison(
            "cla_placed_in_la", "t", la, "Thurrock", y, "LAIT X", 1, "high", 40.0 + y - 2024,
            None, None, "mean", 45.0 + y - 2024, 45.0, 45.0, 30.0, 60.0, 10, 10, 2025, None, 3,
            "East of England", 50.0, 48.0, 10, 150, "1 = highest", "A", None, None,
        )]  # fmt: skip

    monkeypatch.setattr(api, "benchmarks", fake)
    path = write_scorecard_xlsx("883", date(2024, 3, 31), "year", None, store, tmp_path / "p.xlsx")
    ws = openpyxl.load_workbook(path)["Scorecard"]
    assert _rows(ws)["cla_placed_in_la"]["SN average 2023-24"].value == 45.0
    path = write_scorecard_xlsx("883", END, "year", None, store, tmp_path / "q.xlsx")
    ws = openpyxl.load_workbook(path)["Scorecard"]
    assert _rows(ws)["cla_placed_in_la"]["SN average 2024-25"].value == 46.0
