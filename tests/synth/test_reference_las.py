from __future__ import annotations

import pytest

from cscperf.reference.las import get_la, load_las


def test_every_current_english_la_is_listed_once() -> None:
    las = load_las()
    assert len(las) == 153  # LAs in the DfE 2025 statistical neighbour model
    assert len({la.dfe_code for la in las}) == 153
    assert all(la.ons_code[:3] in ("E06", "E08", "E09", "E10") for la in las)
    assert all(len(la.statistical_neighbours) == 10 for la in las)


def test_thurrock_by_dfe_and_ons_code() -> None:
    la = get_la("883")
    assert (la.name, la.ons_code, la.region) == ("Thurrock", "E06000034", "East of England")
    # DfE 2025 model: Thurrock's closest statistical neighbour is Swindon (866)
    assert la.statistical_neighbours[0] == "866"
    assert get_la("E06000034") == la
    assert "883" not in la.statistical_neighbours


def test_unknown_code() -> None:
    with pytest.raises(KeyError, match="999"):
        get_la("999")
