"""The English local authorities: DfE and ONS codes, region and statistical neighbours.

Built from the DfE LA code list and the 2025 statistical neighbour model by
``python -m cscperf.synth.build_params``; read here from the committed
``data/las.csv`` so that nothing at run time depends on ``../shared``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data" / "las.csv"


@dataclass(frozen=True)
class LA:
    """One LA; ``statistical_neighbours`` are DfE codes, closest first (2025 model)."""

    dfe_code: str
    ons_code: str
    name: str
    region: str
    statistical_neighbours: tuple[str, ...]


@lru_cache(maxsize=1)
def _load() -> tuple[LA, ...]:
    with _DATA.open(newline="", encoding="utf-8") as f:
        return tuple(
            LA(
                dfe_code=r["dfe_code"],
                ons_code=r["ons_code"],
                name=r["name"],
                region=r["region"],
                statistical_neighbours=tuple(r["statistical_neighbours"].split()),
            )
            for r in csv.DictReader(f)
        )


def load_las() -> list[LA]:
    """Every current English LA, ordered by DfE code."""
    return list(_load())


@lru_cache(maxsize=1)
def _index() -> dict[str, LA]:
    out: dict[str, LA] = {}
    for la in _load():
        out[la.dfe_code] = la
        out[la.ons_code] = la
    return out


def get_la(code: str) -> LA:
    """The LA with DfE code (``"883"``) or ONS code (``"E06000034"``); KeyError if unknown."""
    try:
        return _index()[str(code).strip()]
    except KeyError:
        raise KeyError(f"unknown LA code {code!r}") from None
