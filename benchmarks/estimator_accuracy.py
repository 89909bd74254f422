"""How close is the estimator to public measurements of fine-tuning memory?

Runs `ftwizard.estimate.estimator.estimate` over ../shared/data/finetune_memory_measured.csv
and prints, per source and overall, the median and 90th-percentile absolute percentage
error on the `measured` rows, and how many fit/OOM verdicts it gets right on the OOM rows;
beside it the rules of thumb users rely on today, on the same rows:
  - LLaMA-Factory README "Hardware Requirement" (per billion parameters x): full AMP 18x,
    full 16-bit 8x, LoRA 16-bit 2x, QLoRA 8-bit x, QLoRA 4-bit x/2 (GB);
  - "4x the weights" (accelerate `estimate-memory`: training with Adam ~ 4x the loaded size).

Each row is turned into an EstimateRequest from its own columns. What a source's
configuration or statistic means is read from the data notes (finetune_memory_measured.md)
and applied to every row of that source alike, never to one row:
  - statistic: LitGPT and the PEFT README report max_memory_allocated, torchtune's tables
    peak active/allocated, its tutorials max_memory_reserved, the others (PEFT docs'
    screenshots, Qwen, LLaMA-Factory) what the card shows. The estimate is compared on the
    same footing: allocated = peak - CUDA context - allocator slack; reserved = peak -
    CUDA context. Paged optimizer state (cudaMallocManaged) is not in torch's statistics.
  - Qwen's ZeRO-3 multi-GPU rows are sums over the GPUs (the notes): divided by the count.
  - LitGPT and torchtune (Llama 3.x tables) use a chunked cross-entropy.
  - Unpacked Alpaca batches are padded to their longest sample: 1304 tokens with the Llama 2
    tokenizer (LitGPT resource tables), so a torchtune "max 2048/4096" row peaks there.
Rows whose configuration the estimator cannot represent are listed as skipped, with why.

Usage: .venv/bin/python benchmarks/estimator_accuracy.py [--rows] [--append]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from ftwizard.catalog.entries import Architecture
from ftwizard.catalog.store import Catalog, load_catalog
from ftwizard.estimate import constants as K
from ftwizard.estimate.estimator import estimate
from ftwizard.estimate.request import EstimateRequest

ROOT = Path(__file__).resolve().parents[1]
CSV = ROOT.parent / "shared" / "data" / "finetune_memory_measured.csv"
RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## Estimator accuracy"
ALPACA_LONGEST_LLAMA2 = 1304  # LitGPT resource tables: longest Alpaca sample, Llama 2 tokenizer

# Models not in the shipped catalog: Hugging Face config.json values (LitGPT litgpt/config.py
# mirrors each one with its config.json link; Qwen v1 and BLOOM from their model cards).
LOCAL_ARCHS: dict[str, dict] = {
    "phi-1.5": dict(model_type="phi", hidden_size=2048, intermediate_size=8192, num_hidden_layers=24,
                    num_attention_heads=32, num_key_value_heads=32, head_dim=64, vocab_size=51200,
                    tie_word_embeddings=False),
    "Phi-2": dict(model_type="phi", hidden_size=2560, intermediate_size=10240, num_hidden_layers=32,
                  num_attention_heads=32, num_key_value_heads=32, head_dim=80, vocab_size=51200,
                  tie_word_embeddings=False),
    "StableLM-base-alpha-3B": dict(model_type="gpt_neox", hidden_size=4096, intermediate_size=16384,
                                   num_hidden_layers=16, num_attention_heads=32, num_key_value_heads=32,
                                   head_dim=128, vocab_size=50688, tie_word_embeddings=False),
    "Falcon-7B": dict(model_type="falcon", hidden_size=4544, intermediate_size=18176, num_hidden_layers=32,
                      num_attention_heads=71, num_key_value_heads=1, head_dim=64, vocab_size=65024,
                      tie_word_embeddings=False),
    "Falcon-40B": dict(model_type="falcon", hidden_size=8192, intermediate_size=32768, num_hidden_layers=60,
                       num_attention_heads=128, num_key_value_heads=8, head_dim=64, vocab_size=65024,
                       tie_word_embeddings=False),
    "Gemma-2B": dict(model_type="gemma", hidden_size=2048, intermediate_size=16384, num_hidden_layers=18,
                     num_attention_heads=8, num_key_value_heads=1, head_dim=256, vocab_size=256000,
                     tie_word_embeddings=True),
    "Gemma-7B": dict(model_type="gemma", hidden_size=3072, intermediate_size=24576, num_hidden_layers=28,
                     num_attention_heads=16, num_key_value_heads=16, head_dim=256, vocab_size=256000,
                     tie_word_embeddings=True),
    # Qwen (v1) config.json gives intermediate_size 2x the width of each MLP input matrix.
    "Qwen-1.8B": dict(model_type="qwen", hidden_size=2048, intermediate_size=5504, num_hidden_layers=24,
                      num_attention_heads=16, num_key_value_heads=16, head_dim=128, vocab_size=151936,
                      tie_word_embeddings=False, attention_bias=True),
    "Qwen-7B": dict(model_type="qwen", hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                    num_attention_heads=32, num_key_value_heads=32, head_dim=128, vocab_size=151936,
                    tie_word_embeddings=False, attention_bias=True),
    "Qwen-14B": dict(model_type="qwen", hidden_size=5120, intermediate_size=13696, num_hidden_layers=40,
                     num_attention_heads=40, num_key_value_heads=40, head_dim=128, vocab_size=152064,
                     tie_word_embeddings=False, attention_bias=True),
    "Qwen-72B": dict(model_type="qwen", hidden_size=8192, intermediate_size=24576, num_hidden_layers=80,
                     num_attention_heads=64, num_key_value_heads=64, head_dim=128, vocab_size=152064,
                     tie_word_embeddings=False, attention_bias=True),
    "bigscience/bloomz-7b1": dict(model_type="bloom", hidden_size=4096, intermediate_size=16384,
                                  num_hidden_layers=30, num_attention_heads=32, num_key_value_heads=32,
                                  head_dim=128, vocab_size=250880, tie_word_embeddings=True),
    "LLaMA-65B (Guanaco-65B)": dict(model_type="llama", hidden_size=8192, intermediate_size=22016,
                                    num_hidden_layers=80, num_attention_heads=64, num_key_value_heads=64,
                                    head_dim=128, vocab_size=32000, tie_word_embeddings=False),
}
CATALOG_IDS = {
    "Llama-2-7B": "llama-2-7b", "Llama-2-13B": "llama-2-13b", "Llama-2-70B": "llama-2-70b",
    "decapoda-research/llama-7b-hf": "llama-2-7b", "decapoda-research/llama-13b-hf": "llama-2-13b",
    "Llama-3-8B": "llama-3-8b", "Llama-3.1-8B": "llama-3.1-8b", "Llama-3.1-70B": "llama-3.1-70b",
    "Llama-3.2-1B": "llama-3.2-1b", "Llama-3.2-3B": "llama-3.2-3b", "TinyLlama-1.1B": "tinyllama-1.1b",
    "Mistral-7B-v0.1": "mistral-7b-v0.1", "Mistral-7B-v0.2": "mistral-7b-v0.1",
    "Phi-3-mini-4k-instruct": "phi-3-mini", "Gemma-2-2B": "gemma-2-2b", "Gemma-2-9B": "gemma-2-9b",
}
GPU_IDS = [("A100-SXM4-40GB", "a100-40gb"), ("A10G", "a10g"), ("RTX 4090", "rtx-4090"), ("T4", "t4"),
           ("H100", "h100-sxm-80gb"), ("A100 80GB", "a100-80gb-sxm"), ("A100-SXM4-80G", "a100-80gb-sxm"),
           ("40GB", "a100-40gb"), ("48GB", "rtx-a6000"), ("A100", "a100-80gb-sxm")]


@dataclass
class Case:
    index: int
    source: str
    label: str
    req: EstimateRequest | None
    measured_gb: float | None  # None for verdict-only rows
    oom: bool | None  # True: did not fit; False: fitted; None: not a verdict row
    statistic: str  # allocated | reserved | total
    per_gpu_divisor: int
    params_b: float
    skip: str | None = None


def source_of(row: dict) -> str:
    s = row["source"]
    for key, name in (("resource-tables", "LitGPT resource tables"), ("config_hub", "LitGPT config hub"),
                      ("LitGPT", "LitGPT docs"), ("torchtune", "torchtune"), ("PEFT README", "PEFT README"),
                      ("PEFT docs", "PEFT docs"), ("Qwen", "Qwen"), ("LLaMA-Factory", "LLaMA-Factory"),
                      ("Unsloth", "Unsloth"), ("4-bit", "HF 4-bit blog"),
                      ("blog", "HF 4-bit blog"), ("QLoRA paper", "QLoRA paper"), ("pytorch/ao", "torchao issue")):
        if key in s:
            return name
    return s[:30]


def _gpus(row: dict) -> tuple[int, str | None]:
    text = row["gpu"]
    m = re.match(r"\s*(\d+)\s*x", text)
    count = int(m.group(1)) if m else 1
    for key, gid in GPU_IDS:
        if key in text:
            return count, gid
    return count, None


def _targets(row: dict) -> str:
    t = row["targets"].lower()
    if "all linear incl. lm_head" in t or "+ output" in t:
        return "all-linear,lm_head"
    if "all-linear" in t or "all linear" in t or t.startswith("c_attn"):
        return "all-linear"
    if "q,k,v,o + mlp" in t or "q,v,o + mlp" in t:
        return "q_proj,k_proj,v_proj,o_proj,mlp" if "k" in t.split("+")[0] else "q_proj,v_proj,o_proj,mlp"
    if "query_key_value" in t:
        return "query_key_value"
    if t.startswith("q,k,v"):
        return "q_proj,k_proj,v_proj"
    return "q_proj,v_proj"  # "q,v", PEFT's default for Llama, and LLaMA-Factory's default then


def make_case(i: int, row: dict, catalog: Catalog) -> Case:
    src = source_of(row)
    kind = row["kind"]
    peak = row["peak_mem_gb"].strip()
    label = f"{row['model']} {row['method']} b{row['micro_batch']} s{row['seq_len'].split()[0]}"
    oom = None
    if "OOM" in kind and "fit/OOM" not in kind:
        oom = True
    notes = row["notes"]
    if "fit/OOM" in kind:
        oom = "result: OOM" in notes
    if "claim: fits" in kind:
        oom = False
    measured = None
    if kind == "measured" and peak:
        if "-" in peak:
            lo, hi = peak.split("-")
            measured = (float(lo) + float(hi)) / 2  # a range read off a screenshot: its middle
        else:
            measured = float(peak)
    case = Case(i, src, label, None, measured, oom, "total", 1, float(row["params_b"] or 0))
    if measured is None and oom is None:
        case.skip = kind
        return case
    model = row["model"]
    method = row["method"].lower()
    if "T0_3B" in model or "mt0" in model:
        case.skip = "encoder-decoder (T5) model: outside the estimator's decoder-only scope"
        return case
    if "optimizer_in_bwd" in row["optimizer"]:
        case.skip = "optimizer step fused into backward: not modelled"
        return case
    if "activation offload" in row["grad_ckpt"]:
        case.skip = "activation offloading: not modelled"
        return case
    if src == "torchtune" and "Baseline" in notes:
        case.skip = "unpacked run with unstated real lengths"
        return case
    if "claim" in kind or "ambiguous" in kind or "partly unknown" in kind:
        case.skip = "configuration not stated"
        return case

    if "ambiguous" in notes and "Seq Length" in notes:
        case.skip = "sequence length ambiguous (padded batches of unknown length)"
        return case
    if model in CATALOG_IDS:
        arch = catalog.model(CATALOG_IDS[model]).architecture
    elif model in LOCAL_ARCHS:
        arch = Architecture(**LOCAL_ARCHS[model])
    else:
        case.skip = f"no architecture for {model}"
        return case
    if src.startswith("LitGPT") and arch.tie_word_embeddings:
        # LitGPT's GPT keeps its own lm_head; its checkpoint converter copies tied embeddings.
        arch = arch.model_copy(update={"tie_word_embeddings": False})
    arch_kw = {"architecture": arch}

    prec_text = row["precision"].lower()
    if method.startswith("full"):
        m = "full"
    elif "qlora" in method or "8-bit base" in method:
        m = "qlora"
    else:
        m = "lora"
    if "fp32" in prec_text:
        precision = "fp32"
    elif "fp16" in prec_text:
        precision = "fp16-mixed"
    elif "bf16-mixed" in prec_text:
        precision = "bf16-mixed"
    elif src in ("Qwen", "PEFT docs", "LLaMA-Factory", "HF 4-bit blog"):
        precision = "bf16-mixed"  # Hugging Face Trainer with bf16=True: autocast, fp32 adapters
    else:
        precision = "bf16-true"  # LitGPT bf16-true, torchtune: everything in bf16
    if src == "HF 4-bit blog":
        precision = "fp16-mixed"  # T4: no bf16
    opt_text = row["optimizer"].lower()
    if "paged" in opt_text and "8bit" in opt_text:
        optimizer = "paged_adamw_8bit"
    elif "paged" in opt_text:
        optimizer = "paged_adamw"
    elif "8bit" in opt_text:
        optimizer = "adamw_8bit"
    else:
        optimizer = "adamw"
    count, _ = _gpus(row)
    strategy = "single"
    cpu_offload = False
    text = (row["gpu"] + " " + row["method"] + " " + row["precision"] + " " + row["optimizer"]).lower()
    if "zero-3" in text or "zero3" in text:
        strategy = "zero3"
    elif "fsdp" in text or "fsdp" in row["grad_ckpt"].lower() or (src == "torchtune" and count > 1):
        strategy = "fsdp"
    if "offload" in text and "no offload" not in text:
        cpu_offload = True
    if strategy == "single" and count > 1:
        strategy = "fsdp"
    seq_text = row["seq_len"].split()[0]
    seq = int(seq_text) if seq_text.isdigit() else 512
    if src == "torchtune" and "May 2024" in row["source"]:
        seq = min(seq, ALPACA_LONGEST_LLAMA2)  # unpacked Alpaca: padded to the longest sample
    mb = int(row["micro_batch"]) if row["micro_batch"].strip().isdigit() else 1
    ckpt_text = row["grad_ckpt"].strip().lower()
    ckpt = ckpt_text.startswith("on") or (ckpt_text.startswith("not stated") and "defaulted to GC on" in notes)
    r_text = row["lora_r"].split()[0] if row["lora_r"].strip() else "8"
    lora_r = int(r_text) if r_text.isdigit() else 8
    dropout = {"LitGPT resource tables": 0.05, "LitGPT config hub": 0.05, "LitGPT docs": 0.05,
               "PEFT README": 0.1, "PEFT docs": 0.1, "Qwen": 0.05}.get(src, 0.05)
    if src == "torchtune" and ("Sep 2024" in row["source"] or "Llama 3" in row["source"]
                               or "Optimiz" in row["source"] or "Memory" in row["source"]):
        dropout = 0.0  # torchtune's Llama 3.x configs
    # Flags in torchtune's Llama 3.2 ablation are cumulative: chunked CE from its row onwards.
    ablation_before_chunking = "Baseline" in notes or "+ packed" in notes
    chunked = src.startswith("LitGPT") or (
        src == "torchtune" and ("Memory" in row["source"] or ("Optimiz" in row["source"] and not ablation_before_chunking))
    )
    bits = 8 if "8-bit" in row["precision"].lower() or "8-bit base" in method else 4
    dq = "dq" in prec_text or "double" in prec_text or "-dq" in opt_text or src in ("torchtune",)
    if src == "HF 4-bit blog":
        dq = False
    # bitsandbytes 0.41 (LitGPT's 2023 tables name it; the HF blog is older still) kept 4-bit
    # layers' inputs for backward.
    old_bnb = src in ("LitGPT resource tables", "LitGPT config hub", "HF 4-bit blog")
    # LitGPT runs attention with logit soft-capping (Gemma 2) in eager mode: SDPA cannot cap.
    attention = "eager" if src.startswith("LitGPT") and model.startswith("Gemma-2") else "sdpa"
    # The training stack, per source (data notes): LitGPT runs on Lightning Fabric, torchtune on its
    # own recipes; the rest are Hugging Face transformers + PEFT (Trainer, accelerate, DeepSpeed).
    stack = "litgpt" if src.startswith("LitGPT") else "torchtune" if src == "torchtune" else "hf"
    # Gradient accumulation, where the source states it (the data notes: Qwen 8, LLaMA-Factory 2,
    # the HF blog 4). LitGPT's scripts always accumulate: their global batch (lit-gpt 2023: 128;
    # config hub yamls: 16-32, e.g. tiny-llama/full.yaml 32 over micro-batch 4) exceeds the
    # micro-batch. Memory depends only on whether gradients persist across micro-batches.
    accum = {"Qwen": 8, "LLaMA-Factory": 2, "HF 4-bit blog": 4}.get(src, 1)
    if src.startswith("LitGPT"):
        accum = 2
    try:
        req = EstimateRequest(
            **arch_kw, method=m, precision=precision, optimizer=optimizer, lora_r=lora_r,
            lora_targets=_targets(row) if m != "full" else "all-linear", lora_dropout=dropout,
            seq_len=seq, micro_batch=mb, grad_accum=accum, grad_ckpt=ckpt, gpus=count,
            strategy=strategy, cpu_offload=cpu_offload, chunked_loss=chunked, qlora_bits=bits,
            double_quant=dq, quant_saves_inputs=old_bnb, attention=attention, stack=stack,
        )
    except Exception as exc:  # a row the request model refuses is reported, not hidden
        case.skip = f"request refused: {exc}"
        return case
    case.req = req
    # What the source's number counts (data notes, "What peak means differs by source").
    if src.startswith("LitGPT") or src == "PEFT README" or (src == "torchtune" and "Optimiz" in row["source"]):
        case.statistic = "allocated"  # max_memory_allocated; torchtune's ablation: peak active
    elif src == "torchtune":
        # The tutorials say reserved; the other tables name no statistic, and torchtune logs only
        # torch's: reserved, the one that runs out, is taken.
        case.statistic = "reserved"
    if src == "Qwen" and count > 1:
        case.per_gpu_divisor = count  # the notes: these rows are sums over the GPUs
    return case


def comparable_gb(case: Case, breakdown: dict[str, float], peak: float) -> float:
    """The estimate on the same footing as the source's statistic."""
    value = peak
    if case.statistic in ("allocated", "reserved"):
        value -= breakdown.get("cuda_context", 0.0)
        value -= breakdown.get("optimizer_state_paged", 0.0)  # unified memory, not in torch stats
    if case.statistic == "allocated":
        value -= breakdown.get("allocator_overhead", 0.0)
    return value


