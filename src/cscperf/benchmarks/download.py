"""``cscperf benchmarks download``: the latest published files, fetched over HTTP.

The one place cscperf touches the network, and only when a user runs the command.
Two sources, laid out as ``benchmarks import`` reads them:

- ``DEST/dfe-published/``: every data set of the DfE's children's social care
  publications (:data:`EES_PUBLICATIONS`) in the Explore Education Statistics
  public API, each as its CSV (``GET /v1/data-sets/{id}/csv``), found through
  ``GET /v1/publications`` and ``GET /v1/publications/{id}/data-sets``;
- ``DEST/lait/``: LAIT's ``bds_long`` Parquet, data dictionary, LA code list and
  statistical neighbour workbooks, from the LAIT app's published data folder.

Each file is fetched with a timeout, retried with exponential backoff on a 5xx
(or 429, too many requests), a connection error, a timeout or a truncated body (fewer bytes than
``Content-Length``), refused on any other HTTP error, checked for its format,
and written atomically (a temporary file in the same folder, renamed over the
old one), so a failed download never leaves a half file where an old good one
was. ``DEST/manifest.json`` records url, sha256, bytes and fetched_at per file.
A failure is one line (URL and status); the other files still download.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

EES_API = "https://api.education.gov.uk/statistics/v1"
#: EES publication slug -> what it holds (the CLA, CIN/CP and workforce statistics)
EES_PUBLICATIONS = {
    "children-looked-after-in-england-including-adoptions": "children looked after (CLA)",
    "characteristics-of-children-in-need": "children in need and child protection (CIN, CP)",
    "children-s-social-work-workforce": "children's social work workforce",
}
#: LAIT's published data folder (the LAIT app's repository, production data)
LAIT_BASE = (
    "https://raw.githubusercontent.com/dfe-analytical-services/"
    "local-authority-interactive-tool/main/01_data/02_prod/"
)
LAIT_FILES = (
    "bds_long_0.parquet",
    "lait_data_dictionary.csv",
    "la_code_list.xlsx",
    "sn_may_2025.xlsx",
    "sn_april_2021.xlsx",
)
MANIFEST = "manifest.json"
_T = TypeVar("_T")
PAGE_SIZE = 40
USER_AGENT = "cscperf benchmarks download"


class DownloadError(Exception):
    """One URL that could not be fetched: ``str()`` is the one line the user sees."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class _Retryable(DownloadError):
    """A failure worth trying again (5xx, connection, timeout, truncated body)."""


@dataclass(frozen=True)
class Fetched:
    """One file written: where from, where to, and what it was."""

    path: str  # relative to DEST, '/'-separated
    url: str
    sha256: str
    bytes: int
    fetched_at: str  # ISO 8601, UTC
    title: str = ""


@dataclass
class DownloadReport:
    files: list[Fetched] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    manifest: str = ""


@dataclass(frozen=True)
class Settings:
    timeout: float = 60.0
    retries: int = 3  # attempts after the first
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    sleep: Callable[[float], None] = time.sleep


def _status_line(r: httpx.Response) -> str:
    return f"HTTP {r.status_code} {r.reason_phrase}".rstrip()


