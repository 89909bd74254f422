"""Every priced cloud offer for a model and technique, from one estimator sweep.

`estimator_sweep.sweep` builds a model's memory and work once and then costs every GPU with
a few multiplications (the same formulas as `estimate`). This module prices its rows
the way `estimate`'s cost list does: whole instances of the offer at the smallest GPU count
that holds the run, throughput scaling with the count (the estimator's ideal scaling), and
cost = billed hours x GPUs x price per GPU-hour. Shown plans get a full `estimate` afterwards.
Billed hours (issue 20) = max(minimum billing, training hours + start-up + weight download):
start-up STARTUP_HOURS (instance boot, container and package install), the 16-bit weights
downloaded at DOWNLOAD_MB_PER_S, and a minimum billing of the offer's `min_billing_hours`
where the catalog records one (24 h for AWS EC2 Capacity Blocks, sold by the day).
Each GPU is swept with the precision its plan will use (`hyperparams.precision_for`: fp16
where the card has no bf16), so the final estimate of a chosen offer sizes the same run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from ftwizard.catalog.entries import ModelEntry
from ftwizard.catalog.store import Catalog
from ftwizard.estimate.request import CostOption
from ftwizard.estimate.sweep import sweep
from ftwizard.recommend.answers import Answers
from ftwizard.recommend.hardware_options import GpuOption
from ftwizard.recommend.hyperparams import (
    estimate_request,
    planned_examples,
    precision_for,
    starting_hyperparameters,
)

if TYPE_CHECKING:
    from ftwizard.estimate.calibrated import CalibrationLookup


class Offer(NamedTuple):
    """A cost line with CostOption's fields; built by the thousand, so a plain tuple."""

    provider: str
    gpu: str
    gpu_id: str
    count: int
    usd_per_gpu_hour: float
    usd: float
    hours: float
    pricing: str
    verified: bool
    as_of: str | None
    source: str
    traced: bool | None = None  # traced to a price list, dated or not (None: as verified)


@dataclass(frozen=True)
class CloudRun:
    peak_gb: float  # per GPU on one GPU (before any sharding), the lightest over the GPUs swept
    offers: list[Offer] | list[CostOption]  # every priced offer that can hold the run
    peak_by_gpu: dict[str, float] = field(default_factory=dict)  # per GPU id: its precision's peak

    def peak_on(self, gpu_id: str) -> float:
        return self.peak_by_gpu.get(gpu_id, self.peak_gb)


STARTUP_HOURS = 0.25  # boot, image pull and `pip install` on a fresh instance: about 15 minutes
DOWNLOAD_MB_PER_S = 100.0  # weights pulled from the Hub into the instance (a conservative 100 MB/s)
CAPACITY_BLOCK_MIN_HOURS = 24.0  # EC2 Capacity Blocks are sold in whole days (AWS user guide)


def overhead_hours(model: ModelEntry) -> float:
    """Billed time that trains nothing: start-up and the 16-bit weights' download."""
    return STARTUP_HOURS + model.params_b * 2e9 / (DOWNLOAD_MB_PER_S * 1e6) / 3600


def min_billing_hours(pricing: str, recorded: float | None = None) -> float:
    if recorded:
        return recorded
    return CAPACITY_BLOCK_MIN_HOURS if pricing == "capacity_block" else 0.0


def billed_hours(model: ModelEntry, train_hours: float, pricing: str, recorded_min: float | None = None) -> float:
    return max(min_billing_hours(pricing, recorded_min), train_hours + overhead_hours(model))


def with_overhead(cost: CostOption, model: ModelEntry) -> CostOption:
    """A cloud cost line whose `usd` pays the billed hours (its `hours` stay the training time)."""
    billed = billed_hours(model, cost.hours, cost.pricing)
    return cost.model_copy(update={"usd": round(billed * cost.count * cost.usd_per_gpu_hour, 2)})


def as_cost_option(x: Offer | CostOption) -> CostOption:
    return x if isinstance(x, CostOption) else CostOption(**x._asdict())


def train_tokens(answers: Answers, objective: str, epochs: float) -> float:
    """Tokens a run trains on, as the estimator counts them: DPO reads chosen and rejected."""
    return planned_examples(answers) * answers.data.avg_tokens * (2 if objective == "dpo" else 1) * epochs


_CACHE: dict[tuple[int, str, tuple[str, ...], str], tuple[Catalog, CloudRun | None]] = {}
CACHE_SIZE = 4096


def clear_cache() -> None:
    _CACHE.clear()


def cloud_run(
    model: ModelEntry,
    method: str,
    objective: str,
    answers: Answers,
    catalog: Catalog,
    cloud: list[GpuOption],
    tariff: dict,
    calibration: CalibrationLookup | None = None,
) -> CloudRun | None:
    """The run priced on every cloud offer; None when the estimator refuses the combination.
    With `calibration`, each GPU's figures carry the correction recorded runs give there."""
    hp = starting_hyperparameters(model, method, objective, answers, None)
    template = estimate_request(model, hp, method, objective, answers, tariff)
    gpu_ids = tuple(o.gpu.id for o in cloud)
    key = (id(catalog), template.model_dump_json(), gpu_ids, calibration.key if calibration else "")
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is catalog:
        return hit[1]
    by_precision: dict[str, list[str]] = {}
    for o in cloud:
        by_precision.setdefault(precision_for(o.gpu), []).append(o.gpu.id)
    corrections = (lambda m, meth, g: calibration.correction(g, m.architecture, meth)) if calibration else None
    rows = []
    for precision, ids in by_precision.items():
        rows += sweep(
            catalog, template.model_copy(update={"precision": precision}),
            methods=[method], model_ids=[model.id], gpu_ids=ids, calibration=corrections,
        )
    run = None
    if rows:
        tokens = train_tokens(answers, objective, hp.epochs)
        offers: list[Offer] = []
        for row in rows:
            if not row.gpus_needed or not row.tokens_per_s:
                continue
            per_gpu_rate = row.tokens_per_s / row.gpus_needed
            gpu = catalog.gpu(row.gpu_id)
            for p in catalog.prices_for(row.gpu_id):
                count = math.ceil(row.gpus_needed / p.gpus_per_instance) * p.gpus_per_instance
                hours = tokens / (per_gpu_rate * count) / 3600
                billed = billed_hours(model, hours, p.pricing, getattr(p, "min_billing_hours", None))
                offers.append(
                    Offer(
                        p.provider,
                        gpu.name,
                        gpu.id,
                        count,
                        p.usd_per_gpu_hour,
                        round(billed * count * p.usd_per_gpu_hour, 2),
                        round(hours, 3),
                        p.pricing,
                        p.verified,
                        p.as_of.isoformat() if p.as_of else None,
                        p.source,
                        p.traced,
                    )
                )
        peaks = {row.gpu_id: row.peak_vram_gb for row in rows}
        run = CloudRun(min(peaks.values()), offers, peaks)
    if len(_CACHE) >= CACHE_SIZE:
        _CACHE.clear()
    _CACHE[key] = (catalog, run)
    return run
