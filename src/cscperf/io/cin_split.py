"""Read one big CIN census XML file on two cores.

lxml parses on one core, and extracting the fields costs more than parsing, so
a single process cannot get near bare-lxml speed. A CIN census file is a flat
run of ``<Child>`` elements, so it can be cut in two at a ``<Child>`` start tag:

* the main process parses part 0 — the file up to the cut, closed with
  ``</Children></Message>`` — with the serial code, straight into the real sink;
* a worker process (a fresh interpreter: the parent may hold DuckDB threads,
  so no fork without exec) parses part 1 — the file's own root and
  ``<Children>`` start tags, then the file from the cut on — and writes its
  Arrow batches to files in a private temp dir, which the main process appends
  in order once part 0 is done (while the worker goes on), deleting each one.
  Neither process holds more than a batch, so memory stays flat; the files
  (about a quarter of part 1's XML size) wait on disk, in ``TMPDIR``.

Why the result is the serial one: part 0 only parses if, at the cut, the open
elements are exactly the root ``<Message>`` and a ``<Children>`` and no
comment, CDATA section or processing instruction is open (the added end tags
would be inside it). The worker checks that the ``<Children`` start tag the
plan found is the only one before the cut, so part 1 is parsed inside verbatim
copies of the very start tags that enclose it (same namespaces, same checks).
So no scan of the whole file for ``<!``/``<?`` is needed (it would cost the
main process 0.1 s per 100 MB); the plan reads only the head and a few KB at
the cut. Only UTF-8 files are cut: part 1 has no declaration of its own.

Part 1 gets as many newlines as the file has before the cut, so libxml2
numbers its lines as the serial parse does — including its approximation past
line 65,535 (an element there gets the line of its first text), which an
offset added afterwards would not reproduce. That approximation looks at
neighbouring elements only for an element without child elements, so the cut
is taken between two ``<Child>`` elements that both have child elements, and
parts are fed to lxml in the serial parse's 32 KB blocks.

Any failure — a parse error or refusal in either part, the worker dying, a
full disk — falls back to the serial reader on the whole file, so errors and
their messages are exactly the serial ones. Rows already given to the sink
are always the first rows the serial read yields, so the fallback skips them
rather than staging them twice.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import numpy as np
import pyarrow as pa

from cscperf.io.base import FileInfo, Sink
from cscperf.io.cin_xml import PartFacts, _Run
from cscperf.io.safe_xml import PROLOG_LIMIT

log = logging.getLogger(__name__)

#: share of a big file the main process parses: a little under half, as it also
#: appends every row to the sink (None: :func:`main_share`; tests set a number)
MAIN_SHARE: float | None = None
#: the worker's start-up (a fresh interpreter importing lxml and pyarrow) costs about
#: as much as parsing this many bytes, so the main process takes more of small files
WORKER_START_BYTES = 10 * 1024 * 1024

_TAIL = b"</Children></Message>"
_BOM = b"\xef\xbb\xbf"
_DECL = re.compile(rb"<\?xml\s[^<>?]*\?>")
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]*)["']""")
_UTF8 = re.compile(rb"utf-?8", re.IGNORECASE)
_VERSION_1_0 = re.compile(rb"""version\s*=\s*["']1\.0["']""")
_ATTRS = rb"""(?:\s+[A-Za-z_:][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*>"""
_ROOT = re.compile(rb"\s*(<Message" + _ATTRS + rb")")
_CHILDREN = re.compile(rb"<Children" + _ATTRS)
_CHUNK = 4 * 1024 * 1024  # bytes per read when scanning or counting
_WINDOW = 64 * 1024  # bytes per read when looking for the cut
_MAX_CANDIDATES = 64  # <Child> tags tried as the cut
_BLOCK = 32 * 1024  # lxml's iterparse reads files in blocks of this size
_WS = b" \t\r\n"
#: blank lines per run in part 1's padding: libxml2 refuses longer whitespace runs
#: (10M) without huge_tree, so runs are separated by an empty <_/> the reader ignores
_PAD_RUN = 4_000_000


class Bytes(Protocol):
    """Random access to a file's bytes. Files are read with ``pread``, not mapped:
    pages of a mapping count in the process's RSS, which must not grow with the file."""

    size: int

    def at(self, pos: int, n: int) -> bytes: ...


