"""Answers of the base and the tuned model to the run's own holdout prompts, saved beside the
reference answers as `samples.jsonl` in the run folder (`ftwizard.evaluate.samples`).

    make_samples(run_dir, n=20, max_new_tokens=256, *, model=None, tokenizer=None) -> Path
    python -m ftwizard.train.samples RUN_DIR [--n 20] [--max-new-tokens 256] [--json]

The holdout is rebuilt exactly as the runner built it: the holdout file, or the same seeded
share (`train.data.split_holdout`) of the rows that tokenise at the run's seq_len; the data
must still have the SHA-256 the manifest recorded. Each prompt is the conversation up to its
last assistant turn, rendered with the chat template the run trained with and
`add_generation_prompt`; decoding is greedy (deterministic) up to `max_new_tokens`.
The base answers come from the same weights with the adapter switched off
(`PeftModel.disable_adapter`); a full fine-tune loads the base model beside it.

At the end of a run the runner may pass its model in memory (`model=`, `tokenizer=`) so
nothing is loaded twice; otherwise the finished run is loaded from its folder.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ftwizard.base.errors import FtwizardError
from ftwizard.base.jsonio import load_model
from ftwizard.evaluate.samples import (
    DEFAULT_MAX_NEW_TOKENS,
    DEFAULT_N,
    Sample,
    SamplesError,
    SamplesHeader,
    write_samples,
)
from ftwizard.runs.history import MANIFEST
from ftwizard.runs.manifest import Manifest

Progress = Callable[[int, int], None]  # (answers done, answers in all)
# Prompts generated together (left-padded). Measured on the tiny CPU test model, 24 prompts x 2
# models x 32 tokens, one torch thread: batch 8 took 1.8-2.4 s, batch 1 took 11.7-21.6 s.
DEFAULT_BATCH = 8


def load_manifest(run_dir: Path) -> Manifest:
    """The finished run's manifest; SamplesError if the run has none or did not finish."""
    path = Path(run_dir) / MANIFEST
    if not path.is_file():
        raise SamplesError(f"{run_dir}: no {MANIFEST}: the run has not finished")
    manifest = load_model(Manifest, path, SamplesError)
    if manifest.status != "done":
        raise SamplesError(f"{path}: $.status: the run is {manifest.status}; only a finished run has a tuned model")
    return manifest


# -- the holdout, rebuilt -------------------------------------------------------------------------
def prompt_and_reference(ex) -> tuple[list[dict[str, str]], str] | None:
    """(conversation before the last assistant turn, that turn) of a chat or preference row;
    None for plain text, which has no question to ask."""
    if ex.kind == "preference":
        return [{"role": t.role, "content": t.content} for t in ex.turns], ex.chosen
    if ex.kind != "chat":
        return None
    turns = list(ex.turns)
    last = max((i for i, t in enumerate(turns) if t.role == "assistant"), default=None)
    if last is None or last == 0:
        return None
    return [{"role": t.role, "content": t.content} for t in turns[:last]], turns[last].content


def _check_digests(manifest: Manifest) -> None:
    from ftwizard.train.outputs import sha256_file

    cfg = manifest.run_config
    files = [Path(cfg.data_path)] + ([Path(cfg.holdout_path)] if cfg.holdout_path else [])
    for path, rec in zip(files, manifest.dataset.files, strict=False):
        if not path.is_file():
            raise SamplesError(f"{path}: the run's data file is gone; the holdout cannot be rebuilt")
        if sha256_file(path) != rec.sha256:
            raise SamplesError(f"{path}: the data changed since the run (SHA-256 differs from the manifest); "
                               "the holdout cannot be rebuilt")


