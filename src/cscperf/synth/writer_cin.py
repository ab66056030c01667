"""CIN census XML for one LA-year, valid against that year's DfE schema.

Written as indented text, one element per line like the files LAs' case
management systems export, so that every element has its own line number
(the ingest quarantine and the ``--errors`` manifest both point at lines).
Text is built directly rather than through lxml element trees: the census is
the largest file generated and element objects cost several times more than
the strings. Memory stays flat: each child is written as soon as it is built.

Schema differences by collection year: ``CINPlanDates`` exists from 2022;
``GenderCurrent`` (1/2/0) became ``Sex`` (M/F/U) in 2025.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cscperf.synth.dates import age_at, iso, year_end
from cscperf.synth.model import Child, World
from cscperf.synth.views import (
    assessments_in_year,
    cens,
    cin_children_in_year,
    cin_plans_in_year,
    cp_plans_in_year,
    referrals_in_year,
    s47_in_year,
)

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_PAD = tuple("  " * i for i in range(12))


@dataclass
class Slot:
    """A value a data-quality fault may replace: where it is and what it means."""

    index: int  # position of its line in the child's lines
    row_line: int  # line of the element the ingest row comes from (Child, CINdetails, ...)
    table: str  # canonical table and column
    field: str
    tag: str
    text: str
    start: str | None = None  # for end dates: the start date it must not precede


#: called with one child's lines (0-based offsets from ``first_line``) and slots;
#: may edit ``lines`` in place
Injector = Callable[[list[str], list[Slot], int], None]


class _Lines:
    """One child's lines, with the candidate fault slots noted as they are written."""

    __slots__ = ("first", "lines", "slots")

    def __init__(self, first: int) -> None:
        self.first = first
        self.lines: list[str] = []
        self.slots: list[Slot] = []

    def open(self, depth: int, tag: str) -> int:
        self.lines.append(f"{_PAD[depth]}<{tag}>")
        return self.first + len(self.lines) - 1

    def close(self, depth: int, tag: str) -> None:
        self.lines.append(f"{_PAD[depth]}</{tag}>")

    def value(self, depth: int, tag: str, v: str | date | None) -> None:
        if v is None or v == "":
            return
        text = v.isoformat() if isinstance(v, date) else v
        if "&" in text or "<" in text or ">" in text:
            text = text.translate(_ESCAPES)
        self.lines.append(f"{_PAD[depth]}<{tag}>{text}</{tag}>")

    def slot(
        self,
        row_line: int,
        table: str,
        field: str,
        tag: str,
        v: str | date | None,
        start: date | None = None,
    ) -> None:
        """Note the value just written (if any) as a candidate for a fault."""
        if v is None or v == "":
            return
        text = v.isoformat() if isinstance(v, date) else v
        s = start.isoformat() if start else None
        self.slots.append(Slot(len(self.lines) - 1, row_line, table, field, tag, text, s))


def write_cin_xml(
    world: World, year: int, path: Path, inject: Injector | None = None
) -> int:
    """Write the census; returns the number of children.

    With ``inject``, each child's lines and fault slots are offered to it before
    they are written (used by ``--errors``).
    """
    ye = year_end(year)
    n = 0
    head = [
        "<?xml version='1.0' encoding='utf-8'?>",
        "<Message>",
        "  <Header>",
        "    <CollectionDetails>",
        "      <Collection>CIN</Collection>",
        f"      <Year>{year}</Year>",
        f"      <ReferenceDate>{iso(ye)}</ReferenceDate>",
        "    </CollectionDetails>",
        "    <Source>",
        "      <SourceLevel>L</SourceLevel>",
        f"      <LEA>{world.la_code}</LEA>",
        "      <SoftwareCode>cscperf synth</SoftwareCode>",
        "      <Release>1</Release>",
        "      <SerialNo>001</SerialNo>",
        f"      <DateTime>{iso(ye)}T00:00:00</DateTime>",
        "    </Source>",
        "  </Header>",
        "  <Children>",
    ]
    line = len(head) + 1  # the next line's number
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(head) + "\n")
        for child in cin_children_in_year(world, year):
            refs = referrals_in_year(child, year)
            if not refs:
                continue
            out = _child(child, refs, year, ye, line)
            if inject is not None:
                inject(out.lines, out.slots, line)
            f.write("\n".join(out.lines))
            f.write("\n")
            line += len(out.lines)
            n += 1
        f.write("  </Children>\n</Message>\n")
    return n


