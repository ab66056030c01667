"""Discovering and validating KPI definitions (``defs/<area>/<id>.{sql,yml}``).

Discovery is by folder so that adding a KPI touches no other file. Validation
is strict and worded for the analyst who wrote the YAML: every problem names
the file. YAML is read with YAML 1.2 booleans (only true/false), so 903 codes
such as ``NO`` or ``ON`` stay strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cscperf.benchmarks.mapping import PublishedSeries, parse_published
from cscperf.kpis.periods import PERIOD_TYPES
from cscperf.store.schema import TABLES

DEFS_DIR = Path(__file__).parent / "defs"
VIEWS_DIR = DEFS_DIR / "_views"

UNITS = ("count", "percent", "rate_per_10k", "days", "score", "ratio")
AGGREGATES = ("count", "percent", "ratio", "mean", "median", "rate_per_10k")
POLARITIES = ("high", "low", "context")
SOURCES = ("SSDA903", "CIN census", "Annex A", "local")
#: columns of the child_attributes view usable as breakdowns
BREAKDOWNS = (
    "sex",
    "age_band",
    "ethnicity",
    "uasc",
    "placement_type",
    "placement_location",
    "legal_status",
    "born_in_la",
    "team",
    "worker",
)
REQUIRED = ("id", "title", "area", "definition", "unit", "aggregate", "polarity", "source")
KNOWN_KEYS = {
    *REQUIRED,
    "requires",
    "period_types",
    "rate_window",
    "dfe_series",
    "dfe_difference",
    "decimals",
    "breakdowns",
    "tests",
    "notes",
    "also_reports",
    "coverage_flag",
    "breakdowns_at",
    "needs",
    "published",
}
#: when a member's breakdown attributes are taken: at the period end (stocks) or at the
#: member's event_date (flows, as the DfE tabulates them: age on starting care, ...)
BREAKDOWNS_AT = ("period_end", "event")


class KpiDefinitionError(ValueError):
    """A KPI file is malformed; the message names the file and the problem."""


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster


class _Yaml12Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """SafeLoader whose booleans are only true/false (YAML 1.2), not yes/no/on/off."""


_Yaml12Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Yaml12Loader)


@dataclass(frozen=True)
class Needs:
    """The span of data a value rests on (YAML ``needs:``), checked against what the
    loaded returns cover (see ``cscperf.kpis.coverage``).

    ``window``: ``period`` (the period as the KPI sees it: an R12 rate's 12 months),
    ``end`` (a stock: the period end only) or ``N months`` (the N months to the period
    end, e.g. a 3-year average); ``history_months``: that much more before the window
    (e.g. earlier referrals a re-referral looks back to); ``period_of_care``: each
    member's period of care (903 child ``subject_id``, ``event_date`` inside it) must
    start inside the data, else its start is unknown.
    """

    window: str = "period"
    history_months: int = 0
    period_of_care: bool = False

    @property
    def window_months(self) -> int | None:
        return int(self.window.split()[0]) if self.window.endswith("months") else None


_MONTHS_RE = re.compile(r"^([1-9][0-9]{0,2}) months?$")


def _needs(path: Path, value: Any) -> Needs:
    if value is None:
        return Needs()
    if not isinstance(value, dict) or set(value) - {"window", "history", "period_of_care"}:
        raise _fail(path, "needs: a mapping of window, history and period_of_care")
    window = str(value.get("window", "period")).strip()
    m = _MONTHS_RE.match(window)
    if window not in ("period", "end") and not m:
        raise _fail(path, f"needs.window {window!r}: use period, end or 'N months'")
    history = str(value.get("history", "0 months")).strip()
    h = _MONTHS_RE.match(history)
    if history not in ("0 months", "0") and not h:
        raise _fail(path, f"needs.history {history!r}: use 'N months'")
    poc = value.get("period_of_care", False)
    if not isinstance(poc, bool):
        raise _fail(path, "needs.period_of_care must be true or false")
    return Needs(f"{m.group(1)} months" if m else window, int(h.group(1)) if h else 0, poc)


@dataclass(frozen=True)
class Kpi:
    """One KPI: its metadata, its member SQL and its hand-worked tests."""

    id: str
    title: str
    area: str
    definition: str
    unit: str
    aggregate: str
    polarity: str
    source: str
    sql: str
    path: Path
    requires: tuple[str, ...] = ()
    period_types: tuple[str, ...] = PERIOD_TYPES
    rate_window: str | None = None
    dfe_series: str = ""
    dfe_difference: str = ""
    decimals: int = 1
    breakdowns: tuple[str, ...] = ()
    #: when set, the SQL returns a ``covered`` column too; an LA x period (or
    #: breakdown value) whose members all have covered = 0 gets value NULL and this flag
    coverage_flag: str = ""
    #: ``event``: breakdown attributes at each member's event_date (NULL: period end)
    breakdowns_at: str = "period_end"
    #: the span of data a value needs (YAML ``needs:``); default: the period
    needs: Needs = field(default_factory=Needs)
    #: the DfE's published series for this KPI, preferred first (``published:`` block)
    published: tuple[PublishedSeries, ...] = ()
    tests: tuple[dict[str, Any], ...] = field(default=(), compare=False)


def _fail(path: Path, msg: str) -> KpiDefinitionError:
    return KpiDefinitionError(f"{path}: {msg}")


def _as_tuple(path: Path, key: str, value: Any, allowed: tuple[str, ...] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, f"{key} must be a list of names")
    if allowed is not None:
        bad = [v for v in value if v not in allowed]
        if bad:
            raise _fail(path, f"{key}: unknown {', '.join(bad)} (allowed: {', '.join(allowed)})")
    return tuple(value)


def load_kpi(yml_path: Path) -> Kpi:
    """Read and validate one KPI from its YAML file and sibling SQL file."""
    try:
        meta = load_yaml(yml_path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _fail(yml_path, f"invalid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise _fail(yml_path, "must be a mapping")
    missing = [k for k in REQUIRED if not meta.get(k)]
    if missing:
        raise _fail(yml_path, f"missing {', '.join(missing)}")
    unknown = sorted(set(meta) - KNOWN_KEYS)
    if unknown:
        raise _fail(yml_path, f"unknown keys {', '.join(unknown)}")
    if meta["id"] != yml_path.stem:
        raise _fail(yml_path, f"id {meta['id']!r} differs from the file name")
    for key, allowed in (
        ("unit", UNITS),
        ("aggregate", AGGREGATES),
        ("polarity", POLARITIES),
        ("source", SOURCES),
    ):
        if meta[key] not in allowed:
            raise _fail(yml_path, f"{key} {meta[key]!r} not one of {', '.join(allowed)}")
    rate_window = meta.get("rate_window")
    if rate_window not in (None, "r12", "stock"):
        raise _fail(yml_path, "rate_window must be r12 or stock (or absent)")
    if rate_window == "stock":
        rate_window = None  # a stock at the period end: the SQL uses period_end only
    breakdowns_at = meta.get("breakdowns_at", "period_end")
    if breakdowns_at not in BREAKDOWNS_AT:
        raise _fail(yml_path, f"breakdowns_at must be one of {', '.join(BREAKDOWNS_AT)}")
    tests = meta.get("tests")
    if not isinstance(tests, list) or not tests:
        raise _fail(yml_path, "needs at least one test (tests:)")
    for i, t in enumerate(tests):
        if not isinstance(t, dict) or not t.get("name") or "expect" not in t:
            raise _fail(yml_path, f"test {i + 1} needs name and expect")
    sql_path = yml_path.with_suffix(".sql")
    if not sql_path.exists():
        raise _fail(yml_path, f"no SQL file {sql_path.name}")
    period_types = _as_tuple(yml_path, "period_types", meta.get("period_types"), PERIOD_TYPES)
    try:
        published = parse_published(meta.get("published"))
    except ValueError as exc:
        raise _fail(yml_path, str(exc)) from None
    return Kpi(
        id=meta["id"],
        title=str(meta["title"]).strip(),
        area=str(meta["area"]),
        definition=" ".join(str(meta["definition"]).split()),
        unit=meta["unit"],
        aggregate=meta["aggregate"],
        polarity=meta["polarity"],
        source=meta["source"],
        sql=sql_path.read_text(encoding="utf-8"),
        path=yml_path,
        requires=_as_tuple(yml_path, "requires", meta.get("requires"), tuple(TABLES)),
        period_types=period_types or PERIOD_TYPES,
        rate_window=rate_window,
        dfe_series=str(meta.get("dfe_series") or ""),
        dfe_difference=str(meta.get("dfe_difference") or ""),
        decimals=int(meta.get("decimals", 1)),
        breakdowns=_as_tuple(yml_path, "breakdowns", meta.get("breakdowns"), BREAKDOWNS),
        coverage_flag=str(meta.get("coverage_flag") or ""),
        breakdowns_at=breakdowns_at,
        needs=_needs(yml_path, meta.get("needs")),
        published=published,
        tests=tuple(tests),
    )


def kpi_files(defs_dir: Path = DEFS_DIR) -> list[Path]:
    """Every KPI YAML under ``defs_dir`` (folders starting ``_`` hold helpers)."""
    return sorted(p for p in defs_dir.glob("*/*.yml") if not p.parent.name.startswith(("_", ".")))


@cache
def _load_all(
    defs_dir: Path, stamp: tuple[tuple[str, float], ...]
) -> tuple[dict[str, Kpi], tuple[str, ...]]:
    out: dict[str, Kpi] = {}
    errors: list[str] = []
    for path in kpi_files(defs_dir):
        try:
            kpi = load_kpi(path)
        except KpiDefinitionError as exc:
            errors.append(str(exc))
            continue
        if kpi.id in out:
            errors.append(f"{path}: duplicate KPI id {kpi.id} (also {out[kpi.id].path})")
            continue
        out[kpi.id] = kpi
    return out, tuple(errors)


def _stamp(defs_dir: Path) -> tuple[tuple[str, float], ...]:
    return tuple(
        (str(p), p.stat().st_mtime)
        for p in sorted(defs_dir.glob("*/*"))
        if p.suffix in (".yml", ".sql")
    )


def load_catalogue(defs_dir: Path = DEFS_DIR, strict: bool = True) -> dict[str, Kpi]:
    """All KPIs by id (cached until a file under ``defs_dir`` changes).

    ``strict`` raises on the first malformed file; otherwise malformed files are
    left out (see :func:`catalogue_errors`), so one bad file cannot hide the rest.
    """
    kpis, errors = _load_all(defs_dir, _stamp(defs_dir))
    if strict and errors:
        raise KpiDefinitionError("\n".join(errors))
    return dict(kpis)


def catalogue_errors(defs_dir: Path = DEFS_DIR) -> list[str]:
    """Why each malformed KPI file was left out of a non-strict catalogue."""
    return list(_load_all(defs_dir, _stamp(defs_dir))[1])


def get_kpi(kpi_id: str, defs_dir: Path = DEFS_DIR) -> Kpi:
    cat = load_catalogue(defs_dir, strict=False)
    if kpi_id not in cat:
        raise KeyError(f"unknown KPI {kpi_id!r}")
    return cat[kpi_id]


def view_files(views_dir: Path = VIEWS_DIR) -> list[Path]:
    """Helper views, created in file-name order (a view may use earlier ones)."""
    return sorted(views_dir.glob("*.sql"))
