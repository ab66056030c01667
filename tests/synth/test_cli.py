from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cscperf.synth.cli import parse_years, synth


def test_years() -> None:
    assert parse_years("2018-2020,2025") == [2018, 2019, 2020, 2025]


def test_synth_command_writes_files_and_reports_speed(tmp_path: Path) -> None:
    r = CliRunner().invoke(
        synth,
        [
            "--la",
            "883",
            "--years",
            "2025",
            "--seed",
            "4",
            "--out",
            str(tmp_path),
            "--scale-factor",
            "0.03",
            "--no-annex-a",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "children/s" in r.output and "1 LA(s) x 1 year(s)" in r.output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["la_codes"] == ["883"] and manifest["seed"] == 4
    assert (tmp_path / "883" / "2025" / "cin_census.xml").exists()


def test_region_adds_the_statistical_neighbours(tmp_path: Path) -> None:
    from cscperf.synth.api import expand_las

    assert expand_las(["883"], region=True) == [
        "883",
        "866",
        "303",
        "311",
        "887",
        "940",
        "822",
        "941",
        "332",
        "925",
        "935",
    ]
    assert len(expand_las([], national=True)) == 153


def test_unknown_la_is_a_clean_error(tmp_path: Path) -> None:
    r = CliRunner().invoke(synth, ["--la", "999", "--years", "2025", "--out", str(tmp_path)])
    assert r.exit_code == 2
    assert "999" in r.output and "Traceback" not in r.output


def test_years_the_ingest_would_refuse_are_refused_up_front(tmp_path: Path) -> None:
    """README once suggested --years 2016-2025: the 2016 CIN census has no schema in cscperf."""
    r = CliRunner().invoke(synth, ["--years", "2016-2025", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert r.output.strip().splitlines() == [
        "cscperf: error: --years 2016: synth writes the SSDA903 and CIN census, which cscperf "
        "supports for return years 2017-2026 (the CIN census schemas on file)"
    ]
    assert not (tmp_path / "o").exists()
