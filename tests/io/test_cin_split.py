"""Reading a CIN census file in two processes stages exactly what the serial read does."""

from __future__ import annotations

import itertools
import logging
import re
from pathlib import Path

import pyarrow as pa
import pytest

from cscperf.io import cin_split
from cscperf.io.base import FileInfo, FileRefused
from cscperf.io.cin_split import MemBytes, PartSource, plan_split
from cscperf.io.cin_xml import COLUMNS, CinXmlReader
from cscperf.io.memsink import MemorySink
from tests.io.test_cin_xml import CHILD_A, FIXTURES, FOOTER, HEADER, SEX_CHILD

Rows = dict[str, list[dict[str, object]]]


def _serial(path: Path, batch_rows: int = 50_000) -> tuple[FileInfo, Rows]:
    sink = MemorySink()
    info = CinXmlReader(batch_rows, parallel_min_bytes=None).read(path, sink)
    return info, {t: sink.rows(t) for t in COLUMNS}


def _split(
    path: Path,
    share: float,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    batch_rows: int = 50_000,
    expect_split: bool = True,
) -> tuple[FileInfo, Rows]:
    """Read with the cut near ``share`` of the file, checking the two-process path ran."""
    monkeypatch.setattr(cin_split, "MAIN_SHARE", share)
    if expect_split:
        with open(path, "rb") as f:
            assert plan_split(MemBytes(f.read()), share) is not None, "no cut found"
    sink = MemorySink()
    with caplog.at_level(logging.DEBUG, logger=cin_split.__name__):
        info = CinXmlReader(batch_rows, parallel_min_bytes=1).read(path, sink)
    fell_back = [r.message for r in caplog.records if "reading serially" in r.message]
    caplog.clear()
    assert not (expect_split and fell_back), fell_back
    return info, {t: sink.rows(t) for t in COLUMNS}


def _same_as_serial(
    path: Path,
    shares: list[float],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    batch_rows: int = 50_000,
) -> None:
    want = _serial(path, batch_rows)
    assert sum(map(len, want[1].values())), "the file stages nothing: a useless comparison"
    for share in shares:
        got = _split(path, share, monkeypatch, caplog, batch_rows)
        assert got[0] == want[0], share
        for table in COLUMNS:  # one table at a time: a failure then shows which
            assert got[1][table] == want[1][table], (share, table)


def _child(i: int) -> str:
    """CHILD_A or SEX_CHILD with a unique id, every third with a repeated value element."""
    text = (CHILD_A, SEX_CHILD)[i % 2].replace(">A1<", f">A{i}<").replace(">S1<", f">S{i}<")
    if i % 3 == 0:
        text = text.replace(
            "<PersonBirthDate>", "<PersonBirthDate>X</PersonBirthDate>\n<PersonBirthDate>"
        )
    return text


def _write(path: Path, n: int, header: str = HEADER, footer: str = FOOTER) -> Path:
    path.write_text(header + "".join(_child(i) for i in range(n)) + footer)
    return path


def test_split_reads_match_serial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # several cuts, batches smaller than each part, repeated-element notes from both parts
    path = _write(tmp_path / "cin.xml", 40)
    _same_as_serial(path, [0.02, 0.3, 0.5, 0.93], monkeypatch, caplog, batch_rows=3)
    info, _ = _serial(path)
    assert info.notes[0].startswith("repeated value elements in 14 <ChildIdentifiers> (lines ")


def test_split_lines_past_65535_are_exact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # libxml2 numbers lines exactly only up to 65,535; both reads parse in segments of
    # fewer lines and stage the file's own line of every element
    path = _write(tmp_path / "long.xml", 3_000)
    text = path.read_text()
    assert text.count("\n") > 2 * 65_535
    _same_as_serial(path, [0.3, 0.6], monkeypatch, caplog)
    _, rows = _split(path, 0.6, monkeypatch, caplog)
    for table, tag in (("cin_children", "<Child>"), ("referrals", "<CINdetails>")):
        starts = [0, *(m.start() for m in re.finditer(tag, text))]
        counts = [text.count("\n", a, b) for a, b in itertools.pairwise(starts)]
        want = list(itertools.accumulate(counts, initial=1))[1:]
        assert [r["source_line"] for r in rows[table]] == want, table
        assert want[-1] > 130_000


