"""SSDA903 XML (``EXPSSDA903``, per the DfE ssda903-CLA.xsd) from a year's 903 rows.

The XML nests everything under each child's HEADER, so the rows produced for
the CSV files are grouped by child and written one CHILD element at a time.
Social worker episodes have no place in this schema and are not written.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from lxml import etree

from cscperf.synth.dates import uk
from cscperf.synth.model import World
from cscperf.synth.writers_903 import COLUMNS

_AD1 = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")
_OC3 = ("IN_TOUCH", "ACTIV", "ACCOM")
_EPISODE = (
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PL",
    "PL_POST",
    "HOME_POST",
    "URN",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
)


def _by_child(
    rows: list[tuple[str, ...]], cols: tuple[str, ...]
) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        out[r[0]].append(dict(zip(cols, r, strict=True)))
    return out


def _sub(parent: etree._Element, tag: str, text: str, always: bool = False) -> None:
    if text or always:
        etree.SubElement(parent, tag).text = text or None


def write_903_xml(world: World, rows: dict[str, list[tuple[str, ...]]], path: Path) -> int:
    g = {name: _by_child(rows[name], cols) for name, cols in COLUMNS.items()}
    ids = sorted(set(g["header"]) | set(g["oc3"]))
    with etree.xmlfile(str(path), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("EXPSSDA903"):
            for cid in ids:
                xf.write(_child(world, cid, g))
    return len(ids)


def _child(world: World, cid: str, g: dict[str, dict[str, list[dict[str, str]]]]) -> etree._Element:
    c = world.children[cid]
    head = g["header"].get(cid, [{}])[0]
    child = etree.Element("CHILD")
    h = etree.SubElement(child, "HEADER")
    _sub(h, "CHILDID", cid)
    _sub(h, "UPN", c.upn)
    _sub(h, "SEX", str(c.sex))
    _sub(h, "DOB", uk(c.dob))
    _sub(h, "ETHNIC", c.ethnicity)
    uasc = g["uasc"].get(cid)
    _sub(h, "UASC", "1" if uasc else "", always=True)
    if uasc:
        _sub(h, "DUC", uasc[0]["DUC"])
    for row in g["ad1"].get(cid, [])[:1]:
        for k in _AD1:
            _sub(h, k, row[k])
    for row in g["oc3"].get(cid, [])[:1]:
        for k in _OC3:
            _sub(h, k, row[k])
    for row in g["missing"].get(cid, []):
        m = etree.SubElement(h, "AMISSING")
        _sub(m, "MISSING", row["MISSING"])
        _sub(m, "MIS_START", row["MIS_START"])
        _sub(m, "MIS_END", row["MIS_END"])
    for row in g["reviews"].get(cid, [])[:52]:
        r = etree.SubElement(h, "AREVIEW")
        _sub(r, "REVIEW", row["REVIEW"])
        _sub(r, "REVIEW_CODE", row["REVIEW_CODE"])
    if head:
        _sub(h, "MOTHER", head.get("MOTHER", ""))
        _sub(h, "MC_DOB", head.get("MC_DOB", ""))
    for row in g["previous_permanence"].get(cid, [])[:1]:
        p = etree.SubElement(h, "PERMANENCE")
        for k in ("PREV_PERM", "LA_PERM", "DATE_PERM"):
            _sub(p, k, row[k])
    for row in g["oc2"].get(cid, [])[:1]:
        o = etree.SubElement(h, "OC2")
        for k in COLUMNS["oc2"][2:]:
            _sub(o, k, row[k])
    for row in g["placed_for_adoption"].get(cid, []):
        a = etree.SubElement(h, "AD_PLACED")
        for k in ("DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"):
            _sub(a, k, row[k])
    for row in g["episodes"].get(cid, []):
        e = etree.SubElement(child, "EPISODE")
        for k in _EPISODE:
            v = row["PLACE"] if k == "PL" else row[k]
            _sub(e, k, v, always=k in ("DEC", "REC"))
    return child
