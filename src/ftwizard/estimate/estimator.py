"""Peak VRAM, time and cost of one fine-tuning configuration, from physics, not tables.

Public API (others code against it): estimate(), monthly_inference_usd(),
smallest_gpu_count(); the request and result types are in request.py, a config.json's
architecture in arch_config.py, LoRA counts in lora_targets.py. Pure and fast: no torch, no I/O.

Calibration (`estimate(req, catalog, calibration)`, a `estimate.calibration.Correction` for the
request's GPU and architecture): the breakdown stays the physics; the correction multiplies
the total (its own "calibration" line in breakdown_gb, so the parts still add up), the range
(widened by range_widen_fraction), and the speed on the request's GPU (hours and costs follow).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ftwizard.base.errors import CatalogError, EstimateError
from ftwizard.catalog.entries import Architecture, GpuEntry
from ftwizard.catalog.store import Catalog
from ftwizard.estimate import constants as K
from ftwizard.estimate.arch import shapes
from ftwizard.estimate.cost import electricity_usd, serving_option, usable_memory_gb
from ftwizard.estimate.memory import MemoryModel, build
from ftwizard.estimate.request import (
    CostOption,
    Estimate,
    EstimateRequest,
    InferenceCost,
    check_request,
)
from ftwizard.estimate.timing import Work, tokens_per_s, work

if TYPE_CHECKING:  # the estimator reads a correction's factors; it never opens the store
    from ftwizard.estimate.calibration import Correction

__all__ = ["estimate", "monthly_inference_usd", "smallest_gpu_count"]

# --- implementation ----------------------------------------------------------------------------


def resolve_architecture(req: EstimateRequest, catalog: Catalog) -> tuple[Architecture, str]:
    """The architecture and a display name for the request's model."""
    if req.architecture is not None:
        return req.architecture, f"local {req.architecture.model_type} model"
    assert req.model_id is not None
    try:
        m = catalog.model(req.model_id)
    except CatalogError as exc:
        raise EstimateError(f"model: {exc}") from None
    return m.architecture, m.name


def _strategy_for(req: EstimateRequest, count: int) -> str:
    if count == 1:
        return "single"
    return req.strategy if req.strategy != "single" else "fsdp"


def _gpu_counts(max_gpus: int) -> list[int]:
    counts = [n for n in (1, 2, 4, 8) if n <= max_gpus]
    counts += list(range(16, max_gpus + 1, 8))
    return counts


def _per_gpu_gb(mem: MemoryModel, world: int, strategy: str, offload: bool) -> float:
    return mem.per_gpu_total(world, strategy, offload) / K.GB


def smallest_gpu_count(
    req: EstimateRequest, gpu: GpuEntry, catalog: Catalog, max_gpus: int = 64
) -> int | None:
    """Smallest count in 1, 2, 4, 8, 16, 24, ... (8 per node) whose per-GPU peak fits `gpu`.

    Beyond one GPU the request's strategy is used (fsdp when it says single): DDP never
    lowers per-GPU memory, so under ddp the answer is 1 or None.
    """
    check_request(req.model_copy(update={"gpus": 1, "nodes": 1}) if req.strategy == "single" else req)
    arch, _ = resolve_architecture(req, catalog)
    return _smallest(build(req, shapes_cached(arch)), req, gpu, max_gpus)


