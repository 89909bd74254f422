"""What a run costs on each priced option, and what serving the tuned model costs a month.

Training: hours x GPUs x the catalog's price per GPU-hour, for every priced offer; locally,
hours x GPUs x board power x the user's electricity tariff.
Serving (a deliberately simple model): the cheapest on-demand offer whose GPUs (1, 2, 4 or 8,
tensor-parallel) hold the weights (bf16, or 4-bit) plus the KV cache of the concurrent
sequences, rented for the hours a month the model is up. The offers are the ones the caller's
catalog holds (the recommender passes only those the data residency allows), traced
on-demand prices first.
Serving on owned hardware (`own_serving`): the fewest of the user's cards that hold the
model, priced at board power x POWER_FRACTION_OF_TDP x the tariff for the hours it is up,
plus the cards' purchase price over AMORTISATION_MONTHS where the catalog records one.
"""

from __future__ import annotations

from functools import lru_cache

from ftwizard.catalog.entries import Architecture, GpuEntry, PriceEntry
from ftwizard.catalog.store import Catalog
from ftwizard.estimate import constants as K
from ftwizard.estimate.arch import shapes

SERVE_COUNTS = (1, 2, 4, 8)
# Serving runtime's own scratch (activations, CUDA graphs) on top of weights and KV cache,
# as a share of the card: vLLM's default gpu_memory_utilization=0.9 leaves 10% aside.
SERVE_HEADROOM_FRACTION = 0.10
# 4-bit serving formats (AWQ, GPTQ with group size 128) store ~4.25 bits per weight.
SERVE_4BIT_BYTES_PER_PARAM = 4.25 / 8


def usable_memory_gb(gpu: GpuEntry) -> float | None:
    """Decimal GB a program can allocate on the card.

    Vendors' "GB" memory labels count GiB (an RTX 4090 shows 24,564 MiB in nvidia-smi); on
    GDDR data-centre cards ECC takes 1/16 of it (T4: 15,360 of 16,384 MiB; A10G: 23,028 MiB).
    """
    if gpu.memory_gb is None:
        return None
    return _usable(gpu.memory_gb, gpu.memory_type or "", gpu.consumer, gpu.name)


@lru_cache(maxsize=256)
def _usable(memory_gb: float, memory_type: str, consumer: bool, name: str) -> float:
    gb = memory_gb * K.GIB / K.GB
    if memory_type.upper().startswith("GDDR") and not consumer and "A6000" not in name.upper():
        gb *= 15 / 16
    return gb


def kv_cache_bytes(arch: Architecture, tokens: int, bytes_per_value: float = 2.0) -> float:
    """Keys and values of every layer: 2 x layers x kv_heads x head_dim x bytes per token."""
    return 2 * arch.num_hidden_layers * arch.num_key_value_heads * arch.head_dim * bytes_per_value * tokens


def serving_weights_bytes(arch: Architecture, quantized_4bit: bool) -> float:
    s = shapes(arch)
    if not quantized_4bit:
        return s.total_params * 2.0
    linear = s.layers * s.block_linear_params
    return linear * SERVE_4BIT_BYTES_PER_PARAM + (s.total_params - linear) * 2.0


_SERVE_CACHE: dict[tuple, tuple] = {}


def serving_option(
    arch: Architecture,
    catalog: Catalog,
    *,
    context_tokens: int,
    concurrency: int,
    quantized_4bit: bool,
) -> tuple[PriceEntry, GpuEntry, int, float, float] | None:
    """Cheapest (price, gpu, count, weights_bytes, kv_bytes) that holds the model, or None."""
    key = (id(catalog), arch, context_tokens, concurrency, quantized_4bit)
    hit = _SERVE_CACHE.get(key)
    if hit is not None and hit[0] is catalog:  # catalogs are immutable: same object, same answer
        return hit[1]
    found = _serving_option(arch, catalog, context_tokens, concurrency, quantized_4bit)
    if len(_SERVE_CACHE) > 4096:
        _SERVE_CACHE.clear()
    _SERVE_CACHE[key] = (catalog, found)
    return found


