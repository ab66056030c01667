"""The report's sections and the KPIs each reports (``sections.yml``), and the demand
indicators judged against an expected range rather than a target."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

PATH = Path(__file__).with_name("sections.yml")


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    kpis: tuple[str, ...]


@cache
def load_sections() -> tuple[Section, ...]:
    """Sections in committee order."""
    doc = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    return tuple(
        Section(str(s["id"]), str(s["heading"]), tuple(str(k) for k in s["kpis"]))
        for s in doc["sections"]
    )


@cache
def demand_ids() -> frozenset[str]:
    """KPIs shown against the range of the same period in earlier years."""
    doc = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    return frozenset(str(k) for k in doc.get("demand", []))
