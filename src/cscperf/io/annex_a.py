"""Reader for the Ofsted ILACS Annex A workbook (sheets "List 1".."List 11").

Every LA builds its Annex A from its own case management system, so headers
vary in case, spacing, punctuation and wording, columns come in any order and
extra columns are common. Each list's headers are normalised (:func:`header_key`)
and matched against per-column aliases (``_COMMON``/``_LISTS``; the first alias
is the official header, used in messages); a list lacking a required column
refuses the file.

Return year: the reporting year ending 31 March on or after the latest contact
(list 1) or referral (list 3) date not in the future — the workbook is a
snapshot taken shortly after its last front-door activity, which is more
reliable than a year in the file name. None when neither list has a date.

The workbook is treated as hostile: the zip directory is checked (size, ratio,
macros, DTDs) before anything opens it, and a formula is never evaluated — its
text (``=H2+5``) is staged so validation quarantines it with the value shown.
Sheets are read by :mod:`cscperf.io.xlsx_rows` (calamine, or openpyxl streaming
for very large sheets), which gives both the same values.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import pyarrow as pa

from cscperf.io.base import FileInfo, FileRefused, Sink
from cscperf.io.xlsx_rows import Row, Workbook, brief, open_workbook
from cscperf.io.zip_inflate import check_inflated_sizes
from cscperf.store.schema import TABLES, Table
from cscperf.validate.codes_local import ETHNICITY, LISTS

#: List number -> canonical table.
LIST_TABLES: dict[int, str] = {
    1: "contacts",
    2: "early_help",
    3: "annexa_referrals",
    4: "annexa_assessments",
    5: "annexa_s47",
    6: "annexa_cin",
    7: "annexa_cp",
    8: "annexa_cla",
    9: "care_leavers",
    10: "annexa_adoption",
    11: "annexa_adopters",
}

#: Zip-bomb guards, checked on the zip directory before anything is inflated.
MAX_UNCOMPRESSED = 1024**3  # total declared size of all members
MAX_RATIO = 200  # uncompressed/compressed, for members over RATIO_FLOOR bytes
RATIO_FLOOR = 16 * 1024**2
MAX_MEMBERS = 10_000
PROLOG_BYTES = 64 * 1024  # bytes of each XML part scanned for DOCTYPE/ENTITY
HEADER_SCAN_ROWS = 10  # title rows allowed above a list's header row
BATCH_ROWS = 5_000

_NAMED_RE = re.compile(r"annex[\s_-]*a(?![a-z])", re.IGNORECASE)
_SUFFIXES = (".xlsx", ".xlsm", ".xls")
_SHEET_RE = re.compile(r"(?<![a-z])list\s*[-_.]?\s*(\d{1,2})(?!\d)", re.IGNORECASE)
_PREFIX_RE = re.compile(r"^[a-z]{1,2}\)\s*", re.IGNORECASE)
_ETHNIC_RE = re.compile(r"^([A-Za-z]{4})(?:\s*[-:–]\s*.*|\s+.*)?$")
_SHEET_NAME_RE = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"")
_NA = {"#n/a", "#n/a n/a"}
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}
_SEX = {s.lower(): s for s in cast(set[str], LISTS["annexa_sex"])} | {"m": "Male", "f": "Female"}
_IDS = {"child_id", "adopter_id", "family_id"}
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_RANGE = (18264, 73050)  # 1950-01-01 .. 2099-12-31 as Excel serials

# --- headers ------------------------------------------------------------------
# Aliases per column, "|"-separated; the first is the official Annex A header.
_COMMON = {
    "child_id": "Child Unique ID|Child Unique Identifier|Child ID|Unique Child ID|"
    "Child Identifier|LA Child ID|Child Reference|Person ID",
    "sex": "Gender|Sex|Gender Current",
    "ethnicity": "Ethnicity|Ethnic Origin|Ethnic Group|Ethnicity Code",
    "dob": "Date of Birth|DOB|Birth Date",
    "disability": "Does the Child have a Disability|Disability|Disabled|Child has a Disability",
    "team": "Allocated Team|Team",
    "worker": "Allocated Worker|Worker|Allocated Social Worker|Social Worker",
    "family_id": "Family identifier|Family ID",
    "uasc": "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months|UASC|"
    "Unaccompanied Asylum Seeking Child|UASC in the Last 12 Months",
}
_LISTS: dict[str, dict[str, str]] = {
    "contacts": {
        "contact_date": "Date of Contact|Contact Date",
        "contact_source": "Contact Source|Source of Contact",
    },
    "early_help": {
        "start_date": "Assessment start date|Early Help Assessment Start Date|"
        "EH Assessment Start Date|Start Date",
        "completion_date": "Assessment completion date|Early Help Assessment Completion Date|"
        "EH Assessment Completion Date|Completion Date",
        "organisation": "Organisation completing assessment|Organisation",
    },
    "annexa_referrals": {
        "referral_date": "Date of Referral|Referral Date",
        "referral_source": "Referral Source|Source of Referral",
        "referral_nfa": "Referral NFA?|Referral No Further Action|NFA",
        "referrals_last_12m": "Number of Referrals in Last 12 Months|Referrals in Last 12 Months",
    },
    "annexa_assessments": {
        "start_date": "Continuous Assessment Start Date|Assessment Start Date",
        "child_seen": "Child Seen During Continuous Assessment|Child Seen During Assessment|"
        "Child Seen",
        "authorisation_date": "Continuous Assessment Date of Authorisation|"
        "Assessment Date of Authorisation|Assessment Authorisation Date|Date of Authorisation",
        "outcome": "Was the child assessed as requiring LA children's social care support?|"
        "Assessment Outcome|Outcome",
    },
    "annexa_s47": {
        "start_date": "Strategy discussion initiating Section 47 Enquiry Start Date|"
        "Section 47 Enquiry Start Date|S47 Start Date|Section 47 Start Date|"
        "Strategy Discussion Date|Date of Strategy Discussion",
        "icpc_not_required": "Was an Initial Child Protection Conference deemed unnecessary?|"
        "ICPC Deemed Unnecessary|ICPC Not Required",
        "icpc_date": "Date of Initial Child Protection Conference|ICPC Date|Date of ICPC",
        "icpc_resulted_in_plan": "Did the Initial Child Protection Conference Result in a "
        "Child Protection Plan|Did the ICPC Result in a CP Plan|ICPC Resulted in CP Plan",
        "s47_last_12m": "Number of Section 47 Enquiries in the last 12 months|"
        "Number of S47 Enquiries in the last 12 months|S47s in the last 12 months",
        "icpc_last_12m": "Number of ICPCs in the last 12 months|ICPCs in the last 12 months",
    },
    "annexa_cin": {
        "cin_start_date": "CIN Start Date|Child in Need Start Date|Start Date",
        "primary_need": "Primary Need Code|Primary Need|Primary Need Category",
        "last_seen_date": "Date Child Was Last Seen|Date Last Seen|Last Seen Date",
        "closure_date": "CIN Closure Date|Closure Date|Case Closure Date",
        "reason_for_closure": "Reason for Closure|Closure Reason|CIN Closure Reason",
        "case_status": "Case Status",
    },
    "annexa_cp": {
        "start_date": "Child Protection Plan Start Date|CP Plan Start Date|CPP Start Date|"
        "Plan Start Date|Start Date",
        "initial_category": "Initial Category of Abuse|Initial Category",
        "latest_category": "Latest Category of Abuse|Latest Category|Current Category of Abuse",
        "last_visit_date": "Date of the Last Statutory Visit|Last Statutory Visit Date|"
        "Date of Last Visit|Last Visit Date",
        "seen_alone": "Was the Child Seen Alone?|Child Seen Alone|Seen Alone",
        "last_review_date": "Date of latest review conference|Date of Last Review Conference|"
        "Latest Review Conference Date|Last Review Date",
        "end_date": "Child Protection Plan End Date|CP Plan End Date|CPP End Date|"
        "Plan End Date|End Date",
        "epo_last_6m": "Subject to Emergency Protection Order or Protected Under Police Powers "
        "in Last Six Months|EPO or Police Protection in Last Six Months|EPO in Last Six Months",
        "previous_plans": "Number of Previous Child Protection Plans|"
        "Number of Previous CP Plans|Previous CP Plans",
    },
    "annexa_cla": {
        "start_date": "Date Started to be Looked After|Date Started Looked After|"
        "Date Became Looked After|CLA Start Date|Date Started Care",
        "category_of_need": "Child's Category of Need|Category of Need|CIN Code",
        "subsequent_period_12m": "Is this a second or subsequent period of being a Looked After "
        "Child within the last 12 months|Second or Subsequent Period in Last 12 Months",
        "legal_status_start": "Start date of current legal status|Legal Status Start Date",
        "legal_status": "Child's Legal Status|Legal Status|Current Legal Status",
        "last_review_date": "Date of Latest Statutory Review|Date of Last Statutory Review|"
        "Last Review Date|Latest Review Date",
        "last_visit_date": "Date of Last Social Work Visit|Date of Last Statutory Visit|"
        "Date of Last Visit|Last Visit Date",
        "permanence_plan": "What is the permanence plan for this child?|Permanence Plan",
        "last_iro_contact_date": "Date of Last IRO Visit / Contact to the Child|"
        "Date of Last IRO Visit|Date of Last IRO Contact|Last IRO Contact Date",
        "last_health_assessment_date": "Date of Last Health Assessment|Last Health Assessment Date",
        "last_dental_check_date": "Date of Last Dental Check|Last Dental Check Date",
        "placements_last_12m": "Number of Placements in the Last 12 months|"
        "Placements in the Last 12 Months",
        "ceased_date": "Date Ceased to be Looked After|Date Ceased Looked After|CLA End Date",
        "reason_ceased": "Reason Ceased to be Looked After|Reason Ceased|Reason Episode Ceased",
        "placement_start_date": "Start Date of Most Recent Placement|Placement Start Date",
        "placement_type": "Placement Type",
        "placement_provider": "Placement Provider",
        "placement_postcode": "Placement postcode|Placement Post Code",
        "placement_urn": "URN of Placement|Placement URN|URN",
        "placement_location": "Placement Location",
        "placement_la": "LA of Placement|Placement LA",
        "missing_last_12m": "Number of Episodes the Child has been 'Missing' from their "
        "Placement in the last 12 months|Missing Episodes in the Last 12 Months",
        "absent_last_12m": "Number of Episodes the Child has been 'Absent' from their "
        "Placement in the last 12 months|Absent Episodes in the Last 12 Months",
        "rhi_offered": "Was the child offered a Return Interview after their last missing "
        "episode?|Return Interview Offered",
        "rhi_accepted": "Did the child accept a Return Interview after their last missing "
        "episode?|Return Interview Accepted",
    },
    "care_leavers": {
        "uasc": "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over|"
        "UASC|Unaccompanied Asylum Seeking Child",
        "personal_advisor": "Allocated Personal Advisor|Personal Advisor|Allocated PA|PA",
        "eligibility": "Eligibility Category|Eligibility",
        "pathway_plan_review_date": "Latest Pathway Plan Review Date|"
        "Date of Latest Pathway Plan Review|Pathway Plan Review Date",
        "in_touch": "LA in Touch|In Touch",
        "latest_contact_date": "Latest Date of Contact|Date of Latest Contact|Latest Contact Date",
        "accommodation": "Type of Accommodation|Accommodation Type|Accommodation",
        "accommodation_suitable": "Suitability of Accommodation|Accommodation Suitability|"
        "Accommodation Suitable",
        "activity": "Activity Status|Activity|Main Activity",
    },
    "annexa_adoption": {
        "entered_care_date": "Date the Child Entered Care|Date Entered Care",
        "adm_decision_date": "Date of Decision that Child Should be Placed for Adoption|"
        "ADM Decision Date|Date of ADM Decision",
        "placement_order_date": "Date of Placement Order|Placement Order Date",
        "matched_date": "Date of Matching Child and Prospective Adopters|Date Matched|"
        "Matching Date",
        "placed_date": "Date Placed for Adoption|Date Placed|Placed for Adoption Date",
        "adoption_order_date": "Date of Adoption Order|Adoption Order Date",
        "no_longer_placed_decision_date": "Date of Decision that Child Should No Longer be "
        "Placed for Adoption",
        "no_longer_placed_reason": "Reason Why Child No Longer Placed for Adoption|"
        "Reason No Longer Placed for Adoption",
        "ffa_placed_date": "Date the child was placed for fostering in FFA or concurrent "
        "planning placement|FFA Placement Date|Date Placed in FFA",
    },
    "annexa_adopters": {
        "adopter_id": "Individual adopter identifier|Adopter ID|Adopter Identifier|"
        "Individual Adopter ID",
        "disability": "Disability|Does the Adopter have a Disability|Disabled",
        "ffa": "Is the (prospective) adopter fostering for adoption?|Fostering for Adoption|FFA",
        "enquiry_date": "Date enquiry received|Enquiry Date",
        "stage1_start_date": "Date Stage 1 started|Stage 1 Start Date",
        "stage1_end_date": "Date Stage 1 ended|Stage 1 End Date",
        "stage2_start_date": "Date Stage 2 started|Stage 2 Start Date",
        "stage2_end_date": "Date Stage 2 ended|Stage 2 End Date",
        "application_date": "Date application submitted|Application Date",
        "approval_date": "Date application approved|Approval Date",
        "matched_date": "Date adopter matched with child(ren)|Matched Date|Date Matched",
        "placed_date": "Date child/children placed with adopter(s)|Placed Date|Date Placed",
        "children_placed": "No. of children placed|Children Placed",
        "adoption_order_date": "Date of Adoption Order|Adoption Order Date",
        "left_process_date": "Date of leaving adoption process|Date Left Adoption Process",
        "left_process_reason": "Reason for leaving adoption process|Reason Left Adoption Process",
    },
}
#: Header keys dropped silently (Age is derived from the date of birth).
IGNORED = frozenset({"age", "ageofchild", "ageyears", "currentage"})
_SYNONYMS = {"number": "no", "num": "no", "six": "6", "twelve": "12", "adviser": "advisor"}


def _key(text: str) -> str:
    tokens = re.findall(r"[a-z0-9]+", text.lower().replace("&", " and "))
    tokens = [_SYNONYMS.get(t, t) for t in tokens if t != "the"]
    if tokens[-2:] == ["y", "n"]:  # a trailing "Y/N" hint
        tokens = tokens[:-2]
    return "".join(tokens)


def header_key(text: str) -> tuple[str, ...]:
    """Normalised forms of a header: as written, then without "(...)" hints.

    >>> header_key("Child's Legal Status (Y/N)")
    ('childslegalstatus', 'childslegalstatus')
    >>> header_key("No. of ICPCs in last 6 months") == header_key("Number of the ICPCs in last six")
    False
    >>> header_key("No. of ICPCs in 6 Months") == header_key("Number of the ICPCs in six months")
    True
    """
    return (_key(text), _key(re.sub(r"\([^()]*\)", " ", text)))


def _build_aliases() -> dict[str, dict[str, str]]:
    """Header key -> column per table; a key claimed by two columns is a bug here."""
    out: dict[str, dict[str, str]] = {}
    for number, name in LIST_TABLES.items():
        table = TABLES[name]
        keys: dict[str, str] = {}
        for col in table.column_names:
            spec = _LISTS[name].get(col) or _COMMON.get(col)
            if spec is None:
                raise KeyError(f"List {number}: no header aliases for {name}.{col}")
            for alias in spec.split("|"):
                for k in header_key(alias):
                    if keys.setdefault(k, col) != col:
                        raise ValueError(f"List {number}: {alias!r} matches two columns")
        out[name] = keys
    return out


def display_name(table: str, col: str) -> str:
    """The official Annex A header of a column, for messages."""
    return (_LISTS[table].get(col) or _COMMON[col]).split("|")[0]


ALIASES = _build_aliases()


class AnnexAReader:
    """Streams an Annex A workbook into the Annex A canonical tables."""

    format = "annex-a"

    def sniff(self, path: Path, head: bytes) -> bool:
        """A zip whose workbook has a "List N" sheet, or an xlsx named like an Annex A.

        The name rule lets a corrupt Annex A reach :meth:`read` and be refused
        with a clear reason instead of being skipped.
        """
        if path.name.startswith("~$"):  # Excel lock file
            return False
        named = bool(_NAMED_RE.search(path.name)) and path.suffix.lower() in _SUFFIXES
        if not head.startswith(b"PK\x03\x04"):
            return named
        try:
            with zipfile.ZipFile(path) as zf, zf.open("xl/workbook.xml") as fh:
                names = _SHEET_NAME_RE.findall(fh.read(1024**2))
        except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
            return named
        return named or any(_SHEET_RE.search(n.decode("utf-8", "replace")) for n in names)

    def read(self, path: Path, sink: Sink) -> FileInfo:
        check_zip(path)
        info = FileInfo(self.format)
        book = open_workbook(path)
        try:
            sheets = _list_sheets(path, book.titles, info)
            dates = [
                _read_list(path, book, title, number, TABLES[LIST_TABLES[number]], sink, info)
                for number, title in sorted(sheets.items())
            ]
        finally:
            book.close()
        known = [d for d in dates if d is not None]
        if known:
            d = max(known)
            info.return_year = d.year + (1 if (d.month, d.day) > (3, 31) else 0)
        return info


def check_zip(path: Path) -> None:
    """Refuse before inflating: not a zip, a zip bomb, macros, or XML with a DTD."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise FileRefused(path, f"cannot read file: {exc.strerror or exc}") from None
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            path,
            "a legacy .xls or password-protected workbook; save it as an unprotected .xlsx",
        )
    if not zipfile.is_zipfile(path):
        raise FileRefused(path, "not an Excel .xlsx workbook (not a zip file)")
    if path.suffix.lower() in (".xlsm", ".xltm"):
        raise FileRefused(path, "macro-enabled workbook (.xlsm) refused: save it as .xlsx")
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            _check_members(path, members)
            check_inflated_sizes(path, members)  # headers can lie: inflate to check
            for m in members:
                if m.filename.lower().endswith((".xml", ".rels", ".vml")):
                    with zf.open(m) as fh:
                        prolog = fh.read(PROLOG_BYTES).upper()
                    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                        raise FileRefused(
                            path, f"{m.filename} has a DOCTYPE/ENTITY declaration; refused"
                        )
    except FileRefused:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, RuntimeError, ValueError, EOFError) as exc:
        raise FileRefused(path, f"corrupt .xlsx zip ({brief(exc)})") from None


