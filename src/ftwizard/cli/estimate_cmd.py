"""`ftwizard estimate --model ID_OR_CONFIG_JSON --method qlora --seq-len 512 ... [--json]`.

Peak VRAM per GPU (with its breakdown and range), and with --gpu whether it fits and how
fast it trains; with the data size, hours and the cost on every priced option. With --gpu,
the runs recorded on that GPU correct the figures (`ftwizard calibration list`) unless
--no-calibration is given.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ftwizard.cli.common import add_json_flag, catalog_from_args, print_json


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "estimate",
        help="peak GPU memory, speed and cost of one fine-tuning configuration",
        description="Estimate peak VRAM per GPU, tokens/s, hours and cost of a fine-tuning run.",
    )
    p.add_argument("--model", required=True, metavar="ID_OR_CONFIG_JSON",
                   help="catalog model id, or a local Hugging Face config.json (or its folder)")
    p.add_argument("--method", required=True, choices=("full", "lora", "qlora"))
    p.add_argument("--objective", default="sft", choices=("sft", "dpo"))
    p.add_argument("--seq-len", type=int, required=True, help="tokens per sequence")
    p.add_argument("--micro-batch", type=int, default=1, help="sequences per forward pass")
    p.add_argument("--grad-accum", type=int, default=1)
    p.add_argument("--grad-ckpt", action=argparse.BooleanOptionalAction, default=True,
                   help="gradient checkpointing (default on)")
    p.add_argument("--lora-r", type=int, default=16)
    p.add_argument("--lora-alpha", type=int, default=32)
    p.add_argument("--lora-targets", default="all-linear",
                   help="all-linear, attention, or module names like q_proj,v_proj")
    p.add_argument("--lora-dropout", type=float, default=0.05)
    p.add_argument("--precision", default="bf16-mixed", choices=("bf16-mixed", "bf16-true", "fp16-mixed", "fp32"))
    p.add_argument("--optimizer", default="adamw",
                   choices=("adamw", "adamw_8bit", "paged_adamw", "paged_adamw_8bit", "sgd"))
    p.add_argument("--attention", default="sdpa", choices=("sdpa", "eager"))
    p.add_argument("--chunked-loss", action="store_true", help="chunked/fused cross-entropy")
    p.add_argument("--gpu", metavar="NAME", help="catalog GPU id or the name the driver reports")
    p.add_argument("--gpus", type=int, default=1, help="GPUs per node")
    p.add_argument("--nodes", type=int, default=1)
    p.add_argument("--strategy", choices=("single", "ddp", "fsdp", "zero3"),
                   help="default: single for one GPU, fsdp for more")
    p.add_argument("--cpu-offload", action="store_true", help="params and optimizer state on CPU (fsdp/zero3)")
    p.add_argument("--examples", type=int, help="training examples (pairs for DPO)")
    p.add_argument("--avg-tokens", type=float, help="mean tokens per example")
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--electricity-usd-per-kwh", type=float, help="your tariff (default 0.30)")
    p.add_argument("--no-calibration", action="store_true",
                   help="ignore the runs recorded on this GPU (`ftwizard calibration list`): physics alone")
    add_json_flag(p)
    return p


def _request(args: argparse.Namespace, catalog):
    from pydantic import ValidationError

    from ftwizard.base.errors import EstimateError
    from ftwizard.base.jsonio import describe_validation_error
    from ftwizard.estimate.arch_config import architecture_from_config
    from ftwizard.estimate.request import EstimateRequest

    model = args.model
    looks_like_path = model.endswith(".json") or "/" in model or "\\" in model or Path(model).is_dir()
    fields: dict = {}
    if looks_like_path:
        fields["architecture"] = architecture_from_config(Path(model))
    else:
        fields["model_id"] = model
    if args.gpu:
        gpu = catalog.find_gpu(args.gpu)
        if gpu is None:
            raise EstimateError(f"--gpu: unknown GPU '{args.gpu}' (see `ftwizard catalog list --gpus`)")
        fields["gpu_id"] = gpu.id
    if (args.examples is None) != (args.avg_tokens is None):
        raise EstimateError("--examples and --avg-tokens go together")
    strategy = args.strategy or ("single" if args.gpus * args.nodes == 1 else "fsdp")
    if args.electricity_usd_per_kwh is not None:
        fields["electricity_usd_per_kwh"] = args.electricity_usd_per_kwh
    try:
        return EstimateRequest(
            method=args.method,
            objective=args.objective,
            precision=args.precision,
            optimizer=args.optimizer,
            lora_r=args.lora_r,
            lora_alpha=args.lora_alpha,
            lora_targets=args.lora_targets,
            lora_dropout=args.lora_dropout,
            seq_len=args.seq_len,
            micro_batch=args.micro_batch,
            grad_accum=args.grad_accum,
            grad_ckpt=args.grad_ckpt,
            attention=args.attention,
            chunked_loss=args.chunked_loss,
            gpus=args.gpus,
            nodes=args.nodes,
            strategy=strategy,
            cpu_offload=args.cpu_offload,
            examples=args.examples,
            avg_tokens=args.avg_tokens,
            epochs=args.epochs,
            **fields,
        )
    except ValidationError as exc:
        first = describe_validation_error("estimate", exc).splitlines()[0]
        raise EstimateError(first.replace("$.", "--").replace("_", "-")) from None


def _text(e) -> str:
    from ftwizard.base.units import gib_from_gb, mem, mem_value

    # Memory as a person reads it: the vendors' GB (2^30 bytes); --json keeps the decimal *_gb fields.
    lines = [f"Peak VRAM per GPU: {mem(e.peak_vram_gb)} (range {mem_value(e.range_gb[0])}-{mem(e.range_gb[1])})"]
    for name, gb in sorted(e.breakdown_gb.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {name:<24} {gib_from_gb(gb):8.2f} GB")
    if e.fits is not None:
        verdict = "fits" if e.fits else "does NOT fit"
        sign = "+" if e.margin_gb >= 0 else "-"
        lines.append(f"On {mem(e.gpu_memory_gb)} usable: {verdict} (margin {sign}{mem(abs(e.margin_gb))})")
    lines.append("GB here = 2^30 bytes, the unit of GPU vendors' labels (a '24 GB' card holds 24 GB).")
    if e.calibration:
        lines.append(f"Calibration: {e.calibration}")
    if e.tokens_per_s is not None:
        lines.append(f"Speed: {e.tokens_per_s:,.0f} tokens/s")
    if e.train_hours is not None:
        lines.append(f"Training time: {e.train_hours:.2f} h")
    if e.costs:
        lines.append("Cost:")
        for c in e.costs[:12]:
            flag = "" if c.verified else (" (undated price)" if c.traced else " (unverified price)")
            lines.append(f"  {c.provider:<28} {c.count} x {c.gpu:<26} {c.hours:8.2f} h  {c.usd:10.2f} USD{flag}")
    if e.monthly_inference is not None:
        m = e.monthly_inference
        lines.append(f"Serving the tuned model: {m.count} x {m.gpu} at {m.provider}, {m.usd_per_month:,.0f} USD/month")
    lines.append("Assumptions:")
    lines.extend(f"  - {a}" for a in e.assumptions)
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    import sys

    from ftwizard.estimate.calibrated import CalibrationLookup, open_default_store
    from ftwizard.estimate.estimator import estimate

    catalog = catalog_from_args(args)
    req = _request(args, catalog)
    correction = None
    if req.gpu_id is not None and not args.no_calibration:
        store, notice = open_default_store()
        if notice:
            print(notice, file=sys.stderr)
        lookup = CalibrationLookup.of(store)
        correction = lookup.for_request(req, catalog) if lookup else None
    est = estimate(req, catalog, correction)
    if args.json:
        print_json(est)
    else:
        print(_text(est))
    return 0
