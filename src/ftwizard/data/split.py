"""A reproducible holdout split: `train.jsonl` and `holdout.jsonl`, good rows only.

Which rows are held out depends on the seed and each row's content only: every good row gets
a keyed BLAKE2b hash of (seed, content) and the `round(n x holdout)` smallest go to the
holdout. So the same file and seed give the same split on any machine and Python version
(no `hash()` randomisation, no `random` module), a row keeps its side when others are added,
and duplicates are dropped before the split so one can never leak across it.

JSON Lines rows are copied byte for byte. Rows of CSV, JSON and Parquet files are written as
one JSON object per line, with `columns` renames applied. Files are user data: 0600, atomic.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import logging
import os
import tempfile
from array import array
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ftwizard.base.errors import DatasetError
from ftwizard.data.batches import BOM
from ftwizard.data.engine import byte_ranges, run_pass
from ftwizard.data.inspection import as_stop_check, file_sha256
from ftwizard.data.readers import open_dataset

log = logging.getLogger(__name__)

TRAIN_FILE = "train.jsonl"
HOLDOUT_FILE = "holdout.jsonl"


class SplitSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    input_file: str
    input_sha256: str
    seed: int
    holdout_fraction: float
    rows_train: int = Field(ge=0)
    rows_holdout: int = Field(ge=0)
    rows_skipped: int = Field(ge=0, description="Rows with a problem (duplicates included), left out of both.")
    train_file: str
    holdout_file: str


def split_key(seed: int, fingerprint: int) -> int:
    """A row's place in the shuffle: keyed BLAKE2b of its content hash, stable everywhere."""
    key = seed.to_bytes(16, "little", signed=True)
    digest = hashlib.blake2b(fingerprint.to_bytes(8, "little"), digest_size=8, key=key).digest()
    return int.from_bytes(digest, "little")


def split_keys(seed: int) -> Callable[[int], int]:
    """split_key(seed, .) with the seed's key prepared once (for a million rows)."""
    prototype = hashlib.blake2b(digest_size=8, key=seed.to_bytes(16, "little", signed=True))

    def key_of(fingerprint: int) -> int:
        h = prototype.copy()
        h.update(fingerprint.to_bytes(8, "little"))
        return int.from_bytes(h.digest(), "little")

    return key_of


def holdout_count(n: int, fraction: float) -> int:
    """round(n x fraction), at least one row each side when there are two or more rows."""
    k = round(n * fraction)
    if n >= 2:
        k = min(max(k, 1), n - 1)
    return k


