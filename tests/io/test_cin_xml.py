"""The CIN census XML reader stages every module with its parent referral and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cscperf.io.base import FileRefused
from cscperf.io.cin_xml import COLUMNS, CinXmlReader
from cscperf.io.memsink import MemorySink
from cscperf.store.schema import TABLES

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FIXTURES = SHARED / "fixtures" / "cin-census-fake"

HEADER = """<Message>
  <Header>
    <CollectionDetails>
      <Collection>CIN</Collection>
      <Year>2025</Year>
      <ReferenceDate>2025-03-31</ReferenceDate>
    </CollectionDetails>
    <Source>
      <LEA>999</LEA>
    </Source>
  </Header>
  <Children>
"""
FOOTER = "  </Children>\n</Message>\n"


def _read(tmp_path: Path, children: str, header: str = HEADER, batch_rows: int = 50_000):
    p = tmp_path / "cin.xml"
    p.write_text(header + children + FOOTER)
    sink = MemorySink()
    info = CinXmlReader(batch_rows=batch_rows).read(p, sink)
    return info, sink


CHILD_A = """    <Child>
      <ChildIdentifiers>
        <LAchildID>A1</LAchildID>
        <UPN> A123456789012 </UPN>
        <UPNunknown></UPNunknown>
        <PersonBirthDate>2015-06-01</PersonBirthDate>
        <GenderCurrent>2</GenderCurrent>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>WBRI</Ethnicity>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2024-05-01</CINreferralDate>
        <ReferralSource>6</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode>
        <Assessments>
          <AssessmentActualStartDate>2024-05-02</AssessmentActualStartDate>
          <AssessmentInternalReviewDate>2024-05-20</AssessmentInternalReviewDate>
          <AssessmentAuthorisationDate>2024-06-10</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment>
            <AssessmentFactors>3A</AssessmentFactors>
            <AssessmentFactors>4B</AssessmentFactors>
          </FactorsIdentifiedAtAssessment>
        </Assessments>
        <Assessments>
          <AssessmentActualStartDate>2024-09-01</AssessmentActualStartDate>
        </Assessments>
        <Section47>
          <S47ActualStartDate>2024-05-03</S47ActualStartDate>
          <InitialCPCtarget>2024-05-24</InitialCPCtarget>
          <DateOfInitialCPC>2024-05-22</DateOfInitialCPC>
          <ICPCnotRequired>0</ICPCnotRequired>
        </Section47>
        <ReferralNFA>0</ReferralNFA>
        <ChildProtectionPlans>
          <CPPstartDate>2024-05-22</CPPstartDate>
          <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>1</NumberOfPreviousCPP>
          <Reviews>
            <CPPreviewDate>2024-08-14</CPPreviewDate>
            <CPPreviewDate>2025-02-12</CPPreviewDate>
          </Reviews>
        </ChildProtectionPlans>
      </CINdetails>
      <CINdetails>
        <CINreferralDate>2023-01-09</CINreferralDate>
        <ReferralSource>2A</ReferralSource>
        <CINclosureDate>2023-03-01</CINclosureDate>
        <ReasonForClosure>RC8</ReasonForClosure>
        <DateOfInitialCPC>2023-02-01</DateOfInitialCPC>
        <CINPlanDates>
          <CINPlanStartDate>2023-01-20</CINPlanStartDate>
          <CINPlanEndDate>2023-02-28</CINPlanEndDate>
        </CINPlanDates>
        <ReferralNFA>false</ReferralNFA>
      </CINdetails>
    </Child>
