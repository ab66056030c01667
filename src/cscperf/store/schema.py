"""The canonical store's tables, declared once.

Every reader stages raw text into these column names; validation, DDL, merge
rules and the documentation are all generated from this registry, so a column
is added in exactly one place. Column names follow the source return's field
names (lower-cased) so analysts who know the 903 and CIN guidance recognise
them; the child identifier is always ``child_id``.

Every table also carries the provenance columns in :data:`PROVENANCE`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

Kind = Literal["text", "date", "int", "num", "bool", "code", "postcode"]


@dataclass(frozen=True)
class Col:
    """One canonical column: its type and the checks a raw value must pass."""

    name: str
    kind: Kind = "text"
    codes: str | None = None  # name of a code list in cscperf.validate.codes
    required: bool = False
    min: float | None = None  # for int/num
    max: float | None = None
    doc: str = ""
    #: a date that may lie after the end of its return's reporting year (a target
    #: or expected date, the date UASC status will cease)
    future_ok: bool = False

    @property
    def sql_type(self) -> str:
        return {
            "text": "VARCHAR",
            "code": "VARCHAR",
            "postcode": "VARCHAR",
            "date": "DATE",
            "int": "BIGINT",
            "num": "DOUBLE",
            "bool": "BOOLEAN",
        }[self.kind]


@dataclass(frozen=True)
class Check:
    """A row-level rule across fields: ``sql`` is true when the row is WRONG.

    ``sql`` may reference typed column names; ``field`` names the column blamed.
    """

    field: str
    sql: str
    reason: str
    other: str | None = None  # a second field whose value the reason quotes


@dataclass(frozen=True)
class Table:
    """A canonical table.

    ``key`` is the natural key within an LA used to merge returns: a row from a
    later return year replaces a row with the same key from an earlier one.
    ``per_year`` tables (OC2, OC3) describe their own return year only, so the
    return year is part of their key and they are never merged across years.
    """

    name: str
    source: str
    columns: tuple[Col, ...]
    key: tuple[str, ...]
    per_year: bool = False
    checks: tuple[Check, ...] = ()
    doc: str = ""
    extra: tuple[Col, ...] = field(default=())
    #: rows describe one 903/CIN reporting year: a date after its end (31 March of
    #: the return year) cannot be true, nor one before the row's own ``dob``
    reporting_year: bool = False

    def col(self, name: str) -> Col:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def merge_key(self) -> tuple[str, ...]:
        return ("la_code", *self.key, *(("return_year",) if self.per_year else ()))


PROVENANCE: tuple[tuple[str, str], ...] = (
    ("la_code", "VARCHAR"),  # the LA's 3-digit DfE code, as given with --la
    ("return_year", "INTEGER"),  # reporting year end (2025 = 2024-25)
    ("source_file", "VARCHAR"),  # path of the file the row came from
    ("source_line", "BIGINT"),  # 1-based line of the row (CSV) or element (XML)
)


def _c(name: str, kind: Kind = "text", codes: str | None = None, **kw: object) -> Col:
    return Col(name, kind, codes, **kw)  # type: ignore[arg-type]


CHILD = _c("child_id", required=True, doc="LA child identifier (903 CHILD / CIN LAchildID)")
DOB = _c("dob", "date")


def _end_after_start(start: str, end: str) -> Check:
    return Check(end, f"{end} < {start}", f"{end} is before {start}", other=start)


# --- SSDA903 -----------------------------------------------------------------
SSDA903: tuple[Table, ...] = (
    Table(
        "children",
        "903 header",
        (
            CHILD,
            _c("sex", "code", "903_sex", required=True),
            _c("dob", "date", required=True),
            _c("ethnic", "code", "ethnicity"),
            _c("upn"),
            _c("mother", "code", "903_mother"),
            _c("mc_dob", "date"),
        ),
        key=("child_id",),
        doc="One row per looked-after child (903 Header).",
    ),
    Table(
        "cla_episodes",
        "903 episodes",
        (
            CHILD,
            _c("decom", "date", required=True),
            _c("rne", "code", "903_rne", required=True),
            _c("ls", "code", "903_ls", required=True),
            _c("cin", "code", "903_cin"),
            _c("place", "code", "903_place", required=True),
            _c("place_provider", "code", "903_place_provider"),
            _c("dec", "date"),
            _c("rec", "code", "903_rec"),
            _c("reason_place_change", "code", "903_reason_place_change"),
            _c("home_post", "postcode"),
            _c("pl_post", "postcode"),
            _c("urn"),
        ),
        key=("child_id", "decom"),
        checks=(_end_after_start("decom", "dec"),),
        doc="903 episodes; open at d when decom <= d and (dec is null or dec > d).",
    ),
    Table(
        "cla_reviews",
        "903 reviews",
        (
            CHILD,
            DOB,
            _c("review", "date", required=True),
            _c("review_code", "code", "903_review_code"),
        ),
        key=("child_id", "review"),
    ),
    Table(
        "uasc",
        "903 UASC",
        (CHILD, _c("sex", "code", "903_sex"), DOB, _c("duc", "date", future_ok=True)),
        key=("child_id",),
        doc="Children who were unaccompanied asylum-seeking; duc = date UASC status ceases.",
    ),
    Table(
        "missing",
        "903 missing",
        (
            CHILD,
            DOB,
            _c("missing", "code", "903_missing", required=True),
            _c("mis_start", "date", required=True),
            _c("mis_end", "date"),
        ),
        key=("child_id", "missing", "mis_start"),
        checks=(_end_after_start("mis_start", "mis_end"),),
    ),
    Table(
        "oc2",
        "903 OC2",
        (
            CHILD,
            DOB,
            _c("sdq_score", "int", min=0, max=40),
            _c("sdq_reason", "code", "903_sdq_reason"),
            _c("convicted", "bool"),
            _c("health_check", "bool"),
            _c("immunisations", "bool"),
            _c("teeth_check", "bool"),
            _c("health_assessment", "bool"),
            _c("substance_misuse", "bool"),
            _c("intervention_received", "bool"),
            _c("intervention_offered", "bool"),
        ),
        key=("child_id",),
        per_year=True,
        doc="Outcomes for children looked after continuously for 12 months at 31 March.",
    ),
    Table(
        "oc3",
        "903 OC3",
        (
            CHILD,
            DOB,
            _c("in_touch", "code", "903_in_touch"),
            _c("activ", "code", "903_activ"),
            _c("accom", "code", "903_accom"),
        ),
        key=("child_id",),
        per_year=True,
        doc="Care leavers' activity and accommodation around their 17th-21st birthdays.",
    ),
    Table(
        "ad1",
        "903 AD1",
        (
            CHILD,
            DOB,
            _c("date_int", "date"),
            _c("date_match", "date"),
            _c("foster_care", "bool"),
            _c("nb_adoptr", "code", "903_nb_adoptr"),
            _c("sex_adoptr", "code", "903_sex_adoptr"),
            _c("ls_adoptr", "code", "903_ls_adoptr"),
        ),
        key=("child_id",),
        doc="Adoption details: date should be placed (DATE_INT) and matched (DATE_MATCH).",
    ),
    Table(
        "placed_for_adoption",
        "903 placed for adoption",
        (
            CHILD,
            DOB,
            _c("date_placed", "date", required=True),
            _c("date_placed_ceased", "date"),
            _c("reason_placed_ceased", "code", "903_reason_placed_ceased"),
        ),
        key=("child_id", "date_placed"),
        checks=(_end_after_start("date_placed", "date_placed_ceased"),),
        doc="DATE_PLACED is the date of the decision that the child should be placed for adoption.",
    ),
    Table(
        "previous_permanence",
        "903 previous permanence",
        (
            CHILD,
            DOB,
            _c("prev_perm", "code", "903_prev_perm"),
            _c("la_perm"),
            _c("date_perm", "text", doc="dd/mm/yyyy, or with zz for unknown day/month"),
        ),
        key=("child_id",),
    ),
    Table(
        "sw_episodes",
        "903 social worker episodes",
        (
            CHILD,
            DOB,
            _c("sw_id", required=True),
            _c("sw_decom", "date", required=True),
            _c("sw_dec", "date"),
            _c("sw_reason", "code", "903_sw_reason"),
        ),
        key=("child_id", "sw_decom"),
        checks=(_end_after_start("sw_decom", "sw_dec"),),
    ),
    Table(
        "dolo",
        "903 deprivation of liberty orders",
        (CHILD, DOB, _c("dolo_start", "date", required=True), _c("dolo_end", "date")),
        key=("child_id", "dolo_start"),
        checks=(_end_after_start("dolo_start", "dolo_end"),),
    ),
)

# --- CIN census --------------------------------------------------------------
REF = _c("referral_date", "date", required=True, doc="CINreferralDate of the parent CINdetails")

CIN: tuple[Table, ...] = (
    Table(
        "cin_children",
        "CIN census ChildIdentifiers/ChildCharacteristics",
        (
            CHILD,
            _c("upn"),
            _c("former_upn"),
            _c("upn_unknown", "code", "cin_upn_unknown"),
            _c("dob", "date"),
            _c("expected_dob", "date", future_ok=True),
            _c("sex", "code", "cin_sex", doc="GenderCurrent 0/1/2/9 to 2024, Sex M/F/U from 2025"),
            _c("death_date", "date"),
            _c("ethnicity", "code", "ethnicity"),
        ),
        key=("child_id",),
    ),
    Table(
        "cin_disabilities",
        "CIN census Disabilities",
        (CHILD, _c("disability", "code", "cin_disability", required=True)),
        key=("child_id", "disability"),
    ),
    Table(
        "referrals",
        "CIN census CINdetails",
        (
            CHILD,
            REF,
            _c("referral_source", "code", "cin_referral_source"),
            _c("primary_need", "code", "cin_primary_need"),
            _c("closure_date", "date"),
            _c("reason_for_closure", "code", "cin_reason_for_closure"),
            _c("referral_nfa", "bool"),
            _c("date_of_initial_cpc", "date", doc="CINdetails-level ICPC date"),
        ),
        key=("child_id", "referral_date"),
        checks=(_end_after_start("referral_date", "closure_date"),),
        doc="One row per CIN episode (referral).",
    ),
    Table(
        "assessments",
        "CIN census Assessments",
        (
            CHILD,
            REF,
            _c("start_date", "date", required=True),
            _c("internal_review_date", "date"),
            _c("authorisation_date", "date"),
        ),
        key=("child_id", "referral_date", "start_date"),
        checks=(_end_after_start("start_date", "authorisation_date"),),
    ),
    Table(
        "assessment_factors",
        "CIN census FactorsIdentifiedAtAssessment",
        (
            CHILD,
            REF,
            _c("assessment_start_date", "date", required=True),
            _c("factor", "code", "cin_assessment_factor", required=True),
        ),
        key=("child_id", "referral_date", "assessment_start_date", "factor"),
    ),
    Table(
        "s47_enquiries",
        "CIN census Section47",
        (
            CHILD,
            REF,
            _c("start_date", "date", required=True),
            _c("icpc_target", "date", future_ok=True),
            _c("icpc_date", "date"),
            _c("icpc_not_required", "bool"),
        ),
        key=("child_id", "referral_date", "start_date"),
    ),
    Table(
        "cin_plans",
        "CIN census CINPlanDates",
        (CHILD, REF, _c("start_date", "date", required=True), _c("end_date", "date")),
        key=("child_id", "referral_date", "start_date"),
        checks=(_end_after_start("start_date", "end_date"),),
    ),
    Table(
        "cp_plans",
        "CIN census ChildProtectionPlans",
        (
            CHILD,
            REF,
            _c("start_date", "date", required=True),
            _c("end_date", "date"),
            _c("initial_category", "code", "cin_category_of_abuse"),
            _c("latest_category", "code", "cin_category_of_abuse"),
            _c("previous_plans", "int", min=0, max=50),
        ),
        key=("child_id", "start_date"),
        checks=(_end_after_start("start_date", "end_date"),),
    ),
    Table(
        "cp_reviews",
        "CIN census CPPreviewDate",
        (
            CHILD,
            _c("plan_start_date", "date", required=True),
            _c("review_date", "date", required=True),
        ),
        key=("child_id", "plan_start_date", "review_date"),
        doc="Review dates are unioned across returns.",
    ),
    Table(
        "pre_proceedings",
        "CIN census 2026 PreProceedingsandFGDM",
        (
            CHILD,
            REF,
            _c("pp_start_date", "date", required=True),
            _c("lbp_sent_date", "date"),
            _c("fgdm_meeting_offer", "bool"),
            _c("fgdm_meeting_fac", "bool"),
            _c("initial_pp_meeting_date", "date"),
            _c("review_meetings_count", "int", min=0, max=100),
            _c("step_decision_date", "date"),
            _c("pp_outcome", "code", "cin_pp_outcome"),
            _c("court_app_date", "date"),
            _c("letter_init_cp_date", "date"),
        ),
        key=("child_id", "referral_date", "pp_start_date"),
    ),
)

# --- Annex A -------------------------------------------------------------------
_ANNEX_CHILD = (
    CHILD,
    _c("sex", "code", "annexa_sex"),
    _c("ethnicity", "code", "ethnicity"),
    DOB,
)
_TEAM = (_c("team"), _c("worker"))

ANNEX_A = (
    Table(
        "contacts",
        "Annex A list 1",
        (*_ANNEX_CHILD, _c("contact_date", "date", required=True), _c("contact_source")),
        key=("child_id", "contact_date", "contact_source"),
    ),
    Table(
        "early_help",
        "Annex A list 2",
        (
            *_ANNEX_CHILD,
            _c("start_date", "date", required=True),
            _c("completion_date", "date"),
            _c("organisation"),
        ),
        key=("child_id", "start_date"),
    ),
    Table(
        "annexa_referrals",
        "Annex A list 3",
        (
            *_ANNEX_CHILD,
            _c("referral_date", "date", required=True),
            _c("referral_source"),
            _c("referral_nfa", "bool"),
            _c("referrals_last_12m", "int", min=0),
            *_TEAM,
        ),
        key=("child_id", "referral_date"),
    ),
    Table(
        "annexa_assessments",
        "Annex A list 4",
        (
            *_ANNEX_CHILD,
            _c("disability", "bool"),
            _c("start_date", "date", required=True),
            _c("child_seen", "bool"),
            _c("authorisation_date", "date"),
            _c("outcome"),
            *_TEAM,
        ),
        key=("child_id", "start_date"),
    ),
    Table(
        "annexa_s47",
        "Annex A list 5",
        (
            *_ANNEX_CHILD,
            _c("disability", "bool"),
            _c("start_date", "date", required=True),
            _c("icpc_not_required", "bool"),
            _c("icpc_date", "date"),
            _c("icpc_resulted_in_plan", "bool"),
            _c("s47_last_12m", "int", min=0),
            _c("icpc_last_12m", "int", min=0),
            *_TEAM,
        ),
        key=("child_id", "start_date"),
    ),
    Table(
        "annexa_cin",
        "Annex A list 6",
        (
            *_ANNEX_CHILD,
            _c("disability", "bool"),
            _c("cin_start_date", "date", required=True),
            _c("primary_need"),
            _c("last_seen_date", "date"),
            _c("closure_date", "date"),
            _c("reason_for_closure"),
            _c("case_status"),
            *_TEAM,
        ),
        key=("child_id", "cin_start_date"),
    ),
    Table(
        "annexa_cp",
        "Annex A list 7",
        (
            *_ANNEX_CHILD,
            _c("disability", "bool"),
            _c("start_date", "date", required=True),
            _c("initial_category"),
            _c("latest_category"),
            _c("last_visit_date", "date"),
            _c("seen_alone", "bool"),
            _c("last_review_date", "date"),
            _c("end_date", "date"),
            _c("epo_last_6m", "bool"),
            _c("previous_plans", "int", min=0),
            *_TEAM,
        ),
        key=("child_id", "start_date"),
    ),
    Table(
        "annexa_cla",
        "Annex A list 8",
        (
            *_ANNEX_CHILD,
            _c("uasc", "bool"),
            _c("disability", "bool"),
            _c("start_date", "date", required=True),
            _c("category_of_need"),
            _c("subsequent_period_12m", "bool"),
            _c("legal_status_start", "date"),
            _c("legal_status"),
            _c("last_review_date", "date"),
            _c("last_visit_date", "date"),
            _c("permanence_plan"),
            _c("last_iro_contact_date", "date"),
            _c("last_health_assessment_date", "date"),
            _c("last_dental_check_date", "date"),
            _c("placements_last_12m", "int", min=0),
            _c("ceased_date", "date"),
            _c("reason_ceased"),
            _c("placement_start_date", "date"),
            _c("placement_type"),
            _c("placement_provider"),
            _c("placement_postcode", "postcode"),
            _c("placement_urn"),
            _c("placement_location"),
            _c("placement_la"),
            _c("missing_last_12m", "int", min=0),
            _c("absent_last_12m", "int", min=0),
            _c("rhi_offered", "bool"),
            _c("rhi_accepted", "bool"),
            *_TEAM,
        ),
        key=("child_id", "start_date"),
    ),
    Table(
        "care_leavers",
        "Annex A list 9",
        (
            *_ANNEX_CHILD,
            _c("uasc", "bool"),
            _c("disability", "bool"),
            *_TEAM,
            _c("personal_advisor"),
            _c("eligibility"),
            _c("pathway_plan_review_date", "date"),
            _c("in_touch"),
            _c("latest_contact_date", "date"),
            _c("accommodation"),
            _c("accommodation_suitable"),
            _c("activity"),
        ),
        key=("child_id",),
        per_year=True,
        doc="Annex A list 9 care leavers: a snapshot per return year, never merged.",
    ),
    Table(
        "annexa_adoption",
        "Annex A list 10",
        (
            CHILD,
            _c("family_id"),
            _c("sex", "code", "annexa_sex"),
            _c("ethnicity", "code", "ethnicity"),
            DOB,
            _c("disability", "bool"),
            _c("entered_care_date", "date"),
            _c("adm_decision_date", "date"),
            _c("placement_order_date", "date"),
            _c("matched_date", "date"),
            _c("placed_date", "date"),
            _c("adoption_order_date", "date"),
            _c("no_longer_placed_decision_date", "date"),
            _c("no_longer_placed_reason"),
            _c("ffa_placed_date", "date"),
        ),
        key=("child_id",),
    ),
    Table(
        "annexa_adopters",
        "Annex A list 11",
        (
            _c("adopter_id", required=True),
            _c("family_id"),
            _c("sex", "code", "annexa_sex"),
            _c("ethnicity", "code", "ethnicity"),
            _c("disability", "bool"),
            _c("ffa", "bool"),
            _c("enquiry_date", "date"),
            _c("stage1_start_date", "date"),
            _c("stage1_end_date", "date"),
            _c("stage2_start_date", "date"),
            _c("stage2_end_date", "date"),
            _c("application_date", "date"),
            _c("approval_date", "date"),
            _c("matched_date", "date"),
            _c("placed_date", "date"),
            _c("children_placed", "int", min=0, max=20),
            _c("adoption_order_date", "date"),
            _c("left_process_date", "date"),
            _c("left_process_reason"),
        ),
        key=("adopter_id",),
    ),
)

# --- Local inputs (CSV templates under cscperf/io/templates) ------------------
LOCAL = (
    Table(
        "sw_workforce",
        "local workforce snapshot",
        (
            _c("snapshot_date", "date", required=True),
            _c("post_id", required=True),
            _c("team"),
            _c("status", "code", "local_sw_status", required=True),
            _c("fte", "num", required=True, min=0, max=1.5),
            _c("case_holding", "bool"),
            _c("cases_held", "int", min=0, max=200),
            _c("annual_cost", "num", min=0),
        ),
        key=("snapshot_date", "post_id"),
        doc="One row per social worker post at a snapshot: employed, agency or vacant.",
    ),
    Table(
        "fostering_households",
        "local fostering households",
        (
            _c("household_id", required=True),
            _c("enquiry_date", "date"),
            _c("approval_date", "date"),
            _c("deregistration_date", "date"),
            _c("deregistration_reason"),
            _c("household_type", "code", "local_foster_type"),
            _c("places", "int", min=0, max=20),
        ),
        key=("household_id",),
        checks=(_end_after_start("approval_date", "deregistration_date"),),
    ),
    Table(
        "case_audits",
        "local case file audits",
        (
            _c("audit_id", required=True),
            _c("child_id"),
            _c("audit_date", "date", required=True),
            _c("team"),
            _c("worker"),
            _c("grade", "code", "local_audit_grade", required=True),
        ),
        key=("audit_id",),
    ),
    Table(
        "health_assessments",
        "local initial health assessments",
        (
            CHILD,
            _c("care_start_date", "date", required=True),
            _c("iha_requested_date", "date"),
            _c("iha_date", "date"),
        ),
        key=("child_id", "care_start_date"),
    ),
    Table(
        "return_interviews",
        "local return home interviews",
        (
            CHILD,
            _c("mis_start", "date", required=True),
            _c("offered", "bool"),
            _c("accepted", "bool"),
            _c("rhi_date", "date", doc="date the return home interview was completed"),
        ),
        key=("child_id", "mis_start"),
    ),
)

SSDA903 = tuple(replace(t, reporting_year=True) for t in SSDA903)
CIN = tuple(replace(t, reporting_year=True) for t in CIN)

TABLES: dict[str, Table] = {t.name: t for t in (*SSDA903, *CIN, *ANNEX_A, *LOCAL)}

#: tables that come from the statutory returns vs. local templates, for docs
GROUPS: dict[str, tuple[Table, ...]] = {
    "SSDA903": SSDA903,
    "CIN census": CIN,
    "Annex A": ANNEX_A,
    "Local templates": LOCAL,
}


def _collection(group: str, table: Table) -> str:
    return {"SSDA903": "903", "CIN census": "cin", "Annex A": "annex-a"}.get(
        group, f"local:{table.name}"
    )


#: the collection (unit of return, as in the ``returns`` registry) each table comes
#: from: '903', 'cin', 'annex-a' or 'local:<template>'; the KPI engine maps a KPI's
#: ``requires`` tables through it to the returns whose coverage a value needs
COLLECTIONS: dict[str, str] = {
    t.name: _collection(group, t) for group, tables in GROUPS.items() for t in tables
}
