"""Same arguments, same bytes; one LA's data never depends on which others are generated."""

from __future__ import annotations

from pathlib import Path

from cscperf.synth.api import generate


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_identical_bytes_including_xlsx(tmp_path: Path) -> None:
    kw = {"seed": 11, "scale_factor": 0.04, "errors": 0.02}
    generate(["883"], [2024, 2025], out=tmp_path / "a", **kw)  # type: ignore[arg-type]
    generate(["883"], [2024, 2025], out=tmp_path / "b", **kw)  # type: ignore[arg-type]
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a.keys() == b.keys() and "883/2025/annex_a.xlsx" in a
    assert [k for k in a if a[k] != b[k]] == []


def test_other_seed_other_data(tmp_path: Path) -> None:
    generate(["883"], [2025], seed=1, out=tmp_path / "a", scale_factor=0.04, annex_a=False)
    generate(["883"], [2025], seed=2, out=tmp_path / "b", scale_factor=0.04, annex_a=False)
    assert (tmp_path / "a/883/2025/episodes.csv").read_bytes() != (
        tmp_path / "b/883/2025/episodes.csv"
    ).read_bytes()


def test_adding_an_la_leaves_the_others_unchanged(tmp_path: Path) -> None:
    generate(["883"], [2025], seed=3, out=tmp_path / "one", scale_factor=0.04, annex_a=False)
    generate(["882", "883"], [2025], seed=3, out=tmp_path / "two", scale_factor=0.04, annex_a=False)
    one, two = _files(tmp_path / "one" / "883"), _files(tmp_path / "two" / "883")
    assert one == two
    assert (tmp_path / "two" / "882" / "2025" / "episodes.csv").exists()


def test_parallel_workers_give_the_same_files(tmp_path: Path) -> None:
    kw = {"seed": 5, "scale_factor": 0.03, "annex_a": False}
    generate(["883", "882"], [2025], out=tmp_path / "serial", workers=1, **kw)  # type: ignore[arg-type]
    generate(["883", "882"], [2025], out=tmp_path / "parallel", workers=2, **kw)  # type: ignore[arg-type]
    assert _files(tmp_path / "serial") == _files(tmp_path / "parallel")


def test_one_la_years_written_in_parallel_identical_bytes(tmp_path: Path) -> None:
    kw = {"seed": 13, "scale_factor": 0.04, "errors": 0.02}
    one = generate(["883"], [2023, 2024, 2025], out=tmp_path / "a", **kw)  # type: ignore[arg-type]
    two = generate(["883"], [2023, 2024, 2025], out=tmp_path / "b", workers=2, **kw)  # type: ignore[arg-type]
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a.keys() == b.keys() and "883/2024/annex_a.xlsx" in a
    assert [k for k in a if a[k] != b[k]] == []
    assert (one.files, one.faults) == (two.files, two.faults) and one.faults
