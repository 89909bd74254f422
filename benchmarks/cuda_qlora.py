"""A real CUDA QLoRA run of the runner on a ~1.1B-parameter Llama-style model with random
weights (TinyLlama-1.1B's shape: nothing is downloaded), beside the estimator's prediction.

Measured: peak GPU memory (PyTorch's reserved and allocated peaks, and the device's used
memory at the end, CUDA context included) and training tokens/s; predicted: the
estimator's `peak_vram_gb` and `tokens_per_s` for the same configuration on the detected
GPU (`ftwizard.estimate.estimator.estimate`). The ratios measured / predicted are the estimator's
error on this card. The baseline in the same run is the prediction itself.

    .venv/bin/python benchmarks/cuda_qlora.py --steps 30 --append          # needs an NVIDIA GPU
    .venv/bin/python benchmarks/cuda_qlora.py --dry-run                     # tiny model on CPU

`--dry-run` builds the tiny test model instead and runs on CPU, so the script is known to
work where no GPU is at hand (its memory figures are the process's RSS, not GPU memory).
`--append` adds the figures to benchmarks/RESULTS.md under '## CUDA QLoRA (1B, random weights)'.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

from results_md import append_entry

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## CUDA QLoRA (1B, random weights)"
sys.path.insert(0, str(ROOT / "tests"))  # the tiny tokenizer and data builders the tests use

# TinyLlama-1.1B's config.json (github.com/jzhang38/TinyLlama): 1.10B parameters.
ONE_B = dict(hidden_size=2048, intermediate_size=5632, num_hidden_layers=22, num_attention_heads=32,
             num_key_value_heads=4, vocab_size=32000, max_position_embeddings=4096, tie_word_embeddings=False)


def build_1b(folder: Path, tokenizer_from: Path) -> Path:
    """Random ~1.1B Llama on the GPU, saved in bf16 safetensors with the tiny tokenizer (its
    ids fit in the 32000-entry vocabulary; the logits still span all 32000)."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tok = AutoTokenizer.from_pretrained(tokenizer_from, local_files_only=True)
    cfg = LlamaConfig(**ONE_B, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                      pad_token_id=tok.pad_token_id, initializer_range=0.02)
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = LlamaForCausalLM(cfg).to(torch.bfloat16)
    model.save_pretrained(folder, safe_serialization=True)
    tok.save_pretrained(folder)
    del model
    torch.cuda.empty_cache()
    return folder


def long_chat_rows(path: Path, rows: int, words_per_answer: int, seed: int = 0) -> Path:
    """Conversations long enough to fill packed sequences of a few thousand tokens."""
    from train_fixtures import COLOURS, NUMBERS, THINGS

    rng = random.Random(seed)
    vocab = NUMBERS + COLOURS + THINGS
    with open(path, "w", encoding="utf-8") as fh:
        for _ in range(rows):
            ask = "count from " + rng.choice(NUMBERS)
            answer = " ".join(rng.choices(vocab, k=words_per_answer))
            fh.write(json.dumps({"messages": [{"role": "user", "content": ask},
                                              {"role": "assistant", "content": answer}]}) + "\n")
    return path


