"""From the user's data file to token batches: read rows (ftwizard.data), render each
conversation with the model's chat template, mask everything but the assistant's turns,
pack examples into sequences (or group them by length), and fix the order of every epoch
from the seed alone, so a resumed run sees the same batches as an uninterrupted one.

Nothing here logs or returns dataset text: callers get token ids, line numbers and counts.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from pathlib import Path

from ftwizard.base.errors import DatasetError
from ftwizard.data import Example, RowProblem, iter_examples

IGNORE = -100  # label value the loss skips (PyTorch cross_entropy ignore_index)

# For tokenizers without a chat template (base models): plain-text role markers.
FALLBACK_TEMPLATE = (
    "{% for m in messages %}"
    "{% if m['role'] == 'assistant' %}### Assistant:\n{% generation %}{{ m['content'] }}{{ eos_token }}{% endgeneration %}\n\n"
    "{% else %}### {{ m['role'] | capitalize }}:\n{{ m['content'] }}\n\n{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}### Assistant:\n{% endif %}"
)


@dataclass
class TokenizedExample:
    ids: list[int]
    labels: list[int]  # IGNORE where no loss is taken (prompt, system, user turns)
    line: int


@dataclass
class Rows:
    examples: list[tuple[int, Example]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    preference_as_sft: int = 0


def read_rows(path: Path) -> Rows:
    """Every usable row of `path`; bad rows are kept as problems (line and kind only)."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: data file not found")
    rows = Rows()
    for line, item in iter_examples(path):
        if isinstance(item, RowProblem):
            rows.problems.append(item)
        else:
            rows.preference_as_sft += item.kind == "preference"
            rows.examples.append((line, item))
    return rows


def chat_template(tokenizer) -> tuple[str, bool]:
    """The template to render conversations with, and whether it is the model's own."""
    own = getattr(tokenizer, "chat_template", None)
    if isinstance(own, str) and own.strip():
        return own, True
    return FALLBACK_TEMPLATE, False


def _messages(ex: Example) -> list[dict]:
    msgs = [{"role": t.role, "content": t.content} for t in ex.turns]
    if ex.kind == "preference":  # supervised tuning learns the preferred answer
        msgs.append({"role": "assistant", "content": ex.chosen})
    return msgs


def _render(tokenizer, template: str, msgs: list[dict], add_generation_prompt: bool = False) -> list[int]:
    out = tokenizer.apply_chat_template(
        msgs, chat_template=template, tokenize=True, add_generation_prompt=add_generation_prompt,
        return_dict=False,
    )
    return list(out)


def _assistant_mask_by_prefix(tokenizer, template: str, msgs: list[dict]) -> tuple[list[int], list[bool]]:
    """For templates without {% generation %}: the tokens an assistant turn adds to the
    conversation rendered up to its prompt are that turn's tokens."""
    ids = _render(tokenizer, template, msgs)
    mask = [False] * len(ids)
    for i, m in enumerate(msgs):
        if m["role"] != "assistant":
            continue
        prefix = _render(tokenizer, template, msgs[:i], add_generation_prompt=True)
        upto = _render(tokenizer, template, msgs[: i + 1])
        start = 0
        while start < min(len(prefix), len(upto)) and prefix[start] == upto[start]:
            start += 1
        for j in range(start, min(len(upto), len(ids))):
            mask[j] = True
    return ids, mask


def tokenize(tokenizer, template: str, ex: Example, line: int, seq_len: int) -> TokenizedExample | None:
    """One example as ids and labels cut to `seq_len`; None if no answer token is left."""
    if ex.kind == "text":
        ids = tokenizer(ex.text, add_special_tokens=True)["input_ids"]
        if tokenizer.eos_token_id is not None:
            ids = ids + [tokenizer.eos_token_id]
        mask = [True] * len(ids)
    else:
        msgs = _messages(ex)
        if "generation" in template and "endgeneration" in template:
            out = tokenizer.apply_chat_template(
                msgs, chat_template=template, tokenize=True, return_dict=True,
                return_assistant_tokens_mask=True,
            )
            ids, mask = list(out["input_ids"]), [bool(x) for x in out["assistant_masks"]]
        else:
            ids, mask = _assistant_mask_by_prefix(tokenizer, template, msgs)
    ids, mask = ids[:seq_len], mask[:seq_len]
    labels = [t if m else IGNORE for t, m in zip(ids, mask, strict=True)]
    if len(ids) < 2 or all(x == IGNORE for x in labels[1:]):
        return None
    return TokenizedExample(ids, labels, line)