def monthly_inference_usd(
    arch: Architecture,
    catalog: Catalog,
    *,
    hours_per_month: float = K.HOURS_PER_MONTH,
    context_tokens: int = 4096,
    concurrency: int = 4,
    quantized_4bit: bool = False,
) -> InferenceCost | None:
    """Monthly cost of serving the tuned model on the cheapest priced GPU(s) that hold it.

    Model (estimator_cost): weights (bf16, or 4-bit at 4.25 bits) + KV cache for
    `concurrency` sequences of `context_tokens`, within 90% of each card; on-demand prices
    preferred; rented `hours_per_month` (730 = always on). None when no offer holds it.
    """
    found = serving_option(
        arch, catalog, context_tokens=context_tokens, concurrency=concurrency, quantized_4bit=quantized_4bit
    )
    if found is None:
        return None
    price, gpu, count, weights, kv = found
    return InferenceCost(
        provider=price.provider,
        gpu=gpu.name,
        gpu_id=gpu.id,
        count=count,
        usd_per_gpu_hour=price.usd_per_gpu_hour,
        hours_per_month=hours_per_month,
        usd_per_month=round(count * price.usd_per_gpu_hour * hours_per_month, 2),
        weights_gb=round(weights / K.GB, 2),
        kv_cache_gb=round(kv / K.GB, 2),
        pricing=price.pricing,
        verified=price.verified,
        source=price.source,
        traced=price.traced,
    )


def _train_tokens(req: EstimateRequest) -> float | None:
    if req.examples is None or req.avg_tokens is None:
        return None
    per_example = req.avg_tokens * (2 if req.objective == "dpo" else 1)  # DPO: chosen + rejected
    return req.examples * per_example * req.epochs


def _range(parts: dict[str, float]) -> tuple[float, float]:
    dynamic_keys = ("activations", "logits_and_loss", "allocator_overhead", "sharding_buffers")
    dynamic = sum(v for k, v in parts.items() if k in dynamic_keys)
    static = sum(parts.values()) - dynamic
    low = static * (1 - K.STATIC_SPREAD) + dynamic * (1 - K.ACTIVATION_SPREAD)
    high = static * (1 + K.STATIC_SPREAD) + dynamic * (1 + K.ACTIVATION_SPREAD)
    return low / K.GB, high / K.GB


def _assumptions(req: EstimateRequest, name: str, mem: MemoryModel, gpu: GpuEntry | None = None) -> list[str]:
    out = [
        f"Model: {name}; {mem.total_params / 1e9:.2f}B parameters, {mem.trainable_params / 1e6:.1f}M trainable.",
        "Memory is per GPU in decimal GB (1e9 bytes) at the start of backward, the step's peak.",
        f"Activations assume sequences of {req.seq_len} tokens x micro-batch {req.micro_batch}"
        + (" with gradient checkpointing." if req.grad_ckpt else " without gradient checkpointing."),
        "The loss keeps fp32 log-probabilities over the whole vocabulary, as Hugging Face computes it."
        if not req.chunked_loss
        else "The loss is chunked, so no full fp32 logits tensor is kept.",
        f"CUDA context {K.CUDA_CONTEXT_GB} GB and allocator slack "
        f"{K.ALLOCATOR_OVERHEAD_FRACTION:.0%} of per-step tensors are included.",
    ]
    if req.method == "qlora":
        out.append(
            "QLoRA base: linear layers in "
            + ("NF4 with double quantisation" if req.double_quant and req.qlora_bits == 4 else
               "NF4" if req.qlora_bits == 4 else "LLM.int8")
            + "; embeddings, norms and LM head stay 16-bit (prepare_model_for_kbit_training would upcast them to fp32)."
        )
    if req.method == "qlora" and req.strategy == "fsdp" and req.gpus > 1:
        out.append("Sharded QLoRA: each GPU first loads the whole 4-bit base, then keeps 1/N of it "
                   "(a 4-bit model cannot be built empty and filled from rank 0); that load can be the peak.")
    if mem.optimizer_paged:
        out.append("Paged optimizer state lives in CUDA unified memory and can spill to CPU RAM under pressure.")
    if req.objective == "dpo":
        out.append(
            "DPO forwards chosen and rejected sequences together; "
            + ("the reference is the base with adapters off (no second copy)."
               if req.method != "full" else "full fine-tuning keeps a frozen 16-bit reference copy.")
        )
    if req.world_size > 1:
        out.append(f"{req.world_size} GPUs with {req.strategy}; speed assumes ideal scaling across GPUs.")
    out.append(
        f"Speed: {K.ACHIEVABLE_MFU:.0%} of the GPU's dense 16-bit peak, or its memory bandwidth where that "
        "binds; training tokens are real tokens (packed sequences)."
    )
    if gpu is not None and gpu.bf16_supported is False and req.precision.startswith("bf16"):
        out.append(
            f"{gpu.name} has no bf16: speed is its fp16 peak (the runner trains in fp16 there); memory is for "
            f"{req.precision} as asked - estimate fp16-mixed to size that run exactly."
        )
    return out


