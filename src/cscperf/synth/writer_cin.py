"""CIN census XML for one LA-year, valid against that year's DfE schema.

Written element by element with ``lxml.etree.xmlfile`` so memory stays flat
however many children there are. Schema differences by collection year:
``CINPlanDates`` exists from 2022; ``GenderCurrent`` (1/2/0) became ``Sex``
(M/F/U) in 2025.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lxml import etree

from cscperf.synth.dates import age_at, iso, year_end
from cscperf.synth.model import Child, World
from cscperf.synth.views import (
    assessments_in_year,
    cens,
    cin_plans_in_year,
    cp_plans_in_year,
    referrals_in_year,
    s47_in_year,
)


def _el(xf: etree.xmlfile, tag: str, text: str | date | None) -> None:
    if text is None or text == "":
        return
    e = etree.Element(tag)
    e.text = text.isoformat() if isinstance(text, date) else text
    xf.write(e)


def write_cin_xml(world: World, year: int, path: Path) -> int:
    """Write the census; returns the number of children."""
    ye = year_end(year)
    n = 0
    with etree.xmlfile(str(path), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("Message"):
            with xf.element("Header"):
                with xf.element("CollectionDetails"):
                    _el(xf, "Collection", "CIN")
                    _el(xf, "Year", str(year))
                    _el(xf, "ReferenceDate", ye)
                with xf.element("Source"):
                    _el(xf, "SourceLevel", "L")
                    _el(xf, "LEA", world.la_code)
                    _el(xf, "SoftwareCode", "cscperf synth")
                    _el(xf, "Release", "1")
                    _el(xf, "SerialNo", "001")
                    _el(xf, "DateTime", f"{iso(ye)}T00:00:00")
            with xf.element("Children"):
                for child in sorted(world.children.values(), key=lambda c: c.id):
                    refs = referrals_in_year(child, year)
                    if refs:
                        xf.write(_child(child, refs, year, ye))
                        n += 1
    return n


def _sub(parent: etree._Element, tag: str, text: str | date | None) -> None:
    if text is None or text == "":
        return
    etree.SubElement(parent, tag).text = text.isoformat() if isinstance(text, date) else text


def _child(child: Child, refs: list, year: int, ye: date) -> etree._Element:  # type: ignore[type-arg]
    c = etree.Element("Child")
    ids = etree.SubElement(c, "ChildIdentifiers")
    _sub(ids, "LAchildID", child.id)
    if age_at(child.dob, ye) >= 5:
        _sub(ids, "UPN", child.upn)
    else:
        _sub(ids, "UPNunknown", "UN1")
    _sub(ids, "PersonBirthDate", child.dob)
    if year >= 2025:
        _sub(ids, "Sex", "M" if child.sex == 1 else "F")
    else:
        _sub(ids, "GenderCurrent", str(child.sex))
    chars = etree.SubElement(c, "ChildCharacteristics")
    _sub(chars, "Ethnicity", child.ethnicity)
    dis = etree.SubElement(chars, "Disabilities")
    for d in child.disability:
        _sub(dis, "Disability", d)
    for r in refs:
        det = etree.SubElement(c, "CINdetails")
        _sub(det, "CINreferralDate", r.date)
        _sub(det, "ReferralSource", r.source)
        _sub(det, "PrimaryNeedCode", r.need if not r.nfa else None)
        closure = cens(r.closure, ye)
        _sub(det, "CINclosureDate", closure)
        _sub(det, "ReasonForClosure", r.reason if closure else None)
        icpcs = [s.icpc for s in r.s47 if s.icpc and s.icpc <= ye]
        _sub(det, "DateOfInitialCPC", icpcs[0] if icpcs else None)
        for a in assessments_in_year(r, year):
            el = etree.SubElement(det, "Assessments")
            _sub(el, "AssessmentActualStartDate", a.start)
            auth = cens(a.authorised, ye)
            _sub(el, "AssessmentAuthorisationDate", auth)
            if auth:
                f = etree.SubElement(el, "FactorsIdentifiedAtAssessment")
                for code in a.factors:
                    _sub(f, "AssessmentFactors", code)
        if year >= 2022:
            for start, end in cin_plans_in_year(r, year):
                el = etree.SubElement(det, "CINPlanDates")
                _sub(el, "CINPlanStartDate", start)
                _sub(el, "CINPlanEndDate", cens(end, ye))
        for s in s47_in_year(r, year):
            el = etree.SubElement(det, "Section47")
            _sub(el, "S47ActualStartDate", s.start)
            _sub(el, "InitialCPCtarget", s.icpc_target)
            _sub(el, "DateOfInitialCPC", cens(s.icpc, ye))
            _sub(el, "ICPCnotRequired", "1" if s.icpc_not_required else "0")
        _sub(det, "ReferralNFA", "1" if r.nfa else "0")
        for p in cp_plans_in_year(r, year):
            el = etree.SubElement(det, "ChildProtectionPlans")
            _sub(el, "CPPstartDate", p.start)
            _sub(el, "CPPendDate", cens(p.end, ye))
            _sub(el, "InitialCategoryOfAbuse", p.initial_category)
            _sub(el, "LatestCategoryOfAbuse", p.latest_category)
            _sub(el, "NumberOfPreviousCPP", str(p.previous))
            reviews = [r for r in p.reviews if r <= ye]
            if reviews:
                rv = etree.SubElement(el, "Reviews")
                for review in reviews:
                    _sub(rv, "CPPreviewDate", review)
    return c
