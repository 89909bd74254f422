"""Memoised estimates and placements (screening and final estimates), with the keys that
identify a card and the answers a placement depends on; `clear_cache` empties them and the
cloud sweep's cache (cold timings, tests).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ftwizard.catalog.entries import ModelEntry
from ftwizard.catalog.store import Catalog
from ftwizard.estimate.estimator import estimate as _estimate
from ftwizard.estimate.request import Estimate, EstimateRequest
from ftwizard.recommend.answers import Answers
from ftwizard.recommend.cloud import clear_cache as _clear_cloud_cache

if TYPE_CHECKING:
    from ftwizard.estimate.calibration import Correction


# Estimates are pure, so re-ranking the same answers with other weights (the GUI's sliders)
# reuses them. Bounded; the catalog object is kept with each entry so an id is never reused.
_CACHE: dict[tuple[int, str], tuple[Catalog, Estimate]] = {}
CACHE_SIZE = 8192


def estimate(req: EstimateRequest, catalog: Catalog, calibration: Correction | None = None) -> Estimate:
    key = (id(catalog), req.model_dump_json() + (calibration.model_dump_json() if calibration else ""))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is catalog:
        return hit[1]
    est = _estimate(req, catalog, calibration)
    if len(_CACHE) >= CACHE_SIZE:
        _CACHE.clear()
    _CACHE[key] = (catalog, est)
    return est


_POOL: dict[tuple, tuple[ModelEntry, Catalog, tuple]] = {}


def clear_cache() -> None:
    _CACHE.clear()
    _POOL.clear()
    _clear_cloud_cache()


def gpu_key(gpu) -> tuple:
    """What identifies a card for the caches: a catalog entry by id; a card the user named (id
    'user-...', built from the answers) also by the memory and figures it was planned with."""
    return (gpu.id, gpu.memory_gb, gpu.bf16_dense_tflops, gpu.fp16_dense_tflops, gpu.tdp_w, gpu.bf16_supported)


def _answers_key(answers: Answers) -> tuple:
    """The answers a placement depends on (hyperparameters, tokens, the training budget)."""
    d = answers.data
    return (d.examples, d.avg_tokens, d.p95_tokens, answers.budget.training_usd)
