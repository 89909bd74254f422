"""Every priced cloud offer for a model and technique, from one estimator sweep.

`estimator_sweep.sweep` builds a model's memory and work once and then costs every GPU with
a few multiplications (the same formulas as `estimate`). This module prices its rows
the way `estimate`'s cost list does: whole instances of the offer at the smallest GPU count
that holds the run, throughput scaling with the count (the estimator's ideal scaling), and
cost = hours x GPUs x price per GPU-hour. Shown plans get a full `estimate` afterwards.
Each GPU is swept with the precision its plan will use (`hyperparams.precision_for`: fp16
where the card has no bf16), so the final estimate of a chosen offer sizes the same run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from ftwizard.core.answers import Answers
from ftwizard.core.catalog import Catalog, ModelEntry
from ftwizard.core.estimator import CostOption
from ftwizard.core.estimator_sweep import sweep
from ftwizard.core.hardware_options import GpuOption
from ftwizard.core.hyperparams import estimate_request, precision_for, starting_hyperparameters

if TYPE_CHECKING:
    from ftwizard.core.estimator_calibration import CalibrationLookup


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


@dataclass(frozen=True)
class CloudRun:
    peak_gb: float  # per GPU on one GPU (before any sharding), the lightest over the GPUs swept
    offers: list[Offer] | list[CostOption]  # every priced offer that can hold the run
    peak_by_gpu: dict[str, float] = field(default_factory=dict)  # per GPU id: its precision's peak

    def peak_on(self, gpu_id: str) -> float:
        return self.peak_by_gpu.get(gpu_id, self.peak_gb)


def as_cost_option(x: Offer | CostOption) -> CostOption:
    return x if isinstance(x, CostOption) else CostOption(**x._asdict())


def train_tokens(answers: Answers, objective: str, epochs: float) -> float:
    """Tokens a run trains on, as the estimator counts them: DPO reads chosen and rejected."""
    return answers.data.examples * answers.data.avg_tokens * (2 if objective == "dpo" else 1) * epochs


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
                offers.append(
                    Offer(
                        p.provider,
                        gpu.name,
                        gpu.id,
                        count,
                        p.usd_per_gpu_hour,
                        round(hours * count * p.usd_per_gpu_hour, 2),
                        round(hours, 3),
                        p.pricing,
                        p.verified,
                        p.as_of.isoformat() if p.as_of else None,
                        p.source,
                    )
                )
        peaks = {row.gpu_id: row.peak_vram_gb for row in rows}
        run = CloudRun(min(peaks.values()), offers, peaks)
    if len(_CACHE) >= CACHE_SIZE:
        _CACHE.clear()
    _CACHE[key] = (catalog, run)
    return run
