"""Where a model and technique can run: every fitting, affordable placement with its figures.

All figures come from `ftwizard.core.estimator`. Ranking the whole catalog must stay fast,
so screening spends one estimate per model, technique and kind of GPU:
- local cards: an estimate without the data size (no cloud price list to build) gives the
  per-GPU peak and tokens/s; hours are the training tokens over that rate, as the estimator
  counts them, and the cost is the estimator's electricity formula;
- cloud: one row set of the estimator's sweep (`recommend_cloud`), priced on every offer
  at the smallest GPU count that holds the run (sharded when one card is too small).
The leading plans (the first ten) get a full estimate for their exact placement and a
micro-batch that fits; plans further down keep the screening figures, which are the same
formulas (tests compare them with full estimates).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ftwizard.core import scoring
from ftwizard.core.answers import Answers
from ftwizard.core.catalog import Catalog, ModelEntry, price_traced
from ftwizard.core.estimator import (
    CostOption,
    Estimate,
    EstimateRequest,
    smallest_gpu_count,
)
from ftwizard.core.estimator import estimate as _estimate
from ftwizard.core.estimator_cost import electricity_usd, usable_memory_gb
from ftwizard.core.hardware_options import GpuOption
from ftwizard.core.hyperparams import effective_batch, estimate_request, starting_hyperparameters
from ftwizard.core.plan import Hyperparameters
from ftwizard.core.recommend_cloud import (
    CloudRun,
    as_cost_option,
    cloud_run,
    train_tokens,
    with_overhead,
)
from ftwizard.core.recommend_cloud import clear_cache as _clear_cloud_cache
from ftwizard.core.recommend_text import TECHNIQUE_LABEL, memory_reason, usd_text
from ftwizard.core.units import mem

if TYPE_CHECKING:
    from ftwizard.core.calibration import Correction
    from ftwizard.core.estimator_calibration import CalibrationLookup

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


def clear_cache() -> None:
    _CACHE.clear()
    _POOL.clear()
    _clear_cloud_cache()


# Micro-batches tried for a shown plan, largest first; it must leave this share of the card.
REFINE_MICRO_BATCHES = (4, 2)
REFINE_MARGIN_SHARE = 0.15


@dataclass
class Candidate:
    model: ModelEntry
    technique: str
    method: str
    objective: str
    option: GpuOption
    count: int
    strategy: str  # single, or fsdp over several GPUs
    hp: Hyperparameters
    peak_gb: float  # per GPU, for this placement
    est: Estimate | None  # the estimate behind the figures (None: from the cloud sweep)
    cost: CostOption | None  # the offer's cost line (local lines come with the full estimate)
    hours: float | None
    tokens_per_s: float | None
    cost_usd: float | None = None
    parts: dict[str, float] = field(default_factory=dict)
    total: float = 0.0
    too_big_for_one: bool = False  # sharded because one card cannot hold it (else: a group offer)
    quality_reasons: list[str] = field(default_factory=list)
    correction: Correction | None = None  # from runs recorded on this GPU; None: physics alone
    flags: list[str] = field(default_factory=list)  # why the plan is in the warning tier (see tier_flags)
    sft: Candidate | None = None  # DPO from a base checkpoint: the SFT step it starts with

    @property
    def peak_vram_gb(self) -> float:
        return self.peak_gb

    @property
    def room_gb(self) -> float | None:
        """Memory the plan may use per GPU: free memory of a shared card, else usable memory."""
        if self.option.free_gb is not None:
            return self.option.free_gb
        return usable_memory_gb(self.option.gpu)

    @property
    def train_cost_usd(self) -> float | None:
        """The whole plan's cost: a DPO plan from a base checkpoint includes its SFT step."""
        own = self.cost.usd if self.cost is not None else self.cost_usd
        if self.sft is None or own is None:
            return own
        step = self.sft.train_cost_usd
        return None if step is None else round(own + step, 2)

    @property
    def total_hours(self) -> float | None:
        """Training time of the whole plan (SFT step included where there is one)."""
        if self.sft is None or self.hours is None:
            return self.hours
        return None if self.sft.hours is None else self.hours + self.sft.hours


@dataclass
class Failure:
    constraint: str
    reason: str
    peak_gb: float | None = None  # set for memory failures: heavier techniques are skipped


def room_gb(o: GpuOption) -> float | None:
    return o.free_gb if o.free_gb is not None else usable_memory_gb(o.gpu)


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


_POOL: dict[tuple, tuple[ModelEntry, Catalog, tuple]] = {}


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


def gpu_key(gpu) -> tuple:
    """What identifies a card for the caches: a catalog entry by id; a card the user named (id
    'user-...', built from the answers) also by the memory and figures it was planned with."""
    return (gpu.id, gpu.memory_gb, gpu.bf16_dense_tflops, gpu.fp16_dense_tflops, gpu.tdp_w, gpu.bf16_supported)


def _answers_key(answers: Answers) -> tuple:
    """The answers a placement depends on (hyperparameters, tokens, the training budget)."""
    d = answers.data
    return (d.examples, d.avg_tokens, d.p95_tokens, answers.budget.training_usd)


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


def _over_budget(c: Candidate, answers: Answers) -> bool:
    return c.train_cost_usd is not None and c.train_cost_usd > answers.budget.training_usd


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