"""  # Child on line 13 of the file


def test_child_with_every_module(tmp_path: Path) -> None:
    info, sink = _read(tmp_path, CHILD_A)
    assert (info.format, info.return_year, info.la_code, info.notes) == ("cin-xml", 2025, "999", [])
    assert sink.rows("cin_children") == [
        {
            "child_id": "A1",
            "upn": "A123456789012",  # trimmed
            "former_upn": None,
            "upn_unknown": None,  # blank -> None
            "dob": "2015-06-01",
            "expected_dob": None,
            "sex": "2",
            "death_date": None,
            "ethnicity": "WBRI",
            "source_line": 13,
        }
    ]
    assert sink.rows("referrals") == [
        {
            "child_id": "A1",
            "referral_date": "2024-05-01",
            "referral_source": "6",
            "primary_need": "N1",
            "closure_date": None,
            "reason_for_closure": None,
            "referral_nfa": "0",
            "date_of_initial_cpc": None,  # the Section47 ICPC is not the CINdetails one
            "source_line": 24,
        },
        {
            "child_id": "A1",
            "referral_date": "2023-01-09",
            "referral_source": "2A",
            "primary_need": None,
            "closure_date": "2023-03-01",
            "reason_for_closure": "RC8",
            "referral_nfa": "false",
            "date_of_initial_cpc": "2023-02-01",
            "source_line": 58,
        },
    ]
    assert sink.rows("assessments") == [
        {
            "child_id": "A1",
            "referral_date": "2024-05-01",
            "start_date": "2024-05-02",
            "internal_review_date": "2024-05-20",
            "authorisation_date": "2024-06-10",
            "source_line": 28,
        },
        {
            "child_id": "A1",
            "referral_date": "2024-05-01",
            "start_date": "2024-09-01",
            "internal_review_date": None,
            "authorisation_date": None,
            "source_line": 37,
        },
    ]
    assert [
        (r["assessment_start_date"], r["factor"], r["source_line"])
        for r in sink.rows("assessment_factors")
    ] == [
        ("2024-05-02", "3A", 33),
        ("2024-05-02", "4B", 34),
    ]
    assert sink.rows("s47_enquiries") == [
        {
            "child_id": "A1",
            "referral_date": "2024-05-01",
            "start_date": "2024-05-03",
            "icpc_target": "2024-05-24",
            "icpc_date": "2024-05-22",
            "icpc_not_required": "0",
            "source_line": 40,
        }
    ]
    assert sink.rows("cp_plans") == [
        {
            "child_id": "A1",
            "referral_date": "2024-05-01",
            "start_date": "2024-05-22",
            "end_date": None,
            "initial_category": "NEG",
            "latest_category": "EMO",
            "previous_plans": "1",
            "source_line": 47,
        }
    ]
    assert sink.rows("cp_reviews") == [
        {
            "child_id": "A1",
            "plan_start_date": "2024-05-22",
            "review_date": "2024-08-14",
            "source_line": 53,
        },
        {
            "child_id": "A1",
            "plan_start_date": "2024-05-22",
            "review_date": "2025-02-12",
            "source_line": 54,
        },
    ]
    assert sink.rows("cin_plans") == [
        {
            "child_id": "A1",
            "referral_date": "2023-01-09",
            "start_date": "2023-01-20",
            "end_date": "2023-02-28",
            "source_line": 64,
        }
    ]
    assert sink.count("cin_disabilities") == 0
    assert sink.count("pre_proceedings") == 0


SEX_CHILD = """    <Child>
      <ChildIdentifiers>
        <LAchildID>S1</LAchildID>
        <PersonBirthDate>2019-01-01</PersonBirthDate>
        <ExpectedPersonBirthDate>2019-01-05</ExpectedPersonBirthDate>
        <Sex>F</Sex>
        <PersonDeathDate>2024-01-01</PersonDeathDate>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>AIND</Ethnicity>
        <Disabilities>
          <Disability>HAND</Disability>
          <Disability>  </Disability>
          <Disability>AUT</Disability>
        </Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2025-01-02</CINreferralDate>
        <ReferralSource>1A</ReferralSource>
        <ReferralNFA>1</ReferralNFA>
        <PreProceedingsandFGDM>
          <PPStartDate>2025-02-01</PPStartDate>
          <LBPSentDate>2025-02-03</LBPSentDate>
          <FGDMMeetingOffer>1</FGDMMeetingOffer>
          <FGDMMeetingFac>0</FGDMMeetingFac>
          <InitialPPMeetingDate>2025-02-10</InitialPPMeetingDate>
          <ReviewMeetingsCount>2</ReviewMeetingsCount>
          <StepDecisionDate>2025-03-01</StepDecisionDate>
          <PPOutcome>B</PPOutcome>
          <CourtAppDate></CourtAppDate>
          <LetterInitCPDate>2025-03-05</LetterInitCPDate>
        </PreProceedingsandFGDM>
      </CINdetails>
    </Child>
