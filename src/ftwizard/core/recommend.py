"""Rank model x technique x hardware plans from what the user told us (issue 4).

1. Hard constraints, each exclusion kept with its reason: licence against commercial use
   (research-only licences out; user thresholds, attribution and naming duties become
   warnings), training data openness when required, every requested language, regulated
   or air-gapped data -> local hardware only, memory fit on the available GPUs (sharded
   over several only when no single GPU holds the model), training cost within budget.
2. Score what is left (`ftwizard.core.scoring`, weights in the plan) and keep, for each
   model and technique, the hardware that scores best.
3. Advice before the ranking (`ftwizard.core.advice`).

Languages: a model whose catalog entry lists no languages (the vendor claims broad
multilingual support without a list) is kept with a warning, not excluded.
Costs: local runs cost electricity (estimator), cloud runs the cheapest verified
on-demand price of the GPU; both count against the training budget. Monthly serving
cost is the estimator's cheapest priced GPU holding the tuned model in 16-bit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ftwizard import __version__
from ftwizard.core import scoring
from ftwizard.core.advice import advise
from ftwizard.core.answers import Answers
from ftwizard.core.catalog import Catalog, GpuEntry, ModelEntry
from ftwizard.core.estimator import (
    CostOption,
    Estimate,
    EstimateRequest,
    InferenceCost,
    estimate,
    monthly_inference_usd,
    smallest_gpu_count,
)
from ftwizard.core.hardware_options import GpuOption, gpu_options, local_only
from ftwizard.core.hardware_profile import HardwareProfile
from ftwizard.core.hyperparams import run_config_for, seq_len_for, starting_hyperparameters
from ftwizard.core.plan import (
    WEIGHT_NAMES,
    Exclusion,
    HardwareChoice,
    Hyperparameters,
    Plan,
    Recommendation,
    ScoreParts,
    ScoreWeights,
)
from ftwizard.core.recommend_text import (
    TECHNIQUE_LABEL,
    describe_reasons,
    licence_warnings,
    memory_reason,
)

# (technique, method, objective), lightest first: a model-level exclusion quotes the first.
SFT_TECHNIQUES = (("qlora", "qlora", "sft"), ("lora", "lora", "sft"), ("full", "full", "sft"))
DPO_TECHNIQUES = (("dpo", "qlora", "dpo"), ("dpo", "lora", "dpo"))

# Families whose pre-training data is published (the catalog has no field for it yet).
OPEN_TRAINING_DATA: dict[str, str] = {
    "OLMo 2": "Ai2 OLMo 2 card: OLMo-mix-1124 and Dolmino-mix-1124 are published",
    "TinyLlama": "TinyLlama README: trained on SlimPajama and StarCoderData, both public",
}

CLOUD_PICKS = 3  # cloud GPUs estimated per model and technique (cheapest, best value, fastest)
REFINE_MICRO_BATCHES = (2, 4, 8)
TIGHT_MARGIN_SHARE = 0.10  # under 10% of the card left: warn
REFINE_MARGIN_SHARE = 0.15  # a larger micro-batch must leave 15% of the card free


@dataclass
class _Candidate:
    model: ModelEntry
    technique: str
    method: str
    objective: str
    option: GpuOption
    count: int
    strategy: str
    hp: Hyperparameters
    est: Estimate
    cost: CostOption | None
    parts: dict[str, float] = field(default_factory=dict)
    quality_reasons: list[str] = field(default_factory=list)

    @property
    def train_cost_usd(self) -> float | None:
        return None if self.cost is None else self.cost.usd


@dataclass
class _Failure:
    constraint: str
    reason: str


def recommend(
    answers: Answers,
    catalog: Catalog,
    hardware: HardwareProfile | None = None,
    weights: ScoreWeights | None = None,
    top: int | None = None,
    *,
    electricity_usd_per_kwh: float | None = None,
    now: dt.datetime | None = None,
) -> Plan:
    """The plan for these answers: advice, ranked recommendations, exclusions with reasons."""
    weights = weights or ScoreWeights()
    options, hw_notes = gpu_options(answers, catalog, hardware)
    techniques = SFT_TECHNIQUES + (DPO_TECHNIQUES if answers.data.preference_pairs else ())
    tariff = {} if electricity_usd_per_kwh is None else {"electricity_usd_per_kwh": electricity_usd_per_kwh}

    excluded: list[Exclusion] = []
    best: list[_Candidate] = []
    for model in catalog.models:
        hard = _hard_constraint(model, answers, catalog)
        if hard:
            excluded.append(Exclusion(model_id=model.id, reason=hard.reason, constraint=hard.constraint))
            continue
        if not options:
            why = hw_notes[0] if hw_notes else "No GPU is available for this plan."
            excluded.append(Exclusion(model_id=model.id, reason=why, constraint="hardware"))
            continue
        q = scoring.quality(model, answers.task.kind, answers.languages)
        by_technique: dict[str, _Candidate] = {}
        failures: dict[str, _Failure] = {}
        for technique, method, objective in techniques:
            found, failure = _best_hardware(model, method, objective, technique, answers, catalog, options, tariff)
            for c in found:
                c.quality_reasons = q.reasons
                c.parts = _parts_without_inference(c, q.score, answers, catalog)
                c_score = _partial_total(c.parts, weights)
                held = by_technique.get(technique)
                if held is None or c_score > _partial_total(held.parts, weights):
                    by_technique[technique] = c
            if not found and failure and technique not in failures:
                failures[technique] = failure
        failures = {t: f for t, f in failures.items() if t not in by_technique}
        if not by_technique:
            first = next(iter(failures.values()))
            excluded.append(Exclusion(model_id=model.id, reason=first.reason, constraint=first.constraint))
            continue
        for t, f in failures.items():
            excluded.append(Exclusion(model_id=model.id, technique=t, reason=f.reason, constraint=f.constraint))
        best.extend(by_technique.values())

    inference = {c.model.id: _monthly(c.model, catalog) for c in best}
    cheapest = min((i.usd_per_month for i in inference.values() if i), default=None)
    for c in best:
        inf = inference[c.model.id]
        c.parts["inference_cost"] = scoring.inference_cost_score(
            inf.usd_per_month if inf else None, answers.budget.monthly_inference_usd, cheapest
        )
    best.sort(key=lambda c: (-_total(c.parts, weights), c.model.id, c.technique))
    chosen = best if top is None else best[:top]
    for c in chosen:
        _refine_micro_batch(c, answers, catalog, tariff)
        c.parts["time"] = scoring.time_score(c.est.train_hours)
        c.parts["cost"] = scoring.cost_score(c.train_cost_usd, answers.budget.training_usd)
    chosen.sort(key=lambda c: (-_total(c.parts, weights), c.model.id, c.technique))

    recs = [_recommendation(i + 1, c, inference[c.model.id], answers, catalog, weights) for i, c in enumerate(chosen)]
    advice = advise(answers, len(recs), local_only(answers))
    advice.notes.extend(hw_notes)
    run_config = run_config_for(recs[0], answers) if recs else None
    return Plan(
        created_at=now or dt.datetime.now(dt.UTC),
        ftwizard_version=__version__,
        catalog_version=catalog.version,
        catalog_as_of=catalog.as_of,
        answers=answers,
        hardware=hardware if answers.hardware.mode == "detect" else None,
        weights=weights,
        advice=advice,
        recommendations=recs,
        excluded=excluded,
        chosen_index=0 if recs else None,
        run_config=run_config,
        assumptions=_assumptions(chosen, catalog),
    )


def _hard_constraint(model: ModelEntry, answers: Answers, catalog: Catalog) -> _Failure | None:
    comp = answers.compliance
    if comp.commercial_use:
        for lic in catalog.model_licences(model):
            if not lic.commercial_use:
                return _Failure("licence", f"{lic.name} does not allow commercial use.")
    if comp.open_training_data_required and model.family not in OPEN_TRAINING_DATA:
        return _Failure(
            "open_training_data", f"The training data of {model.name} is not published (as far as the catalog records)."
        )
    if model.languages:
        missing = [lang for lang in answers.languages if lang not in model.languages]
        if missing:
            return _Failure(
                "language", f"{model.name} does not list support for {', '.join(missing)} (it lists {', '.join(model.languages)})."
            )
    return None


def _base_request(model: ModelEntry, hp: Hyperparameters, method: str, objective: str, answers: Answers, tariff: dict) -> EstimateRequest:
    return EstimateRequest(
        model_id=model.id,
        method=method,
        objective=objective,
        precision=hp.precision,
        optimizer=hp.optimizer,
        lora_r=hp.lora_r or 16,
        lora_alpha=hp.lora_alpha or 32,
        seq_len=hp.seq_len,
        micro_batch=hp.micro_batch,
        grad_accum=hp.grad_accum,
        grad_ckpt=hp.grad_ckpt,
        examples=answers.data.examples,
        avg_tokens=answers.data.avg_tokens,
        epochs=hp.epochs,
        **tariff,
    )


def _best_hardware(
    model: ModelEntry,
    method: str,
    objective: str,
    technique: str,
    answers: Answers,
    catalog: Catalog,
    options: list[GpuOption],
    tariff: dict,
) -> tuple[list[_Candidate], _Failure | None]:
    """Every hardware option that holds this model and technique within budget."""
    hp0 = starting_hyperparameters(model, method, objective, answers, None)
    base = _base_request(model, hp0, method, objective, answers, tariff)
    peak0 = estimate(base, catalog).peak_vram_gb
    budget = answers.budget.training_usd
    found: list[_Candidate] = []
    over_budget: list[_Candidate] = []
    for opt, count, strategy in _placements(options, peak0, base, catalog):
        hp = starting_hyperparameters(model, method, objective, answers, opt.gpu, gpus=count)
        req = base.model_copy(
            update={"gpu_id": opt.gpu.id, "gpus": count, "strategy": strategy, "precision": hp.precision, "grad_accum": hp.grad_accum}
        )
        est = estimate(req, catalog)
        if not _fits(est, opt):
            continue
        c = _Candidate(model, technique, method, objective, opt, count, strategy, hp, est, _pick_cost(est, opt))
        if c.train_cost_usd is not None and c.train_cost_usd > budget:
            over_budget.append(c)
        else:
            found.append(c)
    if found:
        return found, None
    if over_budget:
        c = min(over_budget, key=lambda c: c.train_cost_usd or 0.0)
        where = c.option.label(c.count) + (f" ({c.cost.provider})" if c.cost and c.option.where == "cloud" else "")
        return [], _Failure(
            "budget",
            f"{TECHNIQUE_LABEL[technique]} of {model.name} costs at least ${c.train_cost_usd:,.0f} on {where}, "
            f"above the ${budget:,.0f} training budget.",
        )
    return [], _Failure("memory", memory_reason(model, technique, peak0, options))


def _placements(options: list[GpuOption], peak_gb: float, base: EstimateRequest, catalog: Catalog):
    """(option, count, strategy) worth estimating: single GPUs that may hold the model; if
    none may, the smallest sharded (FSDP) count on the local cards or the largest cloud GPUs."""
    singles = [o for o in options if _room_gb(o) is not None and _room_gb(o) >= 0.9 * peak_gb]
    cloud = [o for o in singles if o.where == "cloud"]
    if cloud:
        singles = [o for o in singles if o.where == "local"] + _cloud_picks(cloud, catalog)
    out = [(o, 1, "single") for o in singles]
    if out:
        return out
    multi = [o for o in options if o.max_count > 1 and o.gpu.memory_gb]
    multi.sort(key=lambda o: -(o.gpu.memory_gb or 0))
    for o in multi[:2]:
        req = base.model_copy(update={"gpu_id": o.gpu.id, "strategy": "fsdp"})
        n = smallest_gpu_count(req, o.gpu, catalog, max_gpus=o.max_count)
        if n and n > 1:
            out.append((o, n, "fsdp"))
    return out


def _room_gb(o: GpuOption) -> float | None:
    return o.free_gb if o.free_gb is not None else o.gpu.memory_gb


def _cloud_picks(cloud: list[GpuOption], catalog: Catalog) -> list[GpuOption]:
    """Cheapest per hour, best peak TFLOPs per dollar, fastest: the runs worth estimating."""
    timed = [o for o in cloud if o.gpu.bf16_dense_tflops or o.gpu.fp16_dense_tflops] or cloud

    def price(o: GpuOption) -> float:
        return min(p.usd_per_gpu_hour for p in catalog.prices_for(o.gpu.id))

    def tflops(o: GpuOption) -> float:
        return o.gpu.bf16_dense_tflops or o.gpu.fp16_dense_tflops or 0.0

    picks: list[GpuOption] = []
    for key in (price, lambda o: -tflops(o) / price(o), lambda o: -tflops(o)):
        o = min(timed, key=key)
        if o not in picks:
            picks.append(o)
    return picks[:CLOUD_PICKS]


def _fits(est: Estimate, opt: GpuOption) -> bool:
    if opt.free_gb is not None:
        return est.peak_vram_gb <= opt.free_gb
    return bool(est.fits)


def _pick_cost(est: Estimate, opt: GpuOption) -> CostOption | None:
    if opt.where == "local":
        local = [c for c in est.costs if c.pricing == "electricity"]
        return min(local, key=lambda c: c.usd) if local else None
    cloud = [c for c in est.costs if c.pricing != "electricity"]
    for ok in (
        lambda c: c.verified and c.pricing == "on_demand",
        lambda c: c.verified and c.pricing != "spot",
        lambda c: True,
    ):
        pool = [c for c in cloud if ok(c)]
        if pool:
            return min(pool, key=lambda c: c.usd)
    return None


def _parts_without_inference(c: _Candidate, quality: float, answers: Answers, catalog: Catalog) -> dict[str, float]:
    return {
        "quality": quality,
        "data_fit": scoring.data_fit(
            c.technique, c.method, answers.data.examples, answers.data.avg_tokens, answers.data.preference_pairs
        ),
        "time": scoring.time_score(c.est.train_hours),
        "cost": scoring.cost_score(c.train_cost_usd, answers.budget.training_usd),
        "maturity": scoring.maturity(c.model, catalog.as_of),
    }


def _partial_total(parts: dict[str, float], w: ScoreWeights) -> float:
    return sum(getattr(w, k) * v for k, v in parts.items() if k != "inference_cost")


def _total(parts: dict[str, float], w: ScoreWeights) -> float:
    return min(1.0, sum(getattr(w, k) * parts.get(k, 0.0) for k in WEIGHT_NAMES))


_MONTHLY: dict[tuple[str, str], InferenceCost | None] = {}


def _monthly(model: ModelEntry, catalog: Catalog) -> InferenceCost | None:
    key = (catalog.version, model.id)
    if key not in _MONTHLY:
        _MONTHLY[key] = monthly_inference_usd(model.architecture, catalog)
    return _MONTHLY[key]


def _refine_micro_batch(c: _Candidate, answers: Answers, catalog: Catalog, tariff: dict) -> None:
    """A larger micro-batch where memory leaves room: same effective batch, better GPU use."""
    room = _room_gb(c.option) or 0.0
    for mb in REFINE_MICRO_BATCHES:
        hp = starting_hyperparameters(c.model, c.method, c.objective, answers, c.option.gpu, c.count, mb)
        if hp.micro_batch * hp.grad_accum * c.count > c.hp.effective_batch * c.count:
            break  # the batch would grow past the recipe's effective batch
        req = _base_request(c.model, hp, c.method, c.objective, answers, tariff).model_copy(
            update={"gpu_id": c.option.gpu.id, "gpus": c.count, "strategy": c.strategy}
        )
        est = estimate(req, catalog)
        if not _fits(est, c.option) or room - est.peak_vram_gb < REFINE_MARGIN_SHARE * room:
            break
        cost = _pick_cost(est, c.option)
        if cost is not None and cost.usd > answers.budget.training_usd:
            break
        c.hp, c.est, c.cost = hp, est, cost


def _recommendation(
    rank: int, c: _Candidate, inf: InferenceCost | None, answers: Answers, catalog: Catalog, w: ScoreWeights
) -> Recommendation:
    parts = ScoreParts(**{k: round(c.parts[k], 4) for k in WEIGHT_NAMES}, total=round(_total(c.parts, w), 4))
    gpu: GpuEntry = c.option.gpu
    cost = c.cost
    hardware = HardwareChoice(
        where=c.option.where,
        gpu_id=gpu.id,
        gpu_name=gpu.name,
        gpu_memory_gb=gpu.memory_gb,
        count=c.count,
        provider=cost.provider if cost and c.option.where == "cloud" else "local",
        strategy=c.strategy,
        usd_per_gpu_hour=cost.usd_per_gpu_hour if cost else None,
        pricing=cost.pricing if cost else None,
        price_verified=cost.verified if cost else None,
        price_as_of=cost.as_of if cost else None,
        price_source=cost.source if cost else None,
    )
    warnings = _warnings(c, inf, answers, catalog)
    return Recommendation(
        rank=rank,
        model_id=c.model.id,
        model_name=c.model.name,
        hf_repo_id=c.model.hf_repo_id,
        instruct_repo_id=c.model.instruct_repo_id,
        params_b=c.model.params_b,
        technique=c.technique,
        method=c.method,
        objective=c.objective,
        hyperparameters=c.hp,
        hardware=hardware,
        needs_multi_gpu=c.count > 1 and c.strategy != "single",
        peak_vram_gb=round(c.est.peak_vram_gb, 2),
        margin_gb=None if c.est.margin_gb is None else round(c.est.margin_gb, 2),
        tokens_per_s=c.est.tokens_per_s,
        train_hours=c.est.train_hours,
        train_cost_usd=c.train_cost_usd,
        monthly_inference_usd=inf.usd_per_month if inf else None,
        monthly_inference_gpu=(f"{inf.count} x {inf.gpu} ({inf.provider})" if inf else None),
        score=parts.total,
        score_parts=parts,
        licences=list(c.model.licences),
        reasons=describe_reasons(c, answers, catalog),
        warnings=warnings,
    )


def _warnings(c: _Candidate, inf: InferenceCost | None, answers: Answers, catalog: Catalog) -> list[str]:
    out = licence_warnings(c.model, catalog, answers.compliance.commercial_use)
    if not c.model.languages:
        note = f" ('{c.model.languages_note}')" if c.model.languages_note else ""
        out.append(
            f"The catalog lists no per-language support for {c.model.name}{note}; test "
            f"{', '.join(answers.languages)} on your holdout before relying on it."
        )
    room = _room_gb(c.option)
    if room:
        left = room - c.est.peak_vram_gb
        if left < TIGHT_MARGIN_SHARE * room:
            out.append(
                f"Tight memory: about {c.est.peak_vram_gb:.1f} GB of {room:.1f} GB per GPU; close other "
                "programs, and lower the sequence length if it runs out of memory."
            )
    if c.option.free_gb is not None:
        out.append(f"The GPU is shared: planned against its {c.option.free_gb:.1f} GB free at detection.")
    _, cut = seq_len_for(answers, c.model)
    if cut:
        out.append(f"Examples longer than the model's {c.hp.seq_len:,}-token context will be cut.")
    if c.est.train_hours is None:
        out.append(f"The catalog has no tensor speed for {c.option.gpu.name}, so time and cost are unknown.")
    cost = c.cost
    if cost is not None and c.option.where == "cloud":
        if not cost.verified:
            out.append(f"The {cost.provider} price could not be traced to a price list; check it before booking.")
        if cost.pricing == "spot":
            out.append("Spot price: the instance can be interrupted; keep checkpoints on.")
        if answers.compliance.data_residency:
            out.append(f"Check that {cost.provider} can keep the data in {answers.compliance.data_residency}.")
    monthly_budget = answers.budget.monthly_inference_usd
    if inf is not None and monthly_budget is not None and inf.usd_per_month > monthly_budget:
        out.append(
            f"Over the monthly serving budget: self-hosting costs about ${inf.usd_per_month:,.0f} a month "
            f"(budget ${monthly_budget:,.0f})."
        )
    if inf is None:
        out.append("No priced GPU in the catalog holds this model for serving; monthly cost unknown.")
    if c.option.gpu.vendor != "nvidia" and c.method == "qlora":
        out.append("QLoRA's 4-bit kernels (bitsandbytes) are best supported on NVIDIA; check ROCm support.")
    return out


def _assumptions(chosen: list[_Candidate], catalog: Catalog) -> list[str]:
    out = [
        f"Catalog {catalog.version} (as of {catalog.as_of.isoformat()}).",
        "Scores: quality from the task's published benchmarks and model size, data fit, time, "
        "training cost and monthly serving cost, maturity; formulas in ftwizard.core.scoring.",
        "Monthly serving cost: the cheapest priced GPU holding the tuned model in 16-bit, 730 hours a month.",
        "Local runs are charged electricity only (the card's board power x hours x tariff).",
    ]
    seen = set(out)
    for c in chosen:
        for a in c.est.assumptions:
            if a not in seen:
                seen.add(a)
                out.append(a)
        cost = c.cost
        if cost is not None and c.option.where == "cloud":
            line = (
                f"{cost.provider} {cost.gpu} at ${cost.usd_per_gpu_hour:g}/GPU-hour ({cost.pricing}, "
                f"{'as of ' + cost.as_of if cost.as_of else 'date unknown'}"
                f"{'' if cost.verified else ', unverified'}): {cost.source}."
            )
            if line not in seen:
                seen.add(line)
                out.append(line)
    return out

