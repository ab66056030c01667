"""The Ofsted Annex A workbook (lists 1-11) for the 12 months before the census date.

Streamed with XlsxWriter's ``constant_memory`` mode; the document's created
date is fixed (the census date) so that the same world gives identical bytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from cscperf.synth.dates import add_months, age_at, year_end, year_start
from cscperf.synth.model import Child, World
from cscperf.synth.views import cens, overlaps

_ID = ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age")
_TEAM = ("Allocated Team", "Allocated Worker")
HEADERS: dict[int, tuple[str, ...]] = {
    1: (*_ID, "Date of Contact", "Contact Source"),
    2: (
        *_ID,
        "Assessment start date",
        "Assessment completion date",
        "Organisation completing assessment",
    ),
    3: (
        *_ID,
        "Date of Referral",
        "Referral Source",
        "Referral NFA?",
        "Number of Referrals in Last 12 Months",
        *_TEAM,
    ),
    4: (
        *_ID,
        "Does the Child have a Disability",
        "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?",
        *_TEAM,
    ),
    5: (
        *_ID,
        "Does the Child have a Disability",
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months",
        "Number of ICPCs in the last 12 months",
        *_TEAM,
    ),
    6: (
        *_ID,
        "Does the Child have a Disability",
        "CIN Start Date",
        "Primary Need Code",
        "Date Child Was Last Seen",
        "CIN Closure Date",
        "Reason for Closure",
        "Case Status",
        *_TEAM,
    ),
    7: (
        *_ID,
        "Does the Child have a Disability",
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Latest Category of Abuse",
        "Date of the Last Statutory Visit",
        "Was the Child Seen Alone?",
        "Date of latest review conference",
        "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months"
        " (Y/N)",
        "Number of Previous Child Protection Plans",
        *_TEAM,
    ),
    8: (
        *_ID,
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))",
        "Does the Child have a Disability",
        "Date Started to be Looked After",
        "Child's Category of Need",
        "Is this a second or subsequent period of being a Looked After Child"
        " within the last 12 months (Y/N)",
        "Start date of current legal status",
        "Child's Legal Status",
        "Date of Latest Statutory Review",
        "Date of Last Social Work Visit",
        "What is the permanence plan for this child?",
        "Date of Last IRO Visit / Contact to the Child",
        "Date of Last Health Assessment",
        "Date of Last Dental Check",
        "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After",
        "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement",
        "Placement Type",
        "Placement Provider",
        "Placement postcode",
        "URN of Placement",
        "Placement Location",
        "LA of Placement",
        "Number of Episodes the Child has been ‘Missing’ from their Placement in the last"
        " 12 months",
        "Number of Episodes the Child has been ‘Absent’ from their Placement in the last 12 months",
        "Was the child offered a Return Interview after their last missing episode (Y/N)?",
        "Did the child accept a Return Interview after their last missing episode (Y/N)?",
        *_TEAM,
    ),
    9: (
        *_ID,
        "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
        "Does the Child have a Disability",
        *_TEAM,
        "Allocated Personal Advisor",
        "Eligibility Category",
        "Latest Pathway Plan Review Date",
        "LA in Touch",
        "Latest Date of Contact",
        "Type of Accommodation",
        "Suitability of Accommodation",
        "Activity Status",
    ),
    10: (
        "Child Unique ID",
        "Family identifier",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Does the Child have a Disability",
        "Date the Child Entered Care",
        "Date of Decision that Child Should be Placed for Adoption",
        "Date of Placement Order",
        "Date of Matching Child and Prospective Adopters",
        "Date Placed for Adoption",
        "Date of Adoption Order",
        "Date of Decision that Child Should No Longer be Placed for Adoption",
        "Reason Why Child No Longer Placed for Adoption",
        "Date the child was placed for fostering in FFA or concurrent planning placement",
    ),
    11: (
        "Individual adopter identifier",
        "Family identifier",
        "Gender",
        "Ethnicity",
        "Disability",
        "Is the (prospective) adopter fostering for adoption?",
        "Date enquiry received",
        "Date Stage 1 started",
        "Date Stage 1 ended",
        "Date Stage 2 started",
        "Date Stage 2 ended",
        "Date application submitted",
        "Date application approved",
        "Date adopter matched with child(ren)",
        "Date child/children placed with adopter(s)",
        "No. of children placed",
        "Date of Adoption Order",
        "Date of leaving adoption process",
        "Reason for leaving adoption process",
    ),
}

_CATEGORY = {
    "NEG": "Neglect",
    "EMO": "Emotional abuse",
    "PHY": "Physical abuse",
    "SAB": "Sexual abuse",
    "MUL": "Multiple/not recommended",
}
Cell = str | int | float | date | None


def _yn(flag: bool) -> str:
    return "a) Yes" if flag else "b) No"


def _ident(c: Child, ye: date) -> list[Cell]:
    return [
        c.id,
        "a) Male" if c.sex == 1 else "b) Female",
        f"a) {c.ethnicity}",
        c.dob,
        round((ye - c.dob).days / 365.25, 2),
    ]


def _dis(c: Child) -> str:
    return _yn(c.disability != ("NONE",))


def _lists(world: World, year: int) -> Iterator[tuple[int, list[Cell]]]:
    ys, ye = year_start(year), year_end(year)
    kids = sorted(world.children.values(), key=lambda c: c.id)
    for ct in world.contacts:
        if ys <= ct.date <= ye:
            yield (
                1,
                [
                    ct.child_id,
                    "a) Male" if ct.sex == 1 else "b) Female",
                    f"a) {ct.ethnicity}",
                    ct.dob,
                    round((ye - ct.dob).days / 365.25, 2),
                    ct.date,
                    ct.source,
                ],
            )
    for eh in world.early_help:
        if overlaps(eh.start, eh.end, ys, ye):
            yield (
                2,
                [
                    eh.child_id,
                    "a) Male" if eh.sex == 1 else "b) Female",
                    f"a) {eh.ethnicity}",
                    eh.dob,
                    round((ye - eh.dob).days / 365.25, 2),
                    eh.start,
                    cens(eh.end, ye),
                    eh.organisation,
                ],
            )
    for c in kids:
        idn, dis = _ident(c, ye), _dis(c)
        for r in c.referrals:
            if ys <= r.date <= ye:
                yield 1, [*idn, r.date, r.source]
                n12 = sum(1 for o in c.referrals if add_months(r.date, -12) <= o.date < r.date)
                yield 3, [*idn, r.date, r.source, _yn(r.nfa), n12, r.team, r.worker]
            for a in r.assessments:
                if overlaps(a.start, a.authorised, ys, ye):
                    auth = cens(a.authorised, ye)
                    outcome = None if not auth else _yn(bool(r.cin_plans or r.cp_plans or c.care))
                    yield (
                        4,
                        [*idn, dis, a.start, _yn(a.child_seen), auth, outcome, r.team, r.worker],
                    )
            for s in r.s47:
                if ys <= s.start <= ye:
                    s12 = sum(
                        1
                        for o in c.referrals
                        for x in o.s47
                        if add_months(s.start, -12) <= x.start <= s.start
                    )
                    i12 = sum(
                        1
                        for o in c.referrals
                        for x in o.s47
                        if x.icpc and add_months(s.start, -12) <= x.icpc <= s.start
                    )
                    icpc = cens(s.icpc, ye)
                    yield (
                        5,
                        [
                            *idn,
                            dis,
                            s.start,
                            _yn(s.icpc_not_required),
                            icpc,
                            _yn(s.plan_followed) if icpc else None,
                            s12,
                            i12,
                            r.team,
                            r.worker,
                        ],
                    )
            if not r.nfa and overlaps(r.date, r.closure, ys, ye):
                closure = cens(r.closure, ye)
                status = "c) Child in need plan" if r.cin_plans else "b) Open assessment"
                if r.cp_plans:
                    status = "d) Child protection plan"
                if c.care:
                    status = "e) Looked after child"
                seen = min(ye, closure or ye)
                yield (
                    6,
                    [
                        *idn,
                        dis,
                        r.date,
                        r.need,
                        seen,
                        closure,
                        r.reason if closure else None,
                        status,
                        r.team,
                        r.worker,
                    ],
                )
            for p in r.cp_plans:
                if overlaps(p.start, p.end, ys, ye):
                    end = cens(p.end, ye)
                    last = max([d for d in p.reviews if d <= ye], default=None)
                    yield (
                        7,
                        [
                            *idn,
                            dis,
                            p.start,
                            _CATEGORY[p.initial_category],
                            _CATEGORY[p.latest_category],
                            min(ye, end or ye),
                            _yn(True),
                            last,
                            end,
                            _yn(False),
                            p.previous,
                            r.team,
                            r.worker,
                        ],
                    )
        yield from _cla_rows(c, idn, dis, year)


def _cla_rows(c: Child, idn: list[Cell], dis: str, year: int) -> Iterator[tuple[int, list[Cell]]]:
    from cscperf.synth.care import placements_in

    ys, ye = year_start(year), year_end(year)
    for i, p in enumerate(c.care):
        if not overlaps(p.start, p.end, ys, ye):
            continue
        eps = [e for e in p.episodes if e.decom <= ye]
        cur = eps[-1]
        end = cens(p.end, ye)
        ls_start = (
            next(e.decom for e in reversed(eps) if e.rne != "L" or e.ls != cur.ls)
            if eps
            else p.start
        )
        pl_start = next((e.decom for e in reversed(eps) if e.rne in ("S", "P", "T")), p.start)
        reviews = [d for d, _ in p.reviews if d <= ye]
        miss = [m for m in p.missing if add_months(ye, -12) < m.start <= ye]
        last_m = [m for m in miss if m.kind == "M"]
        prev12 = any(q.end and add_months(p.start, -12) <= q.end < p.start for q in c.care[:i])
        yield (
            8,
            [
                *idn,
                _yn(c.uasc),
                dis,
                p.start,
                p.category_of_need,
                _yn(prev12),
                ls_start,
                cur.ls,
                max(reviews, default=None),
                min(ye, end or ye),
                "Adoption" if p.adoption else "Long-term fostering",
                max(reviews, default=None),
                cens(p.iha_date, ye),
                cens(p.iha_date, ye),
                placements_in(p, ys, ye),
                end,
                cur.rec if end else None,
                pl_start,
                cur.place,
                cur.provider,
                cur.pl_post,
                cur.urn or None,
                "a) Inside LA boundary" if cur.pl_la == c.id[:3] else "b) Outside LA boundary",
                cur.pl_la,
                sum(1 for m in miss if m.kind == "M"),
                sum(1 for m in miss if m.kind == "A"),
                _yn(last_m[-1].rhi_offered) if last_m else None,
                _yn(last_m[-1].rhi_accepted) if last_m else None,
                "Children in Care Team",
                f"Worker {int(c.id[-3:]) % 120 + 1:03d}",
            ],
        )
        a = p.adoption
        if a and a.decision <= ye and (a.ceased is None or a.ceased >= ys):
            fam = f"F{c.id}"
            yield (
                10,
                [
                    c.id,
                    fam,
                    idn[1],
                    idn[2],
                    c.dob,
                    age_at(c.dob, ye),
                    dis,
                    p.start,
                    a.decision,
                    cens(a.placement_order, ye),
                    cens(a.match, ye),
                    cens(a.placed, ye),
                    cens(a.order, ye),
                    None,
                    None,
                    None,
                ],
            )
            if a.match and ys <= a.match <= ye:
                enq = add_months(a.match, -14)
                yield (
                    11,
                    [
                        f"AD{c.id}",
                        fam,
                        "a) Male" if a.sex_adopters[0] == "M" else "b) Female",
                        "a) WBRI",
                        "b) No",
                        _yn(a.foster_care),
                        enq,
                        add_months(enq, 1),
                        add_months(enq, 3),
                        add_months(enq, 3),
                        add_months(enq, 7),
                        add_months(enq, 3),
                        add_months(enq, 8),
                        a.match,
                        cens(a.placed, ye),
                        1,
                        cens(a.order, ye),
                        None,
                        None,
                    ],
                )
    if c.care and c.care[-1].end and age_at(c.dob, ye) >= 18 and age_at(c.dob, ye) <= 21:
        last = c.care[-1]
        if last.end and last.end <= ye and age_at(c.dob, last.end) >= 16:
            yield (
                9,
                [
                    *idn,
                    _yn(c.uasc),
                    dis,
                    "Leaving Care Team",
                    f"Worker {int(c.id[-3:]) % 120 + 1:03d}",
                    f"PA {int(c.id[-2:]) % 30 + 1:02d}",
                    "b) Former relevant child",
                    add_months(ye, -2),
                    "a) Yes",
                    add_months(ye, -1),
                    "D: Semi-independent accommodation",
                    "a) Suitable",
                    "F2: Full time in education",
                ],
            )


def write_annex_a(world: World, year: int, path: Path) -> dict[int, int]:
    """Write the workbook; returns rows per list."""
    ye = year_end(year)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties({"created": datetime(ye.year, ye.month, ye.day), "author": "cscperf synth"})
    datefmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    sheets = {n: wb.add_worksheet(f"List {n}") for n in HEADERS}
    rows = {n: 1 for n in HEADERS}
    for n, ws in sheets.items():
        ws.write_row(0, 0, HEADERS[n])
    # constant_memory needs rows written in order per sheet: buffer per list
    buffers: dict[int, list[Sequence[Cell]]] = {n: [] for n in HEADERS}
    for n, row in _lists(world, year):
        buffers[n].append(row)
        if len(buffers[n]) >= 2000:
            rows[n] = _flush(sheets[n], buffers[n], rows[n], datefmt)
    for n in HEADERS:
        rows[n] = _flush(sheets[n], buffers[n], rows[n], datefmt)
    wb.close()
    return {n: r - 1 for n, r in rows.items()}


def _flush(ws, buf: list[Sequence[Cell]], row: int, datefmt) -> int:  # type: ignore[no-untyped-def]
    for values in buf:
        for col, v in enumerate(values):
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(row, col, v)
            elif isinstance(v, date):
                ws.write_datetime(row, col, datetime(v.year, v.month, v.day), datefmt)
            else:
                ws.write_number(row, col, v)
        row += 1
    buf.clear()
    return row