"""


def test_sex_disabilities_and_pre_proceedings(tmp_path: Path) -> None:
    _, sink = _read(tmp_path, SEX_CHILD)
    (child,) = sink.rows("cin_children")
    assert (child["sex"], child["expected_dob"], child["death_date"]) == (
        "F",
        "2019-01-05",
        "2024-01-01",
    )
    assert [(r["disability"], r["source_line"]) for r in sink.rows("cin_disabilities")] == [
        ("HAND", 24),
        (None, 25),  # blank kept as a row so validation can quarantine it
        ("AUT", 26),
    ]
    assert sink.rows("pre_proceedings") == [
        {
            "child_id": "S1",
            "referral_date": "2025-01-02",
            "pp_start_date": "2025-02-01",
            "lbp_sent_date": "2025-02-03",
            "fgdm_meeting_offer": "1",
            "fgdm_meeting_fac": "0",
            "initial_pp_meeting_date": "2025-02-10",
            "review_meetings_count": "2",
            "step_decision_date": "2025-03-01",
            "pp_outcome": "B",
            "court_app_date": None,
            "letter_init_cp_date": "2025-03-05",
            "source_line": 33,
        }
    ]


def test_gender_current_and_sex_both_read(tmp_path: Path) -> None:
    _, sink = _read(tmp_path, CHILD_A + SEX_CHILD)
    assert [(r["child_id"], r["sex"]) for r in sink.rows("cin_children")] == [
        ("A1", "2"),
        ("S1", "F"),
    ]


def test_batches_are_flushed_by_size(tmp_path: Path) -> None:
    _, sink = _read(tmp_path, (CHILD_A + SEX_CHILD) * 3, batch_rows=2)
    assert [b.num_rows for b in sink.tables["cin_children"]] == [2, 2, 2]
    assert sink.count("referrals") == 9
    assert sink.count("cp_reviews") == 6
    batch = sink.tables["referrals"][0]
    assert batch.column_names == [*COLUMNS["referrals"], "source_line"]
    assert str(batch.schema.field("source_line").type) == "int64"
    assert all(str(t) == "string" for t in batch.schema.types[:-1])


def test_staged_columns_are_canonical() -> None:
    for table, cols in COLUMNS.items():
        assert set(cols) == set(TABLES[table].column_names), table


def test_odd_content_is_staged_as_is(tmp_path: Path) -> None:
    odd = CHILD_A.replace(
        "<UPNunknown></UPNunknown>", "<UPNunknown>UN3</UPNunknown>PersonBirthDate"
    ).replace("<!--", "")
    odd = odd.replace("<Ethnicity>WBRI</Ethnicity>", "<!-- note --><Ethnicity>WBRI</Ethnicity>")
    info, sink = _read(tmp_path, odd)
    (child,) = sink.rows("cin_children")
    assert (child["upn_unknown"], child["dob"], child["ethnicity"]) == ("UN3", "2015-06-01", "WBRI")
    assert info.notes == []


def test_repeated_value_element_noted(tmp_path: Path) -> None:
    dup = CHILD_A.replace(
        "<GenderCurrent>2</GenderCurrent>",
        "<GenderCurrent>2</GenderCurrent><GenderCurrent>1</GenderCurrent>",
    ).replace(
        "<ReferralNFA>0</ReferralNFA>", "<ReferralNFA>0</ReferralNFA><ReferralNFA>1</ReferralNFA>"
    )
    info, sink = _read(tmp_path, dup)
    assert sink.rows("cin_children")[0]["sex"] == "1"
    assert info.notes == [
        "repeated value elements in 1 <CINdetails>, 1 <ChildIdentifiers> (lines 14, 24...): "
        "the last value was kept"
    ]


def test_header_optional_parts(tmp_path: Path) -> None:
    info, sink = _read(tmp_path, SEX_CHILD, header="<Message>\n  <Children>\n")
    assert (info.return_year, info.la_code) == (None, None)
    assert info.notes == ["no <Header>: return year and LA code not in file"]
    assert sink.count("cin_children") == 1
    no_year = HEADER.replace("<Year>2025</Year>", "")
    info, _ = _read(tmp_path, SEX_CHILD, header=no_year)
    assert (info.return_year, info.la_code) == (None, "999")
    assert info.notes == ["no Header/CollectionDetails/Year: return year not in file"]


def test_nested_child_or_header_refused_not_cleared(tmp_path: Path) -> None:
    nested = SEX_CHILD.replace("<ReferralNFA>1</ReferralNFA>", "<Child><x/></Child>")
    with pytest.raises(FileRefused) as exc:
        _read(tmp_path, nested)
    assert (
        exc.value.reason == "line 32: <Child> inside <CINdetails>, not where the CIN census puts it"
    )
    stray = SEX_CHILD.replace("<Sex>F</Sex>", "<Sex>F</Sex><Header/>")
    with pytest.raises(FileRefused) as exc:
        _read(tmp_path, stray)
    assert exc.value.reason.startswith("line 18: <Header> inside <ChildIdentifiers>")


@pytest.mark.parametrize(
    ("header", "children", "reason"),
    [
        (
            HEADER.replace(">2025<", ">25<"),
            SEX_CHILD,
            "line 5: Header Year '25' is not a 4-digit year",
        ),
        (HEADER.replace(">CIN<", ">SC<"), SEX_CHILD, "line 3: Collection is 'SC', not 'CIN'"),
        (HEADER, "", "contains no <Child> elements: not a CIN census return"),
        (HEADER.replace("<Message>", "<Return>"), SEX_CHILD, ""),
        (
            HEADER.replace("<Message>", '<Message xmlns="urn:x">'),
            SEX_CHILD,
            "line 1: root <Message> is in namespace 'urn:x'; the CIN census uses none",
        ),
        (
            HEADER.replace("<Message>", "<Other>").replace("<Header>", "<Header>"),
            SEX_CHILD,
            "",
        ),
    ],
)
def test_refusals(tmp_path: Path, header: str, children: str, reason: str) -> None:
    p = tmp_path / "cin.xml"
    text = header + children + FOOTER
    if header.startswith("<Return>"):
        text = text.replace("</Message>", "</Return>")
        reason = "line 1: root is <Return>, not a CIN census <Message>"
    if header.startswith("<Other>"):
        text = text.replace("</Message>", "</Other>")
        reason = "line 1: root is <Other>, not a CIN census <Message>"
    p.write_text(text)
    with pytest.raises(FileRefused) as exc:
        CinXmlReader().read(p, MemorySink())
    assert exc.value.reason == reason


def test_hostile_and_truncated_files_refused(tmp_path: Path) -> None:
    p = tmp_path / "x.xml"
    p.write_text(
        '<!DOCTYPE m [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n' + HEADER + SEX_CHILD + FOOTER
    )
    with pytest.raises(FileRefused, match="DOCTYPE"):
        CinXmlReader().read(p, MemorySink())
    text = HEADER + SEX_CHILD + CHILD_A[:300]  # ends inside a start tag on line 56
    assert text.count("\n") + 1 == 56
    p.write_text(text)
    with pytest.raises(FileRefused) as exc:
        CinXmlReader().read(p, MemorySink())
    assert exc.value.reason.startswith("line 56: truncated or malformed XML (the file ends inside")


def test_sniff(tmp_path: Path) -> None:
    r = CinXmlReader()
    p = tmp_path / "f.xml"
    assert r.sniff(p, HEADER.encode())
    assert r.sniff(p, ('<?xml version="1.0" encoding="UTF-16"?>' + HEADER).encode("utf-16"))
    assert r.sniff(p, b"<Message><Children><Child><ChildIdentifiers><LAchildID>")
    assert not r.sniff(p, b"<EXPSSDA903><CHILD>")
    assert not r.sniff(p, b"<Message><Header><CollectionDetails><Collection>SC</Collection>")
    assert not r.sniff(p, b"CHILD,SEX,DOB")


# --- the shared real-format fixtures ---------------------------------------------

EXPECTED = {
    # file: (return_year, la_code, row counts per table; hand-counted from the XML)
    "CIN_Census_2021.xml": (
        2023,
        "201",
        {"cin_children": 1, "cin_disabilities": 2, "referrals": 1, "assessments": 1,
         "assessment_factors": 2, "s47_enquiries": 1, "cin_plans": 1, "cp_plans": 1,
         "cp_reviews": 1, "pre_proceedings": 0},
    ),
    "CIN_Census_2024.xml": (
        2023,
        "201",
        {"cin_children": 2, "cin_disabilities": 3, "referrals": 2, "assessments": 2,
         "assessment_factors": 3, "s47_enquiries": 1, "cin_plans": 1, "cp_plans": 1,
         "cp_reviews": 1, "pre_proceedings": 0},
    ),
    "CIN_Census_2026.xml": (
        2023,
        "201",
        {"cin_children": 2, "cin_disabilities": 3, "referrals": 2, "assessments": 2,
         "assessment_factors": 3, "s47_enquiries": 1, "cin_plans": 1, "cp_plans": 1,
         "cp_reviews": 1, "pre_proceedings": 1},
    ),
    "fake_CIN_data.xml": (
        2022,
        "975",
        {"cin_children": 332, "cin_disabilities": 117, "referrals": 402, "assessments": 0,
         "assessment_factors": 0, "s47_enquiries": 0, "cin_plans": 0, "cp_plans": 0,
         "cp_reviews": 0, "pre_proceedings": 0},
    ),
}  # fmt: skip


@pytest.fixture
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"shared CIN fixtures not found at {FIXTURES}")
    return FIXTURES


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shared_fixture_counts(fixtures_dir: Path, name: str) -> None:
    year, la, counts = EXPECTED[name]
    sink = MemorySink()
    info = CinXmlReader().read(fixtures_dir / name, sink)
    assert (info.return_year, info.la_code, info.notes) == (year, la, [])
    assert {t: sink.count(t) for t in COLUMNS} == counts


@pytest.mark.shared
def test_shared_fixture_odd_values_staged(fixtures_dir: Path) -> None:
    sink = MemorySink()
    CinXmlReader().read(fixtures_dir / "CIN_Census_2024.xml", sink)
    kids = sink.rows("cin_children")
    # stray text after UPNunknown is ignored; Sex "M" and a 2028 assessment kept as given
    assert [(k["child_id"], k["upn_unknown"], k["sex"], k["source_line"]) for k in kids] == [
        ("DfEX0000001", "UN3", "1", 18),
        ("child_fails_assessments", "UN1", "M", 73),
    ]
    assert [r["factor"] for r in sink.rows("assessment_factors")] == ["1C", "RB", "6B"]
    assert sink.rows("assessments")[0]["start_date"] == "2028-04-28"
    fake = MemorySink()
    CinXmlReader().read(fixtures_dir / "fake_CIN_data.xml", fake)
    kids = fake.rows("cin_children")
    assert sum(k["death_date"] is not None for k in kids) == 21
    assert sum(r["closure_date"] is not None for r in fake.rows("referrals")) == 252
    assert kids[0] == {
        "child_id": "RND000215205141",
        "upn": "A850728973744",
        "former_upn": None,
        "upn_unknown": None,
        "dob": "2019-12-06",
        "expected_dob": None,
        "sex": "1",
        "death_date": None,
        "ethnicity": "WIRT",
        "source_line": 18,
    }
