"""The reading engine behind `inspect()` and `split()`: one pass over the file, in bounded
memory, on every core that pays (figures: benchmarks/RESULTS.md, "Dataset inspection").

- JSON Lines is read in byte ranges of CHUNK_BYTES, each cut after a newline. On Linux, with
  two or more cores and a file of PARALLEL_MIN_BYTES or more, forked worker processes check
  ranges while this process merges their results in file order (each range reports its
  newline count, so line numbers stay exact) and hashes the file. Other containers (CSV,
  JSON, Parquet) go row by row in this process.
- Rows are checked in batches of BATCH_ROWS: parse (msgspec; readers.parse_line for what it
  refuses), the format's checks (a fast path for plain chat rows, `normalise` for the rest),
  a content key, the token count in one call for the batch, the personal-data scan in one
  vectorised pass per batch.
- Duplicates are found at the merge, in file order, against sorted arrays of 64-bit keys
  (Example.run_key for inspect, Example.fingerprint for split): 8 bytes a distinct row, exact
  up to DEDUP_CAP distinct rows; past the cap the later rows are checked against the first
  DEDUP_CAP only, and the report says so (`duplicates_exact`).

Nothing here imports Qt or torch; numpy comes with the GUI's pyqtgraph and is a dependency.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftwizard.base.jsonio import MAX_INT_DIGITS
from ftwizard.data.formats import (
    ProblemKind,
    RowProblem,
    apply_columns,
    chat_fingerprint,
    chat_run_key,
    fast_chat,
    normalise,
)
from ftwizard.data.pii import PiiScanner
from ftwizard.data.readers import DatasetSource, Record, parse_line
from ftwizard.data.report import MAX_PROBLEMS_LISTED, ProblemEntry
from ftwizard.data.stats import Row, TokenCounter, make_counter

BATCH_ROWS = 2048  # rows per batch: amortises the vectorised passes and the tokenizer call
CHUNK_BYTES = 8 << 20
PARALLEL_MIN_BYTES = 64 << 20  # below this, starting workers costs more than they save
MAX_WORKERS = 4
DEDUP_CAP = 1 << 23  # 8,388,608 distinct rows: 64 MiB of hashes
BOM = b"\xef\xbb\xbf"
DUPLICATE_REASON = "same content as an earlier row"
_LONG_RUN = re.compile(rb"\d{%d}" % (MAX_INT_DIGITS + 1))


def too_long_reason(tokens: int, context_tokens: int) -> str:
    return f"{tokens} tokens, longer than the model's context of {context_tokens}"


# --- one run of rows ------------------------------------------------------------------------


@dataclass(slots=True)
class Part:
    """What a run of rows holds, line numbers as the rows carried them.

    Readable rows (they normalised) are listed in order with their hash, tokens and turns:
    whether each is a duplicate or too long is decided at the merge. `problems` keeps the
    first MAX_PROBLEMS_LISTED other problems, `problem_counts` counts them all.
    """

    rows_read: int = 0
    lines: array = field(default_factory=lambda: array("Q"))
    fps: array = field(default_factory=lambda: array("Q"))
    tokens: array = field(default_factory=lambda: array("Q"))
    turns: array = field(default_factory=lambda: array("Q"))
    problems: list[RowProblem] = field(default_factory=list)
    problem_counts: Counter = field(default_factory=Counter)
    pii: PiiScanner | None = None

    def extend(self, other: Part) -> None:
        self.rows_read += other.rows_read
        for name in ("lines", "fps", "tokens", "turns"):
            getattr(self, name).extend(getattr(other, name))
        self.problems.extend(other.problems[: MAX_PROBLEMS_LISTED - len(self.problems)])
        self.problem_counts.update(other.problem_counts)
        if self.pii is not None and other.pii is not None:
            self.pii.merge(other.pii)


def _problem(part: Part, p: RowProblem) -> None:
    part.problem_counts[p.kind.value] += 1
    if len(part.problems) < MAX_PROBLEMS_LISTED:
        part.problems.append(p)


def _turns_reported(kind: str, n_turns: int) -> int:
    """The report's turn count: preference rows add their two answers, text rows have none."""
    return 0 if kind == "text" else n_turns + (2 if kind == "preference" else 0)