def _child(child: Child, refs: list, year: int, ye: date, first: int) -> _Lines:  # type: ignore[type-arg]
    o = _Lines(first)
    v, slot = o.value, o.slot
    row = o.open(2, "Child")
    o.open(3, "ChildIdentifiers")
    v(4, "LAchildID", child.id)
    if age_at(child.dob, ye) >= 5:
        v(4, "UPN", child.upn)
    else:
        v(4, "UPNunknown", "UN1")
    v(4, "PersonBirthDate", child.dob)
    slot(row, "cin_children", "dob", "PersonBirthDate", child.dob)
    if year >= 2025:
        v(4, "Sex", "M" if child.sex == 1 else "F")
    else:
        v(4, "GenderCurrent", str(child.sex))
    o.close(3, "ChildIdentifiers")
    o.open(3, "ChildCharacteristics")
    v(4, "Ethnicity", child.ethnicity)
    slot(row, "cin_children", "ethnicity", "Ethnicity", child.ethnicity)
    o.open(4, "Disabilities")
    for d in child.disability:
        v(5, "Disability", d)
    o.close(4, "Disabilities")
    o.close(3, "ChildCharacteristics")
    for r in refs:
        det = o.open(3, "CINdetails")
        v(4, "CINreferralDate", r.date)
        v(4, "ReferralSource", r.source)
        slot(det, "referrals", "referral_source", "ReferralSource", r.source)
        need = r.need if not r.nfa else None
        v(4, "PrimaryNeedCode", need)
        slot(det, "referrals", "primary_need", "PrimaryNeedCode", need)
        closure = cens(r.closure, ye)
        v(4, "CINclosureDate", closure)
        slot(det, "referrals", "closure_date", "CINclosureDate", closure, r.date)
        reason = r.reason if closure else None
        v(4, "ReasonForClosure", reason)
        slot(det, "referrals", "reason_for_closure", "ReasonForClosure", reason)
        icpcs = [s.icpc for s in r.s47 if s.icpc and s.icpc <= ye]
        v(4, "DateOfInitialCPC", icpcs[0] if icpcs else None)
        for a in assessments_in_year(r, year):
            el = o.open(4, "Assessments")
            v(5, "AssessmentActualStartDate", a.start)
            auth = cens(a.authorised, ye)
            v(5, "AssessmentAuthorisationDate", auth)
            slot(
                el, "assessments", "authorisation_date", "AssessmentAuthorisationDate",
                auth, a.start,
            )
            if auth:
                o.open(5, "FactorsIdentifiedAtAssessment")
                for code in a.factors:
                    v(6, "AssessmentFactors", code)
                o.close(5, "FactorsIdentifiedAtAssessment")
            o.close(4, "Assessments")
        if year >= 2022:
            for start, end in cin_plans_in_year(r, year):
                el = o.open(4, "CINPlanDates")
                v(5, "CINPlanStartDate", start)
                plan_end = cens(end, ye)
                v(5, "CINPlanEndDate", plan_end)
                slot(el, "cin_plans", "end_date", "CINPlanEndDate", plan_end, start)
                o.close(4, "CINPlanDates")
        for s in s47_in_year(r, year):
            el = o.open(4, "Section47")
            v(5, "S47ActualStartDate", s.start)
            v(5, "InitialCPCtarget", s.icpc_target)
            slot(el, "s47_enquiries", "icpc_target", "InitialCPCtarget", s.icpc_target)
            v(5, "DateOfInitialCPC", cens(s.icpc, ye))
            v(5, "ICPCnotRequired", "1" if s.icpc_not_required else "0")
            o.close(4, "Section47")
        v(4, "ReferralNFA", "1" if r.nfa else "0")
        for p in cp_plans_in_year(r, year):
            el = o.open(4, "ChildProtectionPlans")
            v(5, "CPPstartDate", p.start)
            end = cens(p.end, ye)
            v(5, "CPPendDate", end)
            slot(el, "cp_plans", "end_date", "CPPendDate", end, p.start)
            v(5, "InitialCategoryOfAbuse", p.initial_category)
            slot(el, "cp_plans", "initial_category", "InitialCategoryOfAbuse", p.initial_category)
            v(5, "LatestCategoryOfAbuse", p.latest_category)
            slot(el, "cp_plans", "latest_category", "LatestCategoryOfAbuse", p.latest_category)
            v(5, "NumberOfPreviousCPP", str(p.previous))
            reviews = [r for r in p.reviews if r <= ye]
            if reviews:
                o.open(5, "Reviews")
                for review in reviews:
                    v(6, "CPPreviewDate", review)
                o.close(5, "Reviews")
            o.close(4, "ChildProtectionPlans")
        o.close(3, "CINdetails")
    o.close(2, "Child")
    return o
