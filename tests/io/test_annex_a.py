"""Annex A workbook reader: header matching, value staging, hostile files."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cscperf.io import annex_a, registry, xlsx_rows
from cscperf.io.annex_a import READER, stage
from cscperf.io.base import FileRefused
from cscperf.io.memsink import MemorySink
from cscperf.store.schema import TABLES

FIXTURE = Path("fixtures/annex-a/Annex_A_2024_Jan.xlsx")
D = dt.datetime


@pytest.fixture(autouse=True, params=["calamine", "openpyxl"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test reads through both engines: calamine for ordinary workbooks, openpyxl
    streaming when a worksheet is too big to hold (forced here by a limit of -1)."""
    if request.param == "openpyxl":
        monkeypatch.setattr(xlsx_rows, "CALAMINE_MAX_BYTES", -1)
    return str(request.param)


def workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """Write a small workbook: sheet title -> rows (first row usually the header)."""
    wb = openpyxl.Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def read(path: Path) -> tuple[MemorySink, Any]:
    sink = MemorySink()
    info = READER.read(path, sink)
    return sink, info


def head(path: Path) -> bytes:
    return path.read_bytes()[:4096]


# --- the real-format fixture -------------------------------------------------


@pytest.mark.shared
def test_fixture_every_list_staged(shared: Path) -> None:
    sink, info = read(shared / FIXTURE)
    counts = {t: sink.count(t) for t in annex_a.LIST_TABLES.values()}
    # counted by hand in Excel: data rows below each list's header row
    assert counts == {
        "contacts": 5,
        "early_help": 5,
        "annexa_referrals": 6,
        "annexa_assessments": 5,
        "annexa_s47": 5,
        "annexa_cin": 5,
        "annexa_cp": 7,
        "annexa_cla": 5,
        "care_leavers": 6,
        "annexa_adoption": 5,
        "annexa_adopters": 5,
    }
    # latest contact/referral is 16/09/2020 -> the year ending 31/03/2021
    assert info.return_year == 2021
    assert info.format == "annex-a" and info.la_code is None


@pytest.mark.shared
def test_fixture_values(shared: Path) -> None:
    sink, _ = read(shared / FIXTURE)
    assert sink.rows("contacts")[0] == {
        "child_id": "9212044",
        "sex": "Female",
        "ethnicity": "WBRI",
        "dob": "2015-01-25",
        "contact_date": "2020-09-16",
        "contact_source": "6: Police",
        "source_line": 2,
    }
    refs = sink.rows("annexa_referrals")
    assert [r["source_line"] for r in refs] == [2, 3, 4, 5, 6, 7]
    assert refs[0]["worker"] == "Dustin Hazlett"  # no-break space normalised
    assert (refs[1]["referral_source"], refs[1]["referral_nfa"]) == ("3D: Health services", "false")
    assert refs[1]["referrals_last_12m"] == "2"
    s47 = sink.rows("annexa_s47")
    assert (s47[0]["disability"], s47[0]["icpc_resulted_in_plan"]) == ("true", "true")
    assert (s47[2]["icpc_date"], s47[2]["icpc_resulted_in_plan"]) == (None, None)
    cin = sink.rows("annexa_cin")[0]
    assert (cin["team"], cin["worker"], cin["case_status"]) == (None, None, "Child in need plan")
    cla = sink.rows("annexa_cla")
    assert cla[1]["placement_postcode"] == "nope"  # left for validation to quarantine
    assert cla[2]["ethnicity"] is None  # '' in the sheet
    assert cla[4]["reason_ceased"] == "E47: Special Guardianship Orders - relative/friend"
    assert cla[4]["ceased_date"] == "2020-09-22"
    leaver = sink.rows("care_leavers")[3]
    assert (leaver["accommodation"], leaver["activity"], leaver["in_touch"]) == (None, None, "Yes")


@pytest.mark.shared
def test_fixture_formulas_staged_verbatim(shared: Path) -> None:
    sink, _ = read(shared / FIXTURE)
    adoption = sink.rows("annexa_adoption")
    assert [r["adm_decision_date"] for r in adoption] == [f"=H{n}+5" for n in range(2, 7)]
    assert adoption[2]["placed_date"] == "=K4+5"
    assert adoption[2]["no_longer_placed_decision_date"] == "=M4+5"
    assert adoption[2]["no_longer_placed_reason"] == "RD2"
    assert adoption[0]["adoption_order_date"] == "2009-08-31"
    adopters = sink.rows("annexa_adopters")
    assert adopters[0]["stage1_start_date"] == "=G2+13"
    assert adopters[0]["adoption_order_date"] == "=O2+3"
    assert (adopters[3]["left_process_date"], adopters[3]["left_process_reason"]) == ("=Q5+3", "1")
    assert [r["children_placed"] for r in adopters] == ["1", "2", "1", "1", "3"]


