"""DPO training speed of the runner's own loop against TRL's DPOTrainer + PEFT (issue 11).

Both train the same tiny Llama-style model (built here, random weights, nothing downloaded)
on the same prompt/chosen/rejected pairs with the same recipe: 4-bit NF4 QLoRA with double
quantisation, LoRA r=8 on every projection, gradient checkpointing, paged 8-bit AdamW,
sequences of at most 64 tokens, sigmoid DPO loss with beta 0.1, the reference being the base
with the adapter switched off, micro-batch 2 pairs x accumulation 2. Baseline, measured in the
same run: the TRL script. Speed is pairs per second over the training loop's wall time (model
loading and evaluation excluded on both sides: tokens are not compared, the two count
prompt tokens differently). Runs alternate (runner, TRL, ...) and each ratio is taken within
a pair, so a busy shared machine slows both alike. Goal: runner / TRL >= 1.0, the reason
to keep a plain loop (one set of checkpoint, cancel and resume code for SFT and DPO).

    .venv/bin/python benchmarks/dpo_throughput.py --steps 20 --repeats 3 --append

`--append` adds the figures to benchmarks/RESULTS.md under '## DPO throughput'.
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
SECTION = "## DPO throughput"
sys.path.insert(0, str(ROOT / "tests"))  # the tiny model and data builders the tests use

SEQ_LEN, MICRO_BATCH, GRAD_ACCUM, LORA_R, LORA_ALPHA, LR, BETA = 64, 2, 2, 8, 16, 1e-2, 0.1
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def runner_once(model_dir: Path, data: Path, out: Path, steps: int) -> dict:
    from ftwizard.runs.config import RunConfig
    from ftwizard.runs.manifest import Manifest
    from ftwizard.train.events import Emitter
    from ftwizard.train.faults import Faults
    from ftwizard.train.recipe import run

    cfg = RunConfig(model_dir=model_dir, data_path=data, output_dir=out, objective="dpo", dpo_beta=BETA,
                    seq_len=SEQ_LEN, micro_batch=MICRO_BATCH, grad_accum=GRAD_ACCUM, max_steps=steps,
                    learning_rate=LR, lora_r=LORA_R, lora_alpha=LORA_ALPHA, lora_dropout=0.05,
                    lora_targets=TARGETS, save_every=0, holdout_fraction=0.0, warmup_fraction=0.0)
    code = run(cfg, Emitter(io.StringIO()), Faults())
    assert code == 0, f"runner exited {code}"
    man = Manifest.model_validate_json((out / "manifest.json").read_text())
    return {"seconds": man.timings.train_s, "steps": man.metrics.steps, "last_loss": man.metrics.last_loss}


def trl_once(model_dir: Path, data: Path, out: Path, steps: int) -> dict:
    """The plain script a practitioner would write from the TRL and PEFT documentation."""
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import (
        AutoModelForCausalLM,
        AutoTokenizer,
        BitsAndBytesConfig,
        TrainerCallback,
    )
    from trl import DPOConfig, DPOTrainer

    tok = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                           bnb_4bit_compute_dtype=torch.float32)
    model = AutoModelForCausalLM.from_pretrained(model_dir, quantization_config=q, device_map={"": "cpu"},
                                                 dtype=torch.float32, local_files_only=True)
    rows = [json.loads(line) for line in data.read_text().splitlines()]
    ds = Dataset.from_list([{"prompt": [{"role": "user", "content": r["prompt"]}],
                             "chosen": [{"role": "assistant", "content": r["chosen"]}],
                             "rejected": [{"role": "assistant", "content": r["rejected"]}]} for r in rows])

    class Clock(TrainerCallback):
        def on_train_begin(self, args, state, control, **kw):
            self.t0 = time.perf_counter()

        def on_train_end(self, args, state, control, **kw):
            self.t1 = time.perf_counter()
            self.steps = state.global_step
            self.last_loss = next((h["loss"] for h in reversed(state.log_history) if "loss" in h), None)

    clock = Clock()
    args = DPOConfig(
        output_dir=str(out), max_steps=steps, per_device_train_batch_size=MICRO_BATCH,
        gradient_accumulation_steps=GRAD_ACCUM, learning_rate=LR, lr_scheduler_type="cosine", warmup_steps=0,
        beta=BETA, loss_type="sigmoid", optim="paged_adamw_8bit", gradient_checkpointing=True,
        gradient_checkpointing_kwargs={"use_reentrant": False}, max_length=SEQ_LEN, logging_steps=1,
        save_strategy="no", report_to="none", use_cpu=True, bf16=False, fp16=False, disable_tqdm=True,
        dataloader_num_workers=0, seed=42,
    )
    lora = LoraConfig(r=LORA_R, lora_alpha=LORA_ALPHA, lora_dropout=0.05, target_modules=TARGETS,
                      task_type="CAUSAL_LM")
    trainer = DPOTrainer(model=model, ref_model=None, args=args, train_dataset=ds, processing_class=tok,
                         peft_config=lora, callbacks=[clock])
    trainer.train()
    return {"seconds": clock.t1 - clock.t0, "steps": clock.steps, "last_loss": clock.last_loss}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rows", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads (0: torch's default)")
    ap.add_argument("--append", action="store_true")
    args = ap.parse_args()

    import logging

    import torch

    from train_fixtures import build_tiny_model, write_preference_jsonl

    logging.disable(logging.WARNING)
    if args.threads:
        torch.set_num_threads(args.threads)
    per_step = MICRO_BATCH * GRAD_ACCUM
    with tempfile.TemporaryDirectory(prefix="ftwizard-bench-") as tmp:
        tmp = Path(tmp)
        model_dir = build_tiny_model(tmp / "model")
        data = write_preference_jsonl(tmp / "pairs.jsonl", rows=args.rows)
        results: dict[str, list[dict]] = {"runner": [], "trl": []}
        for i in range(args.repeats):
            for name, fn in (("runner", runner_once), ("trl", trl_once)):
                torch.manual_seed(0)
                r = fn(model_dir, data, tmp / f"{name}-{i}", args.steps)
                r["pairs_s"] = r["steps"] * per_step / r["seconds"]
                results[name].append(r)
                print(f"{name:>6} #{i + 1}: {r['steps']} steps in {r['seconds']:.2f} s = {r['pairs_s']:.2f} pairs/s, "
                      f"last loss {r['last_loss']:.3f}", flush=True)
    med = {k: statistics.median(r["pairs_s"] for r in v) for k, v in results.items()}
    pairs = [r["pairs_s"] / t["pairs_s"] for r, t in zip(results["runner"], results["trl"], strict=True)]
    ratio = statistics.median(pairs)
    print(json.dumps({"runner_pairs_s": med["runner"], "trl_pairs_s": med["trl"], "ratio": ratio, "pairs": pairs}))
    if args.append:
        import importlib.metadata as md

        versions = ", ".join(f"{p} {md.version(p)}" for p in ("torch", "transformers", "peft", "trl", "bitsandbytes"))
        head = (f"- {dt.date.today().isoformat()}, `.venv/bin/python benchmarks/dpo_throughput.py --steps {args.steps} "
                f"--repeats {args.repeats} --threads {args.threads} --append`, {platform.system()} {platform.machine()}, "
                f"{os.cpu_count()} cores (CPU, bitsandbytes NF4 CPU kernels), load average {os.getloadavg()[0]:.1f} "
                f"at the end (shared machine); {versions}; medians of {args.repeats}:")
        rows = [
            f"baseline TRL DPOTrainer + PEFT: {med['trl']:.2f} pairs/s ({args.steps} steps of {per_step} pairs)",
            f"runner (`ftwizard.train`, objective dpo): {med['runner']:.2f} pairs/s",
            f"ratio runner / TRL: {ratio:.2f} (median of the {len(pairs)} alternating pairs: "
            f"{', '.join(f'{x:.2f}' for x in pairs)}; goal >= 1.0)",
        ]
        _append(head, rows)
    return 0


def _append(head: str, rows: list[str]) -> None:
    append_entry(SECTION, 'Command: `.venv/bin/python benchmarks/dpo_throughput.py --append`', head, rows)


if __name__ == "__main__":
    raise SystemExit(main())
