"""Reader for the SSDA903 XML return (root ``EXPSSDA903``, one ``CHILD`` each).

One XML child carries what the CSV extract spreads over eleven files, so each
``CHILD`` is fanned out into the same canonical tables the CSV reader fills:
HEADER -> children (+ uasc when the UASC flag is 1, ad1, oc3 from their
HEADER fields), AREVIEW -> cla_reviews, AMISSING -> missing, PERMANENCE ->
previous_permanence, OC2 -> oc2, AD_PLACED -> placed_for_adoption and
EPISODE -> cla_episodes (PL -> place). A row's ``source_line`` is the line of
the element it came from (HEADER for children/ad1/oc3, UASC for uasc).
libxml2 stores element lines in 16 bits: past line 65,535 it reports the line
of the element's first text instead, which for a pretty-printed file can be a
line or two later.

Parsing goes through :func:`cscperf.io.safe_xml.safe_iterparse` (no DTDs,
entities or network), one ``CHILD`` at a time, clearing each as it is done so
memory stays flat; rows are handed over in Arrow batches.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa

from cscperf.io.base import FileInfo, FileRefused, Sink
from cscperf.io.safe_xml import safe_iterparse, sniff_root

FORMAT = "ssda903-xml"
ROOT = "EXPSSDA903"
BATCH_ROWS = 50_000

CHILD_FIELDS = {
    "CHILDID": "child_id",
    "SEX": "sex",
    "DOB": "dob",
    "ETHNIC": "ethnic",
    "UPN": "upn",
    "MOTHER": "mother",
    "MC_DOB": "mc_dob",
}
AD1_FIELDS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")
OC3_FIELDS = ("IN_TOUCH", "ACTIV", "ACCOM")
#: HEADER leaves that belong to no row of their own
HEADER_LEAVES = {*CHILD_FIELDS, "UASC", "DUC", *AD1_FIELDS, *OC3_FIELDS}
#: repeating or optional groups: element -> (table, element fields, with dob?)
GROUPS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "AREVIEW": ("cla_reviews", ("REVIEW", "REVIEW_CODE"), True),
    "AMISSING": ("missing", ("MISSING", "MIS_START", "MIS_END"), True),
    "PERMANENCE": ("previous_permanence", ("PREV_PERM", "LA_PERM", "DATE_PERM"), True),
    "OC2": (
        "oc2",
        (
            "SDQ_SCORE",
            "SDQ_REASON",
            "CONVICTED",
            "HEALTH_CHECK",
            "IMMUNISATIONS",
            "TEETH_CHECK",
            "HEALTH_ASSESSMENT",
            "SUBSTANCE_MISUSE",
            "INTERVENTION_RECEIVED",
            "INTERVENTION_OFFERED",
        ),
        True,
    ),
    "AD_PLACED": (
        "placed_for_adoption",
        ("DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
        True,
    ),
}
EPISODE_FIELDS = (
    "DECOM", "RNE", "LS", "CIN", "PL", "PL_POST", "HOME_POST", "URN",
    "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
)  # fmt: skip
RENAME = {"PL": "place"}


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""  # comment or processing instruction
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag


def _leaves(el: Any) -> dict[str, str | None]:
    """Leaf texts of ``el``'s children, stripped, blank -> None; the first wins."""
    out: dict[str, str | None] = {}
    for c in el:
        name = _local(c.tag)
        if name and name not in out:
            t = c.text
            out[name] = (t.strip() or None) if t is not None else None
    return out


