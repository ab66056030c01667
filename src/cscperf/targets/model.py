"""Targets per KPI: the LA's file (YAML or CSV) laid over the shipped defaults.

An LA keeps one small file of targets (target, tolerance or floor, direction,
owner) that it edits itself, so every problem is reported as one line naming the
file, the line and the field; nothing is half-loaded. Defaults come from the
council papers in ``../shared/seeds`` (``defaults.yml`` cites each one).
"""

from __future__ import annotations

import csv
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from cscperf.kpis.catalogue import Kpi, load_catalogue

DEFAULTS = Path(__file__).parent / "defaults.yml"
DIRECTIONS = ("high", "low", "context")
NUMBER_FIELDS = ("target", "tolerance", "tolerance_pct", "floor")
TEXT_FIELDS = ("direction", "owner", "source")
FIELDS = ("kpi_id", *NUMBER_FIELDS, *TEXT_FIELDS)


#: one file entry: (line, kpi_id, {field: (line, text)})
_Entry = tuple[int, str, dict[str, tuple[int, str]]]


class TargetError(ValueError):
    """A targets file is wrong; the message names the file, line and field."""


@dataclass(frozen=True)
class Target:
    """One KPI's target and the band around it that is still amber.

    ``tolerance`` is in the KPI's own units (percentage points for a
    percentage), ``tolerance_pct`` is relative (% of the target, Havering style),
    ``floor`` is the worst value still amber (KCC style): at most one is set.
    ``direction`` is ``high``/``low`` (which way is better) or ``context`` (not
    rated); it defaults to the KPI's polarity.
    """

    kpi_id: str
    target: float | None
    direction: str
    tolerance: float | None = None
    tolerance_pct: float | None = None
    floor: float | None = None
    owner: str = ""
    source: str = ""


class _Fail:
    """Builds the one-line errors of one file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, line: int, field: str, message: str) -> TargetError:
        return TargetError(f"{self.path}:{line}: {field}: {message}")


def _number(fail: _Fail, line: int, field: str, text: str) -> float | None:
    raw = text.strip()
    if raw.lower() in ("", "~", "null", "none"):
        return None
    try:
        value = float(raw.removesuffix("%").replace(",", ""))
    except ValueError:
        raise fail(line, field, f"{raw!r} is not a number") from None
    if not math.isfinite(value):
        raise fail(line, field, f"{raw!r} is not a finite number")
    return value


def _kpi(fail: _Fail, line: int, kpi_id: str, catalogue: Mapping[str, Kpi]) -> Kpi:
    if kpi_id in catalogue:
        return catalogue[kpi_id]
    near = difflib.get_close_matches(kpi_id, list(catalogue), n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else " (see docs/kpis.md for the ids)"
    raise fail(line, "kpi_id", f"unknown KPI id {kpi_id!r}{hint}")


def _entry(
    fail: _Fail,
    kpi: Kpi,
    values: Mapping[str, tuple[int, str]],
    base: Target | None,
    where: str,
) -> Target:
    """One entry from ``{field: (line, text)}``, validated; fields it omits keep
    the default's values (an entry that names any of tolerance, tolerance_pct or
    floor replaces the default's band)."""
    nums: dict[str, float | None] = {}
    for f in NUMBER_FIELDS:
        if f in values:
            nums[f] = _number(fail, values[f][0], f, values[f][1])
    given_band = [f for f in ("tolerance", "tolerance_pct", "floor") if nums.get(f) is not None]
    if len(given_band) > 1:
        line = values[given_band[1]][0]
        raise fail(
            line,
            given_band[1],
            f"give only one of tolerance, tolerance_pct, floor (also {given_band[0]})",
        )
    for f in ("tolerance", "tolerance_pct"):
        v = nums.get(f)
        if v is not None and v < 0:
            raise fail(values[f][0], f, f"{v:g} is negative")
    direction = kpi.polarity
    if "direction" in values:
        line, text = values["direction"]
        direction = text.strip().lower() or kpi.polarity
        if direction not in DIRECTIONS:
            raise fail(line, "direction", f"{text!r} is not one of {', '.join(DIRECTIONS)}")
    elif base is not None:
        direction = base.direction
    start = base or Target(kpi.id, None, direction)
    band_given = any(f in values for f in ("tolerance", "tolerance_pct", "floor"))
    out = replace(
        start,
        target=nums.get("target", start.target),
        direction=direction,
        tolerance=nums.get("tolerance") if band_given else start.tolerance,
        tolerance_pct=nums.get("tolerance_pct") if band_given else start.tolerance_pct,
        floor=nums.get("floor") if band_given else start.floor,
        owner=values["owner"][1].strip() if "owner" in values else start.owner,
        source=values["source"][1].strip() if "source" in values else where,
    )
    if out.floor is not None and out.target is not None and direction in ("high", "low"):
        worse = out.floor > out.target if direction == "high" else out.floor < out.target
        if worse:
            line = values["floor"][0] if "floor" in values else values["target"][0]
            side = "above" if direction == "high" else "below"
            raise fail(
                line,
                "floor",
                f"floor {out.floor:g} is {side} the target {out.target:g} (direction {direction})",
            )
    return out


# --- YAML ------------------------------------------------------------------------


