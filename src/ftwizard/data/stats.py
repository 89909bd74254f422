"""Token counts per example, and the statistics the estimator uses (p95 for memory, mean for time).

Two counters. With a model folder, its own `tokenizer.json` through the `tokenizers` library
(Rust, no torch; imported only here, only when a folder is given). Without one, an estimate
from characters per token by script, stated in the report as an estimate.

An example's length adds a fixed chat-template cost per turn (TURN_OVERHEAD_TOKENS); we do not
render the model's Jinja template, so this is the one approximation left with a tokenizer.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections import Counter
from collections.abc import Sequence
from operator import itemgetter
from pathlib import Path
from typing import Protocol

from ftwizard.base.errors import RunConfigError
from ftwizard.data.rows import Example

# Role markers a chat template adds around each turn: ChatML `<|im_start|>` role `\n` ...
# `<|im_end|>` `\n` is 5 tokens; Llama 3 `<|start_header_id|>` role `<|end_header_id|>` `\n\n`
# ... `<|eot_id|>` is 5 too.
TURN_OVERHEAD_TOKENS = 5

# Characters per token for the estimate when no tokenizer is at hand.
# English/ASCII: ~4 characters per token (OpenAI, "What are tokens and how to count them").
ASCII_CHARS_PER_TOKEN = 4.0
# Han, kana, Hangul: about one token per character in ~100k-vocabulary BPE tokenizers
# (common characters are one token, rarer ones two or three); our assumption, stated as such.
CJK_CHARS_PER_TOKEN = 1.0
# Other non-ASCII (accented Latin, Cyrillic, Greek, Arabic, Indic...): ~2 characters per token;
# our assumption, between the two above (these scripts split into more, shorter pieces).
OTHER_CHARS_PER_TOKEN = 2.0

_CJK = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")

# Sequence lengths every report counts over-length rows for (plus the user's own).
STANDARD_SEQ_LENS: tuple[int, ...] = (512, 1024, 2048, 4096, 8192)

HISTOGRAM_MAX_BINS = 30


def estimate_text_tokens(text: str) -> float:
    """Characters-per-token estimate for one text (see the constants above)."""
    n = len(text)
    if text.isascii():
        return n / ASCII_CHARS_PER_TOKEN
    ascii_chars = len(text.encode("ascii", "ignore"))
    cjk = n - len(_CJK.sub("", text))
    other = n - ascii_chars - cjk
    return ascii_chars / ASCII_CHARS_PER_TOKEN + cjk / CJK_CHARS_PER_TOKEN + other / OTHER_CHARS_PER_TOKEN


def row_tokens(kind: str, n_turns: int, text_tokens: Sequence[float]) -> int:
    """Σ text tokens + template overhead. Preference: prompt + the longer answer (DPO's longest
    sequence). `n_turns`: the conversation's turns (a preference row's prompt turns)."""
    if kind == "text":
        return math.ceil(text_tokens[0])
    prompt = sum(text_tokens[:n_turns]) + TURN_OVERHEAD_TOKENS * n_turns
    if kind == "chat":
        return math.ceil(prompt)
    chosen, rejected = text_tokens[n_turns], text_tokens[n_turns + 1]
    return math.ceil(prompt + max(chosen, rejected) + TURN_OVERHEAD_TOKENS)


# A row to count: (kind, turns in the conversation or prompt, its texts as Example.texts()).
Row = tuple[str, int, list[str]]


def _rows(examples: Sequence[Example]) -> list[Row]:
    return [(ex.kind, len(ex.turns), ex.texts()) for ex in examples]


class TokenCounter(Protocol):
    method: str  # "tokenizer" or "estimate"
    source: str  # what counted: the tokenizer file's folder name, or the estimate's rule

    def count(self, examples: Sequence[Example]) -> list[int]: ...

    def count_rows(self, rows: Sequence[Row], joined: Sequence[str] | None = None) -> list[int]: ...


class EstimateCounter:
    method = "estimate"
    source = (
        f"{ASCII_CHARS_PER_TOKEN:g} chars/token ASCII, {CJK_CHARS_PER_TOKEN:g} CJK, "
        f"{OTHER_CHARS_PER_TOKEN:g} other scripts, +{TURN_OVERHEAD_TOKENS} tokens/turn"
    )

    def count(self, examples: Sequence[Example]) -> list[int]:
        return self.count_rows(_rows(examples))

    def count_rows(self, rows: Sequence[Row], joined: Sequence[str] | None = None) -> list[int]:
        """Vectorised for the common row (chat or text, all ASCII): tokens = ceil(chars / 4 +
        5 x turns) over the batch at once; a quarter is exact in binary, so this equals the
        per-text sum. Other rows (other scripts, preference pairs) go text by text.
        joined: each row's texts joined by one newline, when the caller has them (cheaper)."""
        if joined is None:
            joined = ["\n".join(texts) for _, _, texts in rows]
        import numpy as np

        n = len(rows)
        if n and all(map(str.isascii, joined)) and {kind for kind, _, _ in rows} == {"chat"}:
            # The usual batch, whole: a chat row of T turns joins T texts with T - 1 newlines.
            lengths = np.fromiter(map(len, joined), dtype=np.float64, count=n)
            turn_counts = np.fromiter(map(itemgetter(1), rows), dtype=np.float64, count=n)
            per_row = np.ceil((lengths - turn_counts + 1) / ASCII_CHARS_PER_TOKEN + TURN_OVERHEAD_TOKENS * turn_counts)
            return per_row.astype(np.int64).tolist()
        out = [0] * n
        fast_i: list[int] = []
        chars: list[int] = []
        turns: list[int] = []
        for i, ((kind, n_turns, texts), text) in enumerate(zip(rows, joined, strict=True)):
            if kind != "preference" and text.isascii():
                fast_i.append(i)
                chars.append(len(text) - len(texts) + 1)  # less the joining newlines
                turns.append(n_turns if kind == "chat" else 0)
            else:
                out[i] = row_tokens(kind, n_turns, [estimate_text_tokens(t) for t in texts])
        if fast_i:
            tokens = np.ceil(
                np.array(chars, dtype=np.float64) / ASCII_CHARS_PER_TOKEN
                + TURN_OVERHEAD_TOKENS * np.array(turns, dtype=np.float64)
            ).astype(np.int64)
            for i, n in zip(fast_i, tokens.tolist(), strict=True):
                out[i] = n
        return out


