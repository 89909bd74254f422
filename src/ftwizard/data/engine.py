"""The reading engine behind `inspect()` and `split()`: one pass over the file, in bounded
memory, on every core that pays (figures: benchmarks/RESULTS.md, "Dataset inspection").

- JSON Lines is read in byte ranges of CHUNK_BYTES, each cut after a newline. On Linux, with
  two or more cores and a file of PARALLEL_MIN_BYTES or more, forked worker processes check
  ranges while this process merges their results in file order (each range reports its
  newline count, so line numbers stay exact) and hashes the file. Other containers (CSV,
  JSON, Parquet) go row by row in this process.
- Rows are checked in batches of BATCH_ROWS (batches.py): parse (msgspec; readers.parse_line
  for what it refuses), the format's checks (a fast path for plain chat rows, `normalise` for
  the rest), a content key, the token count in one call for the batch, the personal-data
  scan in one vectorised pass per batch.
- Duplicates are found at the merge (merge.py), in file order, against sorted arrays of 64-bit
  keys (Example.run_key for inspect, Example.fingerprint for split): 8 bytes a distinct row,
  exact up to DEDUP_CAP distinct rows; past the cap the later rows are checked against the
  first DEDUP_CAP only, and the report says so (`duplicates_exact`).

This module holds the pass itself: the byte ranges, the worker pool and the file's hash.
Nothing here imports Qt or torch; numpy comes with the GUI's pyqtgraph and is a dependency.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ftwizard.data.batches import Part, check_records, jsonl_batches, record_batches
from ftwizard.data.merge import DEDUP_CAP, Merger
from ftwizard.data.pii import PiiScanner
from ftwizard.data.readers import DatasetSource
from ftwizard.data.stats import TokenCounter, make_counter

CHUNK_BYTES = 8 << 20
PARALLEL_MIN_BYTES = 64 << 20  # below this, starting workers costs more than they save
MAX_WORKERS = 4


# --- JSON Lines by byte range, in worker processes -----------------------------------------


def byte_ranges(path: Path, total: int, chunk: int | None = None) -> Iterator[tuple[int, int]]:
    """[start, end) ranges of about `chunk` bytes (CHUNK_BYTES) covering the file, each ending
    after a newline (or at the end of the file)."""
    chunk = chunk or CHUNK_BYTES
    with open(path, "rb") as fh:
        start = 0
        while start < total:
            end = start + chunk
            if end >= total:
                end = total
            else:
                fh.seek(end - 1)
                fh.readline()  # to just after the newline at or after end - 1
                end = min(fh.tell(), total)
            yield start, end
            start = end



_WORKER_COUNTERS: dict[str, TokenCounter | None] = {}


def _worker_init() -> None:
    # One tokenizer thread per worker: the workers already fill the cores.
    os.environ["TOKENIZERS_PARALLELISM"] = "false"


def check_range(
    path: str, start: int, end: int, fmt: str, columns: Mapping[str, str] | None,
    count_tokens: bool, model_dir: str | None, scan_pii: bool, stable_keys: bool,
) -> tuple[Part, int]:
    """A worker's task: check the rows of one byte range. Lines are numbered from 1 at `start`
    (the merge adds the lines before it; line 1 of the file keeps its BOM rule when start is
    0). Returns the part and the range's newline count."""
    key = f"{count_tokens}:{model_dir}"
    if key not in _WORKER_COUNTERS:
        _WORKER_COUNTERS[key] = make_counter(model_dir) if count_tokens else None
    counter = _WORKER_COUNTERS[key]
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    part = Part(pii=PiiScanner() if scan_pii else None)
    with _cyclic_gc_paused():
        for batch in jsonl_batches(data, 1, columns, start == 0):
            part.extend(check_records(batch, fmt, counter, scan_pii, stable_keys))
    return part, data.count(b"\n")


# --- the whole pass -------------------------------------------------------------------------


@dataclass
class Pass:
    merger: Merger
    bytes_read: int
    exhausted: bool
    sha256: str  # of the file's bytes, when it was read whole ("" otherwise)


