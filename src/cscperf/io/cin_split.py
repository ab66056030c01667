"""Read a CIN census XML file in segments, and a big one on two cores.

libxml2 numbers lines in 16 bits: past line 65,535 an element gets the line of
its first text, one or two lines late, and real returns run to a million lines.
A CIN census file is a flat run of ``<Child>`` elements, so it can be cut at a
``<Child>`` start tag into segments of fewer lines, each parsed on its own:

* the first segment is the file's head up to the first cut, closed with
  ``</Children></Message>``;
* a later one is the file's own root and ``<Children>`` start tags, verbatim,
  then the file from its cut to the next (closed the same way) or to the end.

A segment's lines are then the file's minus the newlines before its cut (plus
those in the copied start tags): :class:`Segments` hands that offset to the
reader with each segment and the reader adds it to every line it stages. Cuts
are planned one segment ahead by counting newlines, so the file is read twice
but never held. A file that cannot be cut (not UTF-8, no ``<Children>``, a
comment before the root...) is parsed whole, as lxml does, with a note.

Why the rows are the whole-file parse's: a segment only parses if, at its end,
the open elements are exactly the root ``<Message>`` and a ``<Children>`` and
no comment, CDATA section or processing instruction is open (the added end
tags would be inside it). A cut is only made where no ``<Children`` other than
the first precedes it, so each segment is parsed inside verbatim copies of the
very start tags that enclose it (same namespaces, same checks). So no scan of
the file for ``<!``/``<?`` is needed. Only UTF-8 files are cut: a later segment
has no declaration of its own.

A file of ``min_bytes`` or more is also cut in two (:func:`read_split`): the
main process reads part 0 — the file up to that cut — in segments, straight
into the real sink; a worker process (a fresh interpreter: the parent may hold
DuckDB threads, so no fork without exec) reads part 1 in segments and writes
its Arrow batches to files in a private temp dir, which the main process
appends in order once part 0 is done (while the worker goes on), deleting each
one. Neither process holds more than a batch, so memory stays flat; the files
(about a quarter of part 1's XML size) wait on disk, in ``TMPDIR``.

Any failure — a parse error or refusal in any segment, the worker dying, a
full disk — falls back to a plain parse of the whole file, so errors and their
messages are exactly those of lxml reading the file. Rows already given to the
sink are always the first rows that parse yields, so the fallback skips them
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

from cscperf.cores import available_cores
from cscperf.io.base import FileInfo, Sink
from cscperf.io.cin_xml import EXACT_LINES, PartFacts, Segment, _Run
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
_SEGMENT_CHUNK = 256 * 1024  # bytes per read when planning a segment: less over-read past its end
_WINDOW = 64 * 1024  # bytes per read when looking for the cut
_MAX_CANDIDATES = 64  # <Child> tags tried as the cut
_BLOCK = 32 * 1024  # lxml's iterparse reads files in blocks of this size
_WS = b" \t\r\n"
#: most newlines a segment may hold (copied start tags included): its last line must
#: stay below EXACT_LINES; the margin costs nothing
SEGMENT_NEWLINES = 65_000


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
class Head:
    """How a segment that starts at a cut opens, when the file can be cut."""

    prefix: bytes  # the file's root and <Children> start tags, verbatim
    children_at: int  # offset of that <Children> tag: no other may precede a cut
    body: int  # offset just after it, where cuts may begin


@dataclass(frozen=True)
class Plan:
    """Where to cut a file in two, and how part 1 opens."""

    split: int  # offset of the <Child> start tag that begins part 1
    head: Head


def find_head(src: Bytes) -> Head | None:
    """The start tags a segment repeats, or None when the file cannot be cut."""
    start = len(_BOM) if src.at(0, 3) == _BOM else 0
    head = src.at(start, PROLOG_LIMIT)
    decl = _DECL.match(head)
    if decl:  # later segments have none: they are read as UTF-8, XML 1.0
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
    return Head(root.group(1) + tag.group(), kids, kids + tag.end())


def plan_split(src: Bytes, share: float) -> Plan | None:
    """A cut near ``share`` of the file, or None when it must be read serially."""
    head = find_head(src)
    if head is None:
        return None
    split = max(head.body, int(src.size * share))
    for _ in range(_MAX_CANDIDATES):
        split = _find(src, b"<Child>", split + 1)
        if split < 0:
            return None
        if _after_a_child(src, split):
            return Plan(split, head)
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


def _after_a_child(src: Bytes, at: int) -> bool:
    """Whether only whitespace lies between a ``</Child>`` and ``at``: a cheap sign that
    the ``<Child>`` there is not in a comment, so the cut is unlikely to cost a re-read."""
    return src.at(at - 512, min(512, at)).rstrip(_WS).endswith(b"</Child>")


def _rfind(src: Bytes, needle: bytes, lo: int, hi: int) -> Iterator[int]:
    """Each ``needle`` starting in ``(lo, hi]``, last first."""
    while hi > lo:
        w0 = max(lo + 1, hi - _WINDOW)
        window = src.at(w0, hi + len(needle) - w0)
        i = window.rfind(needle)
        while i >= 0:
            yield w0 + i
            i = window.rfind(needle, 0, i + len(needle) - 1)
        hi = w0 - 1


class Segments:
    """The segments of ``src[start:end]`` as (source, line offset) pairs for the reader.

    Each cut is planned when the previous segment has been parsed. ``exact`` turns
    False when the rest had to be parsed as one long segment (a ``<Child>`` of more
    than :data:`SEGMENT_NEWLINES` lines, or a second ``<Children`` list); ``cut``
    tells whether the file was parsed in parts at all (if not, lxml read it itself).
    """

    def __init__(self, src: Bytes, head: Head, start: int, end: int, newlines: int) -> None:
        self.src, self.head, self.start, self.end = src, head, start, end
        self.newlines = newlines  # before ``start``
        self.exact = True
        self.cut = False

    def __iter__(self) -> Iterator[Segment]:
        src, pos, before = self.src, self.start, self.newlines
        while True:
            opening = self.head.prefix if pos else b""
            extra = opening.count(b"\n")
            found = self._next_cut(pos, SEGMENT_NEWLINES - extra)
            if found is None:  # the rest is one segment: is it too long for exact lines?
                last = extra + count_newlines(src, pos, self.end) + 1
                self.exact = self.exact and last < EXACT_LINES
                found = (self.end, 0)
            cut, newlines = found
            if pos == 0 and cut == src.size:
                yield None, 0  # the whole file: lxml reads it itself
                return
            self.cut = True
            tail = b"" if cut == src.size else _TAIL
            yield PartSource(src, pos, cut, opening, tail), before - extra
            if cut == self.end:
                return
            pos, before = cut, before + newlines

    def _next_cut(self, pos: int, budget: int) -> tuple[int, int] | None:
        """(where the segment from ``pos`` ends, its newlines), or None when it cannot end
        before its ``budget + 1``-th newline. Ends at ``end`` if the rest fits."""
        if budget < 1:
            return None
        src, p, left, prev = self.src, pos, budget + 1, b""
        limit, others = -1, []
        while p < self.end:
            chunk = src.at(p, min(_SEGMENT_CHUNK, self.end - p))
            nl = np.frombuffer(chunk, dtype=np.uint8) == 10
            n = int(np.count_nonzero(nl))
            others += [h for h in _children_tags(chunk, prev, p) if h != self.head.children_at]
            if n >= left:
                limit = p + int(np.flatnonzero(nl)[left - 1])
                break
            left, prev, p = left - n, chunk[-8:], p + len(chunk)
        if limit < 0:
            return self.end, 0
        if any(h < limit for h in others):
            return None  # a cut past another <Children could not copy its start tag
        for i, cut in enumerate(_rfind(src, b"<Child>", pos, limit)):
            if i == _MAX_CANDIDATES:
                break
            if _after_a_child(src, cut):
                return cut, budget - src.at(cut, limit - cut).count(b"\n")
        return None


def _children_tags(chunk: bytes, prev: bytes, pos: int) -> list[int]:
    """Offsets of the ``<Children`` in ``chunk`` (at ``pos``), and one across from ``prev``."""
    hits = [pos + i for i in _find_all(chunk, b"<Children")]
    # one across the chunk boundary: 9 bytes cannot fit in 8 + 0 or 0 + 8
    hits += [pos - len(prev) + i for i in _find_all(prev + chunk[:8], b"<Children")]
    return hits


class PartSource:
    """A file-like ``read(n)`` for lxml over ``head``, ``src[start:end]`` (in blocks ending
    where a read of the whole file's blocks end), ``tail``."""

    def __init__(self, src: Bytes, start: int, end: int, head: bytes, tail: bytes) -> None:
        self.blocks = self._blocks(src, start, end, head, tail)
        self.rest = b""

    @staticmethod
    def _blocks(src: Bytes, start: int, end: int, head: bytes, tail: bytes) -> Iterator[bytes]:
        yield head
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
def read_serial(path: Path, sink: Sink, batch_rows: int) -> FileInfo:
    """Read ``path`` in this process: in segments when it can be cut, else whole."""
    f = _open(path)
    if f is None:
        return _whole(path, sink, batch_rows)  # it reports the error
    with f:
        src = FileBytes(f.fileno())
        try:
            head = find_head(src) if hasattr(os, "pread") else None
        except OSError:
            head = None
        if head is None:
            return _whole(path, sink, batch_rows)
        segments = Segments(src, head, 0, src.size, 0)
        counting = _CountingSink(sink)
        run = _Run(path, counting, batch_rows)
        try:
            run.parse(segments)
            run.long_lines |= not segments.exact
            return run.finish()
        except Exception as e:
            if counting.failed or not segments.cut:
                raise  # the sink's error, or lxml read the whole file: its errors stand
            log.debug("%s: segmented read failed (%r); reading serially", path, e)
        return _whole(path, sink, batch_rows, counting.delivered)


def _whole(path: Path, sink: Sink, batch_rows: int, skip: dict[str, int] | None = None) -> FileInfo:
    """Parse the whole file at once, skipping the first rows already delivered."""
    run = _Run(path, _SkipSink(sink, skip) if skip else sink, batch_rows)
    run.parse()
    run.long_lines = _last_line(path) >= EXACT_LINES
    return run.finish()


def _last_line(path: Path) -> int:
    """The number of the file's last line (0 if it cannot be read)."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < EXACT_LINES:
                return size + 1  # cannot hold EXACT_LINES lines: no need to count
            return count_newlines(FileBytes(f.fileno()), 0, size) + 1
    except OSError:
        return 0


def count_newlines(src: Bytes, start: int, end: int) -> int:
    """Newlines in ``src[start:end]``: numpy counts ~1 GB/s, ``bytes.count`` ~0.3."""
    n, pos = 0, start
    while pos < end:
        chunk = src.at(pos, min(_CHUNK, end - pos))
        n += int(np.count_nonzero(np.frombuffer(chunk, dtype=np.uint8) == 10))
        pos += len(chunk)
    return n


def main_share(size: int) -> float:
    """The share of a ``size``-byte file the main process parses, so both finish together."""
    return min(0.85, 0.46 + WORKER_START_BYTES / (2 * size))


def read_split(path: Path, sink: Sink, batch_rows: int, min_bytes: int) -> FileInfo | None:
    """Read ``path`` in two processes; None when it should be read serially instead."""
    if not hasattr(os, "pread") or available_cores() < 2:
        return None  # no second core to use (or no pread: not POSIX)
    f = _open(path)
    if f is None:
        return None  # the serial read reports it
    with f:
        try:
            stat = os.fstat(f.fileno())
            if stat.st_size < max(min_bytes, 1):
                return None
            src = FileBytes(f.fileno())
            share = main_share(stat.st_size) if MAIN_SHARE is None else MAIN_SHARE
            plan = plan_split(src, share)
        except OSError:
            return None  # the serial read reports it
        if plan is None:
            return None
        # not under the except: an OSError from the sink must not cause a second read
        return _Split(path, sink, batch_rows, src, plan, stat).run()


def _open(path: Path) -> IO[bytes] | None:
    try:
        return open(path, "rb")
    except OSError:
        return None


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
            part0 = Segments(self.src, self.plan.head, 0, self.plan.split, 0)
            run = _Run(self.path, counting, self.batch_rows)
            run.parse(part0)
            run.long_lines |= not part0.exact
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
        return _whole(self.path, self.sink, self.batch_rows, counting.delivered)

    def _job(self, tmp: Path) -> dict[str, object]:
        st = self.stat
        return {
            "path": str(self.path),
            "stat": [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns],
            "split": self.plan.split,
            "prefix": self.plan.head.prefix.hex(),
            "children_at": self.plan.head.children_at,
            "body": self.plan.head.body,
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
                children, headers, dupes, lines, long_lines = json.loads(rest[0])
                headers = [(y, leas) for y, leas in headers]
                return PartFacts(children, headers, dupes, lines, long_lines)
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
        head = Head(prefix, int(job["children_at"]), int(job["body"]))
        part1 = Segments(src, head, split, src.size, newlines)
        sink = _FileBatches(Path(job["out"]), out)
        run = _Run(path, sink, int(job["batch_rows"]))
        run.parse(part1)
        run.long_lines |= not part1.exact
    facts = run.facts()
    sink.send(["done", json.dumps([*vars(facts).values()])])
    return 0


def scan_part0(src: Bytes, split: int, children_at: int) -> int | None:
    """Newlines before the cut, or None if a ``<Children`` other than the plan's precedes it."""
    n, pos, prev = 0, 0, b""
    while pos < split:
        chunk = src.at(pos, min(_CHUNK, split - pos))
        n += int(np.count_nonzero(np.frombuffer(chunk, dtype=np.uint8) == 10))
        if any(h != children_at for h in _children_tags(chunk, prev, pos)):
            return None
        prev, pos = chunk[-8:], pos + len(chunk)
    return n


def _find_all(data: bytes, needle: bytes) -> Iterator[int]:
    i = data.find(needle)
    while i >= 0:
        yield i
        i = data.find(needle, i + 1)