@pytest.mark.shared
def test_fixture_ingests_with_formulas_quarantined(
    shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cscperf.ingest.pipeline import ingest_paths
    from cscperf.store.db import connect

    monkeypatch.setattr(registry, "readers", lambda: (READER,))
    con = connect(":memory:")
    report = ingest_paths(con, [shared / FIXTURE], "883")
    by_table = {r.table: (r.rows_read, r.rows_loaded, r.rows_quarantined) for r in report.results}
    assert by_table["contacts"] == (5, 5, 0)
    assert by_table["annexa_adoption"] == (5, 0, 5)  # every row has formula dates
    q = con.execute(
        "SELECT source_line, value, reason FROM quarantine "
        "WHERE table_name = 'annexa_adoption' AND field = 'adm_decision_date' ORDER BY 1"
    ).fetchall()
    assert q[0] == (2, "=H2+5", "not a date (expected dd/mm/yyyy or yyyy-mm-dd)")
    assert con.execute("SELECT DISTINCT return_year FROM contacts").fetchall() == [(2021,)]


@pytest.mark.shared
def test_fixture_sniffed(shared: Path) -> None:
    path = shared / FIXTURE
    assert READER.sniff(path, head(path))


# --- headers and sheets ------------------------------------------------------


def test_header_variants(tmp_path: Path) -> None:
    rows = [
        ["Extra stuff", "date of REFERRAL", "Age", "ChildUniqueID", "Referral NFA? (Y/N)",
         "No. of referrals in the last 12 months", "gender"],
        ["x", D(2023, 5, 1), 7.5, "C1", "a) Yes", 3, "b) Female"],
    ]  # fmt: skip
    path = workbook(tmp_path / "wb.xlsx", {"list3": rows})
    sink, info = read(path)
    assert sink.rows("annexa_referrals") == [
        {
            "referral_date": "2023-05-01",
            "child_id": "C1",
            "referral_nfa": "true",
            "referrals_last_12m": "3",
            "sex": "Female",
            "source_line": 2,
        }
    ]
    assert "List 3: columns ignored: 'Extra stuff'" in info.notes  # Age ignored silently


@pytest.mark.parametrize(
    ("child_header", "sheet"),
    [("Child Unique ID", "List 1 - Contacts"), ("child id", "LIST_1"), ("CHILD_ID", "list 1")],
)
def test_child_id_and_sheet_name_variants(tmp_path: Path, child_header: str, sheet: str) -> None:
    rows = [["Contact Date", child_header], [D(2024, 1, 15), 42]]
    sink, info = read(workbook(tmp_path / "wb.xlsx", {sheet: rows}))
    assert sink.rows("contacts") == [
        {"contact_date": "2024-01-15", "child_id": "42", "source_line": 2}
    ]
    assert info.return_year == 2024


def test_title_rows_and_blank_rows_keep_excel_line_numbers(tmp_path: Path) -> None:
    rows = [
        ["Annex A - List 1 Contacts, extracted 31/01/2024"],
        [],
        ["Child Unique ID", "Date of Contact"],
        ["A", D(2024, 1, 2)],
        [],
        [None, None],
        ["B", "16/01/2024"],
    ]
    sink, _ = read(workbook(tmp_path / "wb.xlsx", {"List 1": rows}))
    got = [(r["child_id"], r["contact_date"], r["source_line"]) for r in sink.rows("contacts")]
    assert got == [("A", "2024-01-02", 4), ("B", "16/01/2024", 7)]


def test_missing_required_column_refused(tmp_path: Path) -> None:
    rows = [["Child Unique ID", "Referral Source"], ["C1", "Police"]]
    path = workbook(tmp_path / "wb.xlsx", {"List 1": [["Child ID", "Date of Contact"]],
                                           "List 3": rows})  # fmt: skip
    with pytest.raises(FileRefused) as exc:
        read(path)
    assert exc.value.reason == "List 3: no 'Date of Referral' column"


def test_adopters_need_adopter_id(tmp_path: Path) -> None:
    path = workbook(tmp_path / "wb.xlsx", {"List 11": [["Family identifier"], [1]]})
    with pytest.raises(FileRefused, match="List 11: no 'Individual adopter identifier' column"):
        read(path)


def test_duplicate_and_missing_list_sheets(tmp_path: Path) -> None:
    hdr = [["Child ID", "Date of Contact"]]
    dup = workbook(tmp_path / "dup.xlsx", {"List 1": hdr, "list1 (old)": hdr})
    with pytest.raises(FileRefused, match="'List 1' and 'list1 \\(old\\)' both look like List 1"):
        read(dup)
    none = workbook(tmp_path / "none.xlsx", {"Sheet1": hdr})
    with pytest.raises(FileRefused, match=r"no 'List 1'\.\.'List 11' sheets"):
        read(none)


def test_empty_list_and_other_sheets_noted(tmp_path: Path) -> None:
    path = workbook(tmp_path / "wb.xlsx", {"Guidance": [["read me"]], "List 2": []})
    sink, info = read(path)
    assert sink.tables == {}
    assert "sheet 'Guidance' ignored (not a 'List N' sheet)" in info.notes
    assert "List 2 ('List 2'): empty" in info.notes
    assert info.return_year is None


def test_formula_cells_written_by_excel_are_not_evaluated(tmp_path: Path) -> None:
    rows = [
        ["Child Unique ID", "Date of Contact", "Contact Source"],
        ["C1", "=TODAY()", "=cmd|' /C calc'!A0"],
        ["C2", D(2023, 3, 31), "@SUM(1+1)"],
    ]
    sink, info = read(workbook(tmp_path / "wb.xlsx", {"List 1": rows}))
    assert [(r["contact_date"], r["contact_source"]) for r in sink.rows("contacts")] == [
        ("=TODAY()", "=cmd|' /C calc'!A0"),
        ("2023-03-31", "@SUM(1+1)"),
    ]
    assert info.return_year == 2023  # 31 March is the last day of 2022-23


def test_aliases_are_unambiguous_and_cover_every_column() -> None:
    for name, keys in annex_a.ALIASES.items():
        assert set(keys.values()) == set(TABLES[name].column_names)


# --- cell values ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "col", "value", "expected"),
    [
        ("annexa_referrals", "referral_nfa", "a) Yes", "true"),
        ("annexa_referrals", "referral_nfa", "No", "false"),
        ("annexa_referrals", "referral_nfa", "Maybe", "Maybe"),
        ("annexa_referrals", "referral_nfa", True, "true"),
        ("annexa_referrals", "referral_nfa", 0, "false"),
        ("annexa_referrals", "referrals_last_12m", 3.0, "3"),
        ("annexa_referrals", "referrals_last_12m", 2.5, "2.5"),
        ("annexa_referrals", "referral_date", 44090, "2020-09-16"),  # unformatted serial
        ("annexa_referrals", "referral_date", 2020, "2020"),  # not a plausible serial
        ("annexa_referrals", "referral_date", D(2020, 9, 16, 14, 30), "2020-09-16"),
        ("annexa_referrals", "referral_date", dt.date(2020, 9, 16), "2020-09-16"),
        ("annexa_referrals", "referral_date", "=H2+5", "=H2+5"),
        ("annexa_referrals", "child_id", 9212044.0, "9212044"),
        ("annexa_referrals", "child_id", "  C-1 ", "C-1"),
        ("annexa_referrals", "referral_source", "q) 6: Police", "6: Police"),
        ("annexa_referrals", "referral_source", "#N/A", None),
        ("annexa_referrals", "referral_source", "   ", None),
        ("annexa_referrals", "team", "-Duty", "-Duty"),  # injection-like text kept as text
        ("annexa_referrals", "sex", "a) Male", "Male"),
        ("annexa_referrals", "sex", "c) not stated/recorded", "Not stated/recorded"),
        ("annexa_referrals", "sex", "F", "Female"),
        ("annexa_referrals", "sex", "X", "X"),
        ("annexa_referrals", "ethnicity", "a) WBRI", "WBRI"),
        ("annexa_referrals", "ethnicity", "wbri - White British", "WBRI"),
        ("annexa_referrals", "ethnicity", "White British", "White British"),
        ("annexa_cin", "case_status", "c) Child in need plan", "Child in need plan"),
    ],
)
def test_stage_values(table: str, col: str, value: Any, expected: str | None) -> None:
    assert stage(TABLES[table], col, value) == expected


