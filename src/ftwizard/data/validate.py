"""Row-by-row validation: the format's own checks (from `formats`), then duplicates and rows
longer than the model's context. Streams in batches so a tokenizer can encode many texts at once.

Memory: duplicates are found through a set of 60-bit content hashes, about 70 bytes per
good row in CPython (a million rows: ~70 MB); nothing else grows with the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ftwizard.data.formats import normalise
from ftwizard.data.readers import DatasetSource
from ftwizard.data.rows import Example, ProblemKind, RowProblem
from ftwizard.data.stats import TokenCounter

BATCH_ROWS = 512


@dataclass(slots=True)
class CheckedRow:
    line: int
    example: Example | None  # None when the row could not be read or normalised
    problem: RowProblem | None  # None for a good row
    tokens: int = 0  # 0 unless counted (good rows and too-long ones)
    fingerprint: int = 0  # content hash of a readable row, 0 otherwise
    raw: bytes | None = None  # the exact line (JSON Lines only)
    value: object = None  # the parsed row as read (dict), for writers of non-JSONL files


def iter_checked(
    source: DatasetSource,
    counter: TokenCounter | None = None,
    context_tokens: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[CheckedRow]:
    """Every row in file order with its verdict. `counter` None: tokens are not counted and
    `context_tokens` is not checked. `should_stop` is polled once per batch."""
    seen: set[int] = set()
    batch: list = []
    for rec in source.records():
        batch.append(rec)
        if len(batch) >= BATCH_ROWS:
            yield from _check_batch(batch, source.format, seen, counter, context_tokens)
            batch = []
            if should_stop is not None and should_stop():
                return
    if batch:
        yield from _check_batch(batch, source.format, seen, counter, context_tokens)


def _check_batch(records, fmt, seen, counter, context_tokens) -> list[CheckedRow]:
    rows: list[CheckedRow] = []
    to_count: list[CheckedRow] = []
    for rec in records:
        value = rec.value
        if isinstance(value, RowProblem):
            rows.append(CheckedRow(rec.line, None, value, raw=rec.raw))
            continue
        result = normalise(value, fmt, rec.line)
        if isinstance(result, RowProblem):
            rows.append(CheckedRow(rec.line, None, result, raw=rec.raw, value=value))
            continue
        fp = result.fingerprint()
        row = CheckedRow(rec.line, result, None, fingerprint=fp, raw=rec.raw, value=value)
        if fp in seen:
            row.problem = RowProblem(rec.line, "$", ProblemKind.DUPLICATE, "same content as an earlier row")
        else:
            seen.add(fp)
            to_count.append(row)
        rows.append(row)
    if counter is not None and to_count:
        for row, n in zip(to_count, counter.count([r.example for r in to_count]), strict=True):
            row.tokens = n
            if context_tokens is not None and n > context_tokens:
                row.problem = RowProblem(
                    row.line, "$", ProblemKind.TOO_LONG,
                    f"{n} tokens, longer than the model's context of {context_tokens}",
                )
    return rows


def iter_usable(path, fmt: str | None = None, columns=None) -> Iterator[tuple[int, Example]]:
    """Only the rows a training run should use: readable, well-formed, first of their content.

    Same verdicts as `ftwizard data inspect` without a model (no context check).
    """
    from ftwizard.data.readers import open_dataset

    for row in iter_checked(open_dataset(path, fmt=fmt, columns=columns)):
        if row.problem is None:
            yield row.line, row.example