class _Batcher:
    """Column lists per table, flushed to the sink as Arrow tables."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.cols: dict[str, dict[str, list[Any]]] = {}
        self.rows: Counter[str] = Counter()

    def add(self, table: str, row: dict[str, str | None], line: int) -> None:
        cols = self.cols.get(table)
        if cols is None:
            cols = self.cols[table] = {k: [] for k in row} | {"source_line": []}
        for k, v in row.items():
            cols[k].append(v)
        cols["source_line"].append(line)
        self.rows[table] += 1
        if len(cols["source_line"]) >= BATCH_ROWS:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.cols):
            cols = self.cols.pop(name, None)
            if not cols or not cols["source_line"]:
                continue
            arrays = {
                k: pa.array(v, pa.int64() if k == "source_line" else pa.string())
                for k, v in cols.items()
            }
            self.sink.append(name, pa.table(arrays))


class Ssda903XmlReader:
    """Stages an EXPSSDA903 XML file into the 903 canonical tables."""

    format = FORMAT

    def sniff(self, path: Path, head: bytes) -> bool:
        return sniff_root(head) == ROOT

    def read(self, path: Path, sink: Sink) -> FileInfo:
        info = FileInfo(FORMAT)
        out = _Batcher(sink)
        unknown: Counter[str] = Counter()
        odd_uasc: Counter[str] = Counter()
        checked_root = False
        for child in safe_iterparse(path, "CHILD"):
            if not checked_root:
                parent = child.getparent()
                root = _local(parent.tag) if parent is not None else ""
                if root != ROOT:
                    raise FileRefused(path, f"root element is {root or 'missing'}, not {ROOT}")
                checked_root = True
            _fan_out(child, out, unknown, odd_uasc)
            child.clear(keep_tail=True)
            parent = child.getparent()
            if parent is not None:
                while child.getprevious() is not None:
                    del parent[0]
        out.flush()
        if unknown:
            shown = ", ".join(f"{k} ({n})" for k, n in sorted(unknown.items()))
            info.notes.append(f"elements not staged (not in the 903 schema): {shown}")
        for flag, n in sorted(odd_uasc.items()):
            info.notes.append(
                f"{n} child(ren) with UASC flag {flag!r} (not 0/1) not staged as UASC"
            )
        if not out.rows:
            info.notes.append("no CHILD elements: no rows")
        return info


def _fan_out(child: Any, out: _Batcher, unknown: Counter[str], odd_uasc: Counter[str]) -> None:
    header = None
    episodes = []
    for part in child:
        name = _local(part.tag)
        if name == "HEADER" and header is None:
            header = part
        elif name == "EPISODE":
            episodes.append(part)
        elif name:
            unknown[f"CHILD/{name}"] += 1
    leaves = _leaves(header) if header is not None else {}
    get = leaves.get
    child_id = get("CHILDID")
    dob = get("DOB")
    head_line = (header.sourceline if header is not None else child.sourceline) or 0

    out.add("children", {col: get(f) for f, col in CHILD_FIELDS.items()}, head_line)

    flag = get("UASC")
    if flag == "1":
        flag_el = header.find("UASC") if header is not None else None
        flag_line = (flag_el.sourceline if flag_el is not None else None) or head_line
        out.add(
            "uasc",
            {"child_id": child_id, "sex": get("SEX"), "dob": dob, "duc": get("DUC")},
            flag_line,
        )
    elif flag not in (None, "0"):
        odd_uasc[flag] += 1

    for table, fields in (("ad1", AD1_FIELDS), ("oc3", OC3_FIELDS)):
        values = {f.lower(): get(f) for f in fields}
        if any(v is not None for v in values.values()):
            out.add(table, {"child_id": child_id, "dob": dob, **values}, head_line)

    if header is not None:
        for part in header:
            name = _local(part.tag)
            group = GROUPS.get(name)
            if group is None:
                if name and name not in HEADER_LEAVES:
                    unknown[f"HEADER/{name}"] += 1
                continue
            group_table, group_fields, _ = group
            sub = _leaves(part)
            values = {f.lower(): sub.get(f) for f in group_fields}
            if any(v is not None for v in values.values()):
                grouped = {"child_id": child_id, "dob": dob, **values}
                out.add(group_table, grouped, part.sourceline or 0)

    for ep in episodes:
        sub = _leaves(ep)
        row: dict[str, str | None] = {"child_id": child_id}
        for f in EPISODE_FIELDS:
            row[RENAME.get(f, f.lower())] = sub.get(f)
        out.add("cla_episodes", row, ep.sourceline or 0)


READER = Ssda903XmlReader()