def rule_llamafactory(case: Case) -> float:
    x = case.params_b
    req = case.req
    assert req is not None
    if req.method == "full":
        return 8 * x if req.precision == "bf16-true" else 18 * x
    if req.method == "lora":
        return 2 * x
    return x if req.qlora_bits == 8 else x / 2


def rule_4x(case: Case) -> float:
    req = case.req
    assert req is not None
    if req.method == "qlora":
        per = 1.0 if req.qlora_bits == 8 else 0.5
    else:
        per = 4.0 if req.precision == "fp32" else 2.0
    return 4 * case.params_b * per


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def run(csv_path: Path) -> tuple[list[dict], list[Case]]:
    catalog = load_catalog()
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    cases = [make_case(i, r, catalog) for i, r in enumerate(rows)]
    results = []
    for c in cases:
        if c.req is None:
            continue
        gpus_count, gpu_id = _gpus(rows[c.index])
        e = estimate(c.req, catalog)
        usable = None
        if gpu_id:
            from ftwizard.estimate.cost import usable_memory_gb

            usable = usable_memory_gb(catalog.gpu(gpu_id))
        pred = comparable_gb(c, e.breakdown_gb, e.peak_vram_gb)
        res = {"case": c, "est": e, "pred_gb": pred, "usable_gb": usable}
        if c.measured_gb is not None:
            measured = c.measured_gb / c.per_gpu_divisor
            res["measured_gb"] = measured
            res["ape"] = abs(pred - measured) / measured
            res["ape_lf"] = abs(rule_llamafactory(c) - measured) / measured
            res["ape_4x"] = abs(rule_4x(c) - measured) / measured
        if c.oom is not None and usable is not None:
            res["verdict_ok"] = (e.peak_vram_gb > usable) == c.oom
            res["verdict_lf"] = (rule_llamafactory(c) > usable) == c.oom
            res["verdict_4x"] = (rule_4x(c) > usable) == c.oom
        results.append(res)
    return results, cases