def _unusable_texts(value: Any, raw: bytes | None) -> list[str]:
    """Text to scan for personal data in a row that is not an example: its line as written,
    else (CSV, Parquet...) its string fields."""
    if raw is not None:
        return [raw.decode("utf-8", "replace")]
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, str)]
    return []


@dataclass(slots=True)
class Batch:
    """Rows to check together, as parallel lists (cheaper than an object per row)."""

    lines: list[int] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)  # parsed rows, or RowProblems
    raws: list[Any] = field(default_factory=list)  # exact lines (bytes, JSON Lines only), else None


def check_records(
    batch: Batch, fmt: str, counter: TokenCounter | None, scan_pii: bool, stable_keys: bool = True
) -> Part:
    """Check one batch of rows (see the module docstring); tokens 0 without a counter.

    stable_keys: key rows by Example.fingerprint() (the same in every process and version:
    what split needs), else by the cheaper Example.run_key() (one process and its forks)."""
    part = Part(rows_read=len(batch.lines), pii=PiiScanner() if scan_pii else None)
    lines: list[int] = []
    fps: list[int] = []
    turns: list[int] = []
    to_count: list[Row] = []
    pii_texts: list[str] = []
    keep_line, keep_fp, keep_turns = lines.append, fps.append, turns.append
    count, pii_text = to_count.append, pii_texts.append
    joins: list[str] = []
    keep_joined = joins.append
    chat_key = chat_fingerprint if stable_keys else chat_run_key
    for line, value, raw in zip(batch.lines, batch.values, batch.raws, strict=True):
        if (chat := fast_chat(value, fmt)) is not None:
            roles, texts, joined = chat
            keep_line(line)
            keep_fp(chat_key(roles, texts))
            keep_joined(joined)
            keep_turns(len(roles))
            count(("chat", len(roles), texts))
        else:
            result = value if isinstance(value, RowProblem) else normalise(value, fmt, line)
            if isinstance(result, RowProblem):
                _problem(part, result)
                joined = "\n".join(_unusable_texts(value, raw))
            else:
                texts = result.texts()
                joined = "\n".join(texts)  # a newline joins no number or address across texts
                keep_line(line)
                keep_fp(result.fingerprint() if stable_keys else result.run_key())
                keep_turns(_turns_reported(result.kind, len(result.turns)))
                count((result.kind, len(result.turns), texts))
                keep_joined(joined)
        if scan_pii:
            pii_text(joined)
    part.lines.extend(lines)
    part.fps.extend(fps)
    part.turns.extend(turns)
    if counter is not None and to_count:
        part.tokens.extend(counter.count_rows(to_count, joins))
    else:
        part.tokens.frombytes(bytes(8 * len(to_count)))  # zeros
    if part.pii is not None:
        part.pii.scan_rows(batch.lines, pii_texts)
    return part


# --- JSON Lines by byte range ---------------------------------------------------------------


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


def jsonl_batches(
    data: bytes, first_line: int, columns: Mapping[str, str] | None, file_start: bool
) -> Iterator[Batch]:
    """The rows of a byte range of a JSON Lines file, BATCH_ROWS at a time; `first_line` is
    its first line's number, `file_start` whether the range starts the file (where a UTF-8
    BOM is skipped). Blank lines are not rows.

    msgspec parses every line first (a trailing CR is JSON whitespace to it); the few lines
    it refuses, and those holding a run of digits too long for `loads`, are then sorted into
    blank lines (skipped) and rows for readers.parse_line, whose verdict stands."""
    from ftwizard.data import readers

    decode = readers._fast_decode
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    if file_start and lines and lines[0].startswith(BOM):
        lines[0] = lines[0][3:]
    long_lines = _lines_with_long_integers(data)
    has_cr = b"\r" in data
    size = BATCH_ROWS
    for k in range(0, len(lines), size):
        raws = lines[k : k + size]
        values: list[Any] = []
        keep_value = values.append
        refused: list[int] = []
        if decode is None:
            refused = list(range(len(raws)))
            values = [None] * len(raws)
        else:
            for body in raws:
                try:
                    keep_value(decode(body))
                except Exception:  # noqa: BLE001 (parse_line below says why)
                    refused.append(len(values))
                    keep_value(None)
        if long_lines:
            refused = sorted(set(refused) | {i - k for i in long_lines if k <= i < k + size})
        if has_cr:
            raws = [r.rstrip(b"\r\n") for r in raws]  # the row's exact bytes, as parse_line sees them
        numbers = list(range(first_line + k, first_line + k + len(raws)))
        blank = set()
        for j in refused:
            body = raws[j]
            if not body or body.isspace():
                blank.add(j)
            else:
                values[j] = parse_line(body, numbers[j], long_integer=(k + j) in long_lines)
        if columns:
            values = [apply_columns(v, columns) if type(v) is dict else v for v in values]
        if blank:
            kept = [j for j in range(len(raws)) if j not in blank]
            numbers = [numbers[j] for j in kept]
            values = [values[j] for j in kept]
            raws = [raws[j] for j in kept]
        if numbers:
            yield Batch(numbers, values, raws)


