"""SSDA903 XML reader: fan-out of CHILD into the canonical tables, lines, safety."""

from __future__ import annotations

from pathlib import Path

import pytest

from cscperf.io.base import FileRefused
from cscperf.io.memsink import MemorySink
from cscperf.io.ssda903_xml import READER

TWO_CHILDREN = """<?xml version="1.0" encoding="utf-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>C1</CHILDID><UPN>A123456789012</UPN><SEX>1</SEX><DOB>01/02/2008</DOB>
      <ETHNIC>WBRI</ETHNIC>
      <UASC>1</UASC>
      <DUC>01/02/2026</DUC>
      <IN_TOUCH>YES</IN_TOUCH><ACTIV>F2</ACTIV><ACCOM>D1</ACCOM>
      <AMISSING><MISSING>M</MISSING><MIS_START>03/04/2023</MIS_START><MIS_END /></AMISSING>
      <AREVIEW><REVIEW>05/05/2023</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>
      <AREVIEW>
        <REVIEW>05/11/2023</REVIEW><REVIEW_CODE>PN2</REVIEW_CODE>
      </AREVIEW>
      <MOTHER>0</MOTHER>
      <MC_DOB />
      <PERMANENCE><PREV_PERM>Z1</PREV_PERM></PERMANENCE>
    </HEADER>
    <EPISODE>
      <DECOM>01/04/2023</DECOM><RNE>S</RNE><LS>V2</LS><CIN>N1</CIN><PL>U1</PL>
      <PL_POST>AB1 2CD</PL_POST><HOME_POST>EF3 4GH</HOME_POST><URN>SC123456</URN>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC /><REC /><REASON_PLACE_CHANGE />
    </EPISODE>
  </CHILD>
  <CHILD>
    <HEADER>
      <CHILDID>C2</CHILDID><UPN /><SEX>2</SEX><DOB>10/10/2015</DOB><ETHNIC>MWBC</ETHNIC>
      <UASC />
      <DATE_INT>01/06/2023</DATE_INT><DATE_MATCH>01/07/2023</DATE_MATCH>
      <FOSTER_CARE>1</FOSTER_CARE><NB_ADOPTR>2</NB_ADOPTR><SEX_ADOPTR>MF</SEX_ADOPTR>
      <LS_ADOPTR>L0</LS_ADOPTR>
      <OC2><SDQ_SCORE>12</SDQ_SCORE><CONVICTED>0</CONVICTED></OC2>
      <AD_PLACED><DATE_PLACED>01/05/2023</DATE_PLACED><DATE_PLACED_CEASED />
        <REASON_PLACED_CEASED /></AD_PLACED>
    </HEADER>
    <EPISODE>
      <DECOM>01/01/2022</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U3</PL>
      <DEC>01/08/2023</DEC><REC>E11</REC>
    </EPISODE>
    <EPISODE>
      <DECOM>01/08/2023</DECOM><RNE>P</RNE><LS>E1</LS><CIN>N1</CIN><PL>A4</PL>
      <DEC /><REC />
    </EPISODE>
  </CHILD>
</EXPSSDA903>
"""


def _read(tmp_path: Path, text: str | bytes) -> tuple[MemorySink, object]:
    p = tmp_path / "903.xml"
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    sink = MemorySink()
    return sink, READER.read(p, sink)


def test_sniff_recognises_the_root(tmp_path: Path) -> None:
    assert READER.sniff(tmp_path / "x.xml", TWO_CHILDREN.encode())
    assert not READER.sniff(tmp_path / "x.xml", b'<?xml version="1.0"?><Message>')
    assert not READER.sniff(tmp_path / "x.csv", b"CHILD,SEX,DOB\n")