class TokenizerCounter:
    """The model's own tokenizer.json; texts of a batch are encoded together (parallel in Rust)."""

    method = "tokenizer"

    def __init__(self, model_dir: Path) -> None:
        path = Path(model_dir) / "tokenizer.json"
        if not path.is_file():
            raise RunConfigError(
                f"{model_dir}: no tokenizer.json (only fast tokenizers can be read without torch)"
            )
        try:
            from tokenizers import Tokenizer
        except ImportError:
            raise RunConfigError(
                f"{model_dir}: counting tokens needs the 'tokenizers' package "
                "(pip install 'ftwizard[train]')"
            ) from None
        try:
            self._tok = Tokenizer.from_file(str(path))
        except Exception as exc:  # the Rust side raises a bare Exception for a malformed file
            first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            raise RunConfigError(f"{path}: cannot load the tokenizer ({first})") from None
        self._encode = getattr(self._tok, "encode_batch_fast", self._tok.encode_batch)
        self.source = Path(model_dir).name

    def count(self, examples: Sequence[Example]) -> list[int]:
        return self.count_rows(_rows(examples))

    def count_rows(self, rows: Sequence[Row], joined: Sequence[str] | None = None) -> list[int]:
        # Each distinct text once: a system prompt repeated on every row is encoded once a batch.
        distinct = dict.fromkeys(t for _, _, row_texts in rows for t in row_texts)
        counts = dict(zip(distinct, map(len, self._encode(list(distinct), add_special_tokens=False)), strict=True))
        return [row_tokens(kind, n_turns, [counts[t] for t in row_texts]) for kind, n_turns, row_texts in rows]


def make_counter(model_dir: Path | str | None) -> TokenCounter:
    return TokenizerCounter(Path(model_dir)) if model_dir is not None else EstimateCounter()


_CONTEXT_KEYS = ("max_position_embeddings", "n_positions", "max_seq_len", "seq_length", "n_ctx")


def model_context_tokens(model_dir: Path | str) -> int | None:
    """The model's context window from its config.json (None when the file does not say)."""
    path = Path(model_dir) / "config.json"
    if not path.is_file():
        return None
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RunConfigError(f"{path}: cannot read the model config ({type(exc).__name__})") from None
    for section in (config, config.get("text_config") or {}):
        if not isinstance(section, dict):
            continue
        for key in _CONTEXT_KEYS:
            value = section.get(key)
            if isinstance(value, int) and value > 0:
                return value
    return None


# --- statistics over the kept lengths -----------------------------------------------------


def percentile(counts: Counter[int], n: int, p: float) -> int:
    """Nearest-rank percentile: the smallest length with at least p% of examples at or below it."""
    rank = max(1, math.ceil(p / 100 * n))
    seen = 0
    for length in sorted(counts):
        seen += counts[length]
        if seen >= rank:
            return length
    raise ValueError("empty distribution")


def nice_bin_width(max_value: int, bins: int = HISTOGRAM_MAX_BINS) -> int:
    """The smallest of 1, 2, 5 x 10^k that covers 0..max_value in at most `bins` bins."""
    need = (max_value + 1) / bins
    k = 1
    while True:
        for step in (1, 2, 5):
            if step * k >= need:
                return step * k
        k *= 10


def histogram(counts: Counter[int], max_value: int) -> tuple[list[int], list[int]]:
    """Equal-width bins from 0: (edges, counts), len(edges) == len(counts) + 1."""
    width = nice_bin_width(max_value)
    n_bins = max_value // width + 1
    out = [0] * n_bins
    for length, c in counts.items():
        out[length // width] += c
    return [i * width for i in range(n_bins + 1)], out


def length_summary(lengths: array) -> dict | None:
    """p50/p95/max/mean/total and the histogram of token lengths (None for no examples)."""
    n = len(lengths)
    if n == 0:
        return None
    counts = Counter(lengths)
    total = sum(lengths)
    largest = max(counts)
    edges, bins = histogram(counts, largest)
    return {
        "examples": n,
        "total_tokens": total,
        "mean_tokens": total / n,
        "min_tokens": min(counts),
        "p50_tokens": percentile(counts, n, 50),
        "p95_tokens": percentile(counts, n, 95),
        "max_tokens": largest,
        "histogram_edges": edges,
        "histogram_counts": bins,
        "_counts": counts,
    }


def over_length(counts: Counter[int], seq_lens: Sequence[int]) -> dict[int, int]:
    """How many examples are longer than each sequence length (they would be truncated)."""
    return {s: sum(c for length, c in counts.items() if length > s) for s in sorted(set(seq_lens))}
