"""Each statistical neighbour's own published value for one KPI and year: what the
SN bar chart draws (the LA highlighted among its neighbours), read the same way
:mod:`cscperf.benchmarks.compare` reads the SN average so the two cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from cscperf.benchmarks.compare import _fetch, _pick, choose_model, neighbours, sn_models
from cscperf.kpis.catalogue import load_catalogue


@dataclass(frozen=True)
class NeighbourValue:
    """One LA's published value (None when suppressed); ``own`` marks the LA itself."""

    la_code: str
    name: str
    value: float | None
    own: bool


def neighbour_values(
    con: duckdb.DuckDBPyConnection, la_code: str, kpi_id: str, year: int
) -> list[NeighbourValue]:
    """The LA first, then its neighbours closest first (empty when not published)."""
    kpi = load_catalogue(strict=False).get(kpi_id)
    if kpi is None or not kpi.published:
        return []
    model = choose_model(sn_models(con), year)
    nbs = neighbours(con, la_code, model)
    fetched = _fetch(con, list(kpi.published), year)
    _, rows = _pick(kpi, la_code, fetched)
    las = {r.la: r for r in rows if r.level == "Local authority" and r.la}
    if la_code not in las:
        return []
    return [
        NeighbourValue(code, las[code].area or code, las[code].value, code == la_code)
        for code in [la_code, *nbs]
        if code in las
    ]