def predict(model_dir: Path, seq_len: int, micro_batch: int, grad_accum: int, lora_r: int, gpu_name: str,
            gpu_memory_gb: float | None) -> dict:
    from ftwizard.catalog.store import load_catalog
    from ftwizard.estimate.arch_config import architecture_from_config
    from ftwizard.estimate.estimator import estimate
    from ftwizard.estimate.request import EstimateRequest

    cat = load_catalog()
    gpu = cat.find_gpu(gpu_name, gpu_memory_gb) if gpu_name else None
    req = EstimateRequest(
        architecture=architecture_from_config(model_dir / "config.json"), method="qlora",
        precision="bf16-mixed", optimizer="paged_adamw_8bit", lora_r=lora_r, lora_alpha=2 * lora_r,
        lora_targets="all-linear", lora_dropout=0.05, seq_len=seq_len, micro_batch=micro_batch,
        grad_accum=grad_accum, grad_ckpt=True, attention="sdpa", gpu_id=gpu.id if gpu else None,
    )
    est = estimate(req, cat)
    return {"peak_vram_gb": est.peak_vram_gb, "tokens_per_s": est.tokens_per_s, "gpu_id": gpu.id if gpu else None,
            "breakdown_gb": est.breakdown_gb}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dry-run", action="store_true", help="tiny model on CPU: check the script works")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--seq-len", type=int, default=2048)
    ap.add_argument("--micro-batch", type=int, default=2)
    ap.add_argument("--grad-accum", type=int, default=4)
    ap.add_argument("--lora-r", type=int, default=16)
    ap.add_argument("--work", type=Path, help="folder for the model and the run (default: a temp folder)")
    ap.add_argument("--json-out", type=Path, help="also write the figures here as JSON")
    ap.add_argument("--append", action="store_true")
    args = ap.parse_args()

    import torch

    from ftwizard.runs.config import RunConfig
    from ftwizard.runs.manifest import Manifest
    from ftwizard.train.events import Emitter
    from ftwizard.train.faults import Faults
    from ftwizard.train.recipe import run
    from train_fixtures import build_tiny_model

    if not args.dry_run and not torch.cuda.is_available():
        print("cuda_qlora: no CUDA GPU here; use --dry-run to check the script on CPU", file=sys.stderr)
        return 2
    if args.dry_run:
        args.seq_len, args.micro_batch, args.grad_accum, args.lora_r = 64, 2, 2, 8
        args.steps = min(args.steps, 6)

    work = args.work or Path(tempfile.mkdtemp(prefix="ftwizard-cuda-qlora-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    tiny = build_tiny_model(work / "tiny")
    model_dir = tiny if args.dry_run else build_1b(work / "llama-1b", tiny)
    build_s = time.time() - t0
    words = max(8, args.seq_len // 6)  # about a third to a half of a sequence per row
    data = long_chat_rows(work / "train.jsonl", rows=max(64, args.steps * args.micro_batch * args.grad_accum), words_per_answer=words)

    if args.dry_run:
        gpu_name, gpu_mem = "", None
    else:
        props = torch.cuda.get_device_properties(0)
        gpu_name, gpu_mem = props.name, props.total_memory / 1e9
    pred = predict(model_dir, args.seq_len, args.micro_batch, args.grad_accum, args.lora_r, gpu_name, gpu_mem)

    out = work / f"run-{int(time.time())}"
    cfg = RunConfig(
        model_dir=model_dir, data_path=data, output_dir=out, method="qlora", seq_len=args.seq_len,
        micro_batch=args.micro_batch, grad_accum=args.grad_accum, max_steps=args.steps, lora_r=args.lora_r,
        lora_alpha=2 * args.lora_r, lora_targets=["all-linear"], learning_rate=2e-4, save_every=0,
        holdout_fraction=0.02, grad_ckpt=True, optimizer="paged_adamw_8bit", precision="auto",
        estimate={"peak_vram_gb": pred["peak_vram_gb"], "tokens_per_s": pred["tokens_per_s"],
                  "source": f"ftwizard estimator ({pred['gpu_id'] or 'no GPU matched'})"},
    )
    stream = io.StringIO()
    code = run(cfg, Emitter(stream), Faults())
    if code != 0:
        print(stream.getvalue()[-3000:], file=sys.stderr)
        print(f"cuda_qlora: the runner exited with code {code}", file=sys.stderr)
        return code
    man = Manifest.model_validate_json((out / "manifest.json").read_text())
    fig = {
        "date": dt.date.today().isoformat(),
        "device": man.hardware.device_name, "device_memory_gb": man.hardware.device_memory_gb,
        "model_params": None, "build_s": round(build_s, 1),
        "seq_len": args.seq_len, "micro_batch": args.micro_batch, "grad_accum": args.grad_accum, "lora_r": args.lora_r,
        "steps": man.metrics.steps, "tokens_trained": man.metrics.tokens_trained,
        "measured_tokens_per_s": round(man.metrics.tokens_per_s, 1),
        "measured_peak_reserved_gb": round(man.metrics.peak_mem_gb, 3),
        "predicted_peak_vram_gb": pred["peak_vram_gb"], "predicted_tokens_per_s": pred["tokens_per_s"],
        "predicted_breakdown_gb": pred["breakdown_gb"],
        "first_loss": man.metrics.first_loss, "last_loss": man.metrics.last_loss,
        "libraries": {k: man.libraries.get(k) for k in ("torch", "transformers", "peft", "bitsandbytes", "cuda")},
    }
    if torch.cuda.is_available() and not args.dry_run:
        free, total = torch.cuda.mem_get_info()
        fig["measured_peak_allocated_gb"] = round(torch.cuda.max_memory_allocated() / 1e9, 3)
        fig["device_used_at_end_gb"] = round((total - free) / 1e9, 3)
    from ftwizard.estimate.arch import shapes
    from ftwizard.estimate.arch_config import architecture_from_config

    fig["model_params"] = shapes(architecture_from_config(model_dir / "config.json")).total_params
    if args.dry_run:  # CPU RSS against a GPU prediction says nothing about the estimator
        pred["peak_vram_gb"] = fig["predicted_peak_vram_gb"] = None
    if pred["peak_vram_gb"]:
        fig["peak_measured_over_predicted"] = round(fig["measured_peak_reserved_gb"] / pred["peak_vram_gb"], 3)
    if pred["tokens_per_s"]:
        fig["tokens_per_s_measured_over_predicted"] = round(fig["measured_tokens_per_s"] / pred["tokens_per_s"], 3)
    print(json.dumps(fig, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps(fig, indent=2) + "\n")
    if args.append and not args.dry_run:
        _append(args, fig)
    return 0


def _append(args, fig: dict) -> None:
    cmd = (f".venv/bin/python benchmarks/cuda_qlora.py --steps {args.steps} --seq-len {args.seq_len} "
           f"--micro-batch {args.micro_batch} --grad-accum {args.grad_accum} --lora-r {args.lora_r} --append")
    head = (f"- {fig['date']}, `{cmd}`, {fig['device']} ({fig['device_memory_gb']} GB), {platform.system()}; "
            f"{', '.join(f'{k} {v}' for k, v in fig['libraries'].items())}:")
    rows = [
        f"model: random Llama, {fig['model_params'] / 1e9:.2f}B parameters, NF4 double quant, LoRA r={fig['lora_r']} all linear, "
        f"seq_len {fig['seq_len']}, {fig['micro_batch']}x{fig['grad_accum']}, {fig['steps']} steps",
        f"peak memory: measured {fig['measured_peak_reserved_gb']} GB reserved "
        f"({fig.get('measured_peak_allocated_gb')} GB allocated, {fig.get('device_used_at_end_gb')} GB used on the device at the end) "
        f"vs predicted {fig['predicted_peak_vram_gb']} GB = {fig.get('peak_measured_over_predicted')} x",
        f"throughput: measured {fig['measured_tokens_per_s']:,.0f} tok/s vs predicted "
        f"{fig['predicted_tokens_per_s']} tok/s = {fig.get('tokens_per_s_measured_over_predicted')} x",
    ]
    append_entry(SECTION, 'Command: `.venv/bin/python benchmarks/cuda_qlora.py --append`', head, rows)


if __name__ == "__main__":
    raise SystemExit(main())