class FileBytes:
    def __init__(self, fd: int) -> None:
        self.fd, self.size = fd, os.fstat(fd).st_size

    def at(self, pos: int, n: int) -> bytes:
        return os.pread(self.fd, max(0, n), max(0, pos))


class MemBytes:
    def __init__(self, data: bytes) -> None:
        self.data, self.size = data, len(data)

    def at(self, pos: int, n: int) -> bytes:
        return self.data[max(0, pos) : max(0, pos) + max(0, n)]


@dataclass(frozen=True)
class Plan:
    """Where to cut a file and how part 1 opens."""

    split: int  # offset of the <Child> start tag that begins part 1
    prefix: bytes  # the file's root and <Children> start tags, verbatim
    children_at: int  # offset of that <Children> tag: the worker checks it is the only one


def plan_split(src: Bytes, share: float) -> Plan | None:
    """A cut near ``share`` of the file, or None when it must be read serially."""
    start = len(_BOM) if src.at(0, 3) == _BOM else 0
    head = src.at(start, PROLOG_LIMIT)
    decl = _DECL.match(head)
    if decl:  # part 1 has none: it is read as UTF-8, XML 1.0
        enc = _ENCODING.search(decl.group())
        if (enc and not _UTF8.fullmatch(enc.group(1))) or not _VERSION_1_0.search(decl.group()):
            return None
    root = _ROOT.match(head, decl.end() if decl else 0)
    if root is None:
        return None  # comment/PI before the root, a prefixed or unexpected root, not UTF-8
    kids = _find(src, b"<Children", start + root.end())
    tag = _CHILDREN.match(src.at(kids, PROLOG_LIMIT)) if kids >= 0 else None
    if tag is None:
        return None
    split = max(kids + tag.end(), int(src.size * share))
    for _ in range(_MAX_CANDIDATES):
        split = _find(src, b"<Child>", split + 1)
        if split < 0:
            return None
        if _between_full_children(src, split):
            return Plan(split, root.group(1) + tag.group(), kids)
    return None


def _find(src: Bytes, needle: bytes, pos: int) -> int:
    """The first ``needle`` at or after ``pos`` (-1 if none)."""
    while pos < src.size:
        chunk = src.at(pos, _WINDOW + len(needle))
        i = chunk.find(needle)
        if i >= 0:
            return pos + i
        pos += _WINDOW
    return -1


def _between_full_children(src: Bytes, split: int) -> bool:
    """``</Child>``, then the ``<Child>`` at ``split``, each Child with a child element."""
    before = src.at(split - 512, min(512, split)).rstrip(_WS)
    if not before.endswith(b"</Child>"):
        return False
    before = before[: -len(b"</Child>")].rstrip(_WS)
    last = before[before.rfind(b"<") :]
    after = src.at(split + len(b"<Child>"), 512).lstrip(_WS)
    return (
        last.endswith(b">")
        and (last.startswith(b"</") or last.endswith(b"/>"))
        and after.startswith(b"<")
        and not after.startswith(b"</")
    )