def holdout_rows(manifest: Manifest, tokenizer, template: str) -> list[tuple[int, object]]:
    """(line, Example) of every holdout row, in the runner's holdout order."""
    from ftwizard.train import data as D
    from ftwizard.train import dpo

    _check_digests(manifest)
    cfg = manifest.run_config
    prefer = cfg.objective == "dpo"

    def usable(path: Path) -> list[tuple[int, object]]:
        out = []
        for line, ex in D.read_rows(path).examples:
            if prefer and ex.kind != "preference":
                continue
            tok = dpo.tokenize_pair if prefer else D.tokenize
            if tok(tokenizer, template, ex, line, cfg.seq_len) is not None:
                out.append((line, ex))
        return out

    if cfg.holdout_path:
        return usable(Path(cfg.holdout_path))
    rows = usable(Path(cfg.data_path))
    _, held = D.split_holdout(len(rows), cfg.holdout_fraction, cfg.seed)
    return [rows[i] for i in held]


# -- the two models ---------------------------------------------------------------------------------
@dataclass
class Models:
    """`tuned` and `base` may be the same PeftModel (base = adapter switched off)."""

    tuned: object
    base: object
    tokenizer: object
    template: str
    own_template: bool
    device: object
    tuned_from: str
    weights: str = ""

    def base_context(self):
        if self.base is self.tuned and hasattr(self.tuned, "disable_adapter"):
            return self.tuned.disable_adapter()
        return contextlib.nullcontext()


def _dtype_for(manifest: Manifest, device):
    from ftwizard.train.device import compute_dtype_name, torch_dtype

    same_kind = manifest.hardware.device == device.kind
    name = manifest.precision if same_kind and manifest.precision in ("bf16", "fp16", "fp32") else \
        compute_dtype_name("auto", device)
    return torch_dtype(name)


def _pin_4bit(model) -> None:
    """The 4-bit layout training used (train.model.pin_4bit_layout: on AVX-512-BF16 CPUs
    bitsandbytes otherwise repacks NF4 weights on the first no-grad forward)."""
    try:
        from ftwizard.train.model import pin_4bit_layout
    except ImportError:  # a runner without it never repacked either
        return
    pin_4bit_layout(model)


def load_models(run_dir: Path, manifest: Manifest | None = None, *, model=None, tokenizer=None) -> Models:
    """The finished run's base and tuned model, local files only. With `model` (the runner's,
    in memory) only what is missing is loaded."""
    from transformers import AutoModelForCausalLM

    from ftwizard.catalog.model_folder import check_model_folder
    from ftwizard.train import data as D
    from ftwizard.train.device import bitsandbytes_available, pick_device
    from ftwizard.train.model import load_tokenizer

    manifest = manifest or load_manifest(run_dir)
    cfg = manifest.run_config
    folder = check_model_folder(cfg.model_dir, cfg.trust_remote_code, cfg.allow_pickle_weights)
    if tokenizer is None:
        tokenizer = load_tokenizer(folder, cfg)
    template, own = D.chat_template(tokenizer)
    device = pick_device()
    dtype = _dtype_for(manifest, device)

    def from_folder(path, quantise: bool):
        kwargs: dict = {"local_files_only": True, "trust_remote_code": cfg.trust_remote_code, "dtype": dtype,
                        "use_safetensors": not cfg.allow_pickle_weights}
        if quantise:
            from transformers import BitsAndBytesConfig

            kwargs["quantization_config"] = BitsAndBytesConfig(
                load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                bnb_4bit_compute_dtype=dtype)
            kwargs["device_map"] = {"": device.index if device.kind == "cuda" else device.kind}
        try:
            m = AutoModelForCausalLM.from_pretrained(path, **kwargs)
        except (OSError, ValueError, KeyError) as exc:
            raise SamplesError(f"{path}: the model cannot be loaded ({type(exc).__name__}: {str(exc)[:300]})") from None
        if quantise:
            _pin_4bit(m)
        else:
            m.to(device.torch_device)
        return m.eval()

    # The tuned weights are judged as they were trained: on the 4-bit base for QLoRA when
    # bitsandbytes works here, else on 16/32-bit weights (said in the samples header).
    quantise = manifest.quantisation.startswith("nf4") and bitsandbytes_available(device)[0]
    given = model is not None
    if cfg.method == "full":
        out = manifest.outputs.model_out_dir
        if model is None:
            if not out:
                raise SamplesError(f"{run_dir}: the manifest names no tuned model folder")
            model = from_folder(out, False)
        base = from_folder(folder.path, False)
        tuned_from = str(out)
    else:
        adapter = manifest.outputs.adapter_dir
        if model is None:
            if not adapter or not Path(adapter).is_dir():
                raise SamplesError(f"{run_dir}: the adapter folder {adapter} is missing")
            from peft import PeftModel

            model = PeftModel.from_pretrained(from_folder(folder.path, quantise), adapter, local_files_only=True)
        base = model
        tuned_from = str(adapter)
    model.eval()
    dtype_name = str(dtype).removeprefix("torch.")
    weights = (f"{dtype_name} base and tuned model" if cfg.method == "full" else
               f"{'nf4' if quantise else dtype_name} base + adapter" + (" (the runner's, in memory)" if given else ""))
    return Models(model, base, tokenizer, template, own, device, tuned_from, weights)