def split(
    path: Path | str,
    holdout: float = 0.1,
    seed: int = 0,
    *,
    out_dir: Path | str,
    fmt: str | None = None,
    columns: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Any = None,
    workers: int | None = None,
) -> SplitSummary:
    """Write OUT_DIR/train.jsonl and OUT_DIR/holdout.jsonl from the good rows of `path`.

    Reads the file twice: once to check and rank rows (the inspector's engine, so the same
    verdicts), once to copy the kept rows (JSON Lines: by line number, without parsing again).
    Raises DatasetError for an unreadable file, a fraction outside (0, 1), an out_dir whose
    outputs would overwrite the input, or a cancel (`cancel` as in inspect(); nothing is
    written then: both files appear together at the end or not at all).
    """
    if not 0 < holdout < 1:
        raise DatasetError(f"holdout fraction must be between 0 and 1 (exclusive), got {holdout}")
    path = Path(path)
    out = Path(out_dir)
    train_path, holdout_path = out / TRAIN_FILE, out / HOLDOUT_FILE
    if out.exists() and not out.is_dir():
        raise DatasetError(f"{out}: exists and is not a folder")
    resolved = path.resolve()
    for target in (train_path, holdout_path):
        if target.resolve() == resolved:
            raise DatasetError(f"{target}: would overwrite the input file; choose another --out folder")

    should_stop = as_stop_check(cancel)
    source = open_dataset(path, fmt=fmt, columns=columns)
    before = _stamp(path)
    total = max(1, source.total_bytes)
    result = run_pass(
        source, keep_rows=True, workers=workers, should_stop=should_stop,
        progress=None if progress is None else (lambda done: progress(done // 2, total)),
    )
    if not result.exhausted:
        raise DatasetError(f"{path}: split cancelled; nothing was written")
    merged = result.merger
    skipped = merged.problems.total
    keys = array("Q", map(split_keys(seed), merged.good_fps))
    n = len(keys)
    if n == 0:
        raise DatasetError(f"{path}: no usable rows to split ({skipped} rows with problems)")
    k = holdout_count(n, holdout)
    import numpy as np

    sides = bytearray(n)  # 1: holdout, the rows of the k smallest keys
    if k:
        threshold = np.uint64(heapq.nsmallest(k, keys)[-1])
        sides = bytearray((np.frombuffer(keys, dtype=np.uint64) <= threshold).tobytes())

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatasetError(f"{out}: cannot create the folder ({exc.strerror})") from None
    counts = _write(
        source, merged.good_lines, sides, out, (train_path, holdout_path), progress, total, should_stop,
        unchanged=lambda: _stamp(path) == before,
    )
    summary = SplitSummary(
        input_file=str(path),
        input_sha256=result.sha256 or file_sha256(path),
        seed=seed,
        holdout_fraction=holdout,
        rows_train=counts[0],
        rows_holdout=counts[1],
        rows_skipped=skipped,
        train_file=str(train_path),
        holdout_file=str(holdout_path),
    )
    log.info("split %s: %d train, %d holdout, %d skipped", path.name, counts[0], counts[1], skipped)
    return summary


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _kept_blocks(source, lines: array, sides) -> Iterator[tuple[list[bytes], list[bytes]]]:
    """(train rows, holdout rows), each row one JSONL line without its newline, a block at a
    time in file order. JSON Lines: the kept lines picked out of each byte range by number
    (no parsing); other containers: the rows written as JSON objects."""
    import numpy as np

    n, i = len(lines), 0
    if source.container != "jsonl":
        train: list[bytes] = []
        hold: list[bytes] = []
        for rec in source.records():
            if i < n and rec.line == lines[i]:
                row = json.dumps(rec.value, ensure_ascii=False).encode("utf-8")
                (hold if sides[i] else train).append(row)
                i += 1
        yield train, hold
        return
    numbers = np.frombuffer(lines, dtype=np.uint64)
    holdout = np.frombuffer(sides, dtype=np.bool_)
    first = 1
    with open(source.path, "rb") as fh:
        for start, end in byte_ranges(source.path, source.total_bytes):
            data = fh.read(end - start)
            chunk = data.split(b"\n")
            newlines = len(chunk) - 1
            if data.endswith(b"\n"):
                chunk.pop()  # the next range's first line, not an empty one of this range
            if start == 0 and chunk and chunk[0].startswith(BOM):
                chunk[0] = chunk[0][3:]
            j = int(np.searchsorted(numbers, first + len(chunk), side="left"))
            at = (numbers[i:j] - first).astype(np.int64)
            side = holdout[i:j]
            blocks = []
            for picked in (at[~side], at[side]):
                rows = [chunk[k] for k in picked.tolist()]
                if b"\r" in data:  # the row's exact bytes, as inspected: no CR before the newline
                    rows = [r.rstrip(b"\r\n") for r in rows]
                blocks.append(rows)
            yield blocks[0], blocks[1]
            i = j
            first += newlines


def _write(source, lines, sides, out, targets, progress, total, should_stop, unchanged) -> tuple[int, int]:
    """Second pass: stream the kept rows into two temp files, then rename both into place."""
    tmps: list[str] = []
    try:
        handles = []
        for target in targets:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=out)
            tmps.append(tmp)
            handles.append(os.fdopen(fd, "wb"))
        counts = [0, 0]
        with handles[0], handles[1]:
            for train, hold in _kept_blocks(source, lines, sides):
                for side, rows in enumerate((train, hold)):
                    if rows:
                        handles[side].write(b"\n".join(rows) + b"\n")
                        counts[side] += len(rows)
                written = counts[0] + counts[1]
                if progress is not None:
                    progress(total // 2 + (total // 2) * written // max(1, len(lines)), total)
                if should_stop is not None and should_stop():
                    raise DatasetError(f"{source.path}: split cancelled; nothing was written")
            if counts[0] + counts[1] != len(lines) or not unchanged():
                raise DatasetError(f"{source.path}: the file changed while it was being split")
            for fh in handles:
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, target in zip(tmps, targets, strict=True):
            if os.name == "posix":
                os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        if progress is not None:
            progress(total, total)
        return counts[0], counts[1]
    except OSError as exc:
        raise DatasetError(f"{out}: cannot write the split ({exc.strerror})") from None
    finally:
        for tmp in tmps:
            if os.path.exists(tmp):
                os.unlink(tmp)