def _check_members(path: Path, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise FileRefused(path, f"zip has {len(members):,} parts; refused as a zip bomb")
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise FileRefused(path, "not an Excel .xlsx workbook (no xl/workbook.xml)")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise FileRefused(path, "macro-enabled workbook (VBA project) refused: save it as .xlsx")
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        raise FileRefused(
            path,
            f"unpacks to {total:,} bytes, over the {MAX_UNCOMPRESSED:,} limit; "
            "refused as a zip bomb",
        )
    for m in members:
        if m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise FileRefused(
                path,
                f"{m.filename} compresses {m.file_size // max(m.compress_size, 1):,}:1; "
                "refused as a zip bomb",
            )


def _list_sheets(path: Path, titles: list[str], info: FileInfo) -> dict[int, str]:
    """List number -> sheet title; two sheets claiming one list refuse the file."""
    out: dict[int, str] = {}
    for title in titles:
        m = _SHEET_RE.search(title)
        if not m:
            info.notes.append(f"sheet {title!r} ignored (not a 'List N' sheet)")
            continue
        number = int(m.group(1))
        if number not in LIST_TABLES:
            info.notes.append(f"sheet {title!r} ignored (Annex A has lists 1-11)")
        elif number in out:
            raise FileRefused(
                path, f"sheets {out[number]!r} and {title!r} both look like List {number}"
            )
        else:
            out[number] = title
    if not out:
        raise FileRefused(path, "no 'List 1'..'List 11' sheets: not an Annex A workbook")
    missing = sorted(set(LIST_TABLES) - set(out))
    if missing:
        info.notes.append("lists not in the workbook: " + ", ".join(map(str, missing)))
    return out


def _map_header(table: Table, row: Sequence[Any]) -> tuple[dict[int, str], list[str]]:
    """Column index -> canonical name (first match wins), and ignored headers."""
    aliases = ALIASES[table.name]
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    for i, cell in enumerate(row):
        if cell is None:
            continue
        # calamine gives every number as a float: a header 2024 is "2024", not "2024.0"
        text = _stage_number("text", cell) if isinstance(cell, float) else str(cell)
        if text.strip() == "":
            continue
        keys = header_key(text)
        name = next((aliases[k] for k in keys if k in aliases), None)
        if name is None or name in mapping.values():
            if not set(keys) & IGNORED:
                ignored.append(text.strip())
            continue
        mapping[i] = name
    return mapping, ignored


def _find_header(
    path: Path, rows: Iterator[Row], table: Table, label: str
) -> tuple[dict[int, str], list[str]] | None:
    """Consume rows up to the header (title rows above it are allowed); None if empty."""
    required = [c.name for c in table.columns if c.required]
    best: tuple[int, list[str]] = (-1, required)
    for line, row in rows:
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        found, ignored = _map_header(table, row)
        missing = [r for r in required if r not in found.values()]
        if not missing:
            return found, ignored
        if len(found) > best[0]:
            best = (len(found), missing)
        if line >= HEADER_SCAN_ROWS:
            break
    if best[0] < 0:
        return None
    raise FileRefused(path, f"{label}: no {display_name(table.name, best[1][0])!r} column")


def _read_list(
    path: Path, book: Workbook, title: str, number: int, table: Table, sink: Sink, info: FileInfo
) -> dt.date | None:
    """Stage one list; returns its latest contact/referral date (lists 1 and 3)."""
    label = f"List {number}"
    rows = book.rows(title, label)
    header = _find_header(path, rows, table, label)
    if header is None:
        info.notes.append(f"{label} ({title!r}): empty")
        return None
    mapping, ignored = header
    if ignored:
        info.notes.append(f"{label}: columns ignored: " + ", ".join(map(repr, ignored)))
    cols = [(i, name, table.col(name).kind) for i, name in mapping.items()]
    dated = [j for j, (_, name, _) in enumerate(cols) if name in ("contact_date", "referral_date")]
    stagers = [(i, _Stager(name, kind)) for i, name, kind in cols]
    buf: dict[str, list[str | None]] = {name: [] for _, name, _ in cols}
    columns = list(buf.values())  # in cols order; _flush empties them in place
    lines: list[int] = []
    count = 0
    today, latest = dt.date.today(), None
    for line, row in rows:
        width = len(row)
        values = [st(row[i]) if i < width else None for i, st in stagers]
        if values.count(None) == len(values):
            continue
        for column, v in zip(columns, values, strict=True):
            column.append(v)
        for j in dated:
            v = values[j]
            d = _as_date(v) if v is not None else None
            if d is not None and d <= today and (latest is None or d > latest):
                latest = d
        lines.append(line)
        count += 1
        if len(lines) >= BATCH_ROWS:
            _flush(sink, table.name, buf, lines)
    _flush(sink, table.name, buf, lines)
    info.notes.append(f"{label} ({title!r}) -> {table.name}: {count} rows")
    return latest


class _Stager:
    """:func:`stage` for one column, remembering each text or date it has staged:
    a list repeats its codes, teams and dates on many rows."""

    __slots__ = ("kind", "name", "seen")

    def __init__(self, name: str, kind: str) -> None:
        self.name, self.kind = name, kind
        #: keyed by the cell value itself: str, date and datetime never compare equal
        #: to each other (numbers are not kept: True == 1 == 1.0 would collide)
        self.seen: dict[object, str | None] = {}

    def __call__(self, value: Any) -> str | None:
        if value is None:
            return None
        cls = type(value)
        if cls is str or cls is dt.date or cls is dt.datetime:
            hit = self.seen.get(value, _MISSING)
            if hit is _MISSING:
                hit = self.seen[value] = _stage(self.name, self.kind, value)
            return cast("str | None", hit)
        return _stage(self.name, self.kind, value)


_MISSING = object()


def _flush(sink: Sink, table: str, buf: dict[str, list[str | None]], lines: list[int]) -> None:
    if not lines:
        return
    arrays = {name: pa.array(vals, pa.string()) for name, vals in buf.items()}
    arrays["source_line"] = pa.array(lines, pa.int64())
    sink.append(table, pa.table(arrays))
    for vals in buf.values():
        vals.clear()
    lines.clear()


def stage(table: Table, name: str, value: Any) -> str | None:
    """The staged text of one cell of column ``name`` (None = blank).

    >>> t = TABLES["contacts"]
    >>> stage(t, "contact_source", "q) 6: Police"), stage(t, "ethnicity", "a) WBRI")
    ('6: Police', 'WBRI')
    >>> stage(t, "contact_date", dt.datetime(2020, 9, 16)), stage(t, "contact_date", "=H2+5")
    ('2020-09-16', '=H2+5')
    """
    return _stage(name, table.col(name).kind, value)


def _stage(name: str, kind: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return _stage_text(name, kind, value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if kind == "date" or value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return _stage_number(kind, value)
    text = getattr(value, "text", None)  # ArrayFormula: its "=..." text
    if isinstance(text, str):
        return text
    if type(value).__name__ == "DataTableFormula":
        return "=TABLE()"
    return str(value)


def _stage_text(name: str, kind: str, value: str) -> str | None:
    if value.startswith("="):
        return value  # a formula (or formula-like text): never evaluated, staged as is
    text = value.replace("\xa0", " ").strip()
    if not text or text.lower() in _NA:
        return None
    if name not in _IDS:
        text = _PREFIX_RE.sub("", text, count=1) or text
    if kind == "bool":
        low = text.lower()
        return "true" if low in _TRUE else "false" if low in _FALSE else text
    if name == "ethnicity":
        m = _ETHNIC_RE.match(text)
        if m and m.group(1).upper() in ETHNICITY:
            return m.group(1).upper()
    if name == "sex":
        return _SEX.get(text.lower(), text)
    return text


def _stage_number(kind: str, value: float) -> str:
    if kind == "bool" and value in (0, 1):
        return "true" if value == 1 else "false"
    if kind == "date" and _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1] and value == int(value):
        return (_EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_date(text: str) -> dt.date | None:
    """A staged date (ISO as written by :func:`stage`, or dd/mm/yyyy), else None."""
    try:
        return (
            dt.date.fromisoformat(text)
            if len(text) == 10 and text[4] == "-"
            else (dt.datetime.strptime(text, "%d/%m/%Y").date())
        )
    except ValueError:
        return None


READER = AnnexAReader()
