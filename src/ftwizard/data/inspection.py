"""`inspect()`: read a dataset once, in bounded memory, and say what is in it without saying
what it says. Used by `ftwizard data inspect` and the wizard's Data page.

Cancelling (the `cancel` callable or threading.Event turning true) does not raise: it returns
the report so far with `cancelled=True`, its figures covering the rows read until then.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ftwizard.base.errors import DatasetError
from ftwizard.data.engine import run_pass
from ftwizard.data.readers import open_dataset
from ftwizard.data.report import DatasetReport, Histogram, OverLength, TokenStats
from ftwizard.data.stats import (
    STANDARD_SEQ_LENS,
    TURN_OVERHEAD_TOKENS,
    length_summary,
    make_counter,
    model_context_tokens,
    over_length,
)

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]  # (bytes_read, total_bytes)
PROGRESS_INTERVAL_S = 0.1  # at most ~10 calls a second


def as_stop_check(cancel: Any) -> Callable[[], bool] | None:
    """A threading.Event, a callable returning bool, or None -> a callable (or None)."""
    if cancel is None:
        return None
    if hasattr(cancel, "is_set"):
        return cancel.is_set
    if callable(cancel):
        return cancel
    raise TypeError("cancel must be a callable or a threading.Event")


def file_sha256(path: Path, should_stop: Callable[[], bool] | None = None) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            if should_stop is not None and should_stop():
                return ""
    return h.hexdigest()


def inspect(
    path: Path | str,
    fmt: str | None = None,
    model_dir: Path | str | None = None,
    seq_len: int | None = None,
    progress: ProgressFn | None = None,
    cancel: Any = None,
    *,
    columns: Mapping[str, str] | None = None,
    context_tokens: int | None = None,
    scan_pii: bool = True,
    workers: int | None = None,
) -> DatasetReport:
    """Validate every row, count tokens, scan for personal data; return the report.

    model_dir: a local model folder; its tokenizer.json counts tokens and its config.json
    gives the context window (rows longer are 'too_long'). Without it tokens are estimated.
    context_tokens overrides the model's context. seq_len: the training sequence length;
    the report counts the examples longer than it. Raises DatasetError if the file cannot be
    read at all or no row format fits; bad rows are reported, not raised.
    workers: processes to check a JSON Lines file with (default: one per core for a file of
    engine.PARALLEL_MIN_BYTES or more, else this process alone); the report is the same.
    """
    if seq_len is not None and seq_len <= 0:
        raise DatasetError(f"sequence length must be positive, got {seq_len}")
    started = time.monotonic()
    path = Path(path)
    should_stop = as_stop_check(cancel)
    source = open_dataset(path, fmt=fmt, columns=columns)
    counter = make_counter(model_dir)
    if context_tokens is None and model_dir is not None:
        context_tokens = model_context_tokens(model_dir)

    last_progress = 0.0

    def on_bytes(done: int) -> None:
        nonlocal last_progress
        now = time.monotonic()
        if progress is not None and now - last_progress >= PROGRESS_INTERVAL_S:
            last_progress = now
            progress(done, source.total_bytes)

    result = run_pass(
        source, model_dir=model_dir, counter=counter, context_tokens=context_tokens,
        scan_pii=scan_pii, workers=workers, should_stop=should_stop, progress=on_bytes,
    )
    merged = result.merger
    cancelled = not result.exhausted
    sha = "" if cancelled else (result.sha256 or file_sha256(path, should_stop))
    cancelled = cancelled or not sha
    if progress is not None:
        progress(result.bytes_read, source.total_bytes)
    problems, scanner, lengths = merged.problems, merged.pii, merged.lengths
    rows_read, rows_good, turns_total = merged.rows_read, merged.rows_good, merged.turns_total

    summary = length_summary(lengths)
    seq_lens = list(STANDARD_SEQ_LENS) + ([seq_len] if seq_len else [])
    report = DatasetReport(
        file=str(path),
        file_size_bytes=source.total_bytes,
        file_sha256=sha,
        container=source.container,
        format=source.format,
        format_detected=source.format_detected,
        columns=dict(columns or {}),
        rows_read=rows_read,
        rows_good=rows_good,
        rows_bad=problems.total,
        problems_by_kind=dict(problems.by_kind),
        problems=problems.entries,
        problems_listed_all=problems.complete,
        turns_total=turns_total,
        context_tokens=context_tokens,
        seq_len=seq_len,
        tokens=None
        if summary is None
        else TokenStats(
            method=counter.method,
            source=counter.source,
            turn_overhead_tokens=TURN_OVERHEAD_TOKENS,
            **{k: v for k, v in summary.items() if not k.startswith(("_", "histogram"))},
        ),
        over_length=[]
        if summary is None
        else [OverLength(seq_len=s, examples_over=n) for s, n in over_length(summary["_counts"], seq_lens).items()],
        histogram=None
        if summary is None
        else Histogram(edges_tokens=summary["histogram_edges"], counts=summary["histogram_counts"]),
        pii=scanner.summary() if scanner is not None else None,
        duplicates_exact=not merged.seen.full,
        cancelled=cancelled,
        bytes_read=result.bytes_read,
        seconds=round(time.monotonic() - started, 3),
    )
    # Counts only: row text never reaches a log.
    log.info(
        "inspected %s: %d rows, %d good, %d with problems%s",
        path.name, rows_read, rows_good, problems.total, " (cancelled)" if cancelled else "",
    )
    return report
