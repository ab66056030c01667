"""SSDA903 CSV reader: table recognition, staging, line numbers, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from cscperf.io import sniff_csv
from cscperf.io.base import FileRefused
from cscperf.io.memsink import MemorySink
from cscperf.io.ssda903_csv import READER, identify

UASC_HEAD = "CHILD,SEX,DOB,DUC\n"


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    p = tmp_path / name
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    return p


def _read(p: Path) -> tuple[MemorySink, object]:
    sink = MemorySink()
    info = READER.read(p, sink)
    return sink, info


# -- the shared fake 903 extract ------------------------------------------------

# rows = physical lines - 1 (header); DoLo.csv has no final newline
SHARED_EXPECTED = {
    "DoLo.csv": ("dolo", 1),
    "ad1.csv": ("ad1", 29),
    "episodes.csv": ("cla_episodes", 5050),
    "header.csv": ("children", 2675),
    "missing.csv": ("missing", 43),
    "oc2.csv": ("oc2", 2675),
    "oc3.csv": ("oc3", 53),
    "placed_for_adoption.csv": ("placed_for_adoption", 29),
    "placed_for_adoption_errors.csv": ("placed_for_adoption", 30),
    "previous_permanence.csv": ("previous_permanence", 2675),
    "reviews.csv": ("cla_reviews", 12582),
    "sw_episodes.csv": ("sw_episodes", 1),
    "uasc.csv": ("uasc", 132),
}


@pytest.mark.shared
def test_every_shared_csv_is_recognised_with_its_row_count(shared: Path) -> None:
    folder = shared / "fixtures" / "ssda903-fake"
    assert sorted(p.name for p in folder.glob("*.csv")) == sorted(SHARED_EXPECTED)
    for name, (table, rows) in SHARED_EXPECTED.items():
        p = folder / name
        assert READER.sniff(p, p.read_bytes()[:65536]), name
        sink, _ = _read(p)
        assert list(sink.tables) == [table], name
        assert sink.count(table) == rows, name
        lines = [r["source_line"] for r in sink.rows(table)]
        assert lines == list(range(2, rows + 2)), name


@pytest.mark.shared
def test_shared_episode_rows_map_place_and_blank_postcodes(shared: Path) -> None:
    sink, _ = _read(shared / "fixtures" / "ssda903-fake" / "episodes.csv")
    first = sink.rows("cla_episodes")[0]
    assert first == {
        "child_id": "566910", "decom": "15/02/2016", "rne": "L", "ls": "C2", "cin": "N3",
        "place": "T2", "place_provider": "PR0", "dec": "14/08/2017", "rec": "X1",
        "reason_place_change": "CLOSE", "home_post": None, "pl_post": None, "urn": "4244474",
        "source_line": 2,
    }  # fmt: skip


@pytest.mark.shared
def test_shared_sw_episodes_has_bom_and_crlf(shared: Path) -> None:
    sink, _ = _read(shared / "fixtures" / "ssda903-fake" / "sw_episodes.csv")
    assert sink.rows("sw_episodes") == [
        {"child_id": "CHILD10", "dob": "05/12/1993", "sw_id": "SW999",
         "sw_decom": "01/01/2020", "sw_dec": "03/01/2020", "sw_reason": "SWLAZY",
         "source_line": 2}
    ]  # fmt: skip


# -- recognition ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "table"),
    [
        ("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB", "children"),
        ("CHILD,SEX,DOB,DUC", "uasc"),
        ("CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
         "PL_POST,URN", "cla_episodes"),
        ("CHILD,DOB,REVIEW,REVIEW_CODE", "cla_reviews"),
        ("CHILD,DOB,MISSING,MIS_START,MIS_END", "missing"),
        ("CHILD,DOB,IN_TOUCH,ACTIV,ACCOM", "oc3"),
        ("CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR", "ad1"),
        ("CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM", "previous_permanence"),
        ("CHILD,DOB,DOLO_START,DOLO_END", "dolo"),
        ("CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON", "sw_episodes"),
    ],
)  # fmt: skip
def test_identify_by_columns(header: str, table: str) -> None:
    assert identify([sniff_csv.normalise_name(h) for h in header.split(",")]) == table


def test_header_case_spaces_and_column_order_do_not_matter(tmp_path: Path) -> None:
    p = _write(tmp_path, "x.csv", ' dob , Child,duc,"Sex"\n01/02/2010,A1,,2\n')
    assert READER.sniff(p, p.read_bytes())
    sink, _ = _read(p)
    assert sink.rows("uasc") == [
        {"dob": "01/02/2010", "child_id": "A1", "duc": None, "sex": "2", "source_line": 2}
    ]


def test_unrecognised_903_columns_are_refused_naming_them(tmp_path: Path) -> None:
    p = _write(tmp_path, "e.csv", "CHILD,DECOM,RNE,LS,NOTES\n1,01/01/2020,S,C2,x\n")
    with pytest.raises(FileRefused) as e:
        READER.sniff(p, p.read_bytes())
    assert "not a recognised SSDA903 table" in e.value.reason
    assert "cla_episodes: unexpected NOTES" in e.value.reason
    with pytest.raises(FileRefused):
        _read(p)


def test_other_csvs_are_left_to_other_readers(tmp_path: Path) -> None:
    local = _write(tmp_path, "rhi.csv", "child_id,mis_start,offered,accepted,rhi_date\n")
    other = _write(tmp_path, "o.csv", "name,value\na,1\n")
    binary = _write(tmp_path, "b.csv", b"PK\x03\x04\xff\xfe\x00")
    for p in (local, other, binary):
        assert READER.sniff(p, p.read_bytes()) is False


# -- staging -------------------------------------------------------------------


def test_bom_and_dates_in_either_format_are_staged_verbatim(tmp_path: Path) -> None:
    p = _write(
        tmp_path, "u.csv", b"\xef\xbb\xbf" + (UASC_HEAD + "1,1,2010-03-31,31/03/2028\n").encode()
    )
    sink, _ = _read(p)
    assert sink.rows("uasc") == [
        {"child_id": "1", "sex": "1", "dob": "2010-03-31", "duc": "31/03/2028", "source_line": 2}
    ]


def test_quoted_fields_and_quoted_blanks(tmp_path: Path) -> None:
    p = _write(tmp_path, "u.csv", UASC_HEAD + '"1","2","01/01/2010",""\n"2",1,"x,y",\n')
    sink, info = _read(p)
    assert info.notes == []  # still the DuckDB path: no field spans lines
    assert [(r["child_id"], r["dob"], r["duc"], r["source_line"]) for r in sink.rows("uasc")] == [
        ("1", "01/01/2010", None, 2),
        ("2", "x,y", None, 3),
    ]


def test_la_and_year_columns_are_reported_not_staged(tmp_path: Path) -> None:
    p = _write(
        tmp_path, "u.csv", "LA,YEAR,CHILD,SEX,DOB,DUC\n883,2024,1,1,01/01/2010,\n883,2024,2,2,,\n"
    )
    sink, info = _read(p)
    assert info.la_code == "883"
    assert info.return_year == 2024
    assert set(sink.rows("uasc")[0]) == {"child_id", "sex", "dob", "duc", "source_line"}
    assert sink.count("uasc") == 2


def test_inconsistent_year_column_is_a_note(tmp_path: Path) -> None:
    p = _write(tmp_path, "u.csv", "YEAR,CHILD,SEX,DOB,DUC\n2023,1,1,,\n2024,2,2,,\n")
    _, info = _read(p)
    assert info.return_year is None
    assert info.notes == ["YEAR column not used: values 2023, 2024 are not one year"]


def test_empty_and_header_only_files_give_no_rows(tmp_path: Path) -> None:
    sink, info = _read(_write(tmp_path, "e.csv", b""))
    assert sink.tables == {} and info.notes == ["empty file: no rows"]
    sink, _ = _read(_write(tmp_path, "h.csv", UASC_HEAD))
    assert sink.count("uasc") == 0


def test_blank_lines_and_multiline_fields_keep_physical_line_numbers(tmp_path: Path) -> None:
    body = UASC_HEAD + '1,1,,\n\n2,2,,"a\nb"\n3,1,,\n\n'
    sink, info = _read(_write(tmp_path, "u.csv", body))
    assert info.notes == ["read line by line (blank line before data)"]
    assert [(r["child_id"], r["duc"], r["source_line"]) for r in sink.rows("uasc")] == [
        ("1", None, 2),
        ("2", "a\nb", 4),
        ("3", None, 6),
    ]


def test_trailing_blank_lines_keep_the_fast_path(tmp_path: Path) -> None:
    sink, info = _read(_write(tmp_path, "u.csv", "CHILD,SEX,DOB,DUC\r\n1,1,,\r\n2,2,,\r\n\r\n\r\n"))
    assert info.notes == []
    assert [r["source_line"] for r in sink.rows("uasc")] == [2, 3]


# -- refusals ------------------------------------------------------------------


def test_ragged_row_in_the_middle_is_refused_with_its_line(tmp_path: Path) -> None:
    p = _write(tmp_path, "u.csv", UASC_HEAD + "1,1,,\n2,2\n3,1,,\n")
    with pytest.raises(FileRefused) as e:
        _read(p)
    assert e.value.reason == "line 3 has 2 fields but the header has 4"


def test_too_many_fields_is_refused_with_its_line(tmp_path: Path) -> None:
    p = _write(tmp_path, "u.csv", UASC_HEAD + "1,1,,\n2,2,,\n3,1,,,x\n4,1,,\n")
    with pytest.raises(FileRefused) as e:
        _read(p)
    assert e.value.reason == "line 4 has 5 fields but the header has 4"


def test_truncated_last_line_is_refused_as_truncation(tmp_path: Path) -> None:
    p = _write(tmp_path, "u.csv", UASC_HEAD + "1,1,,\n2,2,01/0")
    with pytest.raises(FileRefused) as e:
        _read(p)
    assert (
        e.value.reason == "the file looks truncated: last line 3 has 3 fields but the header has 4"
    )


def test_latin1_bytes_are_refused_naming_line_and_offset(tmp_path: Path) -> None:
    data = (UASC_HEAD + "1,1,,\n").encode() + b"M\xfcller,2,,\n"
    p = _write(tmp_path, "u.csv", data)
    with pytest.raises(FileRefused) as e:
        _read(p)
    # header 18 bytes + "1,1,,\n" 6 bytes + "M" = offset 25
    assert e.value.reason.startswith("line 3: not UTF-8 (byte 0xFC at byte offset 25)")
    assert str(p) in str(e.value)


# -- helpers -------------------------------------------------------------------


def test_scan_layout_across_chunk_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sniff_csv, "CHUNK", 7)
    ok = _write(tmp_path, "ok.csv", UASC_HEAD + '"1","1","",""\n2,2,,\n')
    assert sniff_csv.scan_layout(ok).lines_are_rows
    blank = _write(tmp_path, "b.csv", UASC_HEAD + "1,1,,\n\n2,2,,\n")
    assert sniff_csv.scan_layout(blank).reason == "blank line before data"
    multi = _write(tmp_path, "m.csv", UASC_HEAD + '1,1,,"a\nb"\n')
    assert sniff_csv.scan_layout(multi).reason == "quoted field spanning lines"


def test_mixed_line_endings_fall_back_to_the_exact_path(tmp_path: Path) -> None:
    sink, info = _read(_write(tmp_path, "u.csv", UASC_HEAD + "1,1,,\r\n2,2,,\r\n\r\n\r\n"))
    assert info.notes[0].startswith("read line by line (DuckDB: ")
    assert [(r["child_id"], r["source_line"]) for r in sink.rows("uasc")] == [("1", 2), ("2", 3)]


def test_blank_first_line_with_data_after_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileRefused) as e:
        _read(_write(tmp_path, "u.csv", "\n" + UASC_HEAD + "1,1,,\n"))
    assert e.value.reason == "line 1 is blank where the SSDA903 header should be"
