"""Rows checked in batches, the per-row half of the reading engine (engine.py): rows of a
JSON Lines byte range or of any container gathered BATCH_ROWS at a time (`Batch`), and each
batch checked into a `Part`.

- Parse: msgspec, with readers.parse_line for what it refuses and for lines holding a run of
  digits too long for `loads`.
- Check: the format's fast path for plain chat rows, `normalise` for the rest; a content key
  per readable row (Example.run_key, or Example.fingerprint when keys must be stable); the
  token count in one call for the batch; the personal-data scan in one vectorised pass per
  batch.

Whether a readable row is a duplicate or too long is decided at the merge (merge.py).
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ftwizard.base.jsonio import MAX_INT_DIGITS
from ftwizard.data.formats import apply_columns, fast_chat, normalise
from ftwizard.data.pii import PiiScanner
from ftwizard.data.readers import Record, parse_line
from ftwizard.data.report import MAX_PROBLEMS_LISTED
from ftwizard.data.rows import RowProblem, chat_fingerprint, chat_run_key
from ftwizard.data.stats import Row, TokenCounter

BATCH_ROWS = 2048  # rows per batch: amortises the vectorised passes and the tokenizer call
BOM = b"\xef\xbb\xbf"
_LONG_RUN = re.compile(rb"\d{%d}" % (MAX_INT_DIGITS + 1))


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