# --- hostile and wrong files -----------------------------------------------------


def test_not_a_zip_refused(tmp_path: Path) -> None:
    path = tmp_path / "Annex_A.xlsx"
    path.write_text("Child Unique ID,Gender\n1,a) Male\n")
    assert READER.sniff(path, head(path))  # named like an Annex A: reach read() for a message
    with pytest.raises(FileRefused, match=r"not an Excel \.xlsx workbook \(not a zip file\)"):
        read(path)


def test_legacy_xls_refused(tmp_path: Path) -> None:
    path = tmp_path / "annex.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with pytest.raises(FileRefused, match=r"legacy \.xls or password-protected"):
        read(path)


def test_truncated_workbook_refused(tmp_path: Path) -> None:
    good = workbook(tmp_path / "good.xlsx", {"List 1": [["Child ID", "Contact Date"]]})
    path = tmp_path / "cut.xlsx"
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileRefused, match=r"not an Excel \.xlsx workbook \(not a zip file\)"):
        read(path)


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        # found by check_zip inflating every member (before any reader sees it)
        ("start", r"corrupt \.xlsx zip \(xl/worksheets/sheet1.xml: Error -3 while decompressing"),
        ("middle", r"corrupt \.xlsx zip \(xl/worksheets/sheet1.xml: (Bad CRC-32|Error -3)"),
    ],
)
def test_corrupt_sheet_data_refused(tmp_path: Path, where: str, reason: str) -> None:
    rows = [
        ["Child ID", "Date of Contact"],
        *([f"C{i}", f"x{i * 7919 % 10007}"] for i in range(3000)),
    ]
    good = workbook(tmp_path / "good.xlsx", {"List 1": rows})
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    at = info.header_offset + 30 + len(info.filename) + len(info.extra)
    at += 10 if where == "start" else info.compress_size // 2
    data[at : at + 20] = bytes(b ^ 0xFF for b in data[at : at + 20])
    path = tmp_path / "bad.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(FileRefused, match=reason):
        read(path)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_zip_bomb_ratio_refused(tmp_path: Path) -> None:
    bomb = b"\0" * (annex_a.RATIO_FLOOR + 1024**2)  # 17 MB of zeros deflates ~1000:1
    path = _zip(tmp_path / "bomb.xlsx", {"xl/workbook.xml": b"<workbook/>",
                                         "xl/worksheets/sheet1.xml": bomb})  # fmt: skip
    with pytest.raises(FileRefused, match=r"sheet1\.xml compresses \d[\d,]*:1; refused as a zip"):
        read(path)