def split_holdout(n: int, fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Indices (train, holdout): a seeded sample of round(n * fraction), at least 1 when asked."""
    if fraction <= 0 or n < 2:
        return list(range(n)), []
    k = min(n - 1, max(1, round(n * fraction)))
    held = set(random.Random(f"holdout:{seed}").sample(range(n), k))
    return [i for i in range(n) if i not in held], sorted(held)


def pack(lengths: list[int], seq_len: int) -> list[list[int]]:
    """Best-fit decreasing: whole examples into bins of at most `seq_len` tokens.
    Examples are never split, so no answer is cut in two across sequences."""
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    bins: list[list[int]] = []
    free: list[tuple[int, int]] = []  # (free tokens, bin index), sorted
    for i in order:
        need = lengths[i]
        at = bisect.bisect_left(free, (need, -1))
        if at < len(free):
            room, b = free.pop(at)
            bins[b].append(i)
            bisect.insort(free, (room - need, b))
        else:
            bins.append([i])
            bisect.insort(free, (seq_len - need, len(bins) - 1))
    return bins


def make_bins(lengths: list[int], seq_len: int, packing: bool) -> list[list[int]]:
    return pack(lengths, seq_len) if packing else [[i] for i in range(len(lengths))]


def epoch_order(bin_lengths: list[int], per_step: int, seed: int, epoch: int, group_by_length: bool) -> list[int]:
    """The order of bins in `epoch`, a function of the seed and the epoch only.

    Grouping by length (when not packing) sorts within mega-batches of 16 steps and then
    shuffles whole steps, so a step's sequences have similar lengths and little padding
    (the approach of Hugging Face's LengthGroupedSampler)."""
    rng = random.Random(f"order:{seed}:{epoch}")
    order = list(range(len(bin_lengths)))
    rng.shuffle(order)
    if not group_by_length:
        return order
    mega = per_step * 16
    grouped: list[int] = []
    for s in range(0, len(order), mega):
        grouped += sorted(order[s : s + mega], key=lambda i: -bin_lengths[i])
    steps = [grouped[s : s + per_step] for s in range(0, len(grouped), per_step)]
    rng.shuffle(steps)
    return [i for st in steps for i in st]


@dataclass
class Batch:
    input_ids: object  # torch.LongTensor [micro_batch, length]
    position_ids: object
    labels: object
    tokens: int  # real (non-padding) tokens
    label_tokens: int  # tokens the loss counts (after the causal shift)


def collate(examples: list[TokenizedExample], bins: list[list[int]], pad_id: int) -> Batch:
    """Bins -> one padded batch. Positions restart at each example, which (with no attention
    mask) makes transformers keep packed examples from attending to each other."""
    import torch

    rows_ids, rows_pos, rows_lab = [], [], []
    for b in bins:
        ids, pos, lab = [], [], []
        for i in b:
            ex = examples[i]
            ids += ex.ids
            pos += range(len(ex.ids))
            lab += [IGNORE] + ex.labels[1:]  # never predict across an example boundary
        rows_ids.append(ids)
        rows_pos.append(pos)
        rows_lab.append(lab)
    width = max(len(r) for r in rows_ids)
    tokens = sum(len(r) for r in rows_ids)
    for ids, pos, lab in zip(rows_ids, rows_pos, rows_lab, strict=True):
        pad = width - len(ids)
        ids += [pad_id] * pad
        pos += range(pad)
        lab += [IGNORE] * pad
    labels = torch.tensor(rows_lab, dtype=torch.long)
    return Batch(
        input_ids=torch.tensor(rows_ids, dtype=torch.long),
        position_ids=torch.tensor(rows_pos, dtype=torch.long),
        labels=labels,
        tokens=tokens,
        label_tokens=int((labels[:, 1:] != IGNORE).sum()),
    )
