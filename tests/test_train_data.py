"""From rows to batches (issue 9): loss on assistant turns only, packing that keeps examples
whole and apart, and an epoch order fixed by the seed alone."""

from __future__ import annotations

import json

import pytest

from ftwizard.data import Example, Turn
from ftwizard.train import data as D
from train_fixtures import CHAT_TEMPLATE, tiny_model_dir  # noqa: F401 (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.train]


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir):  # noqa: F811
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir, local_files_only=True)


def chat(*turns):
    return Example(kind="chat", turns=tuple(Turn(r, c) for r, c in turns))


def answer_text(tokenizer, te):
    return tokenizer.decode([t for t in te.labels if t != D.IGNORE])


def test_only_the_assistant_turns_carry_loss(tokenizer):
    ex = chat(("system", "count"), ("user", "count from two"), ("assistant", "two three four five"),
              ("user", "what colour is the sky"), ("assistant", "the sky is blue"))
    te = D.tokenize(tokenizer, CHAT_TEMPLATE, ex, line=7, seq_len=256)
    assert answer_text(tokenizer, te) == "two three four five<|end|>the sky is blue<|end|>"
    assert te.line == 7


def test_templates_without_generation_marks_get_the_same_mask(tokenizer):
    plain = CHAT_TEMPLATE.replace("{% generation %}", "").replace("{% endgeneration %}", "")
    ex = chat(("user", "count from two"), ("assistant", "two three four five"),
              ("user", "what colour is the sky"), ("assistant", "the sky is blue"))
    marked = D.tokenize(tokenizer, CHAT_TEMPLATE, ex, 1, 256)
    by_prefix = D.tokenize(tokenizer, plain, ex, 1, 256)
    assert by_prefix.ids == marked.ids and by_prefix.labels == marked.labels


def test_a_base_model_without_a_template_gets_a_plain_one(tokenizer):
    template, own = D.chat_template(type("T", (), {"chat_template": None})())
    assert not own and template == D.FALLBACK_TEMPLATE
    te = D.tokenize(tokenizer, template, chat(("user", "count from two"), ("assistant", "two three")), 1, 256)
    assert answer_text(tokenizer, te) == "two three<|end|>"


def test_an_answer_cut_off_by_seq_len_is_dropped_not_trained_on_empty(tokenizer):
    ex = chat(("user", "count from two " * 20), ("assistant", "two three"))
    assert D.tokenize(tokenizer, CHAT_TEMPLATE, ex, 1, seq_len=16) is None


def test_packing_keeps_examples_whole_and_under_seq_len():
    lengths = [50, 40, 30, 20, 10, 64, 5, 5, 33]
    bins = D.pack(lengths, 64)
    assert sorted(i for b in bins for i in b) == list(range(len(lengths)))
    assert all(sum(lengths[i] for i in b) <= 64 for b in bins)
    assert len(bins) == 5  # 257 tokens cannot fit in 4 bins of 64


def test_epoch_order_depends_on_seed_and_epoch_only():
    lengths = list(range(1, 41))
    a = D.epoch_order(lengths, 4, seed=1, epoch=0, group_by_length=False)
    assert a == D.epoch_order(lengths, 4, seed=1, epoch=0, group_by_length=False)
    assert a != D.epoch_order(lengths, 4, seed=1, epoch=1, group_by_length=False)
    assert sorted(a) == list(range(40))
    grouped = D.epoch_order(lengths, 4, seed=1, epoch=0, group_by_length=True)
    steps = [grouped[i:i + 4] for i in range(0, 40, 4)]
    assert sorted(grouped) == list(range(40))
    # within a step, lengths are close: padding stays small
    assert max(max(lengths[i] for i in s) - min(lengths[i] for i in s) for s in steps) <= 3


def test_packed_examples_do_not_see_each_other(tiny_model_dir, tokenizer):  # noqa: F811
    """The same example gives the same loss alone and packed behind another one."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, local_files_only=True).eval()
    a = D.tokenize(tokenizer, CHAT_TEMPLATE, chat(("user", "count from two"), ("assistant", "two three four five")), 1, 64)
    b = D.tokenize(tokenizer, CHAT_TEMPLATE, chat(("user", "what colour is the sun"), ("assistant", "the sun is yellow")), 2, 64)

    def loss(batch):
        with torch.no_grad():
            out = model(input_ids=batch.input_ids, position_ids=batch.position_ids, labels=batch.labels,
                        num_items_in_batch=1, use_cache=False)  # as the runner calls it
        return float(out.loss)

    alone = loss(D.collate([a, b], [[1]], tokenizer.pad_token_id))
    first = loss(D.collate([a, b], [[0]], tokenizer.pad_token_id))
    packed = D.collate([a, b], [[0, 1]], tokenizer.pad_token_id)
    assert packed.position_ids[0].tolist() == list(range(len(a.ids))) + list(range(len(b.ids)))
    assert packed.label_tokens == sum(x != D.IGNORE for x in a.labels[1:] + b.labels[1:])
    assert loss(packed) == pytest.approx(first + alone, rel=1e-4)
    # padded next to a longer row, the short row's loss does not change either
    padded = D.collate([a, b], [[0], [1]], tokenizer.pad_token_id)
    assert loss(padded) == pytest.approx(first + alone, rel=1e-4)


def test_rows_are_read_through_the_dataset_intake(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text(json.dumps({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]})
                 + "\n{oops\n" + json.dumps({"prompt": "q", "chosen": "good", "rejected": "bad"}) + "\n")
    rows = D.read_rows(p)
    assert [line for line, _ in rows.examples] == [1]
    # a row in another format than the file's is a problem too, reported by line and field
    assert [(pr.line, str(pr.kind)) for pr in rows.problems] == [(2, "bad_json"), (3, "missing_field")]


def test_a_step_split_into_more_micro_batches_has_the_same_loss(tiny_model_dir, tokenizer):  # noqa: F811
    """Why the out-of-memory ladder can halve micro_batch: the loss is a mean over the
    step's tokens, whatever the split (each micro-batch's sum over all of the step's tokens)."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, local_files_only=True).eval()
    rows = [chat(("user", f"count from {w}"), ("assistant", f"{w} and more")) for w in ("two", "three", "four", "five")]
    exs = [D.tokenize(tokenizer, CHAT_TEMPLATE, r, i, 64) for i, r in enumerate(rows)]
    bins = [[0], [1, 2], [3]]

    def step_loss(mb):
        batches = [D.collate(exs, bins[i:i + mb], tokenizer.pad_token_id) for i in range(0, len(bins), mb)]
        n = sum(b.label_tokens for b in batches)
        with torch.no_grad():
            return sum(float(model(input_ids=b.input_ids, position_ids=b.position_ids, labels=b.labels,
                                   num_items_in_batch=n, use_cache=False).loss) for b in batches)

    assert step_loss(1) == pytest.approx(step_loss(3), rel=1e-5)
