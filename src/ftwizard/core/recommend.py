"""Rank model x technique x hardware plans from what the user told us (issue 4).

1. Hard constraints, each exclusion kept with its reason: licence against commercial use
   (research-only licences out; user thresholds, attribution and naming duties become
   warnings), training data openness when required, every requested language, regulated
   or air-gapped data -> local hardware only, memory fit on the available GPUs (sharded
   over several only when no single GPU holds the run), training cost within budget.
2. Score what is left (`ftwizard.core.scoring`, weights in the plan) and keep, for each
   model and technique, the placement that scores best.
3. Advice before the ranking (`ftwizard.core.advice`).

Languages: a model whose catalog entry lists no languages (the vendor claims broad
multilingual support without a list) is kept with a warning, not excluded.
Costs: local runs cost electricity, cloud runs the offer's price (verified on-demand
prices first); both count against the training budget. Monthly serving cost is the
estimator's cheapest priced GPU holding the tuned model in 16-bit.
Memory: a lighter technique that does not fit means the heavier ones of the same
objective do not either (QLoRA < LoRA < full), so they are not estimated.
Speed (under 50 ms for the catalog, benchmarks/rank_speed.py): quality, data fit, maturity
and serving cost are known before any estimate, and time and cost add at most their weights;
with `top`, models that cannot reach the top N even so are not estimated (branch and bound;
the plan's assumptions say how many). Exclusions are then listed for the estimated models.
Calibration: with recorded runs (`calibration`: the store, or records), each estimate takes
the correction for its GPU, model architecture and method (`core.estimator_calibration`,
looked up once per combination); each recommendation and the assumptions say which figures
are calibrated and from how many runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ftwizard import __version__
from ftwizard.core import scoring
from ftwizard.core.advice import advise
from ftwizard.core.answers import Answers
from ftwizard.core.catalog import Catalog, ModelEntry
from ftwizard.core.estimator import InferenceCost, monthly_inference_usd
from ftwizard.core.estimator_calibration import CalibrationLookup, CalibrationSource
from ftwizard.core.hardware_options import GpuOption, gpu_options, local_only
from ftwizard.core.hardware_profile import HardwareProfile
from ftwizard.core.hyperparams import run_config_for
from ftwizard.core.plan import (
    WEIGHT_NAMES,
    Exclusion,
    HardwareChoice,
    Plan,
    Recommendation,
    ScoreParts,
    ScoreWeights,
)
from ftwizard.core.recommend_candidates import Candidate, Failure, finalize, find_candidates
from ftwizard.core.recommend_text import TECHNIQUE_LABEL, describe_reasons, warnings_for

# (technique, method, objective), lightest first within each objective.
SFT_TECHNIQUES = (("qlora", "qlora", "sft"), ("lora", "lora", "sft"), ("full", "full", "sft"))
DPO_TECHNIQUES = (("dpo", "qlora", "dpo"), ("dpo", "lora", "dpo"))

# Families whose pre-training data is published (the catalog has no field for it yet).
OPEN_TRAINING_DATA: dict[str, str] = {
    "OLMo 2": "Ai2 OLMo 2 card: OLMo-mix-1124 and Dolmino-mix-1124 are published",
    "TinyLlama": "TinyLlama README: trained on SlimPajama and StarCoderData, both public",
}

REFINE_TOP = 10  # shown plans whose micro-batch is tuned to the card (two estimates each at most)


def recommend(
    answers: Answers,
    catalog: Catalog,
    hardware: HardwareProfile | None = None,
    weights: ScoreWeights | None = None,
    top: int | None = None,
    *,
    electricity_usd_per_kwh: float | None = None,
    now: dt.datetime | None = None,
    calibration: CalibrationSource = None,
) -> Plan:
    """The plan for these answers: advice, ranked recommendations, exclusions with reasons.
    `calibration`: recorded runs (a CalibrationStore or records) to correct the estimates."""
    weights = weights or ScoreWeights()
    lookup = CalibrationLookup.of(calibration)
    options, hw_notes = gpu_options(answers, catalog, hardware)
    tariff = {} if electricity_usd_per_kwh is None else {"electricity_usd_per_kwh": electricity_usd_per_kwh}
    groups = [SFT_TECHNIQUES] + ([DPO_TECHNIQUES] if answers.data.preference_pairs else [])
    catalog_order = {m.id: i for i, m in enumerate(catalog.models)}

    excluded: list[Exclusion] = []
    ready: list[tuple[ModelEntry, scoring.Quality, InferenceCost | None]] = []
    for model in catalog.models:
        hard = _hard_constraint(model, answers, catalog)
        if hard is None and not options:
            hard = Failure("hardware", hw_notes[0] if hw_notes else "No GPU is available for this plan.")
        if hard:
            excluded.append(Exclusion(model_id=model.id, reason=hard.reason, constraint=hard.constraint))
            continue
        q = scoring.quality(model, answers.task.kind, answers.languages)
        ready.append((model, q, monthly_inference_usd(model.architecture, catalog)))

    # Parts known before any estimate; time and cost can add at most their weights.
    cheapest = min((inf.usd_per_month for _, _, inf in ready if inf), default=None)
    known: dict[tuple[str, str, str], dict[str, float]] = {}
    for model, q, inf in ready:
        for group in groups:
            for technique, method, _ in group:
                known[(model.id, technique, method)] = {
                    "quality": q.score,
                    "data_fit": scoring.data_fit(
                        technique, method, answers.data.examples, answers.data.avg_tokens,
                        answers.data.preference_pairs,
                    ),
                    "maturity": scoring.maturity(model, catalog.as_of),
                    "inference_cost": scoring.inference_cost_score(
                        inf.usd_per_month if inf else None, answers.budget.monthly_inference_usd, cheapest
                    ),
                }
    headroom = weights.time + weights.cost

    def offer_score(hours: float, usd: float) -> float:
        return weights.time * scoring.time_score(hours) + weights.cost * scoring.cost_score(
            usd, answers.budget.training_usd
        )

    def bound(model_id: str, technique: str, method: str) -> float:
        return _total(known[(model_id, technique, method)], weights) + headroom

    def model_bound(model: ModelEntry) -> float:
        return max(bound(model.id, t, m) for g in groups for t, m, _ in g)

    # Best first; with `top`, stop once nothing left can reach the top N (branch and bound).
    ready.sort(key=lambda r: (-model_bound(r[0]), r[0].id))
    best: list[Candidate] = []
    totals: list[float] = []
    skipped = 0
    for model, q, _inf in ready:
        nth = sorted(totals, reverse=True)[top - 1] if top is not None and len(totals) >= top else None
        if nth is not None and model_bound(model) < nth:
            skipped += 1
            continue
        kept, failures, partial = _evaluate_model(
            model, q, groups, nth, bound, answers, catalog, options, tariff, offer_score, known, weights, lookup
        )
        if not kept and failures and not partial:
            first = next(iter(failures.values()))
            excluded.append(Exclusion(model_id=model.id, reason=first.reason, constraint=first.constraint))
            continue
        for t, f in failures.items():
            excluded.append(Exclusion(model_id=model.id, technique=t, reason=f.reason, constraint=f.constraint))
        best.extend(kept.values())
        totals.extend(c.total for c in kept.values())
    best.sort(key=lambda c: (-c.total, c.model.id, c.technique))
    shown: list[Candidate] = []
    for c in best:
        if top is not None and len(shown) >= top:
            break
        # The final estimate is re-checked: a plan that no longer fits is excluded, the next one moves up.
        failure = finalize(c, answers, catalog, tariff, refine=len(shown) < REFINE_TOP)
        if failure is not None:
            excluded.append(
                Exclusion(
                    model_id=c.model.id, technique=c.technique, reason=failure.reason, constraint=failure.constraint
                )
            )
            continue
        c.parts["time"] = scoring.time_score(c.hours)
        c.parts["cost"] = scoring.cost_score(c.train_cost_usd, answers.budget.training_usd)
        c.total = _total(c.parts, weights)
        shown.append(c)
    excluded.sort(key=lambda e: (catalog_order[e.model_id], e.technique or ""))
    shown.sort(key=lambda c: (-c.total, c.model.id, c.technique))
    inference = {model.id: inf for model, _, inf in ready}

    recs = [
        _recommendation(i + 1, c, inference.get(c.model.id), answers, catalog, weights)
        for i, c in enumerate(shown)
    ]
    advice = advise(answers, len(recs), local_only(answers))
    advice.notes.extend(hw_notes)
    return Plan(
        created_at=now or dt.datetime.now(dt.UTC),
        ftwizard_version=__version__,
        catalog_version=catalog.version,
        catalog_as_of=catalog.as_of,
        answers=answers,
        hardware=hardware if answers.hardware.mode == "detect" else None,
        weights=weights,
        **({} if electricity_usd_per_kwh is None else {"electricity_usd_per_kwh": electricity_usd_per_kwh}),
        advice=advice,
        recommendations=recs,
        excluded=excluded,
        chosen_index=0 if recs else None,
        run_config=run_config_for(recs[0], answers) if recs else None,
        assumptions=_assumptions(shown, catalog, skipped, top, recs),
    )


def _evaluate_model(
    model: ModelEntry,
    q: scoring.Quality,
    groups: list[tuple[tuple[str, str, str], ...]],
    nth: float | None,
    bound: Callable[[str, str, str], float],
    answers: Answers,
    catalog: Catalog,
    options: list[GpuOption],
    tariff: dict,
    offer_score: Callable[[float, float], float],
    known: dict[tuple[str, str, str], dict[str, float]],
    weights: ScoreWeights,
    calibration: CalibrationLookup | None = None,
) -> tuple[dict[str, Candidate], dict[str, Failure], bool]:
    """The best placement per technique, why the others failed, and whether some technique
    was left out by the bound (then the model as a whole is not called excluded)."""
    kept: dict[str, Candidate] = {}
    failures: dict[str, Failure] = {}
    partial = False
    for group in groups:
        lighter: tuple[str, Failure] | None = None
        for technique, method, objective in group:
            if nth is not None and bound(model.id, technique, method) < nth:
                partial = True
                continue
            if lighter is not None:
                failures.setdefault(technique, _heavier(model, technique, *lighter))
                continue
            found, failure = find_candidates(
                model, technique, method, objective, answers, catalog, options, tariff, offer_score, calibration
            )
            for c in found:
                c.quality_reasons = q.reasons
                c.parts = dict(known[(model.id, technique, method)])
                c.parts["time"] = scoring.time_score(c.hours)
                c.parts["cost"] = scoring.cost_score(c.train_cost_usd, answers.budget.training_usd)
                c.total = _total(c.parts, weights)
                held = kept.get(technique)
                if held is None or c.total > held.total:
                    kept[technique] = c
            if failure is not None:
                failures.setdefault(technique, failure)
                if failure.constraint == "memory":
                    lighter = (TECHNIQUE_LABEL[method], failure)
    return kept, {t: f for t, f in failures.items() if t not in kept}, partial


def _hard_constraint(model: ModelEntry, answers: Answers, catalog: Catalog) -> Failure | None:
    comp = answers.compliance
    if comp.commercial_use:
        for lic in catalog.model_licences(model):
            if not lic.commercial_use:
                return Failure("licence", f"{lic.name} does not allow commercial use.")
    if comp.open_training_data_required and model.family not in OPEN_TRAINING_DATA:
        return Failure(
            "open_training_data",
            f"The training data of {model.name} is not published (as far as the catalog records).",
        )
    if model.languages:
        missing = [lang for lang in answers.languages if lang not in model.languages]
        if missing:
            return Failure(
                "language",
                f"{model.name} does not list support for {', '.join(missing)} "
                f"(it lists {', '.join(model.languages)}).",
            )
    return None


def _heavier(model: ModelEntry, technique: str, lighter_label: str, lighter: Failure) -> Failure:
    return Failure(
        "memory",
        f"{TECHNIQUE_LABEL[technique]} of {model.name} needs more memory than {lighter_label}, "
        f"which already needs about {lighter.peak_gb or 0:.1f} GB and does not fit.",
        lighter.peak_gb,
    )


def _total(parts: dict[str, float], w: ScoreWeights) -> float:
    return min(1.0, sum(getattr(w, k) * parts.get(k, 0.0) for k in WEIGHT_NAMES))


def _recommendation(
    rank: int, c: Candidate, inf: InferenceCost | None, answers: Answers, catalog: Catalog, w: ScoreWeights
) -> Recommendation:
    parts = ScoreParts(**{k: round(c.parts[k], 4) for k in WEIGHT_NAMES}, total=round(_total(c.parts, w), 4))
    cost = c.cost
    room = c.room_gb
    hardware = HardwareChoice(
        where=c.option.where,
        gpu_id=c.option.gpu.id,
        gpu_name=c.option.gpu.name,
        gpu_memory_gb=None if room is None else round(room, 2),
        count=c.count,
        provider=cost.provider if cost and c.option.where == "cloud" else "local",
        strategy=c.strategy,
        **_price_fields(c),
    )
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
        needs_multi_gpu=c.count > 1,
        peak_vram_gb=round(c.peak_vram_gb, 2),
        margin_gb=None if room is None else round(room - c.peak_vram_gb, 2),
        tokens_per_s=c.tokens_per_s,
        train_hours=c.hours,
        train_cost_usd=c.train_cost_usd,
        monthly_inference_usd=inf.usd_per_month if inf else None,
        monthly_inference_gpu=f"{inf.count} x {inf.gpu} ({inf.provider})" if inf else None,
        score=parts.total,
        score_parts=parts,
        licences=list(c.model.licences),
        reasons=describe_reasons(c, answers, catalog),
        warnings=warnings_for(c, inf, answers, catalog),
        calibration=c.correction.describe() if c.correction else None,
    )


def _price_fields(c: Candidate) -> dict:
    cost = c.cost
    if cost is not None:
        return {
            "usd_per_gpu_hour": cost.usd_per_gpu_hour,
            "pricing": cost.pricing,
            "price_verified": cost.verified,
            "price_as_of": cost.as_of,
            "price_source": cost.source,
        }
    if c.cost_usd is not None and c.hours:  # a screened local plan: the electricity formula
        return {
            "usd_per_gpu_hour": round(c.cost_usd / c.hours / c.count, 4),
            "pricing": "electricity",
            "price_verified": True,
            "price_source": "estimator: board power x 0.9 x your tariff",
        }
    return {}


def _assumptions(
    shown: list[Candidate], catalog: Catalog, skipped: int, top: int | None, recs: list[Recommendation]
) -> list[str]:
    out = [
        f"Catalog {catalog.version} (as of {catalog.as_of.isoformat()}).",
        "Scores: quality from the task's published benchmarks and model size, data fit, time, "
        "training cost, monthly serving cost and maturity; formulas in ftwizard.core.scoring.",
        "Monthly serving cost: the cheapest on-demand GPU offer holding the tuned model in 16-bit "
        "plus its KV cache, 730 hours a month; on-site serving costs differ.",
        "Local runs are charged for the cards' electricity only.",
    ]
    if skipped:
        out.append(
            f"{skipped} models that meet the constraints could not reach the top {top} even at zero "
            "time and cost, so they were not estimated (plan without a limit to see them)."
        )
    calibrated = [r for r in recs if r.calibration]
    if calibrated:
        ranks = ", ".join(f"#{r.rank}" for r in calibrated)
        out.append(
            f"Calibrated figures: the peak memory, time and cost of plan{'s' if len(calibrated) > 1 else ''} "
            f"{ranks} are corrected from runs recorded on their GPU (each plan says from how many); "
            "the others are the estimator's physics alone. Formula: ftwizard.core.calibration."
        )
    seen = set(out)
    for c in shown:
        lines = list(c.est.assumptions) if c.est is not None else []
        cost = c.cost
        if cost is not None:
            date = f"as of {cost.as_of}" if cost.as_of else "date unknown"
            lines.append(
                f"{cost.provider} {cost.gpu}: ${cost.usd_per_gpu_hour:g} per GPU-hour ({cost.pricing}, {date}"
                f"{'' if cost.verified else ', not traced to a price list'}); source: {cost.source}."
            )
        for line in lines:
            if line not in seen:
                seen.add(line)
                out.append(line)
    return out