def _lines_with_long_integers(data: bytes) -> set[int]:
    """Indexes (from 0) of the lines of `data` holding a run of more than MAX_INT_DIGITS
    digits. Such a run covers a whole aligned block of half its length, so only the bytes
    at every STEP-th position are looked at first (vectorised), then their surroundings."""
    import numpy as np

    step = (MAX_INT_DIGITS + 1) // 2
    sample = np.frombuffer(data, dtype=np.uint8)[::step]
    out: set[int] = set()
    for k in np.flatnonzero((sample >= 48) & (sample <= 57)).tolist():
        at = k * step
        if (m := _LONG_RUN.search(data, max(0, at - MAX_INT_DIGITS), at + MAX_INT_DIGITS + 1)) is not None:
            out.add(data.count(b"\n", 0, m.start()))
    return out


def record_batches(records: Iterator[Record]) -> Iterator[Batch]:
    """Rows of any container (DatasetSource.records()), BATCH_ROWS at a time."""
    size = BATCH_ROWS
    batch = Batch()
    for rec in records:
        batch.lines.append(rec.line)
        batch.values.append(rec.value)
        batch.raws.append(rec.raw)
        if len(batch.lines) >= size:
            yield batch
            batch = Batch()
    if batch.lines:
        yield batch


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


# --- the merge ------------------------------------------------------------------------------


