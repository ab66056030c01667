"""Staged lines are the file's own, past line 65,535 too (libxml2 numbers only 16 bits)."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from lxml import etree

from cscperf.io import cin_split
from cscperf.io.base import FileRefused
from cscperf.io.cin_xml import COLUMNS, LONG_FILE_NOTE, CinXmlReader, _Run
from cscperf.io.memsink import MemorySink
from tests.io.test_cin_xml import CHILD_A, FOOTER, HEADER, SEX_CHILD

#: the element each table's rows are staged from, so its row k is the k-th such tag
TAGS = {
    "cin_children": "Child",
    "cin_disabilities": "Disability",
    "referrals": "CINdetails",
    "assessments": "Assessments",
    "assessment_factors": "AssessmentFactors",
    "s47_enquiries": "Section47",
    "cin_plans": "CINPlanDates",
    "cp_plans": "ChildProtectionPlans",
    "cp_reviews": "CPPreviewDate",
    "pre_proceedings": "PreProceedingsandFGDM",
}


def _small(i: int) -> str:
    """A four-line child: many of these take the file past line 65,535 quickly."""
    return (
        f"    <Child>\n      <ChildIdentifiers><LAchildID>P{i}</LAchildID></ChildIdentifiers>\n"
        "      <CINdetails><CINreferralDate>2024-01-01</CINreferralDate></CINdetails>\n"
        "    </Child>\n"
    )


def _long_text(n_small: int = 36_000) -> str:
    """> 140,000 lines: small children, with full ones (ids L0...L6) early, late and last."""
    full_at = {5: 0, 16_500: 1, 16_501: 2, 17_000: 3, 25_000: 4, 34_000: 5, n_small: 6}
    kids = []
    for i in range(n_small + 1):
        if i in full_at:
            k = full_at[i]
            full = SEX_CHILD.replace(">S1<", f">L{k}<") if k in (1, 3, 6) else CHILD_A
            full = full.replace(">A1<", f">L{k}<")
            if k == 4:  # a repeated value element, noted with its line
                full = full.replace(
                    "<GenderCurrent>", "<GenderCurrent>9</GenderCurrent><GenderCurrent>"
                )
            kids.append(full)
        if i < n_small:
            kids.append(_small(i))
    return HEADER + "".join(kids) + FOOTER


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _true_lines(text: str, tag: str) -> list[int]:
    """The line of every ``<tag>`` start tag, in file order."""
    lines, line, at = [], 1, 0
    for m in re.finditer(f"<{tag}>", text):
        line += text.count("\n", at, m.start())
        at = m.start()
        lines.append(line)
    return lines


@pytest.fixture(scope="module")
def long_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    text = _long_text()
    path = tmp_path_factory.mktemp("long") / "long.xml"
    path.write_text(text)
    assert text.count("\n") > 140_000
    return path, text


def test_plain_lxml_is_wrong_past_65535(long_file: tuple[Path, str]) -> None:
    # what this module guards against: a whole-file parse numbers late elements wrongly
    path, text = long_file
    got = [el.sourceline for _, el in etree.iterparse(str(path), tag="Child")]
    want = _true_lines(text, "Child")
    assert got[:1000] == want[:1000]
    assert all(g != w for g, w in zip(got[-1000:], want[-1000:], strict=True))


@pytest.mark.parametrize(
    ("min_bytes", "share", "batch_rows"),
    [
        (None, None, 50_000),  # serial, one batch spanning all segments
        (None, None, 997),  # serial, batches ending inside segments
        (1, 0.3, 50_000),  # two processes, the cut before line 65,535
        (1, 0.6, 997),  # two processes, the cut after it
    ],
)
def test_every_staged_line_is_exact(
    long_file: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    min_bytes: int | None,
    share: float | None,
    batch_rows: int,
) -> None:
    path, text = long_file
    monkeypatch.setattr(cin_split, "MAIN_SHARE", share)
    sink = MemorySink()
    with caplog.at_level(logging.DEBUG, logger=cin_split.__name__):
        info = CinXmlReader(batch_rows, parallel_min_bytes=min_bytes).read(path, sink)
    assert not [r for r in caplog.records if "reading serially" in r.message]
    for table in COLUMNS:
        got = [r["source_line"] for r in sink.rows(table)]
        assert got == _true_lines(text, TAGS[table]), table
    # spot checks, by hand: the late full children and their modules
    kids = {r["child_id"]: r["source_line"] for r in sink.rows("cin_children")}
    for k in range(7):
        at = text.index(f">L{k}<")
        assert kids[f"L{k}"] == _line_of(text, text.rindex("<Child>", 0, at))
    last = text.rindex("<Child>")  # L6, a SEX_CHILD, the file's last child
    assert kids["L6"] == _line_of(text, last) > 140_000
    assert [r["source_line"] for r in sink.rows("cin_disabilities")][-3:] == [
        _line_of(text, last) + 11 + i for i in range(3)
    ]
    assert sink.rows("referrals")[-1]["source_line"] == _line_of(text, last) + 16
    late_a = text.index(">L5<")  # a CHILD_A past line 130,000
    assert _line_of(text, late_a) > 130_000
    a_child = _line_of(text, text.rindex("<Child>", 0, late_a))
    assessments = [r["source_line"] for r in sink.rows("assessments")]
    assert assessments[-2:] == [a_child + 15, a_child + 24]  # as on lines 28, 37 of a file
    reviews = [r["source_line"] for r in sink.rows("cp_reviews")]
    assert reviews[-2:] == [a_child + 40, a_child + 41]
    dupe = _line_of(text, text.rindex("<ChildIdentifiers>", 0, text.index(">L4<")))
    assert dupe > 95_000
    assert info.notes == [
        f"repeated value elements in 1 <ChildIdentifiers> (lines {dupe}...): "
        "the last value was kept"
    ]


def _uncuttable(tmp_path: Path, text: str, encoding: str) -> Path:
    path = tmp_path / "odd.xml"
    path.write_text(text, encoding=encoding)
    return path


@pytest.mark.parametrize(
    ("head", "encoding"),
    [
        ("<!-- exported -->\n" + HEADER, "utf-8"),
        ('<?xml version="1.0" encoding="UTF-16"?>\n' + HEADER, "utf-16"),
    ],
)
def test_files_that_cannot_be_cut_get_a_note(tmp_path: Path, head: str, encoding: str) -> None:
    body = "".join(_small(i) for i in range(17_000)) + FOOTER
    path = _uncuttable(tmp_path, head + body, encoding)
    assert (head + body).count("\n") > 65_535
    sink = MemorySink()
    info = CinXmlReader(parallel_min_bytes=1).read(path, sink)
    assert info.notes == [LONG_FILE_NOTE]
    assert sink.count("cin_children") == 17_000
    short = _uncuttable(tmp_path, head + "".join(_small(i) for i in range(100)) + FOOTER, encoding)
    assert CinXmlReader().read(short, MemorySink()).notes == []


def test_a_long_file_that_is_cut_has_no_note(long_file: tuple[Path, str]) -> None:
    info = CinXmlReader(parallel_min_bytes=None).read(long_file[0], MemorySink())
    assert LONG_FILE_NOTE not in info.notes


def test_a_child_longer_than_a_segment_is_noted(tmp_path: Path) -> None:
    # no cut fits inside one <Child> of 70,000 lines: the rest is parsed as one segment
    huge = CHILD_A.replace("<Ethnicity>", "\n" * 70_000 + "<Ethnicity>")
    path = tmp_path / "huge.xml"
    path.write_text(HEADER + "".join(_small(i) for i in range(20_000)) + huge + FOOTER)
    info = CinXmlReader(parallel_min_bytes=None).read(path, MemorySink())
    assert info.notes == [LONG_FILE_NOTE]


def _whole(path: Path, batch_rows: int) -> tuple[list[str], dict[str, list[dict[str, object]]]]:
    """lxml reading the whole file at once: exact for files under 65,535 lines."""
    sink = MemorySink()
    run = _Run(path, sink, batch_rows)
    run.parse()
    return run.finish().notes, {t: sink.rows(t) for t in COLUMNS}


def _segmented(path: Path, batch_rows: int) -> tuple[list[str], dict[str, list[dict[str, object]]]]:
    sink = MemorySink()
    info = CinXmlReader(batch_rows, parallel_min_bytes=None).read(path, sink)
    return info.notes, {t: sink.rows(t) for t in COLUMNS}


def test_tiny_segments_stage_what_a_whole_parse_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # segments of a few lines: many cuts, offsets changing inside every batch
    kids = [(CHILD_A, SEX_CHILD, _small(i))[i % 3].replace(">A1<", f">A{i}<") for i in range(40)]
    path = tmp_path / "cin.xml"
    path.write_text(HEADER + "".join(kids) + FOOTER)
    want = _whole(path, 3)
    for lines in (3, 40, 90, 500):
        monkeypatch.setattr(cin_split, "SEGMENT_NEWLINES", lines)
        with caplog.at_level(logging.DEBUG, logger=cin_split.__name__):
            assert _segmented(path, 3) == want, lines
        assert not [r for r in caplog.records if "reading serially" in r.message]


def test_a_cut_inside_a_comment_falls_back_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # "</Child>\n<Child>" inside a comment looks like a place to cut; the segment ending
    # there cannot parse, and the whole-file parse resumes after the rows already staged
    odd = "<!-- <y/></Child>\n<Child>\n<x> -->\n"
    kids = [_small(i) for i in range(30)]
    kids[12] = kids[12].replace("<CINdetails>", odd + "<CINdetails>")
    path = tmp_path / "odd.xml"
    text = HEADER + "".join(kids) + FOOTER
    path.write_text(text)
    want = _whole(path, 2)
    fell_back = 0
    for lines in range(4, 40):
        monkeypatch.setattr(cin_split, "SEGMENT_NEWLINES", lines)
        with caplog.at_level(logging.DEBUG, logger=cin_split.__name__):
            assert _segmented(path, 2) == want, lines
        fell_back += any("reading serially" in r.message for r in caplog.records)
        caplog.clear()
    assert fell_back  # some segment did end inside the comment


def test_errors_in_a_later_segment_are_the_whole_parse_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cin_split, "SEGMENT_NEWLINES", 20)
    nested = SEX_CHILD.replace("<ReferralNFA>1</ReferralNFA>", "<Child><x/></Child>")
    for kids, why in (
        ("".join(_small(i) for i in range(20)) + nested, "<Child> inside <CINdetails>"),
        ("".join(_small(i) for i in range(20)) + CHILD_A[:300], "truncated"),
    ):
        path = tmp_path / "bad.xml"
        path.write_text(HEADER + kids + (FOOTER if why != "truncated" else ""))
        with pytest.raises(FileRefused) as whole:
            _whole(path, 50)
        with pytest.raises(FileRefused) as segmented:
            _segmented(path, 50)
        assert str(segmented.value) == str(whole.value)
        assert why in str(whole.value)


def test_demo_from_the_bug_report() -> None:
    # libxml2's own behaviour, as reported: one line late for a leaf-holding element
    doc = "\n".join(["<a>", *["<b>x</b>"] * 70_000, "<c>\n<d>y</d>\n</c>", "</a>"])
    lines = [el.sourceline for _, el in etree.iterparse(io.BytesIO(doc.encode()), tag="c")]
    assert lines == [70_003]  # the true line is 70,002
