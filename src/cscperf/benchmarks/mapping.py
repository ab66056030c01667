"""A KPI's published series: the ``published:`` block of its YAML, read and checked.

Each entry names one published series the KPI corresponds to, most preferred
first::

    published:
      - {lait: LAC, decimals: 0}
      - {ees: cla_number_and_rate_per_10k_children, indicator: rate_per_10000,
         filters: {population_type: Children looked after on 31 March each year}, decimals: 0}

``lait`` is a LAIT short code; ``ees`` an EES file name without ``.csv``, with the
indicator column and every filter column's value. ``decimals`` is the DfE's
published rounding. ``sn_stat`` (mean or median) overrides the default SN
average (LAIT's choice: the mean).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

SN_STATS = ("mean", "median")
_KEYS = {"lait", "ees", "indicator", "filters", "decimals", "sn_stat", "note"}


@dataclass(frozen=True)
class PublishedSeries:
    """One published series: where it is in the store and how the DfE rounds it."""

    source: str  # 'LAIT' | 'EES'
    dataset: str  # EES file stem, or 'bds_long' for LAIT
    series: str  # LAIT short code, or EES indicator column
    filters: str  # canonical JSON of the EES filter values ('{}' for LAIT)
    decimals: int
    sn_stat: str = "mean"
    note: str = ""

    @property
    def label(self) -> str:
        if self.source == "LAIT":
            return f"LAIT {self.series}"
        flt = json.loads(self.filters)
        where = "; ".join(f"{v}" for v in flt.values())
        return f"EES {self.dataset} {self.series}" + (f" [{where}]" if where else "")


#: the year range the DfE appends to a release file's name, which moves every year
RELEASE_YEARS = r"_[0-9]{4}_to_[0-9]{4}$"


def dataset_key(stem: str) -> str:
    """An EES file stem without its release year range, so next year's file
    (``b1_children_in_need_2013_to_2026``) serves the same mapping as this year's.

    >>> dataset_key("b1_children_in_need_2013_to_2025")
    'b1_children_in_need'
    >>> dataset_key("cla_number_and_rate_per_10k_children")
    'cla_number_and_rate_per_10k_children'
    """
    return re.sub(RELEASE_YEARS, "", stem)


def filters_json(filters: dict[str, Any]) -> str:
    """The filters as the importer stores them: keys sorted, compact JSON, UTF-8 kept."""
    clean = {str(k): (None if v is None else str(v)) for k, v in filters.items()}
    return json.dumps(
        dict(sorted(clean.items(), key=lambda kv: kv[0].lower())),
        separators=(",", ":"),
        ensure_ascii=False,
    )


def parse_published(value: Any) -> tuple[PublishedSeries, ...]:
    """The ``published:`` block as series; ValueError says what is wrong (caller adds the file)."""
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        raise ValueError("published must be a list of series")
    out = []
    for i, entry in enumerate(value, start=1):
        where = f"published entry {i}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where} must be a mapping")
        unknown = sorted(set(entry) - _KEYS)
        if unknown:
            raise ValueError(f"{where}: unknown keys {', '.join(unknown)}")
        if ("lait" in entry) == ("ees" in entry):
            raise ValueError(f"{where} needs exactly one of lait: or ees:")
        decimals = entry.get("decimals")
        if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 4:
            raise ValueError(f"{where} needs decimals: the published rounding (0-4)")
        sn_stat = entry.get("sn_stat", "mean")
        if sn_stat not in SN_STATS:
            raise ValueError(f"{where}: sn_stat must be mean or median")
        note = str(entry.get("note") or "")
        if "lait" in entry:
            if "indicator" in entry or "filters" in entry:
                raise ValueError(f"{where}: a LAIT series has no indicator or filters")
            out.append(
                PublishedSeries(
                    "LAIT", "bds_long", str(entry["lait"]), "{}", decimals, sn_stat, note
                )
            )
            continue
        indicator = entry.get("indicator")
        filters = entry.get("filters", {})
        if not isinstance(indicator, str) or not indicator:
            raise ValueError(f"{where}: an EES series needs indicator: (the value column)")
        if not isinstance(filters, dict):
            raise ValueError(f"{where}: filters must map each filter column to its value")
        out.append(
            PublishedSeries(
                "EES",
                dataset_key(str(entry["ees"])),
                indicator,
                filters_json(filters),
                decimals,
                sn_stat,
                note,
            )
        )
    return tuple(out)
