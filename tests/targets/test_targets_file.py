"""Targets files: defaults, YAML and CSV overrides, and one clear error per problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cscperf.cli import main
from cscperf.targets import TargetError, default_targets, load_targets
from cscperf.targets.template import TEMPLATE, render_template


def test_defaults_come_from_the_seeds() -> None:
    d = default_targets()
    eet = d["care_leavers_eet_19_21"]
    assert (eet.target, eet.direction, eet.tolerance) == (70.0, "high", 5.0)
    assert "seed 003" in eet.source
    assert d["cla_placed_in_la"].target == 50.0
    assert d["rereferrals_12m"].direction == "low"  # from the KPI's polarity


def test_yaml_overrides_defaults(tmp_path: Path) -> None:
    f = tmp_path / "t.yml"
    f.write_text(
        'la_code: "883"\n'
        "targets:\n"
        "  cla_placed_in_la:\n"
        "    target: 55%\n"
        "    owner: Head of Placements\n"
        "  care_leavers_eet_19_21:\n"
        "    target: null\n"
        "  cla_3plus_placements:\n"
        "    target: 9\n"
        "    floor: 11\n"
    )
    t = load_targets(f, la_code="883")
    placed = t["cla_placed_in_la"]
    assert (placed.target, placed.tolerance, placed.owner) == (55.0, 5.0, "Head of Placements")
    assert placed.source == "t.yml:3"
    assert t["care_leavers_eet_19_21"].target is None  # default removed
    stab = t["cla_3plus_placements"]
    assert (stab.target, stab.floor, stab.direction) == (9.0, 11.0, "low")


def test_csv_is_accepted(tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    f.write_text(
        "\ufeffkpi_id,target,tolerance_pct,direction,owner\n"
        "adoptions,11,10,,AD Adoption\n\n"
        "contacts,600,,low,\n"
    )
    t = load_targets(f)
    assert (t["adoptions"].target, t["adoptions"].tolerance_pct) == (11.0, 10.0)
    assert t["adoptions"].owner == "AD Adoption"
    assert t["contacts"].direction == "low"  # a context KPI the LA chooses to rate
    assert t["contacts"].source == "t.csv:4"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("t.yml", "targets:\n  cla_placed_in_la:\n    target: fifty\n",
         "t.yml:3: target: 'fifty' is not a number"),
        ("t.yml", "targets:\n  cla_placed_in_lа:\n    target: 50\n",
         "t.yml:2: kpi_id: unknown KPI id 'cla_placed_in_lа' (did you mean 'cla_placed_in_la'?)"),
        ("t.yml", "targets:\n  adoptions:\n    target: 5\n    tolerence: 1\n",
         "t.yml:4: tolerence: unknown field"),
        ("t.yml", "targets:\n  adoptions:\n    target: 5\n    tolerance: 1\n    floor: 3\n",
         "t.yml:5: floor: give only one of"),
        ("t.yml", "targets:\n  adoptions:\n    target: 5\n    floor: 7\n",
         "t.yml:4: floor: floor 7 is above the target 5"),
        ("t.yml", "targets:\n  adoptions:\n    direction: up\n",
         "t.yml:3: direction: 'up' is not one of high, low, context"),
        ("t.yml", "targets:\n  adoptions:\n    target: [1, 2]\n",
         "t.yml:3: target: must be a single value"),
        ("t.yml", "targets:\n  adoptions: {target: 1\n", "t.yml:3: yaml: not valid YAML"),
        ("t.yml", 'la_code: "882"\ntargets:\n', "t.yml:1: la_code: file is for LA 882, not 883"),
        ("t.csv", "kpi_id,target\nadoptions,11\nreferrals,1O0\n",
         "t.csv:3: target: '1O0' is not a number"),
        ("t.csv", "kpi_id,goal\n", "t.csv:1: goal: unknown column"),
        ("t.csv", "kpi_id,target\nadoptions,1\nadoptions,2\n",
         "t.csv:3: kpi_id: adoptions is given twice"),
        ("t.csv", "kpi_id,target\nnope,1\n", "t.csv:2: kpi_id: unknown KPI id 'nope'"),
        ("t.csv", "kpi_id,target\nadoptions,nan\n", "t.csv:2: target: 'nan' is not a finite"),
    ],
)  # fmt: skip
def test_bad_files_give_one_line_naming_file_line_field(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    with pytest.raises(TargetError) as err:
        load_targets(f, la_code="883")
    assert str(err.value).startswith(f"{f.parent}/{message}"), str(err.value)
    assert "\n" not in str(err.value)


def test_shipped_template_is_current_and_loads() -> None:
    assert TEMPLATE.read_text(encoding="utf-8") == render_template(), (
        "regenerate: python -c 'from cscperf.targets.template import *; "
        "TEMPLATE.write_text(render_template())'"
    )
    loaded = load_targets(TEMPLATE, la_code="883")  # la_code left blank: any LA
    for kpi_id, t in default_targets().items():
        assert (loaded[kpi_id].target, loaded[kpi_id].tolerance) == (t.target, t.tolerance)


def test_templates_command_copies_the_targets_template(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["templates", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    copied = tmp_path / "targets.yml"
    assert copied.read_text(encoding="utf-8") == TEMPLATE.read_text(encoding="utf-8")
    assert "targets" in CliRunner().invoke(main, ["templates"]).output
