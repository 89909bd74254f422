"""Where a model and technique can run: every fitting, affordable placement with its figures.

All figures come from `ftwizard.estimate.estimator`. Ranking the whole catalog must stay fast,
so screening spends one estimate per model, technique and kind of GPU:
- local cards: an estimate without the data size (no cloud price list to build) gives the
  per-GPU peak and tokens/s; hours are the training tokens over that rate, as the estimator
  counts them, and the cost is the estimator's electricity formula;
- cloud: one row set of the estimator's sweep (`recommend_cloud`), priced on every offer
  at the smallest GPU count that holds the run (sharded when one card is too small).
The leading plans (the first ten) get a full estimate for their exact placement and a
micro-batch that fits (`ftwizard.recommend.finalize`); plans further down keep the screening
figures, which are the same formulas (tests compare them with full estimates).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ftwizard.catalog.entries import ModelEntry, price_traced
from ftwizard.catalog.store import Catalog
from ftwizard.estimate.cost import electricity_usd, usable_memory_gb
from ftwizard.estimate.estimator import smallest_gpu_count
from ftwizard.estimate.request import CostOption
from ftwizard.recommend import scoring
from ftwizard.recommend.answers import Answers
from ftwizard.recommend.candidate_types import Candidate, Failure, _over_budget, room_gb
from ftwizard.recommend.cloud import CloudRun, as_cost_option, cloud_run, train_tokens
from ftwizard.recommend.hardware_options import GpuOption
from ftwizard.recommend.hyperparams import estimate_request, starting_hyperparameters
from ftwizard.recommend.placement_cache import _POOL, CACHE_SIZE, _answers_key, estimate, gpu_key
from ftwizard.recommend.plan import Hyperparameters
from ftwizard.recommend.text import TECHNIQUE_LABEL, memory_reason, usd_text

if TYPE_CHECKING:
    from ftwizard.estimate.calibrated import CalibrationLookup
    from ftwizard.estimate.calibration import Correction


def find_candidates(
    model: ModelEntry,
    technique: str,
    method: str,
    objective: str,
    answers: Answers,
    catalog: Catalog,
    options: list[GpuOption],
    tariff: dict,
    offer_score: Callable[[float, float], float],
    calibration: CalibrationLookup | None = None,
) -> tuple[list[Candidate], Failure | None]:
    """Every local placement and the best cloud offer (by `offer_score(hours, usd)`) that hold
    the run within the training budget, or why none does. With `calibration`, each GPU's
    figures carry the correction the runs recorded on it give (once per GPU, model, method)."""

    def correction(gpu) -> Correction | None:
        return calibration.correction(gpu, model.architecture, method) if calibration else None

    found: list[Candidate] = []
    over: list[Candidate] = []
    screen_peak: float | None = None
    local = [o for o in options if o.where == "local"]
    cloud = [o for o in options if o.where == "cloud"]
    for opt in local:
        corr = correction(opt.gpu)
        placed = _local_placement(model, method, objective, answers, catalog, opt, tariff, corr, calibration)
        screen_peak = placed[0] if screen_peak is None else min(screen_peak, placed[0])
        if placed[1] is None:
            continue
        _, (count, strategy, hp, est), hours, kwh_usd = placed
        c = Candidate(
            model, technique, method, objective, opt, count, strategy, hp, est.peak_vram_gb, est, None, hours,
            est.tokens_per_s, kwh_usd,
        )
        c.too_big_for_one = count > 1
        c.correction = corr
        (over if _over_budget(c, answers) else found).append(c)
    if cloud:
        run, offers, within = _cloud_pool(model, method, objective, answers, catalog, cloud, tariff, calibration)
        screen_peak = run.peak_gb if screen_peak is None else min(screen_peak, run.peak_gb)
        by_gpu = {o.gpu.id: o for o in cloud}
        if within:
            cost = _cost_option(max(within, key=lambda x: (offer_score(x.hours, x.usd), -x.usd)))
            opt = by_gpu[cost.gpu_id]
            usable = usable_memory_gb(opt.gpu)
            # The offer's own card and count: the precision it was swept with (recommend_cloud).
            c_hp = _offer_hp(model, method, objective, answers, opt.gpu, cost.count)
            # Several GPUs are sharded (FSDP): replicating (DDP) adds gradient buckets per card.
            strategy = "single" if cost.count == 1 else "fsdp"
            peak = run.peak_on(cost.gpu_id)
            c = Candidate(
                model, technique, method, objective, opt, cost.count, strategy, c_hp, peak, None, cost,
                cost.hours, None,
            )
            c.too_big_for_one = usable is None or peak > usable
            c.correction = correction(opt.gpu)
            found.append(c)
        elif offers:
            cost = as_cost_option(min(offers, key=lambda x: x.usd))
            opt = by_gpu[cost.gpu_id]
            o_hp = starting_hyperparameters(model, method, objective, answers, opt.gpu, gpus=cost.count)
            over.append(
                Candidate(
                    model, technique, method, objective, opt, cost.count, "fsdp", o_hp, run.peak_on(cost.gpu_id),
                    None, cost, cost.hours, None, correction=correction(opt.gpu),
                )
            )
    if found:
        return found, None
    if over:
        c = min(over, key=lambda c: c.train_cost_usd or 0.0)
        where = c.option.label(c.count) + (f" from {c.cost.provider}" if c.cost and c.option.where == "cloud" else "")
        return [], Failure(
            "budget",
            f"{TECHNIQUE_LABEL[technique]} of {model.name} costs at least {usd_text(c.train_cost_usd or 0.0)} "
            f"on {where}{' (electricity)' if c.option.where == 'local' else ''}, above the "
            f"{usd_text(answers.budget.training_usd)} training budget.",
        )
    peak = screen_peak if screen_peak is not None else 0.0
    return [], Failure("memory", memory_reason(model, technique, peak, options), peak)


def _cost_option(x) -> CostOption:
    """The offer as a CostOption; built once per offer (offers are plain tuples, hashable)."""
    if isinstance(x, CostOption):
        return x
    hit = _POOL.get(("offer", x))
    if hit is None:
        hit = _POOL[("offer", x)] = (None, None, as_cost_option(x))
    return hit[2]


def _offer_hp(model, method, objective, answers, gpu, count) -> Hyperparameters:
    key = ("hp", id(model), method, objective, gpu.id, count, _answers_key(answers))
    hit = _POOL.get(key)
    if hit is not None and hit[0] is model:
        return hit[2]
    hp = starting_hyperparameters(model, method, objective, answers, gpu, gpus=count)
    _POOL[key] = (model, None, hp)
    return hp


def _local_placement(model, method, objective, answers, catalog, opt, tariff, corr, calibration) -> tuple:
    """(screening peak on one card, (count, strategy, hp, estimate) or None when nothing holds it,
    hours, electricity USD) on one local card kind. Independent of the score weights: memoised.

    One card when it holds the run with headroom; else shard when sharding gives headroom (idle
    cards buy a bigger model); else the tightest layout that fits at all (the warning tier)."""
    key = (
        "local", id(model), id(catalog), method, objective, gpu_key(opt.gpu), opt.max_count, opt.free_gb,
        _answers_key(answers), tuple(sorted(tariff.items())), calibration.key if calibration else "",
    )
    hit = _POOL.get(key)
    if hit is not None and hit[0] is model and hit[1] is catalog:
        return hit[2]
    hp = starting_hyperparameters(model, method, objective, answers, opt.gpu)
    req = estimate_request(model, hp, method, objective, answers, tariff, with_data=False)
    req = req.model_copy(update={"gpu_id": opt.gpu.id})
    est = estimate(req, catalog, corr)
    screen = est.peak_vram_gb
    room = room_gb(opt)
    placement: tuple | None = (1, "single", hp, est)
    if room is None:
        placement = None
    elif not scoring.fits_with_headroom(est.peak_vram_gb, room):
        sharded = None
        if opt.max_count >= 2 and opt.free_gb is None:
            sharded = _sharded(model, method, objective, answers, req, opt, catalog, corr, room)
        if sharded is not None and (scoring.fits_with_headroom(sharded[2].peak_vram_gb, room) or est.peak_vram_gb > room):
            placement = (sharded[0], "fsdp", sharded[1], sharded[2])
        elif est.peak_vram_gb > room:
            placement = None
    hours = kwh_usd = None
    if placement is not None:
        count, _, p_hp, p_est = placement
        tps = p_est.tokens_per_s
        hours = train_tokens(answers, objective, p_hp.epochs) / tps / 3600 if tps else None
        if hours is not None:
            kwh_usd = electricity_usd(hours, count, opt.gpu, req.electricity_usd_per_kwh)
    out = (screen, placement, hours, kwh_usd)
    if len(_POOL) >= CACHE_SIZE:
        _POOL.clear()
    _POOL[key] = (model, catalog, out)
    return out


def _cloud_pool(model, method, objective, answers, catalog, cloud, tariff, calibration) -> tuple:
    """(run, priced offers, offers a plan may pick from) for a cloud plan. Independent of the
    score weights, so re-ranking with other weights reuses it; only the pick depends on them."""
    key = (
        "cloud", id(model), id(catalog), method, objective, tuple(o.gpu.id for o in cloud), _answers_key(answers),
        tuple(sorted(tariff.items())), calibration.key if calibration else "",
    )
    hit = _POOL.get(key)
    if hit is not None and hit[0] is model and hit[1] is catalog:
        return hit[2]
    run = cloud_run(model, method, objective, answers, catalog, cloud, tariff, calibration)
    if run is None:  # the sweep refused it: the full estimate says why
        hp = starting_hyperparameters(model, method, objective, answers, cloud[0].gpu)
        req = estimate_request(model, hp, method, objective, answers, tariff)
        corr = calibration.correction(cloud[0].gpu, model.architecture, method) if calibration else None
        est = estimate(req.model_copy(update={"gpu_id": cloud[0].gpu.id}), catalog, corr)
        run = CloudRun(est.peak_vram_gb, est.costs)
    ids = {o.gpu.id for o in cloud}
    offers = [x for x in run.offers if x.gpu_id in ids and x.pricing != "electricity"]
    within = [x for x in offers if x.usd <= answers.budget.training_usd]
    # Traced prices first (an untraced price is used only when no traced one holds the run, and
    # the plan is then flagged); within a price tier, several GPUs only when no single one
    # holds the run with headroom (issues 12 and 20).
    # Within a tier: one GPU holding the run with headroom, else several (sharded), else one GPU tight.
    tier = _price_tier(within)
    singles = [x for x in tier if x.count == 1]
    roomy = [x for x in singles if _holds_with_headroom(run.peak_on(x.gpu_id), cloud, x.gpu_id)]
    within = roomy or [x for x in tier if x.count > 1] or singles
    if len(_POOL) >= CACHE_SIZE:
        _POOL.clear()
    _POOL[key] = (model, catalog, (run, offers, within))
    return run, offers, within


def _holds_with_headroom(peak: float, cloud, gpu_id: str) -> bool:
    opt = next((o for o in cloud if o.gpu.id == gpu_id), None)
    usable = usable_memory_gb(opt.gpu) if opt is not None else None
    return usable is not None and scoring.fits_with_headroom(peak, usable)


def _sharded(model, method, objective, answers, req, opt, catalog, corr, room):
    """(count, hp, estimate) of the fewest cards that hold the run with headroom, else of the
    fewest that hold it at all; None when no count up to the cards available holds it."""
    n = smallest_gpu_count(req.model_copy(update={"strategy": "fsdp"}), opt.gpu, catalog, opt.max_count)
    if not n:
        return None
    first = None
    for k in range(max(n, 2), opt.max_count + 1):
        hp = starting_hyperparameters(model, method, objective, answers, opt.gpu, gpus=k)
        est = estimate(
            req.model_copy(update={"gpus": k, "strategy": "fsdp", "grad_accum": hp.grad_accum}), catalog, corr
        )
        if est.peak_vram_gb > room:
            continue
        first = first or (k, hp, est)
        if scoring.fits_with_headroom(est.peak_vram_gb, room):
            return k, hp, est
        if k >= 2 * max(n, 2):  # more cards barely lower the per-card peak past here
            break
    return first


def _price_tier(offers: list) -> list:
    """Prefer prices traced to a price list and on-demand; fall back only when none is left."""
    for ok in (
        lambda x: x.verified and x.pricing == "on_demand",
        lambda x: x.verified and x.pricing != "spot",
        lambda x: price_traced(x) and x.pricing == "on_demand",  # traced but undated
        lambda x: price_traced(x) and x.pricing != "spot",
        lambda x: True,
    ):
        tier = [x for x in offers if ok(x)]
        if tier:
            return tier
    return []
