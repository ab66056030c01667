"""Issue 10 §4: a zip bomb that lies about its size is refused while it inflates."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from cscperf.io.annex_a import check_zip
from cscperf.io.base import FileRefused
from tests.io.zipbomb import SHEET, lying_bomb

ROOT = Path(__file__).resolve().parents[2]


def test_lying_bomb_headers_really_lie(tmp_path: Path) -> None:
    bomb = lying_bomb(tmp_path / "annex_a.xlsx", inflated=64 * 1024**2)
    with zipfile.ZipFile(bomb) as zf:
        assert zf.getinfo(SHEET).file_size == 1000  # what the old checks trusted
    with pytest.raises(FileRefused, match="declares 1,000 bytes but inflates to more"):
        check_zip(bomb)


def test_lying_bomb_refused_under_256_mb(tmp_path: Path) -> None:
    """4 GB behind 1,000 declared bytes: the ingest is refused and the process's peak
    memory grows by well under 256 MB (the old checks let calamine inflate 2.1 GB)."""
    bomb = lying_bomb(tmp_path / "annex_a.xlsx")
    script = textwrap.dedent(f"""
        import json, resource
        from cscperf import api
        from cscperf.io import annex_a, xlsx_rows  # imported before the baseline
        import openpyxl, python_calamine
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            api.ingest([{str(bomb)!r}], "883", db={str(tmp_path / "s.duckdb")!r})
            error = None
        except Exception as exc:
            error = str(exc)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({{"error": error, "growth_mb": (peak - base) / 1024}}))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=600, check=True)  # fmt: skip
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["error"] == (
        f"{bomb}: {SHEET} declares 1,000 bytes but inflates to more; refused as a zip bomb"
    )
    assert got["growth_mb"] < 256, got


def test_honest_workbook_still_passes(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "List 1"
    for i in range(2000):
        ws.append([f"C{i}", "2024-01-01", "a" * 50])
    wb.save(tmp_path / "annex_a.xlsx")
    check_zip(tmp_path / "annex_a.xlsx")


def test_member_short_of_its_declared_size_is_corrupt(tmp_path: Path) -> None:
    """Declared 1,000 bytes more than the stream holds: refused before any reader runs."""
    import struct

    path = tmp_path / "annex_a.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr(SHEET, "<worksheet>" + "<row/>" * 100 + "</worksheet>")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(SHEET)
    true_size = info.file_size
    local = info.header_offset
    central = next(j for j in range(len(data) - 4) if data[j : j + 4] == b"PK\x01\x02"
                   and data[j + 46 : j + 46 + len(SHEET)] == SHEET.encode())  # fmt: skip
    struct.pack_into("<I", data, local + 22, true_size + 1000)
    struct.pack_into("<I", data, central + 24, true_size + 1000)
    path.write_bytes(bytes(data))
    with pytest.raises(FileRefused, match=rf"corrupt \.xlsx zip \({SHEET}: Bad CRC-32 or size\)"):
        check_zip(path)