def _attempts(url: str, s: Settings, once: Callable[[], _T]) -> _T:
    """``once()`` with retries on retryable failures; the last failure is raised."""
    for attempt in range(s.retries + 1):
        try:
            return once()
        except _Retryable as exc:
            if attempt == s.retries:
                tries = f" (after {s.retries + 1} attempts)" if s.retries else ""
                raise DownloadError(url, exc.reason + tries) from None
            s.sleep(s.backoff * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover


class _guard:
    """``with _guard(url, s):`` turns httpx errors into one-line download errors."""

    def __init__(self, url: str, s: Settings) -> None:
        self.url, self.s = url, s

    def __enter__(self) -> None:
        return None

    def __exit__(self, typ: Any, exc: Any, tb: Any) -> None:
        if exc is None or isinstance(exc, DownloadError):
            return
        if isinstance(exc, httpx.TimeoutException):
            raise _Retryable(self.url, f"timed out after {self.s.timeout:g} s") from None
        if isinstance(exc, (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError)):
            raise _Retryable(self.url, f"connection failed ({exc})") from None
        if isinstance(exc, httpx.HTTPError):
            raise DownloadError(self.url, f"request failed ({exc})") from None


def _check_status(url: str, r: httpx.Response) -> None:
    if r.status_code >= 500 or r.status_code == 429:  # 429: the API's rate limit
        raise _Retryable(url, _status_line(r))
    if r.status_code >= 400:
        raise DownloadError(url, _status_line(r))


def get_json(client: httpx.Client, url: str, s: Settings) -> Any:
    """A JSON document (an API listing), with the retries of any download."""

    def once() -> Any:
        with _guard(url, s):
            r = client.get(url)
            _check_status(url, r)
            try:
                return r.json()
            except ValueError:
                raise DownloadError(url, "the response is not JSON") from None

    return _attempts(url, s, once)


def _check_format(url: str, name: str, head: bytes, tail: bytes) -> None:
    """Refuse a body that is not what its name says (an HTML error page, an LFS pointer)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".parquet" and not (head[:4] == b"PAR1" and tail[-4:] == b"PAR1"):
        why = " (a Git LFS pointer?)" if head.startswith(b"version https://git-lfs") else ""
        raise DownloadError(url, f"not a Parquet file{why}")
    if suffix == ".xlsx" and head[:2] != b"PK":
        raise DownloadError(url, "not an .xlsx workbook")
    if suffix == ".csv":
        first = head.split(b"\n", 1)[0].lstrip(b"\xef\xbb\xbf").lower()
        if first.lstrip().startswith((b"<", b"{")):
            raise DownloadError(url, "not a CSV file (HTML or JSON came back)")


def fetch_file(
    client: httpx.Client, url: str, dest: Path, name: str | None, s: Settings
) -> tuple[Path, str, int]:
    """Download ``url`` into folder ``dest`` atomically: (path, sha256, bytes).

    ``name`` is the file name; None takes it from ``Content-Disposition``.
    """
    dest.mkdir(parents=True, exist_ok=True)

    def once() -> tuple[Path, str, int]:
        fd, tmp = tempfile.mkstemp(dir=dest, prefix=".download-", suffix=".part")
        try:
            with _guard(url, s), os.fdopen(fd, "wb") as out:
                with client.stream("GET", url, headers={"Accept-Encoding": "identity"}) as r:
                    _check_status(url, r)
                    target = name or _disposition_name(r) or ""
                    if not target:
                        raise DownloadError(url, "no file name (no Content-Disposition)")
                    digest, size = hashlib.sha256(), 0
                    head, tail = b"", b""
                    for chunk in r.iter_bytes():
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
                        if len(head) < 64:
                            head += chunk[: 64 - len(head)]
                        tail = (tail + chunk)[-4:]
                    expected = r.headers.get("Content-Length")
                    got = r.num_bytes_downloaded if r.headers.get("Content-Encoding") else size
                    if expected is not None and expected.isdigit() and int(expected) != got:
                        raise _Retryable(
                            url, f"truncated: {got} of {expected} bytes (Content-Length)"
                        )
                out.flush()
                os.fsync(out.fileno())
            _check_format(url, target, head, tail)
            path = dest / target
            os.replace(tmp, path)
            return path, digest.hexdigest(), size
        finally:
            with suppress(FileNotFoundError):
                os.unlink(tmp)

    return _attempts(url, s, once)


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str, suffix: str = "") -> str:
    """A file name from a title or header: letters, digits, ``._-`` only; no path."""
    stem = _SAFE.sub("_", Path(text.replace("\\", "/")).name).strip("._") or "download"
    return stem if not suffix or stem.lower().endswith(suffix) else stem + suffix


def _disposition_name(r: httpx.Response) -> str | None:
    cd = r.headers.get("Content-Disposition", "")
    m = re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", cd)
    return safe_name(m.group(1)) if m else None


def _pages(client: httpx.Client, url: str, s: Settings) -> Iterator[dict[str, Any]]:
    """Every result of a paged EES listing (``results`` + ``paging.totalPages``)."""
    page = 1
    while True:
        sep = "&" if "?" in url else "?"
        doc = get_json(client, f"{url}{sep}page={page}&pageSize={PAGE_SIZE}", s)
        if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
            raise DownloadError(url, "unexpected listing (no results)")
        yield from (r for r in doc["results"] if isinstance(r, dict))
        paging = doc.get("paging") or {}
        if page >= int(paging.get("totalPages") or 1):
            return
        page += 1


def ees_data_sets(
    client: httpx.Client, s: Settings, base: str = EES_API
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(csv url, file name, title) of each data set of :data:`EES_PUBLICATIONS`, and errors."""
    errors: list[str] = []
    out: list[tuple[str, str, str]] = []
    try:
        pubs = {p.get("slug"): p for p in _pages(client, f"{base}/publications", s)}
    except DownloadError as exc:
        return [], [str(exc)]
    for slug in EES_PUBLICATIONS:
        pub = pubs.get(slug)
        if pub is None or not pub.get("id"):
            errors.append(f"{base}/publications: no publication {slug!r} in the API")
            continue
        try:
            sets = list(_pages(client, f"{base}/publications/{pub['id']}/data-sets", s))
        except DownloadError as exc:
            errors.append(str(exc))
            continue
        for d in sets:
            if not d.get("id"):
                continue
            title = str(d.get("title") or d["id"])
            out.append((f"{base}/data-sets/{d['id']}/csv", safe_name(title, ".csv"), title))
    return out, errors


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def write_manifest(dest: Path, fetched: list[Fetched]) -> Path:
    """Merge ``fetched`` into ``DEST/manifest.json`` (by path), atomically."""
    path = dest / MANIFEST
    old: list[dict[str, Any]] = []
    if path.is_file():
        with suppress(ValueError, OSError):
            old = list(json.loads(path.read_text(encoding="utf-8")).get("files", []))
    by_path = {str(e.get("path")): e for e in old if isinstance(e, dict)}
    by_path.update({f.path: asdict(f) for f in fetched})
    text = json.dumps({"files": [by_path[k] for k in sorted(by_path)]}, indent=2)
    fd, tmp = tempfile.mkstemp(dir=dest, prefix=".manifest-", suffix=".part")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    os.replace(tmp, path)
    return path


def download(
    dest: str | Path = "reference",
    timeout: float = 60.0,
    retries: int = 3,
    client: httpx.Client | None = None,
    settings: Settings | None = None,
    progress: Callable[[Fetched], None] | None = None,
) -> DownloadReport:
    """Fetch the EES data sets and LAIT files into ``dest``; failures are reported, not raised."""
    s = settings or Settings(timeout=timeout, retries=retries)
    root = Path(dest)
    root.mkdir(parents=True, exist_ok=True)
    own = client is None
    c = client or httpx.Client(
        timeout=httpx.Timeout(s.timeout),
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
    )
    report = DownloadReport()
    try:
        jobs: list[tuple[str, str, str, str]] = []  # url, folder, name, title
        sets, errors = ees_data_sets(c, s)
        report.errors.extend(errors)
        seen: set[str] = set()
        for url, name, title in sets:
            while name.lower() in seen:  # two data sets with one title
                name = f"{Path(name).stem}_{len(seen)}.csv"
            seen.add(name.lower())
            jobs.append((url, "dfe-published", name, title))
        jobs += [(LAIT_BASE + f, "lait", f, f"LAIT {f}") for f in LAIT_FILES]
        for url, folder, name, title in jobs:
            try:
                path, sha, size = fetch_file(c, url, root / folder, name, s)
            except DownloadError as exc:
                report.errors.append(str(exc))
                continue
            got = Fetched(path.relative_to(root).as_posix(), url, sha, size, _now(), title)
            report.files.append(got)
            if progress:
                progress(got)
    finally:
        if own:
            c.close()
    if report.files:
        report.manifest = str(write_manifest(root, report.files))
    return report
