"""``cscperf benchmarks download`` on recorded responses (httpx.MockTransport): never the network.

The responses are hand-made in the shapes the EES public API and LAIT's data
folder serve: paged JSON listings, a small EES CSV, a LAIT bds_long Parquet and
data dictionary, an SN workbook.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from cscperf.benchmarks import download as dl
from cscperf.benchmarks.download import DownloadError, Settings, download, fetch_file
from cscperf.benchmarks.importer import import_paths
from cscperf.cli import main
from cscperf.store.db import connect

API = dl.EES_API
EES_CSV = (
    "\ufefftime_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name,population_type,children_count,rate_per_10000\n"
    "2025,Reporting year,National,E92000001,England,,,,,,Children looked after,83630,67\n"
    "2025,Reporting year,Local authority,E92000001,England,E12000006,East of England,883,"
    "E06000034,Thurrock,Children looked after,276,60\n"
    "2025,Reporting year,Local authority,E92000001,England,E12000006,East of England,881,"
    'E10000012,"Essex, County",Children looked after,c,c\n'
).encode()


def parquet_bytes() -> bytes:
    cols = ["Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region"]
    rows = [
        ("LAC", None, "2025", "Thurrock", "60", 883.0, "East of England"),
        ("LAC", None, "2025", "England", "67", 970.0, "NA"),
    ]
    table = pa.table({c: pa.array([r[i] for r in rows]) for i, c in enumerate(cols)})
    table = table.set_column(5, "LA Number", pa.array([r[5] for r in rows], pa.float64()))
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


DICTIONARY = (
    b"Measure_code,Chart_title,Measure_short,Polarity,dps,Year_Type,No_Quartile\n"
    b'1,"Children looked after, rate",LAC,-,0,Annual,NA\n'
)


def sn_workbook() -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["LA num", "LA Name", "LA number", "GOInd", "GOReg", "SN1", "SNP", "SN2", "SNP"])
    ws.append([883, "Thurrock", 883, 6, "East", 881, "Close", 882, "Close"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


PUBS = [
    {"id": "p-cla", "slug": "children-looked-after-in-england-including-adoptions", "title": "CLA"},
    {"id": "p-other", "slug": "school-workforce-in-england", "title": "Schools"},
    {"id": "p-cin", "slug": "characteristics-of-children-in-need", "title": "CIN"},
    {"id": "p-csww", "slug": "children-s-social-work-workforce", "title": "Workforce"},
]


def listing(results: list[dict[str, object]], page: int, pages: int) -> httpx.Response:
    paging = {"page": page, "pageSize": dl.PAGE_SIZE, "totalResults": 9, "totalPages": pages}
    return httpx.Response(200, json={"paging": paging, "results": results})


def recorded(missing: tuple[str, ...] = ()) -> Callable[[httpx.Request], httpx.Response]:
    """The EES API and LAIT's folder as recorded; ``missing`` LAIT files answer 404."""
    files = {
        f"{API}/data-sets/ds-cla-rate/csv": EES_CSV,
        dl.LAIT_BASE + "bds_long_0.parquet": parquet_bytes(),
        dl.LAIT_BASE + "lait_data_dictionary.csv": DICTIONARY,
        dl.LAIT_BASE + "sn_may_2025.xlsx": sn_workbook(),
    }

    def handler(req: httpx.Request) -> httpx.Response:
        url = str(req.url)
        base = url.split("?")[0]
        page = int(req.url.params.get("page", "1"))
        if base == f"{API}/publications":  # two pages
            return listing(PUBS[:2] if page == 1 else PUBS[2:], page, 2)
        if base == f"{API}/publications/p-cla/data-sets":
            ds = {"id": "ds-cla-rate", "title": "CLA: number and rate per 10,000 children"}
            return listing([ds], 1, 1)
        if base.startswith(f"{API}/publications/") and base.endswith("/data-sets"):
            return listing([], 1, 1)
        if any(base.endswith(m) for m in missing):
            return httpx.Response(404)
        if base in files:
            return httpx.Response(200, content=files[base])
        return httpx.Response(404)

    return handler