def test_header_in_part_1_is_replayed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    children = "".join(_child(i) for i in range(6))
    late = HEADER.split("<Header>")[1].split("</Header>")[0]
    no_year = late.replace("<Year>2025</Year>", "").replace(">999<", ">888<")
    for first, last in ((late, no_year), (no_year, late), ("", no_year)):
        head = f"<Message>\n  <Header>{first}</Header>\n  <Children>\n" if first else None
        text = (head or "<Message>\n  <Children>\n") + children + "  </Children>\n"
        (tmp_path / "h.xml").write_text(text + f"  <Header>{last}</Header>\n</Message>\n")
        _same_as_serial(tmp_path / "h.xml", [0.5], monkeypatch, caplog)


@pytest.mark.shared
@pytest.mark.parametrize(
    ("name", "shares"),
    [
        ("fake_CIN_data.xml", [0.1, 0.5, 0.8]),
        ("CIN_Census_2024.xml", [0.3]),
        ("CIN_Census_2026.xml", [0.3]),
    ],
)
def test_shared_fixtures_split_match_serial(
    name: str,
    shares: list[float],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if not FIXTURES.is_dir():
        pytest.skip(f"shared CIN fixtures not found at {FIXTURES}")
    _same_as_serial(FIXTURES / name, shares, monkeypatch, caplog, batch_rows=50)


def test_misplaced_nested_child_at_the_cut_is_refused_as_serially(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # two <Child> inside a <CINdetails>, the cut at the second: part 0 no longer ends
    # inside <Children>, so it cannot parse; the serial read then refuses the file
    nested = "<Child><x/></Child>\n<Child><x/></Child>"
    bad = SEX_CHILD.replace("<ReferralNFA>1</ReferralNFA>", nested)
    text = HEADER + _child(0) + _child(1) + bad + _child(2) + FOOTER
    path = tmp_path / "nested.xml"
    path.write_text(text)
    cut = text.index("<Child><x/></Child>") + len("<Child><x/></Child>\n")
    with pytest.raises(FileRefused) as serial:
        _serial(path)
    with pytest.raises(FileRefused) as split:
        _split(path, (cut - 1) / len(text), monkeypatch, caplog)
    assert split.value.reason == serial.value.reason
    assert "<Child> inside <CINdetails>" in serial.value.reason


def test_children_not_under_the_root_fall_back_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # the serial reader accepts <Children> one level down; part 0 then cannot end with
    # </Children></Message>, and the serial fallback skips the rows part 0 already gave
    header = HEADER.replace("<Children>", "<Wrap><Children>")
    path = _write(
        tmp_path / "wrap.xml", 12, header, FOOTER.replace("</Message>", "</Wrap></Message>")
    )
    want = _serial(path, batch_rows=2)
    got = _split(path, 0.6, monkeypatch, caplog, batch_rows=2, expect_split=False)
    assert got == want


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('<?xml version="1.0" encoding="ISO-8859-1"?>\n' + HEADER, "not UTF-8"),
        ('<?xml version="1.1"?>\n' + HEADER, "XML 1.1"),
        ("<!-- c -->\n" + HEADER, "comment before the root"),
        (HEADER.replace("<Children>", "<Children/><Children>"), "first <Children> is empty"),
        ("<cin:Message>" + HEADER[9:], "prefixed root"),
    ],
)
def test_files_the_plan_keeps_serial(text: str, why: str) -> None:
    body = text + "".join(_child(i) for i in range(4)) + FOOTER
    assert plan_split(MemBytes(body.encode()), 0.5) is None, why


def _attrs_file() -> bytes:
    """A BOM, a declaration, a root tag with attributes on two lines, "!" and "?" in text."""
    head = (
        '\ufeff<?xml version="1.0" encoding="utf-8"?>\n<Message xmlns:x="urn:x"\n a=">">\n'
        '  <Children b="1">\n'
    )
    kids = "".join(_child(i) for i in range(4)).replace(">WBRI<", ">Hi! Why?<")
    return (head + kids + FOOTER).encode()