def estimate(req: EstimateRequest, catalog: Catalog, calibration: Correction | None = None) -> Estimate:
    """Peak VRAM per GPU, time and cost for one configuration. Pure and fast.

    `calibration`: the correction learned from recorded runs on the request's GPU and
    architecture (module docstring); None or an uncalibrated one leaves the physics alone.
    """
    check_request(req)
    arch, name = resolve_architecture(req, catalog)
    s = shapes_cached(arch)
    mem = build(req, s)
    world = req.world_size
    corr = calibration if calibration is not None and calibration.runs > 0 else None
    mem_factor = corr.memory_factor if corr else 1.0
    parts = mem.per_gpu(world, req.strategy, req.cpu_offload)
    physics = sum(parts.values()) / K.GB
    peak = physics * mem_factor
    low, high = _range(parts)
    breakdown = {k: round(v / K.GB, 3) for k, v in parts.items() if v > 0}
    if corr:
        widen = corr.range_widen_fraction  # few runs -> a wider range (estimate.calibration)
        low, high = low * mem_factor * (1 - widen), high * mem_factor * (1 + widen)
        breakdown["calibration"] = round(peak - physics, 3)
    gpu = catalog.gpu(req.gpu_id) if req.gpu_id else None
    usable = usable_memory_gb(gpu) if gpu else None
    w = work(req, s, mem)
    tps = tokens_per_s(w, gpu, req.precision, world, req.grad_accum) if gpu else None
    if tps and corr:
        tps *= corr.speed_factor  # learned on this GPU only; other priced GPUs keep the physics
    train_tokens = _train_tokens(req)
    hours = train_tokens / tps / 3600 if (train_tokens is not None and tps) else None
    costs = _costs(req, catalog, mem, w, train_tokens, corr) if train_tokens is not None else []
    if hours is not None and gpu is not None and usable is not None and peak <= usable:
        kwh = electricity_usd(hours, world, gpu, req.electricity_usd_per_kwh)
        if kwh is not None:
            costs.append(
                CostOption(
                    provider="local (electricity)",
                    gpu=gpu.name,
                    gpu_id=gpu.id,
                    count=world,
                    usd_per_gpu_hour=round(kwh / hours / world, 4) if hours else 0.0,
                    usd=round(kwh, 2),
                    hours=round(hours, 5),
                    pricing="electricity",
                    verified=True,
                    as_of=None,
                    source=f"{gpu.tdp_w:.0f} W TDP x {K.POWER_FRACTION_OF_TDP:.0%} x "
                    f"{req.electricity_usd_per_kwh} USD/kWh (your tariff); TDP: {gpu.source}",
                )
            )
    serve = monthly_inference_usd(
        arch,
        catalog,
        hours_per_month=req.serve_hours_per_month,
        context_tokens=req.serve_context_tokens,
        concurrency=req.serve_concurrency,
        quantized_4bit=req.serve_4bit,
    )
    return Estimate(
        peak_vram_gb=round(peak, 3),
        range_gb=(round(low, 3), round(high, 3)),
        breakdown_gb=breakdown,
        fits=None if usable is None else peak <= usable,
        margin_gb=None if usable is None else round(usable - peak, 3),
        gpu_memory_gb=None if usable is None else round(usable, 3),
        tokens_per_s=None if tps is None else round(tps, 1),
        train_hours=None if hours is None else round(hours, 4),
        costs=costs,
        monthly_inference=serve,
        assumptions=_assumptions(req, name, mem, gpu) + (_calibration_assumption(corr) if corr else []),
        trainable_params=mem.trainable_params,
        total_params=mem.total_params,
        calibration=corr.describe() if corr else None,
        calibrated_runs=corr.runs if corr else 0,
        allocator_peak_gb=round(physics - K.CUDA_CONTEXT_GB, 3),
    )


