"""The ``published:`` block: parsing, validation in the catalogue, and every mapping found."""

from __future__ import annotations

from pathlib import Path

import pytest

from cscperf.benchmarks.importer import import_paths
from cscperf.benchmarks.mapping import RELEASE_YEARS, filters_json, parse_published
from cscperf.kpis.catalogue import KpiDefinitionError, load_catalogue, load_kpi
from cscperf.store.db import connect


def test_parse_lait_and_ees_entries():
    lait, ees = parse_published(
        [
            {"lait": "LAC", "decimals": 0},
            {
                "ees": "cla_rates",
                "indicator": "rate_per_10000",
                "filters": {"population_type": "Looked after", "Age": "All"},
                "decimals": 1,
                "sn_stat": "median",
            },
        ]
    )
    assert (lait.source, lait.series, lait.filters, lait.decimals, lait.sn_stat) == (
        "LAIT",
        "LAC",
        "{}",
        0,
        "mean",
    )
    assert ees.filters == '{"Age":"All","population_type":"Looked after"}'
    assert (ees.dataset, ees.series, ees.sn_stat) == ("cla_rates", "rate_per_10000", "median")


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ([{"lait": "LAC"}], "published entry 1 needs decimals"),
        ([{"lait": "LAC", "ees": "x", "decimals": 0}], "exactly one of lait: or ees:"),
        ([{"ees": "x", "decimals": 0}], "an EES series needs indicator"),
        ([{"lait": "LAC", "decimals": 0, "sn_stat": "mode"}], "sn_stat must be mean or median"),
        ([{"lait": "LAC", "decimals": 0, "filter": {}}], "unknown keys filter"),
        ({"lait": "LAC"}, "published must be a list"),
    ],
)
def test_bad_blocks(block, message):
    with pytest.raises(ValueError, match=message):
        parse_published(block)


def test_catalogue_names_the_file(tmp_path: Path):
    src = Path(load_catalogue()["cla_rate"].path)
    yml = tmp_path / "looked_after" / "cla_rate.yml"
    yml.parent.mkdir()
    yml.write_text(src.read_text().replace('{lait: "LAC", decimals: 0}', '{lait: "LAC"}'))
    yml.with_suffix(".sql").write_text(src.with_suffix(".sql").read_text())
    with pytest.raises(
        KpiDefinitionError, match=r"cla_rate\.yml: published entry 1 needs decimals"
    ):
        load_kpi(yml)


def test_filters_json_matches_the_importer(tmp_path: Path):
    f = tmp_path / "x.csv"
    f.write_text(
        'time_period,geographic_level,b_filter,A_filter,v\n2025,National,"x, y",Child\'s é,1\n'
    )
    con = connect(":memory:")
    import_paths(con, [f])
    stored = con.execute("SELECT filters FROM bench_values").fetchone()
    assert stored == (filters_json({"b_filter": "x, y", "A_filter": "Child's é"}),)


def test_every_mapped_series_is_in_the_published_files(shared: Path, tmp_path: Path):
    con = connect(tmp_path / "s.duckdb")
    ref = shared / "reference"
    import_paths(con, [ref / "dfe-published", ref / "lait"])
    missing = []
    for kpi in load_catalogue().values():
        for p in kpi.published:
            row = con.execute(
                "SELECT count(*) FROM bench_values WHERE source = ? AND series = ? "
                "AND filters = ? AND (source = 'LAIT' OR regexp_replace(dataset, ?, '') = ?) "
                "AND geographic_level = 'Local authority' AND year = 2025",
                [p.source, p.series, p.filters, RELEASE_YEARS, p.dataset],
            ).fetchone()
            if not row or row[0] < 140:
                missing.append(f"{kpi.id}: {p.label} ({row[0] if row else 0} LAs in 2025)")
    assert missing == []


def test_published_rounding_agrees_with_lait_dictionary(shared: Path, tmp_path: Path):
    con = connect(tmp_path / "d.duckdb")
    import_paths(con, [shared / "reference" / "lait" / "lait_data_dictionary.csv"])
    dps = dict(
        con.execute(
            "SELECT series, decimals FROM bench_series WHERE decimals IS NOT NULL"
        ).fetchall()
    )
    disagree = [
        (kpi.id, p.series, p.decimals, dps[p.series])
        for kpi in load_catalogue().values()
        for p in kpi.published
        if p.source == "LAIT" and p.series in dps and dps[p.series] != p.decimals
    ]
    assert disagree == []
    known = {p.series for k in load_catalogue().values() for p in k.published if p.source == "LAIT"}
    # every LAIT code we map is a measure the dictionary knows
    listed = {r[0] for r in con.execute("SELECT series FROM bench_series").fetchall()}
    assert known - listed == set()