def test_plan_copies_start_tags_and_allows_bang_in_text() -> None:
    body = _attrs_file()
    plan = plan_split(MemBytes(body), 0.5)
    assert plan is not None
    assert plan.head.prefix == b'<Message xmlns:x="urn:x"\n a=">"><Children b="1">'
    assert body[plan.split :].startswith(b"<Child>")


def test_split_with_bom_declaration_and_attributes_matches_serial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "attrs.xml"
    path.write_bytes(_attrs_file())
    _same_as_serial(path, [0.5], monkeypatch, caplog)


def test_part_source_reads_blocks_ending_where_a_whole_read_does() -> None:
    data = bytes(range(256)) * 1024  # 256 KB
    src = PartSource(MemBytes(data), 40_000, 200_000, b"<H>", b"<T>")
    blocks = []
    while block := src.read(32_768):
        blocks.append(block)
    assert blocks[0] == b"<H>"
    assert blocks[1] == data[40_000:65_536]  # ends where a whole read's 2nd block ends
    assert b"".join(blocks[1:-1]) == data[40_000:200_000]
    assert all(len(b) == 32_768 for b in blocks[2:-2])
    assert blocks[-1] == b"<T>"


def test_worker_dying_midway_falls_back_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = _write(tmp_path / "cin.xml", 30)
    dies = (
        "import os, sys\n"
        "from cscperf.io import cin_split as c\n"
        "send = c._FileBatches.send\n"
        "def die(self, msg):\n"
        "    send(self, msg)\n"
        "    if self.n == 4: os._exit(9)\n"
        "c._FileBatches.send = die\n"
        "sys.exit(c.worker_main())\n"
    )
    monkeypatch.setattr(cin_split, "_WORKER_CODE", dies)
    want = _serial(path, batch_rows=2)
    got = _split(path, 0.4, monkeypatch, caplog, batch_rows=2, expect_split=False)
    assert got == want


def test_worker_that_cannot_start_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = _write(tmp_path / "cin.xml", 8)
    monkeypatch.setattr(cin_split, "_WORKER_CODE", "import sys; sys.exit(7)")
    assert _split(path, 0.5, monkeypatch, caplog, expect_split=False) == _serial(path)


def test_errors_in_part_1_are_the_serial_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    text = HEADER + "".join(_child(i) for i in range(10))
    path = tmp_path / "cut.xml"
    path.write_text(text[:-40])  # truncated inside the last child
    with pytest.raises(FileRefused) as serial:
        _serial(path)
    with pytest.raises(FileRefused) as split:
        _split(path, 0.5, monkeypatch, caplog, expect_split=False)
    assert split.value.reason == serial.value.reason
    assert "truncated" in serial.value.reason


def test_sink_errors_propagate_unretried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Boom(MemorySink):
        def append(self, table: str, batch: pa.Table) -> None:
            if table == "cp_reviews":
                raise RuntimeError("disk full")
            super().append(table, batch)

    path = _write(tmp_path / "cin.xml", 10)
    monkeypatch.setattr(cin_split, "MAIN_SHARE", 0.5)
    sink = Boom()
    with pytest.raises(RuntimeError, match="disk full"):
        CinXmlReader(parallel_min_bytes=1).read(path, sink)
    assert sink.count("cin_children") <= 10  # nothing staged twice


@pytest.mark.parametrize("chunk", [16, 50, 4096])
def test_worker_scan_counts_lines_and_sees_other_children_tags(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cin_split, "_CHUNK", chunk)
    body = (HEADER + _child(0) + _child(1) + _child(2) + FOOTER).encode()
    plan = plan_split(MemBytes(body), 0.5)
    assert plan is not None
    lines = body[: plan.split].count(b"\n")
    assert cin_split.scan_part0(MemBytes(body), plan.split, plan.head.children_at) == lines
    for at in range(plan.split - 120, plan.split - 40):  # across chunk boundaries too
        other = body[:at] + b"<Children/>" + body[at:]
        assert cin_split.scan_part0(MemBytes(other), plan.split + 11, plan.head.children_at) is None