class PartSource:
    """A file-like ``read(n)`` for lxml over ``head``, ``newlines`` blank lines,
    ``src[start:end]`` (in blocks ending where the serial parse's blocks end), ``tail``."""

    def __init__(
        self, src: Bytes, start: int, end: int, head: bytes, tail: bytes, newlines: int = 0
    ) -> None:
        self.blocks = self._blocks(src, start, end, head, tail, newlines)
        self.rest = b""

    @staticmethod
    def _blocks(
        src: Bytes, start: int, end: int, head: bytes, tail: bytes, newlines: int
    ) -> Iterator[bytes]:
        yield head
        run = 0
        while newlines:
            if run == _PAD_RUN:
                yield b"<_/>"
                run = 0
            k = min(newlines, _BLOCK, _PAD_RUN - run)
            yield b"\n" * k
            newlines, run = newlines - k, run + k
        pos = start
        while pos < end:
            stop = min(end, (pos // _BLOCK + 1) * _BLOCK)
            yield src.at(pos, stop - pos)
            pos = stop
        yield tail

    def read(self, n: int, /) -> bytes:
        while not self.rest:
            block = next(self.blocks, None)
            if block is None:
                return b""
            self.rest = block
        out, self.rest = self.rest[:n], self.rest[n:]
        return out


# -- the main process -------------------------------------------------------------
def main_share(size: int) -> float:
    """The share of a ``size``-byte file the main process parses, so both finish together."""
    return min(0.85, 0.46 + WORKER_START_BYTES / (2 * size))


def read_split(path: Path, sink: Sink, batch_rows: int, min_bytes: int) -> FileInfo | None:
    """Read ``path`` in two processes; None when it should be read serially instead."""
    if not hasattr(os, "pread") or _cores() < 2:
        return None  # no second core to use (or no pread: not POSIX)
    try:
        with open(path, "rb") as f:
            stat = os.fstat(f.fileno())
            if stat.st_size < max(min_bytes, 1):
                return None
            src = FileBytes(f.fileno())
            share = main_share(stat.st_size) if MAIN_SHARE is None else MAIN_SHARE
            plan = plan_split(src, share)
            if plan is None:
                return None
            return _Split(path, sink, batch_rows, src, plan, stat).run()
    except OSError:
        return None  # the serial read reports it


def _cores() -> int:
    """Cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class _CountingSink:
    """Passes batches on and counts rows per table, so a fallback can skip them."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.delivered: dict[str, int] = {}
        self.failed = False  # the real sink raised: its error is the caller's, no fallback

    def append(self, table: str, batch: pa.Table) -> None:
        try:
            self.sink.append(table, batch)
        except BaseException:
            self.failed = True
            raise
        self.delivered[table] = self.delivered.get(table, 0) + batch.num_rows

    def append_sql(self, table: str, select_sql: str, first_line: int) -> None:
        raise NotImplementedError


class _SkipSink:
    """Drops each table's first rows (already delivered), passes the rest on."""

    def __init__(self, sink: Sink, skip: dict[str, int]) -> None:
        self.sink = sink
        self.skip = dict(skip)

    def append(self, table: str, batch: pa.Table) -> None:
        k = self.skip.get(table, 0)
        if k:
            self.skip[table] = max(0, k - batch.num_rows)
            if k >= batch.num_rows:
                return
            batch = batch.slice(k)
        self.sink.append(table, batch)

    def append_sql(self, table: str, select_sql: str, first_line: int) -> None:
        raise NotImplementedError


class _WorkerFailed(Exception):
    pass


class _Split:
    def __init__(
        self,
        path: Path,
        sink: Sink,
        batch_rows: int,
        src: Bytes,
        plan: Plan,
        stat: os.stat_result,
    ) -> None:
        self.path, self.sink, self.batch_rows = path, sink, batch_rows
        self.src, self.plan, self.stat = src, plan, stat

    def run(self) -> FileInfo:
        counting = _CountingSink(self.sink)
        tmp = Path(tempfile.mkdtemp(prefix="cscperf-cin-"))  # mode 0700: child-level data
        worker: _Worker | None = None
        try:
            worker = _Worker(self._job(tmp), tmp)
            part0 = PartSource(self.src, 0, self.plan.split, b"", _TAIL)
            run = _Run(self.path, counting, self.batch_rows, source=part0)
            run.parse()
            run.absorb(worker.drain(counting))
            return run.finish()
        except Exception as e:  # any other failure: the serial read decides (and words errors)
            if counting.failed:
                raise
            log.debug("%s: parallel read failed (%r); reading serially", self.path, e)
        finally:
            if worker is not None:
                worker.stop()
            shutil.rmtree(tmp, ignore_errors=True)
        return _Run(self.path, _SkipSink(self.sink, counting.delivered), self.batch_rows).run()

    def _job(self, tmp: Path) -> dict[str, object]:
        st = self.stat
        return {
            "path": str(self.path),
            "stat": [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns],
            "split": self.plan.split,
            "prefix": self.plan.prefix.hex(),
            "children_at": self.plan.children_at,
            "out": str(tmp),
            "batch_rows": self.batch_rows,
        }


class _Worker:
    """The worker process and a thread that queues its messages as they come."""

    def __init__(self, job: dict[str, object], tmp: Path) -> None:
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])  # the directory holding cscperf/
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        self.log_path = tmp / "worker.log"
        with open(self.log_path, "wb") as err:
            self.proc = subprocess.Popen(
                # -P: never import from the current directory
                [sys.executable, "-P", "-c", _WORKER_CODE, json.dumps(job)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=err,
                env=env,
            )
        assert self.proc.stdout is not None
        self.messages: queue.SimpleQueue[list[Any] | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._listen, args=(self.proc.stdout,), daemon=True)
        self.thread.start()

    def _listen(self, out: IO[bytes]) -> None:
        try:
            for line in out:
                self.messages.put(json.loads(line))
        except (ValueError, OSError):
            pass
        finally:
            self.messages.put(None)

    def drain(self, sink: _CountingSink) -> PartFacts:
        """Append part 1's batches in order as they arrive; its facts once it is done."""
        while (msg := self.messages.get()) is not None:
            kind, *rest = msg
            if kind == "batch":
                table, name = rest
                file = Path(self.log_path.parent, name)
                batch = pa.ipc.open_file(pa.memory_map(str(file))).read_all()
                file.unlink()
                sink.append(table, batch)
                del batch
            elif kind == "done" and self.proc.wait() == 0:
                children, headers, dupes, lines = json.loads(rest[0])
                return PartFacts(children, [(y, leas) for y, leas in headers], dupes, lines)
            else:
                break
        self.proc.wait()
        err = self.log_path.read_text(errors="replace")[-2000:]
        raise _WorkerFailed(f"worker exited with {self.proc.returncode}: {err}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.thread.join()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


# -- the worker process ---------------------------------------------------------
_WORKER_CODE = "import sys; from cscperf.io.cin_split import worker_main; sys.exit(worker_main())"


class _FileBatches:
    """The worker's sink: one Arrow IPC file per batch, announced on ``out``."""

    def __init__(self, out_dir: Path, out: IO[str]) -> None:
        self.out_dir, self.out = out_dir, out
        self.n = 0

    def append(self, table: str, batch: pa.Table) -> None:
        self.n += 1
        name = f"{self.n:06d}-{table}.arrow"
        with pa.ipc.new_file(str(self.out_dir / name), batch.schema) as w:
            w.write_table(batch)
        self.send(["batch", table, name])

    def append_sql(self, table: str, select_sql: str, first_line: int) -> None:
        raise NotImplementedError

    def send(self, msg: list[str]) -> None:
        self.out.write(json.dumps(msg) + "\n")
        self.out.flush()


class _NoPandas:
    """Import hook refusing pandas: pyarrow's first ``pa.array`` imports it (~0.5 s)
    only to check whether the rows are pandas objects, which they never are here."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError(f"{name} is not needed in the CIN reader's worker")


def worker_main(argv: list[str] | None = None) -> int:
    """Parse part 1 of a file for :func:`read_split` (run in a fresh interpreter)."""
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _NoPandas)
    job = json.loads((sys.argv[1:] if argv is None else argv)[0])
    out = os.fdopen(os.dup(1), "w")  # messages only: stray prints go to stderr
    os.dup2(2, 1)
    path, split = Path(job["path"]), int(job["split"])
    prefix = bytes.fromhex(job["prefix"])
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        if [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns] != job["stat"]:
            print(f"{path} changed since the main process opened it", file=sys.stderr)
            return 3
        src = FileBytes(f.fileno())
        newlines = scan_part0(src, split, int(job["children_at"]))
        if newlines is None:
            print("another <Children> tag before the cut", file=sys.stderr)
            return 4
        pad = newlines - prefix.count(b"\n")
        part1 = PartSource(src, split, src.size, prefix, b"", pad)
        sink = _FileBatches(Path(job["out"]), out)
        run = _Run(path, sink, int(job["batch_rows"]), part1)
        run.parse()
    facts = run.facts()
    sink.send(
        ["done", json.dumps([facts.children, facts.header_facts, facts.dupes, facts.dupe_lines])]
    )
    return 0


def scan_part0(src: Bytes, split: int, children_at: int) -> int | None:
    """Newlines before the cut, or None if a ``<Children`` other than the plan's precedes it."""
    n, pos, prev = 0, 0, b""
    while pos < split:
        chunk = src.at(pos, min(_CHUNK, split - pos))
        n += int(np.count_nonzero(np.frombuffer(chunk, dtype=np.uint8) == 10))
        hits = [pos + i for i in _find_all(chunk, b"<Children")]
        # one across the chunk boundary: 9 bytes cannot fit in 8 + 0 or 0 + 8
        hits += [pos - len(prev) + i for i in _find_all(prev + chunk[:8], b"<Children")]
        if any(h != children_at for h in hits):
            return None
        prev, pos = chunk[-8:], pos + len(chunk)
    return n


def _find_all(data: bytes, needle: bytes) -> Iterator[int]:
    i = data.find(needle)
    while i >= 0:
        yield i
        i = data.find(needle, i + 1)