def _can_fork() -> bool:
    """Workers are forked (Linux): they start in milliseconds and need no importable __main__,
    which a script calling inspect() without `if __name__ == "__main__"` or a frozen program
    lacks. Elsewhere (macOS, Windows: spawn only) this process reads alone unless asked."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods() and os.name == "posix" and os.uname().sysname == "Linux"


def auto_workers(total_bytes: int, container: str) -> int:
    """Worker processes worth starting: one per core (at most MAX_WORKERS) for a big JSON Lines
    file, none (this process) otherwise."""
    if container != "jsonl" or total_bytes < PARALLEL_MIN_BYTES or not _can_fork():
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


class _Sha256Behind:
    """SHA-256 of the file's bytes, fed in order and computed in a thread (hashlib releases
    the GIL on large buffers): with a core to spare it costs the pass no time. A context
    manager: leaving it waits for the updates fed, or drops them after an error."""

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._hash = hashlib.sha256()
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="ftwizard-sha256")

    def update(self, data: bytes) -> None:
        self._thread.submit(self._hash.update, data)  # one thread: the order is kept

    def hexdigest(self) -> str:
        self._thread.shutdown(wait=True)
        return self._hash.hexdigest()

    def __enter__(self) -> _Sha256Behind:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self._thread.shutdown(wait=True, cancel_futures=exc_type is not None)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a pass makes millions of short-lived dicts and
    lists, no reference cycles (refcounting frees them), and the collector's scans of them
    took ~20% of the time. Restored after, whatever happens."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def run_pass(
    source: DatasetSource,
    *,
    model_dir: Path | str | None = None,
    counter: TokenCounter | None = None,
    context_tokens: int | None = None,
    scan_pii: bool = False,
    keep_rows: bool = False,
    workers: int | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[int], None] | None = None,
    chunk_bytes: int | None = None,
    dedup_cap: int | None = None,
) -> Pass:
    """Read every row once and merge the verdicts. `progress(bytes_done)` after each batch or
    range; `should_stop` polled as often. A stopped pass returns what it merged so far."""
    with _cyclic_gc_paused():
        return _run_pass(source, model_dir, counter, context_tokens, scan_pii, keep_rows, workers,
                         should_stop, progress, chunk_bytes, dedup_cap)


def _run_pass(source, model_dir, counter, context_tokens, scan_pii, keep_rows, workers,
              should_stop, progress, chunk_bytes, dedup_cap) -> Pass:
    merger = Merger(context_tokens, scan_pii, keep_rows, DEDUP_CAP if dedup_cap is None else dedup_cap)
    stop = should_stop or (lambda: False)
    note = progress or (lambda done: None)
    if source.container != "jsonl":
        for batch in record_batches(source.records()):
            merger.add(check_records(batch, source.format, counter, scan_pii, keep_rows))
            note(source.bytes_read)
            if stop():
                return Pass(merger, source.bytes_read, False, "")
        return Pass(merger, source.total_bytes, True, "")
    if workers is None:
        workers = auto_workers(source.total_bytes, source.container)
    ranges = list(byte_ranges(source.path, source.total_bytes, chunk_bytes or CHUNK_BYTES))
    if workers > 1 and len(ranges) > 1:
        return _parallel(
            source, ranges, merger, counter is not None, model_dir, scan_pii, keep_rows, workers, stop, note
        )
    sha = _Sha256Behind()
    done = 0
    first_line = 1
    with sha, open(source.path, "rb") as fh:
        for start, end in ranges:
            data = fh.read(end - start)
            sha.update(data)
            newlines = data.count(b"\n")
            for batch in jsonl_batches(data, first_line, source.columns, start == 0):
                merger.add(check_records(batch, source.format, counter, scan_pii, keep_rows))
                # bytes done, pro rata of lines (a progress figure: exact at each range's end)
                at = start + (end - start) * min(1.0, (batch.lines[-1] - first_line + 1) / max(1, newlines))
                note(int(at))
                if stop():
                    return Pass(merger, int(at), False, "")
            first_line += newlines
            done = end
            note(done)
    return Pass(merger, done, True, sha.hexdigest())


def _parallel(source, ranges, merger, count_tokens, model_dir, scan_pii, stable_keys, workers, stop, note) -> Pass:
    """Ranges checked by worker processes, merged here in order; at most 2 x workers ranges
    in flight (bounded memory). This process hashes the file meanwhile."""
    import multiprocessing

    sha = _Sha256Behind()
    pending: dict[int, Future] = {}
    # fork where there is one: the children run only check_range (no Qt, no locks of other
    # threads that Python does not reset after fork) and share this process's string-hash
    # secret, so their run keys agree; spawn elsewhere, with stable keys.
    method = "fork" if _can_fork() else "spawn"
    args: dict[str, Any] = dict(
        fmt=source.format, columns=source.columns or None, count_tokens=count_tokens,
        model_dir=None if model_dir is None else str(model_dir), scan_pii=scan_pii,
        stable_keys=stable_keys or method != "fork",
    )
    line_offset = 0
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method), initializer=_worker_init)
    try:
        with sha, open(source.path, "rb") as fh:
            for i, (start, end) in enumerate(ranges):
                for j in range(i, min(len(ranges), i + 2 * workers)):
                    if j not in pending:
                        s, e = ranges[j]
                        pending[j] = pool.submit(check_range, str(source.path), s, e, **args)
                sha.update(fh.read(end - start))
                part, newlines = pending.pop(i).result()
                merger.add(part, line_offset)
                line_offset += newlines
                note(end)
                if stop():
                    return Pass(merger, end, end >= source.total_bytes, "")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return Pass(merger, source.total_bytes, True, sha.hexdigest())