def _serving_option(
    arch: Architecture, catalog: Catalog, context_tokens: int, concurrency: int, quantized_4bit: bool
) -> tuple[PriceEntry, GpuEntry, int, float, float] | None:
    weights = serving_weights_bytes(arch, quantized_4bit)
    kv = kv_cache_bytes(arch, context_tokens * concurrency)
    offers = (
        [p for p in catalog.prices if p.pricing == "on_demand" and p.verified]
        or [p for p in catalog.prices if p.pricing == "on_demand" and p.traced]
        or [p for p in catalog.prices if p.pricing == "on_demand"]
        or list(catalog.prices)
    )
    best: tuple[float, PriceEntry, GpuEntry, int] | None = None
    gpus = {g.id: g for g in catalog.gpus}
    for p in offers:
        gpu = gpus.get(p.gpu_id)
        usable = usable_memory_gb(gpu) if gpu else None
        if gpu is None or usable is None:
            continue
        for n in SERVE_COUNTS:
            per_gpu = (weights + kv) / n + K.CUDA_CONTEXT_GB * K.GB
            if per_gpu <= usable * K.GB * (1 - SERVE_HEADROOM_FRACTION):
                hourly = n * p.usd_per_gpu_hour
                if best is None or hourly < best[0]:
                    best = (hourly, p, gpu, n)
                break
    if best is None:
        return None
    return best[1], best[2], best[3], weights, kv


def electricity_usd(hours: float, count: int, gpu: GpuEntry, usd_per_kwh: float) -> float | None:
    """Energy of the cards alone: hours x count x TDP x POWER_FRACTION_OF_TDP."""
    if gpu.tdp_w is None:
        return None
    return hours * count * gpu.tdp_w * K.POWER_FRACTION_OF_TDP / 1000 * usd_per_kwh


AMORTISATION_MONTHS = 36  # a common straight-line write-off period for servers and GPUs


def serving_fits(arch: Architecture, gpu: GpuEntry, count: int, context_tokens: int, concurrency: int,
                 quantized_4bit: bool) -> bool:
    """Weights + KV cache split over `count` cards, within 90% of each (the serving rule above)."""
    usable = usable_memory_gb(gpu)
    if usable is None:
        return False
    weights = serving_weights_bytes(arch, quantized_4bit)
    kv = kv_cache_bytes(arch, context_tokens * concurrency)
    return (weights + kv) / count + K.CUDA_CONTEXT_GB * K.GB <= usable * K.GB * (1 - SERVE_HEADROOM_FRACTION)


def own_serving(
    arch: Architecture,
    gpus: list[tuple[GpuEntry, int]],
    usd_per_kwh: float,
    *,
    hours_per_month: float = K.HOURS_PER_MONTH,
    context_tokens: int = 4096,
    concurrency: int = 4,
) -> tuple[GpuEntry, int, bool, float | None, float | None] | None:
    """(gpu, count, 4-bit?, power USD a month, amortisation USD a month or None) on the user's own
    cards: the fewest cards holding it in 16-bit, else in 4-bit. None when none of them holds it.
    Power None when the catalog has no board power for the card."""
    for quantized in (False, True):
        best = None
        for gpu, available in gpus:
            for n in SERVE_COUNTS:
                if n > available:
                    break
                if serving_fits(arch, gpu, n, context_tokens, concurrency, quantized):
                    if best is None or n < best[1]:
                        best = (gpu, n)
                    break
        if best is not None:
            gpu, n = best
            power = None
            if gpu.tdp_w is not None:
                power = hours_per_month * n * gpu.tdp_w * K.POWER_FRACTION_OF_TDP / 1000 * usd_per_kwh
            purchase = getattr(gpu, "purchase_usd", None)
            amort = n * purchase / AMORTISATION_MONTHS if purchase else None
            return gpu, n, quantized, power, amort
    return None