def test_two_children_fan_out_to_the_right_tables_and_lines(tmp_path: Path) -> None:
    sink, info = _read(tmp_path, TWO_CHILDREN)
    assert info.notes == []
    assert {t: sink.count(t) for t in sink.tables} == {
        "children": 2, "uasc": 1, "oc3": 1, "missing": 1, "cla_reviews": 2,
        "previous_permanence": 1, "cla_episodes": 3, "ad1": 1, "oc2": 1,
        "placed_for_adoption": 1,
    }  # fmt: skip
    assert sink.rows("children") == [
        {"child_id": "C1", "sex": "1", "dob": "01/02/2008", "ethnic": "WBRI",
         "upn": "A123456789012", "mother": "0", "mc_dob": None, "source_line": 4},
        {"child_id": "C2", "sex": "2", "dob": "10/10/2015", "ethnic": "MWBC",
         "upn": None, "mother": None, "mc_dob": None, "source_line": 26},
    ]  # fmt: skip
    assert sink.rows("uasc") == [
        {"child_id": "C1", "sex": "1", "dob": "01/02/2008", "duc": "01/02/2026", "source_line": 7}
    ]
    assert sink.rows("oc3") == [
        {"child_id": "C1", "dob": "01/02/2008", "in_touch": "YES", "activ": "F2",
         "accom": "D1", "source_line": 4}
    ]  # fmt: skip
    assert sink.rows("missing") == [
        {"child_id": "C1", "dob": "01/02/2008", "missing": "M", "mis_start": "03/04/2023",
         "mis_end": None, "source_line": 10}
    ]  # fmt: skip
    assert [
        (r["review"], r["review_code"], r["source_line"]) for r in sink.rows("cla_reviews")
    ] == [
        ("05/05/2023", "PN1", 11),
        ("05/11/2023", "PN2", 12),
    ]
    assert sink.rows("previous_permanence") == [
        {"child_id": "C1", "dob": "01/02/2008", "prev_perm": "Z1", "la_perm": None,
         "date_perm": None, "source_line": 17}
    ]  # fmt: skip
    eps = sink.rows("cla_episodes")
    assert eps[0] == {
        "child_id": "C1", "decom": "01/04/2023", "rne": "S", "ls": "V2", "cin": "N1",
        "place": "U1", "pl_post": "AB1 2CD", "home_post": "EF3 4GH", "urn": "SC123456",
        "place_provider": "PR1", "dec": None, "rec": None, "reason_place_change": None,
        "source_line": 19,
    }  # fmt: skip
    assert [(e["child_id"], e["place"], e["dec"], e["rec"], e["pl_post"], e["source_line"])
            for e in eps[1:]] == [
        ("C2", "U3", "01/08/2023", "E11", None, 36),
        ("C2", "A4", None, None, None, 40),
    ]  # fmt: skip
    assert sink.rows("ad1") == [
        {"child_id": "C2", "dob": "10/10/2015", "date_int": "01/06/2023",
         "date_match": "01/07/2023", "foster_care": "1", "nb_adoptr": "2",
         "sex_adoptr": "MF", "ls_adoptr": "L0", "source_line": 26}
    ]  # fmt: skip
    oc2 = sink.rows("oc2")[0]
    assert (oc2["child_id"], oc2["sdq_score"], oc2["convicted"], oc2["health_check"]) == (
        "C2",
        "12",
        "0",
        None,
    )
    assert oc2["source_line"] == 32
    assert sink.rows("placed_for_adoption") == [
        {"child_id": "C2", "dob": "10/10/2015", "date_placed": "01/05/2023",
         "date_placed_ceased": None, "reason_placed_ceased": None, "source_line": 33}
    ]  # fmt: skip


def test_unknown_elements_and_odd_uasc_flags_are_noted(tmp_path: Path) -> None:
    xml = (
        "<EXPSSDA903><CHILD><HEADER><CHILDID>1</CHILDID><UASC>Y</UASC><PET>cat</PET></HEADER>"
        "<NOTE>x</NOTE></CHILD></EXPSSDA903>"
    )
    sink, info = _read(tmp_path, xml)
    assert sink.count("uasc") == 0
    assert info.notes == [
        "elements not staged (not in the 903 schema): CHILD/NOTE (1), HEADER/PET (1)",
        "1 child(ren) with UASC flag 'Y' (not 0/1) not staged as UASC",
    ]


def test_doctype_is_refused(tmp_path: Path) -> None:
    xml = (
        '<?xml version="1.0"?>\n<!DOCTYPE EXPSSDA903 [<!ENTITY x "boom">]>\n'
        "<EXPSSDA903><CHILD><HEADER><CHILDID>&x;</CHILDID></HEADER></CHILD></EXPSSDA903>"
    )
    with pytest.raises(FileRefused) as e:
        _read(tmp_path, xml)
    assert "DOCTYPE" in e.value.reason


def test_truncated_xml_is_refused_with_a_line(tmp_path: Path) -> None:
    with pytest.raises(FileRefused) as e:
        _read(tmp_path, TWO_CHILDREN[:1200])
    assert "truncated or malformed XML" in e.value.reason


def test_wrong_root_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileRefused) as e:
        _read(tmp_path, "<Other><CHILD><HEADER /></CHILD></Other>")
    assert e.value.reason == "root element is Other, not EXPSSDA903"


@pytest.mark.shared
def test_shared_fake_903_xml(shared: Path) -> None:
    p = shared / "fixtures" / "ssda903-fake" / "fake_903.xml"
    assert READER.sniff(p, p.read_bytes()[:65536])
    sink = MemorySink()
    info = READER.read(p, sink)
    assert info.notes == []
    # counted from the file: 253 CHILD, 459 EPISODE, 1206 AREVIEW, 12 UASC=1,
    # 6 AMISSING, 6 with OC3 fields, 3 with AD1 fields, 3 AD_PLACED
    assert {t: sink.count(t) for t in sink.tables} == {
        "children": 253, "cla_reviews": 1206, "previous_permanence": 253, "oc2": 253,
        "cla_episodes": 459, "missing": 6, "uasc": 12, "oc3": 6, "ad1": 3,
        "placed_for_adoption": 3,
    }  # fmt: skip
    # the whole document is on line 2
    assert {r["source_line"] for r in sink.rows("cla_episodes")} == {2}
    assert sink.rows("children")[0]["child_id"] == "907440"