def table(results: list[dict], cases: list[Case]) -> str:
    measured = [r for r in results if "ape" in r]
    groups: dict[str, list[dict]] = {}
    for r in measured:
        groups.setdefault(r["case"].source, []).append(r)
    lines = [
        "| source | rows | estimator median | estimator p90 | LLaMA-Factory table median / p90 | 4x weights median / p90 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]

    def row(name: str, rs: list[dict]) -> str:
        e = [r["ape"] for r in rs]
        lf = [r["ape_lf"] for r in rs]
        fx = [r["ape_4x"] for r in rs]
        return (f"| {name} | {len(rs)} | {_p(e, .5):.1%} | {_p(e, .9):.1%} | "
                f"{_p(lf, .5):.0%} / {_p(lf, .9):.0%} | {_p(fx, .5):.0%} / {_p(fx, .9):.0%} |")

    for name in sorted(groups):
        lines.append(row(name, groups[name]))
    multi = [r for r in measured if r["case"].req.world_size > 1 or r["case"].req.strategy != "single"]
    lines.append(row("**multi-GPU / sharded rows**", multi))
    lines.append(row("**all measured rows**", measured))
    verdicts = [r for r in results if "verdict_ok" in r]
    ok = sum(r["verdict_ok"] for r in verdicts)
    lf = sum(r["verdict_lf"] for r in verdicts)
    fx = sum(r["verdict_4x"] for r in verdicts)
    lines.append("")
    lines.append(f"Fit/OOM verdicts on the OOM and fit-only rows: estimator {ok}/{len(verdicts)}, "
                 f"LLaMA-Factory table {lf}/{len(verdicts)}, 4x weights {fx}/{len(verdicts)}.")
    skipped = [c for c in cases if c.req is None and (c.measured_gb is not None or c.oom is not None
                                                       or "measured" in (c.skip or ""))]
    reasons: dict[str, int] = {}
    for c in skipped:
        reasons[c.skip or "?"] = reasons.get(c.skip or "?", 0) + 1
    lines.append("Rows left out: " + "; ".join(f"{n} x {why}" for why, n in sorted(reasons.items())) + ".")
    return "\n".join(lines)


def measured_tokens_per_s(row: dict) -> float | None:
    """Training tokens per second per GPU, where the row's unit allows it."""
    unit, value = row["throughput_unit"], row["throughput"].strip()
    if not value:
        return None
    if unit in ("tokens/s", "tokens/GPU/s") and row["gpu"].strip().startswith("1"):
        return float(value)
    if unit == "s/it (GA 8)" and row["seq_len"].split()[0].isdigit():
        gpus, _ = _gpus(row)
        return 8 * int(row["seq_len"].split()[0]) / float(value) / gpus  # 8 fixed-length sequences
    return None


def time_table(csv_path: Path, cases: list[Case]) -> str:
    """Predicted vs measured tokens/s on the single-device rows whose unit converts."""
    from ftwizard.estimate.constants import ACHIEVABLE_MFU

    catalog = load_catalog()
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    groups: dict[str, list[float]] = {}
    for c in cases:
        if c.req is None:
            continue
        measured = measured_tokens_per_s(rows[c.index])
        _, gpu_id = _gpus(rows[c.index])
        if measured is None or gpu_id is None:
            continue
        e = estimate(c.req.model_copy(update={"gpu_id": gpu_id}), catalog)
        if not e.tokens_per_s:
            continue
        groups.setdefault(c.source, []).append(e.tokens_per_s / c.req.world_size / measured)
    lines = ["| source | rows | median predicted/measured | median abs error | p90 abs error |",
             "| --- | ---: | ---: | ---: | ---: |"]
    every: list[float] = []
    for name in sorted(groups):
        ratios = groups[name]
        every += ratios
        errs = [abs(r - 1) for r in ratios]
        lines.append(f"| {name} | {len(ratios)} | {statistics.median(ratios):.2f} | {_p(errs, .5):.0%} | {_p(errs, .9):.0%} |")
    errs = [abs(r - 1) for r in every]
    lines.append(f"| **all** | {len(every)} | {statistics.median(every):.2f} | {_p(errs, .5):.0%} | {_p(errs, .9):.0%} |")
    lines.append(f"\nSpeed model: {ACHIEVABLE_MFU:.0%} of dense bf16 peak (or bandwidth where it binds).")
    return "\n".join(lines)


def detail(results: list[dict]) -> str:
    out = ["| # | source | row | stat | measured GB | estimate GB | error | LF | 4x |",
           "| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        c = r["case"]
        if "ape" in r:
            out.append(f"| {c.index} | {c.source} | {c.label} | {c.statistic} | {r['measured_gb']:.2f} | "
                       f"{r['pred_gb']:.2f} | {r['ape']:+.0%} | {r['ape_lf']:.0%} | {r['ape_4x']:.0%} |"
                       .replace("+", "") if False else
                       f"| {c.index} | {c.source} | {c.label} | {c.statistic} | {r['measured_gb']:.2f} | "
                       f"{r['pred_gb']:.2f} | {(r['pred_gb'] - r['measured_gb']) / r['measured_gb']:+.0%} | "
                       f"{r['ape_lf']:.0%} | {r['ape_4x']:.0%} |")
        elif "verdict_ok" in r:
            out.append(f"| {c.index} | {c.source} | {c.label} | verdict | {'OOM' if c.oom else 'fits'} | "
                       f"{r['est'].peak_vram_gb:.2f} of {r['usable_gb']:.1f} | "
                       f"{'right' if r['verdict_ok'] else 'WRONG'} | | |")
    return "\n".join(out)


def append(text: str, command: str) -> None:
    body = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    entry = f"\n- {dt.date.today().isoformat()}, `{command}`\n\n{text}\n"
    if SECTION in body:
        start = body.index(SECTION)
        nxt = body.find("\n## ", start + len(SECTION))
        end = len(body) if nxt == -1 else nxt
        body = body[:end].rstrip("\n") + "\n" + entry + body[end:]
    else:
        body = body.rstrip("\n") + f"\n\n{SECTION}\n" + entry
    RESULTS.write_text(body, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=CSV)
    ap.add_argument("--rows", action="store_true", help="also print every row")
    ap.add_argument("--append", action="store_true", help=f"append the table to {RESULTS.name}")
    args = ap.parse_args(argv)
    results, cases = run(args.csv)
    text = table(results, cases)
    consts = (f"Global constants: CUDA context {K.CUDA_CONTEXT_GB} GB, allocator slack "
              f"{K.ALLOCATOR_OVERHEAD_FRACTION:.0%} of per-step tensors.")
    speed = time_table(args.csv, cases)
    print(text)
    print(consts)
    print()
    print(speed)
    if args.rows:
        print()
        print(detail(results))
    if args.append:
        append(text + "\n\n" + consts + "\n\nTraining speed (tokens/s per GPU):\n\n" + speed, "python " + " ".join(["benchmarks/estimator_accuracy.py", *(argv or sys.argv[1:])]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