def client(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


NO_WAIT = Settings(timeout=5, retries=2, backoff=1, sleep=lambda s: None)


def test_download_then_import(tmp_path: Path) -> None:
    dest = tmp_path / "reference"
    report = download(dest, client=client(recorded()), settings=NO_WAIT)
    # la_code_list.xlsx and sn_april_2021.xlsx are not in the recording: one line each
    assert report.errors == [
        f"{dl.LAIT_BASE}la_code_list.xlsx: HTTP 404 Not Found",
        f"{dl.LAIT_BASE}sn_april_2021.xlsx: HTTP 404 Not Found",
    ]
    paths = [f.path for f in report.files]
    assert paths == [
        "dfe-published/CLA_number_and_rate_per_10_000_children.csv",
        "lait/bds_long_0.parquet",
        "lait/lait_data_dictionary.csv",
        "lait/sn_may_2025.xlsx",
    ]
    manifest = json.loads((dest / "manifest.json").read_text())
    assert [e["path"] for e in manifest["files"]] == sorted(paths)
    for entry in manifest["files"]:
        body = (dest / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(body).hexdigest()
        assert entry["bytes"] == len(body)
        assert entry["url"].startswith(("https://", "http://"))
        assert entry["fetched_at"].endswith("+00:00")
    assert not list(dest.rglob(".download-*"))
    # and what was written imports
    con = connect(":memory:")
    got = import_paths(con, [dest])
    assert [(Path(f.path).name, f.kind) for f in got.files] == [
        ("CLA_number_and_rate_per_10_000_children.csv", "EES"),
        ("bds_long_0.parquet", "LAIT bds_long"),
        ("lait_data_dictionary.csv", "LAIT data dictionary"),
        ("sn_may_2025.xlsx", "SN model 2025"),
    ]
    assert got.skipped == [str(dest / "manifest.json")]
    rows = con.execute(
        "SELECT source, series, old_la_code, value, symbol FROM bench_values "
        "WHERE geographic_level = 'Local authority' ORDER BY 1, 2, 3"
    ).fetchall()
    assert rows == [
        ("EES", "children_count", "881", None, "c"),
        ("EES", "children_count", "883", 276.0, None),
        ("EES", "rate_per_10000", "881", None, "c"),
        ("EES", "rate_per_10000", "883", 60.0, None),
        ("LAIT", "LAC", "883", 60.0, None),
    ]


def test_a_second_run_merges_the_manifest(tmp_path: Path) -> None:
    download(tmp_path, client=client(recorded()), settings=NO_WAIT)
    report = download(
        tmp_path, client=client(recorded(missing=("bds_long_0.parquet",))), settings=NO_WAIT
    )
    assert f"{dl.LAIT_BASE}bds_long_0.parquet: HTTP 404 Not Found" in report.errors
    entries = json.loads((tmp_path / "manifest.json").read_text())["files"]
    # the earlier parquet is still there and still listed
    assert "lait/bds_long_0.parquet" in [e["path"] for e in entries]
    assert (tmp_path / "lait" / "bds_long_0.parquet").read_bytes() == parquet_bytes()


class Flaky:
    """Answers ``failures`` first (responses or exceptions), then 200 with ``body``."""

    def __init__(self, failures: list[object], body: bytes = b"a,b\n1,2\n") -> None:
        self.failures = list(failures)
        self.body = body
        self.calls = 0

    def __call__(self, req: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.failures:
            f = self.failures.pop(0)
            if isinstance(f, Exception):
                raise f
            assert isinstance(f, httpx.Response)
            return f
        return httpx.Response(200, content=self.body)


URL = "https://example.test/data.csv"


def test_5xx_and_connect_errors_are_retried_with_backoff(tmp_path: Path) -> None:
    waits: list[float] = []
    s = Settings(timeout=5, retries=3, backoff=0.5, sleep=waits.append)
    req = httpx.Request("GET", URL)
    h = Flaky(
        [httpx.Response(503), httpx.ConnectError("refused", request=req), httpx.Response(429)]
    )
    path, sha, size = fetch_file(client(h), URL, tmp_path, "data.csv", s)
    assert (h.calls, waits) == (4, [0.5, 1.0, 2.0])
    assert path.read_bytes() == b"a,b\n1,2\n" and size == 8
    assert sha == hashlib.sha256(b"a,b\n1,2\n").hexdigest()


def test_gives_up_after_the_retries_with_one_line(tmp_path: Path) -> None:
    h = Flaky([httpx.Response(500)] * 5)
    with pytest.raises(DownloadError) as err:
        fetch_file(client(h), URL, tmp_path, "data.csv", NO_WAIT)
    assert str(err.value) == f"{URL}: HTTP 500 Internal Server Error (after 3 attempts)"
    assert h.calls == 3
    assert list(tmp_path.iterdir()) == []  # no file, no temporary left behind


def test_timeout(tmp_path: Path) -> None:
    req = httpx.Request("GET", URL)
    h = Flaky([httpx.ReadTimeout("slow", request=req)] * 5)
    with pytest.raises(DownloadError) as err:
        fetch_file(client(h), URL, tmp_path, "data.csv", NO_WAIT)
    assert str(err.value) == f"{URL}: timed out after 5 s (after 3 attempts)"


def test_404_is_not_retried(tmp_path: Path) -> None:
    h = Flaky([httpx.Response(404)] * 5)
    with pytest.raises(DownloadError) as err:
        fetch_file(client(h), URL, tmp_path, "data.csv", NO_WAIT)
    assert (str(err.value), h.calls) == (f"{URL}: HTTP 404 Not Found", 1)


def test_truncated_body_keeps_the_old_file(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_bytes(b"old,good\n")
    short = httpx.Response(200, headers={"Content-Length": "10"}, content=b"a,b")
    h = Flaky([short] * 5)
    with pytest.raises(DownloadError) as err:
        fetch_file(client(h), URL, tmp_path, "data.csv", NO_WAIT)
    assert str(err.value) == (
        f"{URL}: truncated: 3 of 10 bytes (Content-Length) (after 3 attempts)"
    )
    # written atomically: the old file is intact and no partial file is left
    assert [p.name for p in tmp_path.iterdir()] == ["data.csv"]
    assert (tmp_path / "data.csv").read_bytes() == b"old,good\n"


def test_a_truncated_body_then_a_whole_one_replaces_the_file(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_bytes(b"old\n")
    short = httpx.Response(200, headers={"Content-Length": "10"}, content=b"a,b")
    h = Flaky([short])
    fetch_file(client(h), URL, tmp_path, "data.csv", NO_WAIT)
    assert (tmp_path / "data.csv").read_bytes() == b"a,b\n1,2\n"


def test_wrong_content_is_refused(tmp_path: Path) -> None:
    lfs = b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 12\n"
    with pytest.raises(DownloadError, match=r"not a Parquet file \(a Git LFS pointer\?\)"):
        fetch_file(client(Flaky([], lfs)), URL, tmp_path, "bds_long_0.parquet", NO_WAIT)
    with pytest.raises(DownloadError, match="not a CSV file"):
        fetch_file(client(Flaky([], b"<!DOCTYPE html>")), URL, tmp_path, "x.csv", NO_WAIT)
    assert list(tmp_path.iterdir()) == []


def test_file_names_never_leave_the_folder() -> None:
    assert dl.safe_name("../../etc/passwd") == "passwd"
    assert dl.safe_name("CIN: referrals, 2025", ".csv") == "CIN_referrals_2025.csv"


def test_cli_one_line_per_failure_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = httpx.Client

    def offline(**kwargs: object) -> httpx.Client:
        return real(transport=httpx.MockTransport(recorded()))

    monkeypatch.setattr(dl.httpx, "Client", offline)
    dest = tmp_path / "ref"
    args = ["benchmarks", "download", "--dest", str(dest), "--retries", "0"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    assert res.stderr.splitlines() == [
        f"download failed: {dl.LAIT_BASE}la_code_list.xlsx: HTTP 404 Not Found",
        f"download failed: {dl.LAIT_BASE}sn_april_2021.xlsx: HTTP 404 Not Found",
        f"4 files, manifest {dest / 'manifest.json'}",
        "cscperf: error: 2 downloads failed (see above)",
    ]
    assert res.stdout.splitlines()[0].startswith(
        "dfe-published/CLA_number_and_rate_per_10_000_children.csv: "
    )