# -- generation -------------------------------------------------------------------------------------
def prompt_ids(tokenizer, template: str, messages: list[dict[str, str]]) -> list[int]:
    """The conversation rendered for an answer (transformers 5 returns a dict unless
    return_dict=False)."""
    return list(tokenizer.apply_chat_template(messages, chat_template=template, tokenize=True,
                                              add_generation_prompt=True, return_dict=False))


def _eos_ids(model, tokenizer) -> list[int]:
    ids: list[int] = []
    gen = getattr(model, "generation_config", None)
    for v in (getattr(gen, "eos_token_id", None), tokenizer.eos_token_id):
        for i in (v if isinstance(v, list) else [v]):
            if isinstance(i, int) and i not in ids:
                ids.append(i)
    return ids


def generate_many(models: Models, conversations: list[list[dict[str, str]]], which: str, max_new_tokens: int,
                  streamer=None, stopping_criteria=None) -> list[tuple[str, int, bool]]:
    """(answer, tokens generated, stopped at the token limit) for each conversation, from
    `which` ('base' or 'tuned'), in one batch: prompts padded on the left with an attention
    mask (positions follow the mask), so each answer is what that prompt alone would get up
    to floating-point rounding. A streamer needs a batch of one."""
    import torch
    from transformers import GenerationConfig

    model = models.tuned if which == "tuned" else models.base
    tok = models.tokenizer
    eos = _eos_ids(model, tok)
    pad = tok.pad_token_id if tok.pad_token_id is not None else (eos or [0])[0]
    config = GenerationConfig(do_sample=False, max_new_tokens=max_new_tokens, eos_token_id=eos or None,
                              pad_token_id=pad, use_cache=True)
    ids = [prompt_ids(tok, models.template, m) for m in conversations]
    width = max(len(x) for x in ids)
    dev = models.device.torch_device
    x = torch.tensor([[pad] * (width - len(r)) + r for r in ids], device=dev)
    mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in ids], device=dev)
    ctx = models.base_context() if which == "base" else contextlib.nullcontext()
    with ctx, torch.no_grad():
        out = model.generate(input_ids=x, attention_mask=mask, generation_config=config,
                             streamer=streamer, stopping_criteria=stopping_criteria)
    answers = []
    for row in out[:, width:].tolist():
        end = next((j for j, t in enumerate(row) if t in eos), None)
        new = row[: end + 1] if end is not None else row
        answers.append((tok.decode(new, skip_special_tokens=True).strip(), len(new),
                        end is None and len(new) >= max_new_tokens))
    return answers


def generate(models: Models, messages: list[dict[str, str]], which: str, max_new_tokens: int,
             streamer=None, stopping_criteria=None) -> tuple[str, int, bool]:
    """One conversation's answer (see generate_many)."""
    return generate_many(models, [messages], which, max_new_tokens, streamer, stopping_criteria)[0]