def _calibration_assumption(corr: Correction) -> list[str]:
    text = corr.describe()
    return [
        f"{text[0].upper()}{text[1:]} (the records: `ftwizard calibration list`); the breakdown is the "
        "physics and its 'calibration' line the correction, whose formula is in ftwizard.estimate.calibration."
    ]


def _costs(
    req: EstimateRequest,
    catalog: Catalog,
    mem: MemoryModel,
    w: Work,
    train_tokens: float,
    corr: Correction | None = None,
) -> list[CostOption]:
    """One entry per priced offer whose GPU can hold the run (at the smallest sensible count).
    A correction scales the memory on every GPU (it is the estimate's one peak) and the speed
    on the request's GPU only (where it was measured)."""
    out: list[CostOption] = []
    needed: dict[str, int | None] = {}
    gpus = {g.id: g for g in catalog.gpus}
    curve = memory_curve(mem, req)
    if corr:
        curve = [(n, gb * corr.memory_factor) for n, gb in curve]
    for p in catalog.prices:
        gpu = gpus.get(p.gpu_id)
        if gpu is None:
            continue
        if p.gpu_id not in needed:
            needed[p.gpu_id] = first_fit(curve, usable_memory_gb(gpu))
        n = needed[p.gpu_id]
        if n is None:
            continue
        count = -(-n // p.gpus_per_instance) * p.gpus_per_instance  # whole instances
        tps = tokens_per_s(w, gpu, req.precision, count, req.grad_accum)
        if not tps:
            continue
        if corr and gpu.id == req.gpu_id:
            tps *= corr.speed_factor
        hours = train_tokens / tps / 3600
        out.append(
            CostOption(
                provider=p.provider,
                gpu=gpu.name,
                gpu_id=gpu.id,
                count=count,
                usd_per_gpu_hour=p.usd_per_gpu_hour,
                usd=round(hours * count * p.usd_per_gpu_hour, 2),
                hours=round(hours, 5),
                pricing=p.pricing,
                verified=p.verified,
                as_of=p.as_of.isoformat() if p.as_of else None,
                source=p.source,
                traced=p.traced,
            )
        )
    out.sort(key=lambda c: c.usd)
    return out


def memory_curve(mem: MemoryModel, req: EstimateRequest, max_gpus: int = 64) -> list[tuple[int, float]]:
    """(count, per-GPU GB) for each sensible count; stops after one count under ddp."""
    out: list[tuple[int, float]] = []
    for n in _gpu_counts(max_gpus):
        strategy = _strategy_for(req, n)
        offload = req.cpu_offload and strategy in ("fsdp", "zero3")
        out.append((n, mem.per_gpu_total(n, strategy, offload) / K.GB))
        if strategy == "ddp":
            break  # DDP replicates everything: more GPUs never lower the per-GPU peak
    return out


def first_fit(curve: list[tuple[int, float]], usable_gb: float | None) -> int | None:
    if usable_gb is None:
        return None
    for n, gb in curve:
        if gb <= usable_gb:
            return n
    return None


def _smallest(mem: MemoryModel, req: EstimateRequest, gpu: GpuEntry, max_gpus: int = 64) -> int | None:
    return first_fit(memory_curve(mem, req, max_gpus), usable_memory_gb(gpu))


shapes_cached = shapes  # estimator_arch.shapes is cached; kept for callers of the old name
