"""The final estimate for a shown plan (`finalize`): a larger micro-batch where memory allows,
the chosen offer priced for the exact placement, and why the plan is out when its final
figures no longer fit the card or the budget (screening and final estimate must agree).
"""

from __future__ import annotations

from ftwizard.base.units import mem
from ftwizard.catalog.store import Catalog
from ftwizard.estimate.request import CostOption, Estimate, EstimateRequest
from ftwizard.recommend import scoring
from ftwizard.recommend.answers import Answers
from ftwizard.recommend.candidate_types import Candidate, Failure, _over_budget
from ftwizard.recommend.cloud import train_tokens, with_overhead
from ftwizard.recommend.hyperparams import (
    effective_batch,
    estimate_request,
    starting_hyperparameters,
)
from ftwizard.recommend.placement_cache import _POOL, CACHE_SIZE, _answers_key, estimate
from ftwizard.recommend.plan import Hyperparameters
from ftwizard.recommend.text import TECHNIQUE_LABEL, usd_text

# Micro-batches tried for a shown plan, largest first; it must leave this share of the card.
REFINE_MICRO_BATCHES = (4, 2)
REFINE_MARGIN_SHARE = 0.15


def finalize(c: Candidate, answers: Answers, catalog: Catalog, tariff: dict, refine: bool) -> Failure | None:
    """The full estimate for a leading plan, with a larger micro-batch where memory allows.

    Without `refine` (plans further down a long list) the screening figures stay, which are
    the same formulas at micro-batch 1; only a sharded cloud plan needs its per-GPU peak.
    Returns why the plan is out when its final estimate no longer fits the card (screening and
    the final estimate must agree; this keeps a disagreement from reaching the user).
    """
    if not refine:
        if c.option.where == "cloud" and c.strategy == "fsdp":  # screened at one GPU
            cost = c.cost
            key = (
                "fsdp", id(c.model), id(catalog), c.method, c.objective, c.option.gpu.id, c.count,
                c.hp.model_dump_json(), _answers_key(answers), tuple(sorted(tariff.items())),
                None if cost is None else (cost.provider, cost.usd_per_gpu_hour, cost.pricing, cost.count),
                c.correction.model_dump_json() if c.correction else "",
            )
            hit = _POOL.get(key)
            if hit is not None and hit[0] is c.model and hit[1] is catalog:
                placed = hit[2]
            else:
                est = estimate(_placed(c, c.hp, answers, tariff, with_data=False), catalog, c.correction)
                tps = est.tokens_per_s
                timed = None
                if tps and cost is not None:  # timed with its own grad_accum, not the screen's
                    hours = train_tokens(answers, c.objective, c.hp.epochs) / tps / 3600
                    timed = (hours, with_overhead(cost.model_copy(update={"hours": round(hours, 5)}), c.model))
                placed = (est, timed)
                if len(_POOL) >= CACHE_SIZE:
                    _POOL.clear()
                _POOL[key] = (c.model, catalog, placed)
            c.est, timed = placed
            c.peak_gb = c.est.peak_vram_gb
            if timed is not None:
                c.hours, c.cost = timed
                c.tokens_per_s = c.est.tokens_per_s
        return _no_longer_fits(c, answers)
    mb = c.hp.micro_batch
    batch = effective_batch(c.model.params_b)
    for m in REFINE_MICRO_BATCHES:
        if m > mb and batch % (m * c.count) == 0 and _fits_with_margin(c, m, answers, catalog, tariff):
            mb = m
            break
    hp = starting_hyperparameters(c.model, c.method, c.objective, answers, c.option.gpu, c.count, mb)
    est = estimate(_placed(c, hp, answers, tariff, with_data=True), catalog, c.correction)
    if c.option.where == "local":
        cost = next((x for x in est.costs if x.pricing == "electricity"), None)
    else:
        cost = _same_offer(est, c.cost)
        cost = with_overhead(cost, c.model) if cost is not None else None
    hours = est.train_hours if est.train_hours is not None else (cost.hours if cost else None)
    if cost is not None and cost.usd > answers.budget.training_usd and mb != c.hp.micro_batch:
        return _no_longer_fits(c, answers)  # keep the screened plan rather than push it over budget
    c.hp, c.est, c.cost, c.hours, c.tokens_per_s = hp, est, cost, hours, est.tokens_per_s
    c.peak_gb = est.peak_vram_gb
    c.cost_usd = cost.usd if cost else c.cost_usd
    return _no_longer_fits(c, answers)


def _no_longer_fits(c: Candidate, answers: Answers) -> Failure | None:
    """Why the plan's final figures break a constraint the screen passed it on, if they do."""
    if _over_budget(c, answers):
        where = c.option.label(c.count) + (f" from {c.cost.provider}" if c.cost and c.option.where == "cloud" else "")
        return Failure(
            "budget",
            f"{TECHNIQUE_LABEL[c.technique]} of {c.model.name} costs about {usd_text(c.train_cost_usd or 0.0)} on "
            f"{where} with its final settings, above the {usd_text(answers.budget.training_usd)} training budget.",
        )
    room = c.room_gb
    if room is None or c.peak_gb <= room:
        return None
    return Failure(
        "memory",
        f"{TECHNIQUE_LABEL[c.technique]} of {c.model.name} needs about {mem(c.peak_gb)} per GPU on "
        f"{c.option.label(c.count)} with its final settings ({c.hp.precision}, micro-batch "
        f"{c.hp.micro_batch}), more than the {mem(room)} each card offers.",
        c.peak_gb,
    )


def _placed(c: Candidate, hp: Hyperparameters, answers: Answers, tariff: dict, with_data: bool) -> EstimateRequest:
    req = estimate_request(c.model, hp, c.method, c.objective, answers, tariff, with_data=with_data)
    return req.model_copy(update={"gpu_id": c.option.gpu.id, "gpus": c.count, "strategy": c.strategy})


def _fits_with_margin(c: Candidate, mb: int, answers: Answers, catalog: Catalog, tariff: dict) -> bool:
    hp = starting_hyperparameters(c.model, c.method, c.objective, answers, c.option.gpu, c.count, mb)
    peak = estimate(_placed(c, hp, answers, tariff, with_data=False), catalog, c.correction).peak_vram_gb
    room = c.room_gb or 0.0
    return peak <= room and room - peak >= max(REFINE_MARGIN_SHARE * room, scoring.HEADROOM_MIN_GB)


def _same_offer(est: Estimate, old: CostOption | None) -> CostOption | None:
    """The chosen cloud offer as priced for this exact placement."""
    if old is None:
        return None
    for x in est.costs:
        if (x.provider, x.gpu_id, x.usd_per_gpu_hour, x.count) == (old.provider, old.gpu_id, old.usd_per_gpu_hour, old.count):
            return x
    # The placement's own time on the same offer: hours x count x price.
    if est.train_hours is None:
        return None
    return old.model_copy(update={"hours": round(est.train_hours, 3), "usd": round(est.train_hours * old.count * old.usd_per_gpu_hour, 2)})