def make_samples(run_dir: Path, n: int = DEFAULT_N, max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS, *,
                 model=None, tokenizer=None, progress: Progress | None = None, batch: int = DEFAULT_BATCH) -> Path:
    """Answer the first `n` holdout prompts with both models, `batch` prompts at a time;
    write samples.jsonl atomically."""
    from ftwizard.train.outputs import utc_now

    if n < 1 or max_new_tokens < 1 or batch < 1:
        raise SamplesError("--n, --max-new-tokens and --batch must be at least 1")
    run_dir = Path(run_dir)
    manifest = load_manifest(run_dir)
    t0 = time.time()
    models = load_models(run_dir, manifest, model=model, tokenizer=tokenizer)
    rows = holdout_rows(manifest, models.tokenizer, models.template)
    pairs = [(i, line, pr) for i, (line, ex) in enumerate(rows) if (pr := prompt_and_reference(ex)) is not None]
    if not pairs:
        raise SamplesError(f"{run_dir}: the holdout has no rows with a prompt and an answer to compare")
    chosen = pairs[:n]
    samples: list[Sample] = []
    for at in range(0, len(chosen), batch):
        part = chosen[at : at + batch]
        convs = [messages for _, _, (messages, _) in part]
        base = generate_many(models, convs, "base", max_new_tokens)
        tuned = generate_many(models, convs, "tuned", max_new_tokens)
        for (i, line, (messages, reference)), (b, bt, bcut), (t, tt, tcut) in zip(part, base, tuned, strict=True):
            samples.append(Sample(index=i, line=line, prompt=messages, reference=reference, base=b, tuned=t,
                                  base_tokens=bt, tuned_tokens=tt, base_truncated=bcut, tuned_truncated=tcut))
        if progress:
            progress(len(samples), len(chosen))
    cfg = manifest.run_config
    header = SamplesHeader(
        created_at=utc_now(), max_new_tokens=max_new_tokens,
        chat_template="model" if models.own_template else "fallback",
        holdout_source="file" if cfg.holdout_path else "split", holdout_rows=len(rows),
        skipped_rows=len(rows) - len(pairs), base_model=str(cfg.model_dir), tuned=models.tuned_from,
        device=models.device.name, weights=models.weights, seconds=round(time.time() - t0, 3),
    )
    return write_samples(run_dir, header, samples)


def samples_after_run(run_dir: Path, model=None, tokenizer=None, n: int = DEFAULT_N) -> Path | None:
    """The runner's end-of-run hook: never fails the run; returns None (logged) if it could not."""
    import logging

    try:
        return make_samples(run_dir, n, model=model, tokenizer=tokenizer)
    except Exception as exc:  # the run itself succeeded; samples can be made again on demand
        logging.getLogger("ftwizard.train").warning("samples not made: %s: %s", type(exc).__name__, str(exc)[:300])
        return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ftwizard.train.samples")
    p.add_argument("run_dir", type=Path)
    p.add_argument("--n", type=int, default=DEFAULT_N)
    p.add_argument("--max-new-tokens", type=int, default=DEFAULT_MAX_NEW_TOKENS)
    p.add_argument("--batch", type=int, default=DEFAULT_BATCH)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    try:
        path = make_samples(args.run_dir, args.n, args.max_new_tokens, batch=args.batch,
                            progress=None if args.json else lambda k, t: print(f"  {k}/{t} prompts answered",
                                                                                 file=sys.stderr))
    except FtwizardError as exc:
        print(f"ftwizard: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return exc.exit_code
    from ftwizard.evaluate.samples import read_samples

    got = read_samples(path)
    if args.json:
        print(json.dumps({"samples_path": str(path), "n": len(got.samples), "header": got.header.model_dump(),
                          "samples": [s.model_dump() for s in got.samples]}, ensure_ascii=False))
    else:
        print(f"{len(got.samples)} samples written to {path} ({got.header.seconds:.1f} s on {got.header.device})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
