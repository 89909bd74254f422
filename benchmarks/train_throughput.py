"""Training throughput of the runner against a plain TRL SFTTrainer + PEFT script.

Both train the same tiny Llama-style model (built here, random weights, nothing downloaded)
on the same chat data with the same recipe: 4-bit NF4 QLoRA with double quantisation,
LoRA r=8 on every projection, gradient checkpointing, paged 8-bit AdamW, packed sequences
of 64 tokens, loss on assistant turns, micro-batch 2 x accumulation 2. Baseline, measured in
the same run: the TRL script. Throughput is non-padding tokens over the training loop's wall
time (model loading and evaluation excluded on both sides). Runs alternate
(runner, TRL, runner, TRL, ...) so a busy shared machine slows both alike; medians are kept.
Target (issue 9): runner / TRL >= 1.0.

    .venv/bin/python benchmarks/train_throughput.py --steps 40 --repeats 3 --append

`--append` adds the figures to benchmarks/RESULTS.md under '## Training throughput'.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from results_md import append_entry

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Training throughput"
sys.path.insert(0, str(ROOT / "tests"))  # the tiny model and data builders the tests use

SEQ_LEN, MICRO_BATCH, GRAD_ACCUM, LORA_R, LORA_ALPHA, LR = 64, 2, 2, 8, 16, 1e-2
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def runner_once(model_dir: Path, data: Path, out: Path, steps: int) -> dict:
    from ftwizard.runs.config import RunConfig
    from ftwizard.runs.manifest import Manifest
    from ftwizard.train.events import Emitter
    from ftwizard.train.faults import Faults
    from ftwizard.train.recipe import run

    cfg = RunConfig(model_dir=model_dir, data_path=data, output_dir=out, seq_len=SEQ_LEN, micro_batch=MICRO_BATCH,
                    grad_accum=GRAD_ACCUM, max_steps=steps, learning_rate=LR, lora_r=LORA_R, lora_alpha=LORA_ALPHA,
                    lora_dropout=0.05, lora_targets=TARGETS, save_every=0, holdout_fraction=0.0, warmup_fraction=0.0)
    code = run(cfg, Emitter(io.StringIO()), Faults())
    assert code == 0, f"runner exited {code}"
    man = Manifest.model_validate_json((out / "manifest.json").read_text())
    return {"tokens": man.metrics.tokens_trained, "seconds": man.timings.train_s, "steps": man.metrics.steps,
            "last_loss": man.metrics.last_loss}


def trl_once(model_dir: Path, data: Path, out: Path, steps: int) -> dict:
    """The plain script a practitioner would write from the TRL and PEFT documentation."""
    import torch
    from datasets import load_dataset
    from peft import LoraConfig
    from transformers import (
        AutoModelForCausalLM,
        AutoTokenizer,
        BitsAndBytesConfig,
        TrainerCallback,
    )
    from trl import SFTConfig, SFTTrainer

    tok = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                           bnb_4bit_compute_dtype=torch.float32)
    model = AutoModelForCausalLM.from_pretrained(model_dir, quantization_config=q, device_map={"": "cpu"},
                                                 dtype=torch.float32, local_files_only=True)
    ds = load_dataset("json", data_files=str(data), split="train")

    class Clock(TrainerCallback):
        def on_train_begin(self, args, state, control, **kw):
            self.t0 = time.perf_counter()

        def on_train_end(self, args, state, control, **kw):
            self.t1 = time.perf_counter()
            self.tokens = state.num_input_tokens_seen
            self.steps = state.global_step
            self.last_loss = next((h["loss"] for h in reversed(state.log_history) if "loss" in h), None)

    clock = Clock()
    args = SFTConfig(
        output_dir=str(out), max_steps=steps, per_device_train_batch_size=MICRO_BATCH,
        gradient_accumulation_steps=GRAD_ACCUM, learning_rate=LR, lr_scheduler_type="cosine", warmup_steps=0,
        optim="paged_adamw_8bit", gradient_checkpointing=True,
        gradient_checkpointing_kwargs={"use_reentrant": False}, max_length=SEQ_LEN, packing=True,
        assistant_only_loss=True, logging_steps=1, save_strategy="no", report_to="none", use_cpu=True,
        bf16=False, fp16=False, disable_tqdm=True, include_num_input_tokens_seen="non_padding",
        dataloader_num_workers=0, seed=42,
    )
    lora = LoraConfig(r=LORA_R, lora_alpha=LORA_ALPHA, lora_dropout=0.05, target_modules=TARGETS,
                      task_type="CAUSAL_LM")
    trainer = SFTTrainer(model=model, args=args, train_dataset=ds, processing_class=tok, peft_config=lora,
                         callbacks=[clock])
    trainer.train()
    return {"tokens": int(clock.tokens), "seconds": clock.t1 - clock.t0, "steps": clock.steps,
            "last_loss": clock.last_loss}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rows", type=int, default=400)
    # One thread by default: on a shared 2-core machine two OpenMP threads per process thrash
    # and the same run varies tenfold; one thread gives steady figures for both sides.
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads (0: torch's default)")
    ap.add_argument("--append", action="store_true")
    args = ap.parse_args()

    import logging

    import torch

    from train_fixtures import build_tiny_model, write_chat_jsonl

    logging.disable(logging.WARNING)
    if args.threads:
        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="ftwizard-bench-") as tmp:
        tmp = Path(tmp)
        model_dir = build_tiny_model(tmp / "model")
        data = write_chat_jsonl(tmp / "train.jsonl", rows=args.rows)
        results: dict[str, list[dict]] = {"runner": [], "trl": []}
        for i in range(args.repeats):
            for name, fn in (("runner", runner_once), ("trl", trl_once)):
                torch.manual_seed(0)
                r = fn(model_dir, data, tmp / f"{name}-{i}", args.steps)
                r["tok_s"] = r["tokens"] / r["seconds"]
                results[name].append(r)
                print(f"{name:>6} #{i + 1}: {r['steps']} steps, {r['tokens']} tokens in {r['seconds']:.2f} s = "
                      f"{r['tok_s']:,.0f} tok/s, {r['steps'] / r['seconds']:.2f} steps/s, last loss {r['last_loss']:.3f}",
                      flush=True)
    med = {k: statistics.median(r["tok_s"] for r in v) for k, v in results.items()}
    steps_s = {k: statistics.median(r["steps"] / r["seconds"] for r in v) for k, v in results.items()}
    tokens = {k: statistics.median(r["tokens"] for r in v) for k, v in results.items()}
    # Each runner run against the TRL run right after it: load changes slowly, so pairs share it.
    pairs = [r["tok_s"] / t["tok_s"] for r, t in zip(results["runner"], results["trl"], strict=True)]
    ratio = statistics.median(pairs)
    print(json.dumps({"runner_tok_s": med["runner"], "trl_tok_s": med["trl"], "ratio": ratio, "pairs": pairs}))
    if args.append:
        import importlib.metadata as md

        versions = ", ".join(f"{p} {md.version(p)}" for p in ("torch", "transformers", "peft", "trl", "bitsandbytes"))
        head = (f"- {dt.date.today().isoformat()}, `.venv/bin/python benchmarks/train_throughput.py --steps {args.steps} "
                f"--repeats {args.repeats} --threads {args.threads} --append`, {platform.system()} {platform.machine()}, {os.cpu_count()} cores "
                f"(CPU, bitsandbytes NF4 CPU kernels), load average {os.getloadavg()[0]:.1f} at the end (shared machine); "
                f"{versions}; medians of {args.repeats}:")
        rows = [
            f"baseline TRL SFTTrainer + PEFT: {med['trl']:,.0f} tok/s, {steps_s['trl']:.2f} steps/s ({tokens['trl']:,.0f} tokens in {args.steps} steps)",
            f"runner (`ftwizard.train`): {med['runner']:,.0f} tok/s, {steps_s['runner']:.2f} steps/s ({tokens['runner']:,.0f} tokens in {args.steps} steps)",
            f"ratio runner / TRL: {ratio:.2f} (median of the {len(pairs)} alternating pairs: "
            f"{', '.join(f'{x:.2f}' for x in pairs)}; target >= 1.0)",
        ]
        _append(head, rows)
    return 0


def _append(head: str, rows: list[str]) -> None:
    append_entry(SECTION, 'Command: `.venv/bin/python benchmarks/train_throughput.py --append`', head, rows)


if __name__ == "__main__":
    raise SystemExit(main())