def test_zip_total_size_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = workbook(tmp_path / "wb.xlsx", {"List 1": [["Child ID", "Contact Date"]]})
    monkeypatch.setattr(annex_a, "MAX_UNCOMPRESSED", 1000)
    with pytest.raises(FileRefused, match="over the 1,000 limit; refused as a zip bomb"):
        read(path)


def test_macro_enabled_refused(tmp_path: Path) -> None:
    good = workbook(tmp_path / "wb.xlsx", {"List 1": [["Child ID", "Contact Date"]]})
    xlsm = tmp_path / "wb.xlsm"
    xlsm.write_bytes(good.read_bytes())
    with pytest.raises(FileRefused, match="macro-enabled"):
        read(xlsm)
    with zipfile.ZipFile(good) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    vba = _zip(tmp_path / "vba.xlsx", {**parts, "xl/vbaProject.bin": b"\0" * 10})
    with pytest.raises(FileRefused, match="VBA project"):
        read(vba)


def test_doctype_in_a_part_refused(tmp_path: Path) -> None:
    good = workbook(tmp_path / "wb.xlsx", {"List 1": [["Child ID", "Contact Date"]]})
    with zipfile.ZipFile(good) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    lol = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><sst>&a;</sst>'
    path = _zip(tmp_path / "evil.xlsx", {**parts, "xl/sharedStrings.xml": lol})
    with pytest.raises(FileRefused, match=r"xl/sharedStrings\.xml has a DOCTYPE"):
        read(path)