class SeenHashes:
    """Content hashes seen so far, sorted in numpy arrays: 8 bytes a distinct row.

    New hashes are inserted into a smaller sorted array, itself merged into the large one when
    it reaches a quarter of its size: each insertion moves at most that quarter. At `cap` distinct hashes no more are
    kept (`full` turns true): later rows are still checked against the ones kept.
    """

    def __init__(self, cap: int = DEDUP_CAP) -> None:
        import numpy as np

        self._np = np
        self.cap = cap
        self.main = np.empty(0, dtype=np.uint64)
        self.recent = np.empty(0, dtype=np.uint64)
        self.full = False

    def __len__(self) -> int:
        return len(self.main) + len(self.recent)

    def _known(self, values):
        np = self._np
        known = np.zeros(len(values), dtype=bool)
        for arr in (self.main, self.recent):
            if len(arr):
                pos = np.minimum(np.searchsorted(arr, values), len(arr) - 1)
                known |= arr[pos] == values
        return known

    def check_add(self, fps):
        """True for each hash seen before it (earlier in `fps` or in an earlier call)."""
        np = self._np
        dup = np.ones(len(fps), dtype=bool)
        if not len(fps):
            return dup
        uniq, first, inverse = np.unique(fps, return_index=True, return_inverse=True)
        dup[first] = False
        known = self._known(uniq)
        dup |= known[np.ravel(inverse)]
        new, new_first = uniq[~known], first[~known]
        room = self.cap - len(self)
        if len(new) > room:  # keep the first ones in file order
            self.full = True
            new = np.sort(new[np.argsort(new_first, kind="stable")[: max(room, 0)]])
        if len(new):  # `new` is sorted (np.unique)
            self.recent = np.insert(self.recent, np.searchsorted(self.recent, new), new)
            if len(self.recent) > max(1 << 16, len(self.main) // 4):
                self.main = np.insert(self.main, np.searchsorted(self.main, self.recent), self.recent)
                self.recent = self.recent[:0]
        return dup


class ProblemLog:
    """Counts by kind and the first problems in file order (the report's problem list)."""

    def __init__(self, limit: int = MAX_PROBLEMS_LISTED) -> None:
        self.limit = limit
        self.by_kind: Counter[str] = Counter()
        self.entries: list[ProblemEntry] = []
        self.total = 0

    def add(self, p: RowProblem) -> None:
        self.total += 1
        self.by_kind[p.kind.value] += 1
        if len(self.entries) < self.limit:
            self.entries.append(ProblemEntry(line=p.line, field=p.field, kind=p.kind.value, reason=p.reason))

    def add_sorted(self, problems: list[RowProblem], counts: Mapping[str, int]) -> None:
        """Problems of the next part of the file: `counts` counts them all, `problems` lists
        (in line order) at least the first ones the log still has room for."""
        for kind, n in counts.items():
            self.by_kind[kind] += n
            self.total += n
        for p in problems[: self.limit - len(self.entries)]:
            self.entries.append(ProblemEntry(line=p.line, field=p.field, kind=p.kind.value, reason=p.reason))

    @property
    def complete(self) -> bool:
        return self.total <= self.limit


class Merger:
    """Adds parts in file order: duplicates, too-long rows, lengths, problems, personal data.

    keep_rows: also keep each good row's line and hash (what `split` needs)."""

    def __init__(self, context_tokens: int | None, scan_pii: bool, keep_rows: bool = False,
                 dedup_cap: int = DEDUP_CAP) -> None:
        import numpy as np

        self._np = np
        self.context_tokens = context_tokens
        self.seen = SeenHashes(dedup_cap)
        self.problems = ProblemLog()
        self.pii = PiiScanner() if scan_pii else None
        self.lengths = array("I")
        self.rows_read = self.rows_good = self.turns_total = 0
        self.keep_rows = keep_rows
        self.good_lines = array("Q")
        self.good_fps = array("Q")

    def add(self, part: Part, line_offset: int = 0) -> None:
        np = self._np
        self.rows_read += part.rows_read
        lines = np.frombuffer(part.lines, dtype=np.uint64) + np.uint64(line_offset)
        fps = np.frombuffer(part.fps, dtype=np.uint64)
        tokens = np.frombuffer(part.tokens, dtype=np.uint64)
        dup = self.seen.check_add(fps)
        too_long = ~dup & (tokens > self.context_tokens) if self.context_tokens is not None else np.zeros_like(dup)
        good = ~(dup | too_long)
        self.rows_good += int(good.sum())
        self.lengths.frombytes(tokens[good].astype(np.uint32).tobytes())
        self.turns_total += int(np.frombuffer(part.turns, dtype=np.uint64)[good].sum())
        if self.keep_rows:
            self.good_lines.frombytes(lines[good].tobytes())
            self.good_fps.frombytes(fps[good].tobytes())
        counts = Counter(part.problem_counts)
        counts[ProblemKind.DUPLICATE.value] += int(dup.sum())
        counts[ProblemKind.TOO_LONG.value] += int(too_long.sum())
        room = self.problems.limit - len(self.problems.entries)
        listed: list[RowProblem] = []
        context = self.context_tokens or 0  # too_long is empty without a context
        if room > 0:
            listed = [RowProblem(p.line + line_offset, p.field, p.kind, p.reason) for p in part.problems]
            listed += [RowProblem(int(x), "$", ProblemKind.DUPLICATE, DUPLICATE_REASON) for x in lines[dup][:room]]
            for x, n in zip(lines[too_long][:room].tolist(), tokens[too_long][:room].tolist(), strict=True):
                listed.append(RowProblem(x, "$", ProblemKind.TOO_LONG, too_long_reason(n, context)))
            listed.sort(key=lambda p: p.line)
        self.problems.add_sorted(listed, {k: n for k, n in counts.items() if n})
        if self.pii is not None and part.pii is not None:
            self.pii.merge(part.pii, line_offset)


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
