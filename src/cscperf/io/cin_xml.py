"""Reader for the DfE children in need (CIN) census XML return.

A CIN census file is one ``<Message>``: an optional ``<Header>`` (collection
year, LA code) and one ``<Child>`` per child, each with its identifiers,
characteristics and one ``<CINdetails>`` per referral holding assessments,
plans, section 47 enquiries, CP plans and (from 2026) pre-proceedings.

Files reach hundreds of megabytes, so each ``<Child>`` is streamed with
:func:`~cscperf.io.safe_xml.safe_iterparse` and cleared at once; memory stays
flat with file size. The hot loop touches each element exactly once (a dict
comprehension of tag → text per section, with C-level ``iterchildren`` for the
few nested sections) so that the reader runs close to bare lxml speed; rows are
kept as tuples and become Arrow columns in batches, where whitespace trimming
and blank → NULL are done vectorised. Values are staged as raw text:
validation, not the reader, judges them.

Quarantine rows name the line of each element, but libxml2 numbers lines in
16 bits: past line 65,535 an element gets the line of its first text instead.
So a file is parsed in segments of fewer lines, cut between two ``<Child>``
elements, and each segment's lines are shifted by the lines before it
(:mod:`cscperf.io.cin_split`). A file of :data:`PARALLEL_MIN_BYTES` or more is
also cut in two and parsed by this process and a worker process at once,
staging exactly the rows, lines and notes of the serial read about 1.5 times as
fast.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cscperf.io.base import FileInfo, FileRefused, Sink
from cscperf.io.safe_xml import BinaryReadable, release, safe_iterparse, sniff_root

#: staged columns per canonical table, in the order rows are built below
COLUMNS: dict[str, tuple[str, ...]] = {
    "cin_children": (
        "child_id", "upn", "former_upn", "upn_unknown", "dob", "expected_dob", "sex",
        "death_date", "ethnicity",
    ),
    "cin_disabilities": ("child_id", "disability"),
    "referrals": (
        "child_id", "referral_date", "referral_source", "primary_need", "closure_date",
        "reason_for_closure", "referral_nfa", "date_of_initial_cpc",
    ),
    "assessments": (
        "child_id", "referral_date", "start_date", "internal_review_date", "authorisation_date",
    ),
    "assessment_factors": ("child_id", "referral_date", "assessment_start_date", "factor"),
    "s47_enquiries": (
        "child_id", "referral_date", "start_date", "icpc_target", "icpc_date",
        "icpc_not_required",
    ),
    "cin_plans": ("child_id", "referral_date", "start_date", "end_date"),
    "cp_plans": (
        "child_id", "referral_date", "start_date", "end_date", "initial_category",
        "latest_category", "previous_plans",
    ),
    "cp_reviews": ("child_id", "plan_start_date", "review_date"),
    "pre_proceedings": (
        "child_id", "referral_date", "pp_start_date", "lbp_sent_date", "fgdm_meeting_offer",
        "fgdm_meeting_fac", "initial_pp_meeting_date", "review_meetings_count",
        "step_decision_date", "pp_outcome", "court_app_date", "letter_init_cp_date",
    ),
}  # fmt: skip

BATCH_ROWS = 50_000
#: files at least this big are read by two processes (see :mod:`cscperf.io.cin_split`);
#: the worker's start-up (~0.3 s) made 17 MB files no faster, 26 MB ones 15% faster
PARALLEL_MIN_BYTES = 24 * 1024 * 1024
_MAX_NOTED_LINES = 5
#: libxml2 numbers lines exactly only below this (it keeps them in 16 bits)
EXACT_LINES = 65_535
LONG_FILE_NOTE = (
    "the file could not be read in segments: line numbers past 65,535 may point "
    "one or two lines into the element"
)
#: (a part of the file to parse instead of the whole, lines before it): whole file
Segment = tuple[BinaryReadable | None, int]
WHOLE_FILE: tuple[Segment, ...] = ((None, 0),)

# CINdetails children that are sections, not values
_ASSESS = "Assessments"
_PLAN = "CINPlanDates"
_S47 = "Section47"
_CPP = "ChildProtectionPlans"
_PP = "PreProceedingsandFGDM"
_SECTIONS = frozenset((_ASSESS, _PLAN, _S47, _CPP, _PP))


def _head_text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"<\x00")):
        return head[: len(head) // 2 * 2].decode("utf-16-le", errors="replace")
    if head.startswith((b"\xfe\xff", b"\x00<")):
        return head[: len(head) // 2 * 2].decode("utf-16-be", errors="replace")
    return head.decode("utf-8", errors="replace")


class CinXmlReader:
    """Streams a CIN census XML file into staged canonical rows."""

    format = "cin-xml"

    def __init__(
        self, batch_rows: int = BATCH_ROWS, parallel_min_bytes: int | None = PARALLEL_MIN_BYTES
    ) -> None:
        self.batch_rows = batch_rows
        #: None: always serial; tests pass a tiny value to force a split of small files
        self.parallel_min_bytes = parallel_min_bytes

    def sniff(self, path: Path, head: bytes) -> bool:
        """A ``<Message>`` root holding a CIN collection (header or CIN elements)."""
        if sniff_root(head) != "Message":
            return False
        text = _head_text(head)
        return any(
            s in text for s in ("<Collection>CIN<", "<CINdetails", "<LAchildID", "<Children")
        )

    def read(self, path: Path, sink: Sink) -> FileInfo:
        from cscperf.io import cin_split  # imports this module

        path = Path(path)
        if self.parallel_min_bytes is not None:
            info = cin_split.read_split(path, sink, self.batch_rows, self.parallel_min_bytes)
            if info is not None:
                return info
        return cin_split.read_serial(path, sink, self.batch_rows)


@dataclass
class PartFacts:
    """What a read of one part of a file learned besides its rows."""

    children: int = 0
    header_facts: list[tuple[int | None, list[str]]] = field(default_factory=list)
    dupes: dict[str, int] = field(default_factory=dict)
    dupe_lines: list[int] = field(default_factory=list)
    long_lines: bool = False  # some lines past 65,535 are libxml2's approximation


class _Run:
    """State of one file's read: row buffers, header facts and notes."""

    def __init__(self, path: Path, sink: Sink, batch_rows: int) -> None:
        self.path = path
        self.sink = sink
        self.batch_rows = batch_rows
        self.rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in COLUMNS}
        #: (buffered rows per table when a segment began, its line offset): the offsets
        #: are added to ``source_line`` when rows are flushed, not per row in the hot loop
        self.marks: list[tuple[list[int], int]] = [([0] * len(COLUMNS), 0)]
        self.line_offset = 0  # of the segment being parsed
        self.long_lines = False  # see :data:`LONG_FILE_NOTE`
        self.info = FileInfo(format=CinXmlReader.format)
        self.dupes: Counter[str] = Counter()
        self.dupe_lines: list[int] = []
        self.children = 0
        self.headers = 0
        #: (year, LEA codes) of each <Header>, so a later part's headers can be replayed
        self.header_facts: list[tuple[int | None, list[str]]] = []

    def run(self) -> FileInfo:
        self.parse()
        return self.finish()

    def parse(self, segments: Iterable[Segment] = WHOLE_FILE) -> None:
        """Stage every row of the file, or of its segments in order; the facts stay on ``self``.

        A segment's element lines are ``offset`` short of the file's.
        """
        for source, offset in segments:
            self._segment(source, offset)
        self._flush_all()

    def _segment(self, source: BinaryReadable | None, offset: int) -> None:
        self.line_offset = offset
        if offset != self.marks[-1][1]:
            self.marks.append(([len(rows) for rows in self.rows.values()], offset))
        elements = safe_iterparse(self.path, ("{*}Header", "{*}Child"), source=source)
        first = next(elements, None)
        if first is not None:
            self._check_root(first)
            self._children(chain((first,), elements))

    def facts(self) -> PartFacts:
        """This run's facts, for a run of an earlier part to :meth:`absorb`."""
        return PartFacts(
            self.children, self.header_facts, dict(self.dupes), self.dupe_lines, self.long_lines
        )

    def absorb(self, part: PartFacts) -> None:
        """Take in the facts of the file's next part as if this run had read it."""
        for year, leas in part.header_facts:
            self.headers += 1
            self._apply_header(year, leas)
        self.children += part.children
        self.dupes.update(part.dupes)
        self.dupe_lines.extend(part.dupe_lines[: _MAX_NOTED_LINES - len(self.dupe_lines)])
        self.long_lines |= part.long_lines

    def finish(self) -> FileInfo:
        """The whole file's checks and notes, once every part is in."""
        if not self.children:
            raise FileRefused(self.path, "contains no <Child> elements: not a CIN census return")
        self._notes()
        return self.info

    # -- structure ------------------------------------------------------------
    def _check_root(self, el: Any) -> None:
        root = el.getroottree().getroot()
        tag = root.tag
        if tag.startswith("{"):
            ns, _, local = tag[1:].partition("}")
            raise FileRefused(
                self.path,
                f"line {root.sourceline}: root <{local}> is in namespace {ns!r}; "
                "the CIN census uses none",
            )
        if tag != "Message":
            raise FileRefused(
                self.path, f"line {root.sourceline}: root is <{tag}>, not a CIN census <Message>"
            )

    def _header(self, header: Any) -> None:
        self.headers += 1
        year_value: int | None = None
        coll = header.find("CollectionDetails")
        if coll is not None:
            collection = (coll.findtext("Collection") or "").strip()
            if collection and collection != "CIN":
                raise FileRefused(
                    self.path,
                    f"line {coll.sourceline}: Collection is {collection!r}, not 'CIN'",
                )
            year_el = coll.find("Year")
            year = (year_el.text or "").strip() if year_el is not None else ""
            if year:
                if not (len(year) == 4 and year.isdigit()):
                    raise FileRefused(
                        self.path,
                        f"line {year_el.sourceline}: Header Year {year!r} is not a 4-digit year",
                    )
                # The census <Year> is the reporting year ending 31 March of that year.
                year_value = int(year)
        leas = [(s.findtext("LEA") or "").strip() for s in header.iterchildren("Source")]
        leas = [x for x in leas if x]
        self.header_facts.append((year_value, leas))
        self._apply_header(year_value, leas)

    def _apply_header(self, year: int | None, leas: list[str]) -> None:
        if year is not None:
            self.info.return_year = year
        if self.info.return_year is None:
            self.info.notes.append("no Header/CollectionDetails/Year: return year not in file")
        if leas:
            self.info.la_code = leas[0]
            if len(set(leas)) > 1:
                self.info.notes.append(
                    f"several Source/LEA codes {sorted(set(leas))}; used {leas[0]}"
                )

    # -- the hot path ---------------------------------------------------------
    def _children(self, elements: Iterator[Any]) -> None:
        """Stage every ``<Header>`` and ``<Child>``: one flat loop, names bound once.

        Deliberately a single long function: per-element method calls and
        attribute look-ups would cost more than the parsing itself.
        """
        rows = self.rows
        add_child = rows["cin_children"].append
        add_dis = rows["cin_disabilities"].append
        add_ref = rows["referrals"].append
        add_ass = rows["assessments"].append
        add_fac = rows["assessment_factors"].append
        add_s47 = rows["s47_enquiries"].append
        add_plan = rows["cin_plans"].append
        add_cpp = rows["cp_plans"].append
        add_rev = rows["cp_reviews"].append
        add_pp = rows["pre_proceedings"].append
        n_children = rows["cin_children"]
        batch, sections, dupe = self.batch_rows, _SECTIONS, self._dupe
        for child in elements:
            # the tag filter matches at any depth; a stray nested <Header>/<Child>
            # must not be cleared (it would delete its parent's earlier content)
            parent = child.getparent()
            if child.tag == "Header":
                if parent.getparent() is not None:
                    self._misplaced(child, parent)
                self._header(child)
                release(child)
                continue
            if parent.tag != "Children":
                self._misplaced(child, parent)
            self.children += 1
            ids: dict[str, Any] = {}
            ethnicity = disabilities = None
            cins = []
            for sec in child:
                tag = sec.tag
                if tag == "CINdetails":
                    cins.append(sec)
                elif tag == "ChildIdentifiers":
                    ids = {e.tag: e.text for e in sec}
                    if len(ids) < len(sec):
                        dupe(sec)
                elif tag == "ChildCharacteristics":
                    for e in sec:
                        if e.tag == "Ethnicity":
                            ethnicity = e.text
                        elif e.tag == "Disabilities":
                            disabilities = e
            g = ids.get
            cid = g("LAchildID")
            sex = g("Sex")
            if sex is None:
                sex = g("GenderCurrent")
            add_child(
                (
                    cid,
                    g("UPN"),
                    g("FormerUPN"),
                    g("UPNunknown"),
                    g("PersonBirthDate"),
                    g("ExpectedPersonBirthDate"),
                    sex,
                    g("PersonDeathDate"),
                    ethnicity,
                    child.sourceline,
                )
            )
            if disabilities is not None:
                for e in disabilities:
                    if e.tag == "Disability":
                        add_dis((cid, e.text, e.sourceline))
            for cin in cins:
                d = {e.tag: e.text for e in cin}
                g = d.get
                ref = g("CINreferralDate")
                add_ref(
                    (
                        cid,
                        ref,
                        g("ReferralSource"),
                        g("PrimaryNeedCode"),
                        g("CINclosureDate"),
                        g("ReasonForClosure"),
                        g("ReferralNFA"),
                        g("DateOfInitialCPC"),
                        cin.sourceline,
                    )
                )
                if sections.isdisjoint(d):
                    if len(d) < len(cin):
                        dupe(cin)
                    continue
                n_sections = 0
                for sec in cin:  # no tag filter: building lxml's tag matcher costs more
                    tag = sec.tag
                    if tag not in sections:
                        continue
                    n_sections += 1
                    s = {e.tag: e.text for e in sec}
                    sg = s.get
                    if tag == "Assessments":
                        start = sg("AssessmentActualStartDate")
                        add_ass(
                            (
                                cid,
                                ref,
                                start,
                                sg("AssessmentInternalReviewDate"),
                                sg("AssessmentAuthorisationDate"),
                                sec.sourceline,
                            )
                        )
                        if "FactorsIdentifiedAtAssessment" in s:
                            for box in sec:
                                if box.tag == "FactorsIdentifiedAtAssessment":
                                    for f in box:
                                        if f.tag == "AssessmentFactors":
                                            add_fac((cid, ref, start, f.text, f.sourceline))
                    elif tag == "Section47":
                        add_s47(
                            (
                                cid,
                                ref,
                                sg("S47ActualStartDate"),
                                sg("InitialCPCtarget"),
                                sg("DateOfInitialCPC"),
                                sg("ICPCnotRequired"),
                                sec.sourceline,
                            )
                        )
                    elif tag == "ChildProtectionPlans":
                        start = sg("CPPstartDate")
                        add_cpp(
                            (
                                cid,
                                ref,
                                start,
                                sg("CPPendDate"),
                                sg("InitialCategoryOfAbuse"),
                                sg("LatestCategoryOfAbuse"),
                                sg("NumberOfPreviousCPP"),
                                sec.sourceline,
                            )
                        )
                        if "Reviews" in s:
                            for box in sec:
                                if box.tag == "Reviews":
                                    for r in box:
                                        if r.tag == "CPPreviewDate":
                                            add_rev((cid, start, r.text, r.sourceline))
                    elif tag == "CINPlanDates":
                        add_plan(
                            (cid, ref, sg("CINPlanStartDate"), sg("CINPlanEndDate"), sec.sourceline)
                        )
                    else:
                        add_pp(
                            (
                                cid,
                                ref,
                                sg("PPStartDate"),
                                sg("LBPSentDate"),
                                sg("FGDMMeetingOffer"),
                                sg("FGDMMeetingFac"),
                                sg("InitialPPMeetingDate"),
                                sg("ReviewMeetingsCount"),
                                sg("StepDecisionDate"),
                                sg("PPOutcome"),
                                sg("CourtAppDate"),
                                sg("LetterInitCPDate"),
                                sec.sourceline,
                            )
                        )
                # repeated sections are expected; a repeated *value* element is not
                if len(d) - len(sections.intersection(d)) < len(cin) - n_sections:
                    dupe(cin)
            release(child)
            if len(n_children) >= batch:
                self._flush_all()

    def _misplaced(self, el: Any, parent: Any) -> None:
        raise FileRefused(
            self.path,
            f"line {el.sourceline}: <{el.tag}> inside <{parent.tag}>, "
            "not where the CIN census puts it",
        )

    def _dupe(self, sec: Any) -> None:
        tag = sec.tag
        self.dupes[tag] += 1
        if len(self.dupe_lines) < _MAX_NOTED_LINES:
            self.dupe_lines.append(sec.sourceline + self.line_offset)

    # -- output ---------------------------------------------------------------
    def _flush_all(self) -> None:
        marks = self.marks
        for i, (table, rows) in enumerate(self.rows.items()):
            if rows:
                self.sink.append(table, _to_arrow(table, rows, _offsets(marks, i, len(rows))))
                rows.clear()  # in place: the hot loop holds bound .append methods
        self.marks = [([0] * len(COLUMNS), marks[-1][1])]

    def _notes(self) -> None:
        if not self.headers:
            self.info.notes.append("no <Header>: return year and LA code not in file")
        if self.dupes:
            where = ", ".join(map(str, self.dupe_lines))
            what = ", ".join(f"{n} <{t}>" for t, n in sorted(self.dupes.items()))
            self.info.notes.append(
                f"repeated value elements in {what} (lines {where}...): the last value was kept"
            )
        if self.long_lines:
            self.info.notes.append(LONG_FILE_NOTE)


