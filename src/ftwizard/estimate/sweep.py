"""Every model x method x GPU at once, fast enough to re-rank while a slider moves.

The memory terms and the work of a step do not depend on the GPU, so each (model, method)
is built once and every GPU is then a few multiplications: the same formulas as
`estimate`, without the cost list and the assumption sentences. With `calibration`, each
GPU's row gets the correction `estimate(..., calibration)` would apply on that GPU.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

from ftwizard.base.errors import EstimateError
from ftwizard.catalog.entries import GpuEntry, ModelEntry
from ftwizard.catalog.store import Catalog
from ftwizard.estimate import constants as K
from ftwizard.estimate.arch import shapes
from ftwizard.estimate.cost import usable_memory_gb
from ftwizard.estimate.estimator import memory_curve
from ftwizard.estimate.memory import build
from ftwizard.estimate.request import EstimateRequest, check_request
from ftwizard.estimate.timing import peak_tflops, work

if TYPE_CHECKING:
    from ftwizard.estimate.calibration import Correction

METHODS = ("full", "lora", "qlora")


class SweepRow(NamedTuple):
    model_id: str
    method: str
    gpu_id: str
    peak_vram_gb: float  # on one GPU
    fits: bool | None  # on one card; None when the card's memory is unknown
    gpus_needed: int | None  # smallest sensible count that fits (None: not within max_gpus)
    tokens_per_s: float | None  # at gpus_needed (or one GPU when it never fits)


def sweep(
    catalog: Catalog,
    template: EstimateRequest,
    *,
    methods: Iterable[str] = METHODS,
    model_ids: Iterable[str] | None = None,
    gpu_ids: Iterable[str] | None = None,
    max_gpus: int = 64,
    calibration: Callable[[ModelEntry, str, GpuEntry], Correction | None] | None = None,
) -> list[SweepRow]:
    """One row per model x method x GPU; combinations that cannot run are left out.
    `calibration(model, method, gpu)` gives the correction for a row, or None."""
    models = [catalog.model(m) for m in model_ids] if model_ids is not None else list(catalog.models)
    gpus = [catalog.gpu(g) for g in gpu_ids] if gpu_ids is not None else list(catalog.gpus)
    single = template.model_copy(update={"gpus": 1, "nodes": 1, "strategy": "single", "cpu_offload": False})
    rows: list[SweepRow] = []
    for method in methods:
        multi = template.model_copy(update={"method": method})
        # Per GPU: usable GB, achievable FLOP/s and bytes/s (estimator_time.tokens_per_s inlined).
        cards = []
        for g in gpus:
            tflops = peak_tflops(g, template.precision)
            bw = g.bandwidth_gbs * 1e9 * K.ACHIEVABLE_BANDWIDTH_FRACTION if g.bandwidth_gbs else None
            cards.append((g, usable_memory_gb(g), tflops * 1e12 * K.ACHIEVABLE_MFU if tflops else None, bw))
        for m in models:
            s = shapes(m.architecture)
            req = single.model_copy(update={"model_id": m.id, "architecture": None, "method": method})
            try:
                check_request(req)
                mem = build(req, s)
            except EstimateError:
                continue  # e.g. qlora in fp32, or targets this model does not have
            w = work(req, s, mem)
            curve = memory_curve(mem, multi, max_gpus)
            peak = round(curve[0][1], 3)
            flops, stream, extra, host, tokens = (
                w.flops, w.stream_bytes, w.dequant_bytes + w.optimizer_bytes / req.grad_accum, w.host_s, w.tokens
            )
            append = rows.append
            for g, room, flops_s, bw in cards:
                corr = calibration(m, method, g) if calibration is not None else None
                mem_factor = corr.memory_factor if corr else 1.0
                here = round(curve[0][1] * mem_factor, 3) if corr else peak
                fits = needed = None
                if room is not None:
                    fits = here <= room
                    for n, gb in curve:  # first sensible count whose per-GPU peak fits
                        if gb * mem_factor <= room:
                            needed = n
                            break
                tps = None
                if flops_s:
                    step = flops / flops_s
                    if bw:
                        step = max(step, stream / bw) + extra / bw
                    tps = (needed or 1) * tokens / (step + host) * (corr.speed_factor if corr else 1.0)
                append(SweepRow(m.id, method, g.id, here, fits, needed, tps))
    return rows