def test_comments_pis_and_cdata_split_or_fall_back_as_serial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # markup that a byte scan could mistake: a cut inside it cannot parse (part 0 would
    # end inside it), anywhere else it is just content both parts parse as the serial read
    odd = "<!-- <y/></Child>\n<Child>\n<x> -->\n<?pi <y/></Child>\n<Child>\n<x> ?>\n"
    cdata = "<![CDATA[ <y/></Child>\n<Child>\n<x> ]]>"
    kids = [_child(i) for i in range(6)]
    kids[2] = kids[2].replace("<ChildIdentifiers>", odd + "<ChildIdentifiers>", 1)
    kids[3] = kids[3].replace(">AIND<", f">AIND{cdata}<", 1)
    text = HEADER + "".join(kids) + FOOTER
    path = tmp_path / "odd.xml"
    path.write_text(text)
    want = _serial(path, batch_rows=2)
    for fake in (
        text.index("<Child>\n<x> --"),
        text.index("<Child>\n<x> ?"),
        text.index("<Child>\n<x> ]"),
    ):
        plan = plan_split(MemBytes(text.encode()), (fake - 1) / len(text))
        assert plan is not None and plan.split == fake  # the cut is inside the markup
        got = _split(path, (fake - 1) / len(text), monkeypatch, caplog, 2, expect_split=False)
        assert got == want
    assert _split(path, 0.8, monkeypatch, caplog, 2) == want


def test_second_children_list_falls_back_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # the serial reader takes children from two <Children> lists; the worker cannot know
    # which start tag encloses the cut, refuses, and the serial read resumes
    kids = [_child(i) for i in range(8)]
    text = HEADER + "".join(kids[:3]) + "  </Children>\n  <Children>\n" + "".join(kids[3:]) + FOOTER
    path = tmp_path / "two.xml"
    path.write_text(text)
    want = _serial(path, batch_rows=2)
    assert _split(path, 0.7, monkeypatch, caplog, 2, expect_split=False) == want


def test_ingest_through_the_pipeline_matches_serial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # the real sink, validation and merge: same store and quarantine either way
    from cscperf.ingest.pipeline import ingest_paths
    from cscperf.io import cin_xml
    from cscperf.store.db import connect

    kids = [_child(i) for i in range(30)]
    kids[8] = kids[8].replace(">2015-06-01<", ">2015-13-01<")  # quarantined in part 0
    kids[25] = kids[25].replace(">2019-01-01<", ">soon<")  # ... and in part 1
    path = tmp_path / "cin.xml"
    path.write_text(HEADER.replace("<LEA>999</LEA>", "<LEA>883</LEA>") + "".join(kids) + FOOTER)

    def ingest(split: bool) -> tuple[object, ...]:
        monkeypatch.setattr(cin_xml.READER, "parallel_min_bytes", 1 if split else None)
        monkeypatch.setattr(cin_xml.READER, "batch_rows", 4)
        monkeypatch.setattr(cin_split, "MAIN_SHARE", 0.5)
        con = connect(":memory:")
        with caplog.at_level(logging.DEBUG, logger=cin_split.__name__):
            report = ingest_paths(con, [path], "883")
        sql = "SELECT * EXCLUDE (ingested_at) FROM quarantine ORDER BY ALL"
        stored = [con.execute(sql).fetchall()]
        stored += [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in COLUMNS]
        con.close()
        rows = [(r.table, r.rows_read, r.rows_loaded, r.rows_quarantined) for r in report.results]
        return rows, report.notes, stored

    serial = ingest(split=False)
    split = ingest(split=True)
    assert not [r for r in caplog.records if "reading serially" in r.message]
    assert split == serial
    quarantined = {row[6] for row in serial[2][0]}  # the value column
    assert {"2015-13-01", "soon"} <= quarantined  # from part 0 and from part 1
