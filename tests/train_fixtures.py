"""A tiny Llama-style model, its tokenizer and a learnable chat dataset, all built locally.

Nothing is downloaded: the tokenizer is trained on the dataset's own words with the
`tokenizers` library, the model is randomly initialised and saved as safetensors. Layer
widths are multiples of 32 because bitsandbytes' CPU NF4 kernels need it.
Import the fixtures in a test module: `from train_fixtures import tiny_model_dir, ...`.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

NUMBERS = "zero one two three four five six seven eight nine ten eleven twelve".split()
COLOURS = "red blue green black white yellow".split()
THINGS = "sky grass snow coal sun leaf".split()
THING_COLOUR = dict(zip(THINGS, ["blue", "green", "white", "black", "yellow", "green"], strict=True))
SPECIALS = ["<|pad|>", "<|bos|>", "<|end|>", "<|user|>", "<|assistant|>", "<|system|>", "<unk>"]

# Marks assistant content with {% generation %} so transformers can return the assistant mask.
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>"
    "{% if m['role'] == 'assistant' %}{% generation %}{{ m['content'] }}<|end|>{% endgeneration %}"
    "{% else %}{{ m['content'] }}<|end|>{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)


def conversation(rng: random.Random) -> list[dict]:
    """One row of a learnable task: count on from a number, or name a thing's colour."""
    if rng.random() < 0.6:
        start = rng.randrange(0, len(NUMBERS) - 3)
        ask = f"count from {NUMBERS[start]}"
        answer = " ".join(NUMBERS[start : start + 4])
    else:
        thing = rng.choice(THINGS)
        ask = f"what colour is the {thing}"
        answer = f"the {thing} is {THING_COLOUR[thing]}"
    return [{"role": "user", "content": ask}, {"role": "assistant", "content": answer}]


def write_chat_jsonl(path: Path, rows: int, seed: int = 0, bad_lines: dict[int, str] | None = None) -> Path:
    """`rows` good conversations; `bad_lines` puts raw text at those 1-based line numbers."""
    rng = random.Random(seed)
    bad = dict(bad_lines or {})
    lines: list[str] = []
    good = 0
    while good < rows or bad:
        line_no = len(lines) + 1
        if line_no in bad:
            lines.append(bad.pop(line_no))
        else:
            lines.append(json.dumps({"messages": conversation(rng)}))
            good += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_tiny_model(folder: Path, seed: int = 0) -> Path:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    words = NUMBERS + COLOURS + THINGS + "count from what colour is the".split()
    corpus = [" ".join(rng.choices(words, k=10)) for _ in range(80)]
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(
        corpus,
        trainers.BpeTrainer(
            vocab_size=400,
            special_tokens=SPECIALS,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        ),
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<|bos|>", eos_token="<|end|>", pad_token="<|pad|>", unk_token="<unk>"
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(folder)
    config = LlamaConfig(
        vocab_size=512,  # padded above the tokenizer's size, as real models do
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        bos_token_id=fast.bos_token_id,
        eos_token_id=fast.eos_token_id,
        pad_token_id=fast.pad_token_id,
        tie_word_embeddings=False,
        initializer_range=0.1,  # wider than 0.02 so a frozen random head can express a learnt answer
    )
    torch.manual_seed(seed)
    LlamaForCausalLM(config).save_pretrained(folder, safe_serialization=True)
    return folder


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-llama") / "model")


@pytest.fixture
def tiny_data(tmp_path) -> Path:
    return write_chat_jsonl(tmp_path / "train.jsonl", rows=240)


def tiny_run_config(model_dir: Path, data: Path, out: Path, **overrides):
    """The settings every runner test starts from: a few seconds of CPU QLoRA."""
    from ftwizard.runs.config import RunConfig

    base = dict(
        model_dir=model_dir, data_path=data, output_dir=out, seq_len=64, micro_batch=2, grad_accum=2,
        max_steps=40, learning_rate=1e-2, lora_r=8, lora_alpha=16, save_every=10, holdout_fraction=0.1,
        samples_after_run=False,  # seconds of generation per run; tests/test_eval_run.py turns it on
    )
    return RunConfig(**(base | overrides))


def run_in_process(cfg, faults=None, cancel=None):
    """Run the recipe in this process: returns (exit code, events). Pays torch's import once."""
    import io

    from ftwizard.train.events import Emitter
    from ftwizard.train.faults import Faults
    from ftwizard.train.recipe import run

    emitter = Emitter(io.StringIO())
    code = run(cfg, emitter, faults or Faults(), cancel)
    return code, emitter.history


def events_in(run_dir: Path) -> list:
    from ftwizard.runs.events import parse_event

    lines = (run_dir / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    return [e for e in map(parse_event, lines) if e is not None]


def preference_row(rng: random.Random) -> dict:
    """A learnable preference: the chosen answer is right, the rejected one counts backwards
    or names a wrong colour."""
    ask, answer = (t["content"] for t in conversation(rng))
    if ask.startswith("count"):
        rejected = " ".join(reversed(answer.split()))
    else:
        thing = ask.rsplit(" ", 1)[1]
        wrong = rng.choice([c for c in COLOURS if c != THING_COLOUR[thing]])
        rejected = f"the {thing} is {wrong}"
    return {"prompt": ask, "chosen": answer, "rejected": rejected}


def write_preference_jsonl(path: Path, rows: int, seed: int = 0, bad_lines: dict[int, str] | None = None) -> Path:
    """`rows` prompt/chosen/rejected rows; `bad_lines` puts raw text at those 1-based lines."""
    rng = random.Random(seed)
    bad = dict(bad_lines or {})
    lines: list[str] = []
    good = 0
    while good < rows or bad:
        line_no = len(lines) + 1
        if line_no in bad:
            lines.append(bad.pop(line_no))
        else:
            lines.append(json.dumps(preference_row(rng)))
            good += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def one_torch_thread():
    """One torch thread while a module's runs train: on a shared 2-core machine two threads per
    process thrash and the same tiny run varies tenfold (benchmarks/train_throughput.py)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