def _scalar_text(fail: _Fail, node: yaml.Node, field: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise fail(node.start_mark.line + 1, field, "must be a single value")
    return str(node.value)


def _read_yaml(path: Path, text: str) -> tuple[str | None, list[_Entry]]:
    """(la_code, [(line, kpi_id, {field: (line, text)})]) from a targets YAML."""
    fail = _Fail(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise fail(line, "yaml", f"not valid YAML: {problem}") from None
    if root is None:
        return None, []
    if not isinstance(root, yaml.MappingNode):
        raise fail(root.start_mark.line + 1, "file", "must be a mapping with a 'targets:' key")
    la_code: str | None = None
    entries: list[_Entry] = []
    for key, value in root.value:
        name = _scalar_text(fail, key, "key")
        line = key.start_mark.line + 1
        if name == "la_code":
            la_code = _scalar_text(fail, value, "la_code").strip() or None
        elif name == "targets":
            if isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null"):
                continue
            if not isinstance(value, yaml.MappingNode):
                raise fail(line, "targets", "must map each KPI id to its fields")
            for k_node, f_node in value.value:
                kpi_id = _scalar_text(fail, k_node, "kpi_id").strip()
                k_line = k_node.start_mark.line + 1
                if not isinstance(f_node, yaml.MappingNode):
                    raise fail(k_line, kpi_id, "must map fields (target, tolerance, ...) to values")
                fields: dict[str, tuple[int, str]] = {}
                for fk, fv in f_node.value:
                    fname = _scalar_text(fail, fk, "field").strip()
                    f_line = fk.start_mark.line + 1
                    if fname not in FIELDS or fname == "kpi_id":
                        allowed = ", ".join(f for f in FIELDS if f != "kpi_id")
                        raise fail(f_line, fname, f"unknown field (allowed: {allowed})")
                    if fname in fields:
                        raise fail(f_line, fname, "given twice")
                    fields[fname] = (fv.start_mark.line + 1, _scalar_text(fail, fv, fname))
                entries.append((k_line, kpi_id, fields))
        else:
            raise fail(line, name, "unknown key (allowed: la_code, targets)")
    return la_code, entries


# --- CSV -------------------------------------------------------------------------


def _read_csv(path: Path, text: str) -> list[_Entry]:
    fail = _Fail(path)
    rows = csv.reader(text.splitlines())
    try:
        header = [h.strip().lower() for h in next(rows)]
    except StopIteration:
        return []
    for h in header:
        if h not in FIELDS:
            raise fail(1, h or "(blank)", f"unknown column (allowed: {', '.join(FIELDS)})")
    if "kpi_id" not in header:
        raise fail(1, "kpi_id", "missing column")
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise fail(1, dup, "column given twice")
    entries = []
    for line, row in enumerate(rows, start=2):
        if not any(v.strip() for v in row):
            continue
        if len(row) > len(header):
            raise fail(line, "row", f"{len(row)} values for {len(header)} columns")
        rec = dict(zip(header, row, strict=False))
        fields = {h: (line, v) for h, v in rec.items() if h != "kpi_id" and v.strip()}
        entries.append((line, rec.get("kpi_id", "").strip(), fields))
    return entries


# --- loading ---------------------------------------------------------------------


def _build(
    path: Path,
    entries: list[_Entry],
    base: Mapping[str, Target],
    catalogue: Mapping[str, Kpi],
    label: str,
) -> dict[str, Target]:
    fail = _Fail(path)
    out = dict(base)
    seen: set[str] = set()
    for line, kpi_id, fields in entries:
        if not kpi_id:
            raise fail(line, "kpi_id", "blank")
        kpi = _kpi(fail, line, kpi_id, catalogue)
        if kpi_id in seen:
            raise fail(line, "kpi_id", f"{kpi_id} is given twice")
        seen.add(kpi_id)
        out[kpi_id] = _entry(fail, kpi, fields, base.get(kpi_id), f"{label}:{line}")
    return out


def read_targets_file(
    path: str | Path,
    base: Mapping[str, Target] | None = None,
    la_code: str | None = None,
    catalogue: Mapping[str, Kpi] | None = None,
) -> dict[str, Target]:
    """The targets in ``path`` (``.csv``, else YAML) laid over ``base``.

    Raises :class:`TargetError` (file:line: field: reason) on the first problem.
    """
    p = Path(path)
    cat = catalogue if catalogue is not None else load_catalogue()
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise TargetError(f"{p}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise TargetError(f"{p}: not UTF-8 text (save it as UTF-8)") from None
    if p.suffix.lower() == ".csv":
        entries = _read_csv(p, text)
    else:
        file_la, entries = _read_yaml(p, text)
        if la_code is not None and file_la is not None and file_la != la_code:
            line = next(i for i, t in enumerate(text.splitlines(), 1) if "la_code" in t)
            raise _Fail(p)(line, "la_code", f"file is for LA {file_la}, not {la_code}")
    return _build(p, entries, base or {}, cat, p.name)


def default_targets(catalogue: Mapping[str, Kpi] | None = None) -> dict[str, Target]:
    """The shipped defaults (``defaults.yml``), each citing its seed."""
    return read_targets_file(DEFAULTS, catalogue=catalogue)


def load_targets(
    path: str | Path | None = None,
    la_code: str | None = None,
    catalogue: Mapping[str, Kpi] | None = None,
) -> dict[str, Target]:
    """Targets by KPI id: the defaults, overridden by the LA's file when given.

    A file entry with ``target:`` blank/null removes a default target.
    """
    cat = catalogue if catalogue is not None else load_catalogue()
    base = default_targets(cat)
    if path is None:
        return base
    return read_targets_file(path, base, la_code, cat)