def test_sniff(tmp_path: Path) -> None:
    annex = workbook(tmp_path / "export.xlsx", {"List 8 - CLA": [["Child ID"]]})
    other = workbook(tmp_path / "scorecard.xlsx", {"Scorecard": [["KPI"]]})
    lock = tmp_path / "~$Annex A.xlsx"
    lock.write_bytes(b"owner")
    legacy = tmp_path / "ANNEX-A 2019.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    appendix = tmp_path / "annex_appendix.xlsx"
    appendix.write_bytes(b"not a zip")
    assert READER.sniff(annex, head(annex))
    assert READER.sniff(legacy, head(legacy))  # so read() can say "save it as .xlsx"
    assert not READER.sniff(other, head(other))
    assert not READER.sniff(lock, head(lock))
    assert not READER.sniff(appendix, head(appendix))


# --- what calamine reads otherwise than openpyxl ----------------------------------

_SHEET = """<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>Child Unique ID</t></is></c>
<c r="B1" t="inlineStr"><is><t>Date of Contact</t></is></c>
<c r="C1" t="inlineStr"><is><t>Contact Source</t></is></c><c r="D1"><v>2024</v></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>C1</t></is></c>
<c r="B2"><f t="shared" ref="B2:B3" si="0">D2+5</f><v>45000</v></c>
<c r="C2" t="e"><v>#REF!</v></c></row>
<row r="3"><c r="A3" t="inlineStr"><is><t>C2</t></is></c>
<c r="B3"><f t="shared" si="0"/><v>45001</v></c><c r="C3" t="e"><v>#N/A</v></c></row>
<row><c t="inlineStr"><is><t>C3</t></is></c><c><f>D4+5</f><v>45002</v></c>
<c t="str"><f>"x"&amp;"y"</f><v>xy</v></c></row>
<row r="6"><c r="B6"><f>TODAY()</f></c></row>
</sheetData></worksheet>"""


def _with_sheet_xml(path: Path, xml: str) -> Path:
    """``path`` with its first worksheet's XML replaced (what Excel writes, not openpyxl)."""
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    members["xl/worksheets/sheet1.xml"] = xml.encode()
    return _zip(path.with_name("excel.xlsx"), members)


def test_formulas_errors_and_cells_without_refs_read_as_openpyxl_gives_them(
    tmp_path: Path,
) -> None:
    path = _with_sheet_xml(workbook(tmp_path / "wb.xlsx", {"List 1": [["x"]]}), _SHEET)
    sink, info = read(path)
    got = [
        (r["child_id"], r["contact_date"], r["contact_source"], r["source_line"])
        for r in sink.rows("contacts")
    ]
    assert got == [
        ("C1", "=D2+5", "#REF!", 2),  # the formula, never its cached result; the error code
        ("C2", "=D3+5", None, 3),  # a shared formula moved to its cell; #N/A is blank
        ("C3", "=D4+5", '="x"&"y"', 4),  # a row and cells with no r="" attribute
        (None, "=TODAY()", None, 6),  # a formula with no cached result, alone in its row
    ]
    assert "List 1: columns ignored: '2024'" in info.notes  # a number, not '2024.0'


def test_engine_chosen_by_worksheet_size(tmp_path: Path, engine: str) -> None:
    path = workbook(tmp_path / "wb.xlsx", {"List 1": [["Child ID", "Date of Contact"]]})
    book = xlsx_rows.open_workbook(path)
    try:
        want = xlsx_rows.CalamineBook if engine == "calamine" else xlsx_rows.OpenpyxlBook
        assert type(book) is want
    finally:
        book.close()


def test_entity_bomb_behind_a_long_prolog_refused(tmp_path: Path) -> None:
    """A DOCTYPE after 64 KB of comment escapes check_zip's prolog scan; each engine
    must still refuse the sheet rather than expand ten billion characters."""
    ents = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    xml = (
        '<?xml version="1.0"?><!--' + "x" * 70_000 + "--><!DOCTYPE worksheet [" + ents + "]>"
        + _SHEET.replace("<t>C1</t>", "<t>&j;</t>").split("?>", 1)[-1]
    )  # fmt: skip
    path = _with_sheet_xml(workbook(tmp_path / "wb.xlsx", {"List 1": [["x"]]}), xml)
    with pytest.raises(FileRefused, match=r"(unreadable sheet|not a readable \.xlsx workbook)"):
        read(path)