def _offsets(marks: list[tuple[list[int], int]], table: int, n: int) -> Any:
    """What to add to the ``source_line`` of a table's ``n`` buffered rows (None: nothing)."""
    if len(marks) == 1:
        return marks[0][1] or None
    starts = [m[0][table] for m in marks]
    counts = np.diff([*starts, n])
    return pa.array(np.repeat([m[1] for m in marks], counts), pa.int64())


def _clean(arr: pa.Array) -> pa.Array:
    """Trim whitespace and turn blank strings into NULL, vectorised."""
    arr = pc.ascii_trim_whitespace(arr)  # XML whitespace is ASCII; skips utf8proc
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


_STRUCTS = {
    table: pa.struct([*((c, pa.string()) for c in cols), ("source_line", pa.int64())])
    for table, cols in COLUMNS.items()
}


def _to_arrow(table: str, rows: list[tuple[Any, ...]], line_offsets: Any = None) -> pa.Table:
    # one C-level pass over the row tuples (a struct array), then per-column cleaning
    fields = pa.array(rows, type=_STRUCTS[table]).flatten()
    arrays = [_clean(a) for a in fields[:-1]]
    lines = fields[-1]
    arrays.append(lines if line_offsets is None else pc.add(lines, line_offsets))
    return pa.Table.from_arrays(arrays, names=[*COLUMNS[table], "source_line"])


#: the reader instance the ingest registry uses
READER = CinXmlReader()
