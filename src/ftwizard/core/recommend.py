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
from ftwizard.core import estimator_constants as K
from ftwizard.core import scoring
from ftwizard.core.advice import advise
from ftwizard.core.answers import Answers
from ftwizard.core.catalog import Catalog, ModelEntry, price_traced
from ftwizard.core.estimator import EstimateRequest, InferenceCost, monthly_inference_usd
from ftwizard.core.estimator_calibration import CalibrationLookup, CalibrationSource
from ftwizard.core.estimator_cost import AMORTISATION_MONTHS, own_serving, serving_weights_bytes
from ftwizard.core.hardware_options import (
    CPU_ONLY_NOTE,
    EU_COUNTRIES,
    GpuOption,
    cloud_policy,
    gpu_options,
    local_only,
    residency_regions,
)
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
from ftwizard.core.recommend_candidates import (
    Candidate,
    Failure,
    finalize,
    find_candidates,
    gpu_key,
)
from ftwizard.core.recommend_cloud import DOWNLOAD_MB_PER_S, STARTUP_HOURS
from ftwizard.core.recommend_text import TECHNIQUE_LABEL, describe_reasons, warnings_for
from ftwizard.core.units import mem

# (technique, method, objective), lightest first within each objective.
SFT_TECHNIQUES = (("qlora", "qlora", "sft"), ("lora", "lora", "sft"), ("full", "full", "sft"))
DPO_TECHNIQUES = (("dpo", "qlora", "dpo"), ("dpo", "lora", "dpo"))

# Families whose pre-training data is published (the catalog has no field for it yet).
OPEN_TRAINING_DATA: dict[str, str] = {
    "OLMo 2": "Ai2 OLMo 2 card: OLMo-mix-1124 and Dolmino-mix-1124 are published",
    "TinyLlama": "TinyLlama README: trained on SlimPajama and StarCoderData, both public",
}

DEFAULT_KWH_USD = EstimateRequest.model_fields["electricity_usd_per_kwh"].default
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
    # Training cost, the cloud sweep and serving cost see only the offers compliance allows.
    _policy, priced = cloud_policy(answers, catalog)
    tariff = {} if electricity_usd_per_kwh is None else {"electricity_usd_per_kwh": electricity_usd_per_kwh}
    kwh = electricity_usd_per_kwh if electricity_usd_per_kwh is not None else DEFAULT_KWH_USD
    catalog_order = {m.id: i for i, m in enumerate(catalog.models)}
    serve_budget = answers.budget.monthly_inference_usd

    excluded: list[Exclusion] = []
    ready: list[tuple[ModelEntry, scoring.Quality, InferenceCost | None]] = []
    over_serving: list[tuple[ModelEntry, scoring.Quality, InferenceCost | None]] = []
    for model in catalog.models:
        hard = _hard_constraint(model, answers, catalog)
        if hard is None and not options:
            hard = Failure("hardware", hw_notes[-1] if hw_notes else "No GPU is available for this plan.")
        if hard:
            excluded.append(Exclusion(model_id=model.id, reason=hard.reason, constraint=hard.constraint))
            continue
        q = _quality(model, answers, catalog)
        inf = _serving_memo(model, answers, priced, options, kwh, serve_budget)
        if serve_budget is not None and inf is not None and inf.usd_per_month > serve_budget:
            over_serving.append((model, q, inf))
            continue
        ready.append((model, q, inf))

    priced = _with_gpus(priced, [o.gpu for o in options])
    args = (answers, priced, options, tariff, weights, lookup, top)
    shown, more_excluded, skipped = _rank(ready, *args)
    serving_note = None
    if over_serving and not any(not c.flags for c in shown):
        # Nothing fits the serving budget: show the plans over it too, flagged, rather than nothing.
        over_ids = {m.id for m, _, _ in over_serving}
        shown, more_excluded, skipped = _rank(ready + over_serving, *args, over_serving=over_ids)
        serving_note = (
            f"No plan keeps serving within the ${serve_budget:,.0f} monthly budget, so plans over it are shown, "
            "flagged (each says by how much): raise the budget, serve on your own card, or use a "
            "pay-per-token API that scales to zero."
        )
    else:
        for model, _, inf in over_serving:
            excluded.append(
                Exclusion(
                    model_id=model.id,
                    constraint="budget",
                    reason=f"Serving {model.name} costs about ${inf.usd_per_month:,.0f} a month "
                    f"({inf.count} x {inf.gpu}, {inf.provider}{', even in 4-bit' if '4-bit' in inf.source else ''}), "
                    f"above the ${serve_budget:,.0f} monthly serving budget.",
                )
            )
    excluded.extend(more_excluded)
    excluded.sort(key=lambda e: (catalog_order[e.model_id], e.technique or ""))
    inference = {model.id: inf for model, _, inf in ready + over_serving}

    answers_key = answers.model_dump_json()
    recs = [
        _recommendation(i + 1, c, inference.get(c.model.id), answers, priced, weights, answers_key)
        for i, c in enumerate(shown)
    ]
    cpu_only = not options and any(n == CPU_ONLY_NOTE for n in hw_notes)
    advice = advise(answers, len(recs), local_only(answers), cpu_only=cpu_only)
    advice.notes.extend(hw_notes)
    if serving_note:
        advice.notes.append(serving_note)
    if recs and recs[0].tier == "warning":
        advice.notes.append(
            "Every plan below is in the warning tier (tight memory, unknown figures, an untraced price, "
            "serving over budget or a superseded model): read each plan's warnings before choosing."
        )
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
        assumptions=_assumptions(shown, catalog, skipped, top, recs, answers),
    )


def _rank(
    ready: list[tuple[ModelEntry, scoring.Quality, InferenceCost | None]],
    answers: Answers,
    catalog: Catalog,
    options: list[GpuOption],
    tariff: dict,
    weights: ScoreWeights,
    lookup: CalibrationLookup,
    top: int | None,
    over_serving: set[str] | frozenset[str] = frozenset(),
) -> tuple[list[Candidate], list[Exclusion], int]:
    """The shown plans (fitting tier first, best score first, one row per model in the top 3),
    the exclusions found on the way, and how many models the bound skipped."""
    groups = [SFT_TECHNIQUES] + ([DPO_TECHNIQUES] if answers.data.preference_pairs else [])
    excluded: list[Exclusion] = []
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
    inference = {model.id: inf for model, _, inf in ready}

    def offer_score(hours: float, usd: float) -> float:
        return weights.time * scoring.time_score(hours) + weights.cost * scoring.cost_score(
            usd, answers.budget.training_usd
        )

    def bound(model_id: str, technique: str, method: str) -> float:
        return _total(known[(model_id, technique, method)], weights) + headroom

    bounds: dict[str, float] = {}

    def model_bound(model: ModelEntry) -> float:
        b = bounds.get(model.id)
        if b is None:
            b = bounds[model.id] = max(bound(model.id, t, m) for g in groups for t, m, _ in g)
        return b

    # A model whose successor (catalog `superseded_by`) is allowed here, fits, and scores at least as
    # well on the task's evidence steps back: known before the ranking, so top N and the full list agree.
    allowed = {model.id: (model, q) for model, q, _ in ready}
    superseded: set[str] = set()
    for model, q, _ in ready:
        succ = allowed.get(getattr(model, "superseded_by", None) or "")
        if (
            succ is not None
            and succ[1].score >= q.score
            and _fits_somewhere(succ[0], answers, catalog, options, tariff, lookup, inference)
        ):
            superseded.add(model.id)

    def flags_of(c: Candidate) -> list[str]:
        over = ["serving_over_budget"] if c.model.id in over_serving else []
        old = ["superseded"] if c.model.id in superseded else []
        return tier_flags(c, inference.get(c.model.id), answers) + over + old

    # Best first; with `top`, stop once nothing left can reach the top N (branch and bound).
    # Only plans in the fitting tier set the bar: a warning-tier plan never displaces one that fits.
    ready = sorted(ready, key=lambda r: (-model_bound(r[0]), r[0].id))
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
        for c in kept.values():
            c.flags = flags_of(c)
        best.extend(kept.values())
        # Distinct models only: the top N must hold N models (one row per model in the top 3).
        for c in kept.values():
            if not c.flags:
                totals.append(max(x.total for x in kept.values() if not x.flags))
                break
    best = diversify(sorted(best, key=_order))
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
        c.parts["time"] = scoring.time_score(c.total_hours)
        c.parts["cost"] = scoring.cost_score(c.train_cost_usd, answers.budget.training_usd)
        c.total = _total(c.parts, weights)
        c.flags = flags_of(c)
        shown.append(c)
    return diversify(sorted(shown, key=_order)), excluded, skipped


def _fits_somewhere(model, answers, catalog, options, tariff, lookup, inference) -> bool:
    """Whether the model's lightest supervised plan (QLoRA) fits some option with every figure known."""
    def any_score(hours: float, usd: float) -> float:
        return -usd

    found, _ = find_candidates(model, "qlora", "qlora", "sft", answers, catalog, options, tariff, any_score, lookup)
    return any(not tier_flags(c, inference.get(model.id), answers) for c in found)


def _order(c: Candidate) -> tuple:
    """Fitting plans first; then plans with fewer warning flags; best score first within."""
    return (1 if c.flags else 0, len(c.flags), -c.total, c.model.id, c.technique)


_GPU_CACHE: dict[tuple[int, tuple[str, ...]], tuple[Catalog, Catalog]] = {}


def _with_gpus(catalog: Catalog, gpus: list) -> Catalog:
    """The catalog plus the user's cards it does not list (planned from the answers' memory)."""
    extra = [g for g in gpus if g.id not in {x.id for x in catalog.gpus}]
    if not extra:
        return catalog
    key = (id(catalog), tuple(sorted(g.model_dump_json() for g in extra)))
    hit = _GPU_CACHE.get(key)
    if hit is not None and hit[0] is catalog:
        return hit[1]
    out = catalog.model_copy(update={"gpus": catalog.gpus + tuple(extra)})
    out = Catalog(**{k: getattr(out, k) for k in Catalog.model_fields})
    if len(_GPU_CACHE) > 64:
        _GPU_CACHE.clear()
    _GPU_CACHE[key] = (catalog, out)
    return out


TOP_DISTINCT = 3


def diversify(ordered: list[Candidate]) -> list[Candidate]:
    """One row per model in the first TOP_DISTINCT places; a model's other variants move behind."""
    head: list[Candidate] = []
    rest: list[Candidate] = []
    seen: set[str] = set()
    for c in ordered:
        if len(head) < TOP_DISTINCT and c.model.id not in seen:
            head.append(c)
            seen.add(c.model.id)
        else:
            rest.append(c)
    return head + rest


def tier_flags(c: Candidate, inf: InferenceCost | None, answers: Answers) -> list[str]:
    """Why a plan is in the warning tier; empty when it fits with headroom and every figure is known."""
    flags = []
    room = c.room_gb
    per_gpu_known = not (c.option.where == "cloud" and c.strategy == "fsdp" and c.est is None)
    if room is None or (per_gpu_known and not scoring.fits_with_headroom(c.peak_vram_gb, room)):
        flags.append("tight_memory")
    if c.total_hours is None or c.train_cost_usd is None:
        flags.append("not_checked")
    if c.option.where == "cloud" and c.cost is not None and not price_traced(c.cost):
        flags.append("unverified_price")
    if answers.budget.monthly_inference_usd is not None and inf is None:
        flags.append("serving_unknown")
    return flags


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
            if found and objective == "dpo" and not model.instruct_repo_id:
                # No instruct checkpoint: the plan starts with an SFT step on the preferred answers.
                step = kept.get(method) or _sft_step(
                    model, method, answers, catalog, options, tariff, offer_score, calibration
                )
                if step is None:
                    found, failure = [], Failure(
                        "hardware",
                        f"DPO of {model.name} needs an SFT step first (the catalog has no instruct checkpoint), "
                        f"and that {TECHNIQUE_LABEL[method]} step does not fit the hardware or the budget.",
                    )
                for c in found:
                    c.sft = step
                over = [c for c in found if (c.train_cost_usd or 0.0) > answers.budget.training_usd]
                if over and len(over) == len(found):
                    found, failure = [], Failure(
                        "budget",
                        f"DPO of {model.name} with the SFT step it needs costs at least "
                        f"${min(c.train_cost_usd or 0.0 for c in over):,.2f}, above the "
                        f"${answers.budget.training_usd:,.2f} training budget.",
                    )
                found = [c for c in found if c not in over]
            for c in found:
                c.quality_reasons = q.reasons
                c.parts = dict(known[(model.id, technique, method)])
                c.parts["time"] = scoring.time_score(c.total_hours)
                c.parts["cost"] = scoring.cost_score(c.train_cost_usd, answers.budget.training_usd)
                c.total = _total(c.parts, weights)
                held = kept.get(technique)
                # The best placement per technique: one that fits with every figure known first.
                if held is None or _placement_key(c, answers) > _placement_key(held, answers):
                    kept[technique] = c
            if failure is not None:
                failures.setdefault(technique, failure)
                if failure.constraint == "memory":
                    lighter = (TECHNIQUE_LABEL[method], failure)
    return kept, {t: f for t, f in failures.items() if t not in kept}, partial


def _placement_key(c: Candidate, answers: Answers) -> tuple[bool, float]:
    return (not tier_flags(c, None, answers), c.total)


def _sft_step(model, method, answers, catalog, options, tariff, offer_score, calibration) -> Candidate | None:
    """The cheapest SFT placement of this method, for a DPO plan that must start with one."""
    found, _ = find_candidates(model, method, method, "sft", answers, catalog, options, tariff, offer_score, calibration)
    return min(found, key=lambda c: c.train_cost_usd or 0.0) if found else None


def _hard_constraint(model: ModelEntry, answers: Answers, catalog: Catalog) -> Failure | None:
    comp = answers.compliance
    if comp.commercial_use:
        for lic in catalog.model_licences(model):
            if not lic.commercial_use:
                return Failure("licence", f"{lic.name} does not allow commercial use.")
    territory = _licence_territory(model, answers, catalog)
    if territory is not None:
        return territory
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
    context = model.context_tokens or model.architecture.max_position_embeddings
    p95 = answers.data.p95_tokens
    longest = p95 or answers.data.avg_tokens
    if context and longest > context:
        what = f"95% of your examples are up to {p95:,} tokens" if p95 else (
            f"your examples average {answers.data.avg_tokens:,} tokens"
        )
        return Failure(
            "context",
            f"{model.name} reads at most {context:,} tokens and {what}: training would cut the rest of "
            "each long example. Choose a longer-context model, or split the examples into chunks that "
            "fit and plan again with their new length.",
        )
    return None


def _licence_territory(model: ModelEntry, answers: Answers, catalog: Catalog) -> Failure | None:
    """Licences that grant nothing in the user's territory (read from the data residency)."""
    regions = residency_regions(answers.compliance.data_residency)
    if not regions:
        return None
    eu = "eu" in regions or bool(regions & EU_COUNTRIES)
    for lic in catalog.model_licences(model):
        clause = getattr(lic, "restriction_clause", None)
        quoted = f' The licence says: "{clause}"' if clause else ""
        excluded = set(getattr(lic, "excluded_regions", None) or ())
        hit = sorted((regions & excluded) | ({"eu"} if eu and "eu" in excluded else set()))
        if hit:
            return Failure(
                "licence",
                f"The {lic.name} grants no rights in {', '.join(h.upper() for h in hit)}, where your data must "
                f"stay ({answers.compliance.data_residency}).{quoted}",
            )
        if eu and getattr(lic, "eu_multimodal_restriction", False) and getattr(model, "multimodal", False):
            return Failure(
                "licence",
                f"{model.name} is multimodal and the {lic.name} grants no rights to its multimodal models "
                f"to people or companies in the EU (your residency: {answers.compliance.data_residency}).{quoted}",
            )
    return None


# Re-ranking with other weights (the GUI's sliders) asks the same questions again: pure
# functions of frozen catalog entries and the answers, memoised (the entry is kept with each
# result so an id is never reused).
_MEMO: dict[tuple, tuple[object, object]] = {}
MEMO_SIZE = 8192


def _memo(key: tuple, owner: object, make: Callable[[], object]):
    hit = _MEMO.get(key)
    if hit is not None and hit[0] is owner:
        return hit[1]
    value = make()
    if len(_MEMO) >= MEMO_SIZE:
        _MEMO.clear()
    _MEMO[key] = (owner, value)
    return value


def _quality(model: ModelEntry, answers: Answers, catalog: Catalog) -> scoring.Quality:
    key = ("q", id(model), id(catalog.models), answers.task.kind, tuple(answers.languages), answers.data.p95_tokens)
    return _memo(key, model, lambda: scoring.quality(
        model, answers.task.kind, answers.languages, answers.data.p95_tokens, catalog.models
    ))


def _serving_memo(model, answers, priced, options, kwh, budget) -> InferenceCost | None:
    local = tuple((gpu_key(o.gpu), o.max_count) for o in options if o.where == "local")
    key = ("s", id(model), id(priced), local, kwh, budget, answers.compliance.air_gapped)
    return _memo(key, model, lambda: serving_cost(model, answers, priced, options, kwh, budget))


def serving_cost(
    model: ModelEntry,
    answers: Answers,
    priced: Catalog,
    options: list[GpuOption],
    usd_per_kwh: float,
    budget: float | None,
) -> InferenceCost | None:
    """Monthly serving cost where serving may happen: on the user's own cards when they hold the
    model (power, plus amortisation where the catalog has a purchase price); else, unless the
    site is air-gapped, the cheapest allowed cloud offer in 16-bit, or in 4-bit when 16-bit is
    over the monthly budget. None: nowhere allowed holds it."""
    local = [(o.gpu, o.max_count) for o in options if o.where == "local"]
    if local:
        own = own_serving(model.architecture, local, usd_per_kwh)
        if own is not None:
            gpu, n, q4, power, amort = own
            if power is None:
                return None  # served on a card of yours whose board power the catalog lacks: unknown
            if power is not None:
                monthly = power + (amort or 0.0)
                what = "4-bit" if q4 else "16-bit"
                amort_text = (
                    f" plus the cards' price over {AMORTISATION_MONTHS} months" if amort else
                    "; purchase amortisation not included (the catalog has no price for the card)"
                )
                return InferenceCost(
                    provider="your hardware",
                    gpu=gpu.name,
                    gpu_id=gpu.id,
                    count=n,
                    usd_per_gpu_hour=round(monthly / K.HOURS_PER_MONTH / n, 4),
                    hours_per_month=K.HOURS_PER_MONTH,
                    usd_per_month=round(monthly, 2),
                    weights_gb=round(serving_weights_bytes(model.architecture, q4) / K.GB, 2),
                    kv_cache_gb=0.0,
                    pricing="electricity",
                    verified=True,
                    source=f"estimator: {what} on {n} x {gpu.name} you own, board power x "
                    f"{K.POWER_FRACTION_OF_TDP} x ${usd_per_kwh}/kWh x 730 h{amort_text}",
                )
    if answers.compliance.air_gapped:
        return None
    inf = monthly_inference_usd(model.architecture, priced)
    if inf is not None and budget is not None and inf.usd_per_month > budget:
        q4 = monthly_inference_usd(model.architecture, priced, quantized_4bit=True)
        if q4 is not None and q4.usd_per_month < inf.usd_per_month:
            return q4.model_copy(update={"source": f"{q4.source} (served in 4-bit: 16-bit is over the budget)"})
    return inf


def _heavier(model: ModelEntry, technique: str, lighter_label: str, lighter: Failure) -> Failure:
    return Failure(
        "memory",
        f"{TECHNIQUE_LABEL[technique]} of {model.name} needs more memory than {lighter_label}, "
        f"which already needs about {mem(lighter.peak_gb or 0)} and does not fit.",
        lighter.peak_gb,
    )


# _total spells the parts out (it runs thousands of times per ranking); it must follow the plan's list.
if WEIGHT_NAMES != ("quality", "data_fit", "time", "cost", "inference_cost", "maturity"):  # pragma: no cover
    raise ImportError("recommend._total does not know the plan's score parts; update it")


def _total(parts: dict[str, float], w: ScoreWeights) -> float:
    wq, wd, wt, wc, wi, wm = (w.quality, w.data_fit, w.time, w.cost, w.inference_cost, w.maturity)
    g = parts.get
    return min(
        1.0,
        wq * g("quality", 0.0) + wd * g("data_fit", 0.0) + wt * g("time", 0.0) + wc * g("cost", 0.0)
        + wi * g("inference_cost", 0.0) + wm * g("maturity", 0.0),
    )


def _texts(c: Candidate, inf: InferenceCost | None, answers: Answers, catalog: Catalog, answers_key: str):
    """The plan's reasons and warnings. They do not depend on the weights, so re-ranking reuses
    them: the key holds every candidate field the sentences read."""
    cost = c.cost
    sft = c.sft
    key = (
        "t", answers_key, id(catalog), c.model.id, c.technique, c.method, c.option.where, c.option.gpu.id,
        c.option.free_gb, c.count, c.strategy, c.too_big_for_one, c.hours, c.cost_usd, c.peak_gb,
        c.hp.seq_len, tuple(c.quality_reasons),
        None if cost is None else (cost.provider, cost.usd, cost.hours, cost.pricing, cost.verified, cost.usd_per_gpu_hour),
        None if sft is None else (sft.method, sft.option.gpu.id, sft.count, sft.hours, sft.train_cost_usd),
        None if inf is None else (inf.provider, inf.usd_per_month, inf.count, inf.gpu, inf.source),
    )
    return _memo(key, c.model, lambda: (describe_reasons(c, answers, catalog), warnings_for(c, inf, answers, catalog)))


def _recommendation(
    rank: int,
    c: Candidate,
    inf: InferenceCost | None,
    answers: Answers,
    catalog: Catalog,
    w: ScoreWeights,
    answers_key: str | None = None,
) -> Recommendation:
    reasons, warnings = _texts(c, inf, answers, catalog, answers_key or answers.model_dump_json())
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
        hf_repo_id=dpo_start_repo(c),
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
        allocator_peak_gb=c.est.allocator_peak_gb if c.est is not None else None,
        tokens_per_s=c.tokens_per_s,
        train_hours=c.total_hours,
        train_cost_usd=c.train_cost_usd,
        monthly_inference_usd=inf.usd_per_month if inf else None,
        monthly_inference_gpu=f"{inf.count} x {inf.gpu} ({inf.provider})" if inf else None,
        score=parts.total,
        score_parts=parts,
        licences=list(c.model.licences),
        reasons=list(reasons),
        warnings=list(warnings) + ([
            f"Superseded (warning tier): {c.model.name} has a newer successor in the catalog "
            f"({c.model.superseded_by}) that meets your constraints, fits with headroom and scores at least as well "
            "for this task; prefer it unless you must match "
            "an existing deployment."
        ] if "superseded" in c.flags else []),
        tier="warning" if c.flags else "fits",
        calibration=c.correction.describe() if c.correction else None,
    )


def quality_rule_text(answers: Answers) -> str:
    """How the quality score is defined for this task (shown in the Assumptions tab and the PDF)."""
    kind = answers.task.kind
    groups = scoring.task_groups(kind, answers.languages)
    parts = ", ".join(
        f"{scoring.GROUP_LABEL[g]} {w:g} ({' or '.join(scoring.BENCHMARK_GROUPS[g])})" for g, w in groups.items()
    )
    caps = set(scoring.TASK_CAPABILITIES.get(kind, ()))
    if any(lang != "en" for lang in answers.languages):
        caps.add("multilingual")
    if (answers.data.p95_tokens or 0) > scoring.LONG_CONTEXT_TOKENS:
        caps.add("long_context")
    special = (
        f" plus {scoring.SPECIALIST_BONUS:g} for a specialist (the catalog lists {' or '.join(sorted(caps))} "
        "among its capabilities)" if caps else ""
    )
    own = ""
    if set(scoring.TASK_GROUPS[kind]) == {"general"}:
        own = (
            f" Benchmarks the catalog marks as evidence for {kind} count as a task group "
            f"({scoring.TASK_GROUP_WEIGHT:g}) beside general knowledge ({scoring.TASK_GENERAL_WEIGHT:g}); "
            "MMLU alone is labelled general-knowledge evidence, not a benchmark for the task."
        )
    return (
        f"Quality for {kind}: benchmark groups weighted {parts}; score = {scoring.BENCH_SHARE:g} x (coverage x "
        f"benchmark mean + (1 - coverage) x size) + {1 - scoring.BENCH_SHARE:.1f} x size, size on a log scale from "
        f"{scoring.SIZE_MIN_B:g} B to {scoring.SIZE_MAX_B:g} B parameters; a group without the model's own figure "
        f"takes the median of catalog models of similar size (within {scoring.PEER_SIZE_RATIO:g}x, at least "
        f"{scoring.PEER_MIN}), else size; plus {scoring.STRENGTH_BONUS:g} when the "
        f"vendor lists {kind} among the model's strengths{special}.{own} Context shorter than your examples' "
        "95th-percentile length excludes a model (training would cut them)."
    )


def dpo_start_repo(c: Candidate) -> str:
    """DPO starts from the vendor's instruct checkpoint (already supervised-tuned) where the
    catalog has one; otherwise from the base checkpoint, with an SFT step first (the reasons say so)."""
    if c.technique == "dpo" and c.model.instruct_repo_id:
        return c.model.instruct_repo_id
    return c.model.hf_repo_id


def _price_fields(c: Candidate) -> dict:
    cost = c.cost
    if cost is not None:
        return {
            "usd_per_gpu_hour": cost.usd_per_gpu_hour,
            "pricing": cost.pricing,
            "price_verified": cost.verified,
            "price_traced": price_traced(cost),
            "price_as_of": cost.as_of,
            "price_source": cost.source,
        }
    if c.cost_usd is not None and c.hours:  # a screened local plan: the electricity formula
        return {
            "usd_per_gpu_hour": round(c.cost_usd / c.hours / c.count, 4),
            "pricing": "electricity",
            "price_verified": True,
            "price_traced": True,
            "price_source": "estimator: board power x 0.9 x your tariff",
        }
    return {}


def _assumptions(
    shown: list[Candidate],
    catalog: Catalog,
    skipped: int,
    top: int | None,
    recs: list[Recommendation],
    answers: Answers | None = None,
) -> list[str]:
    out = [
        f"Catalog {catalog.version} (as of {catalog.as_of.isoformat()}).",
        "Scores: quality from the task's published benchmarks and model size, data fit, time, "
        "training cost, monthly serving cost and maturity; formulas in ftwizard.core.scoring.",
    ]
    if answers is not None:
        out.append(quality_rule_text(answers))
    out += [
        f"Fit rule: a plan fits when each card keeps at least {scoring.HEADROOM_SHARE:.0%} of its usable memory or "
        f"{scoring.HEADROOM_MIN_GB:g} GB, whichever is more, free after the estimated peak. Plans below that "
        "margin, plans whose time or cost is unknown (budget not checked), plans on an untraced price, "
        "plans whose serving cost is unknown or over the monthly budget and plans of a model whose catalog successor "
        "meets the constraints, fits and scores at least as well for the task are in the warning tier: listed after "
        "every plan that fits, never first when one fits. The top 3 hold one row per model.",
        "Monthly serving cost, where serving may happen: on your own cards when they hold the tuned model "
        f"(16-bit, else 4-bit; board power x {K.POWER_FRACTION_OF_TDP} x your tariff x 730 h, plus the cards' price "
        f"over {AMORTISATION_MONTHS} months where the catalog records one); otherwise, unless the site is "
        "air-gapped, the cheapest allowed on-demand cloud offer (traced prices first) holding it plus its KV cache, "
        "730 hours a month, in 4-bit when 16-bit is over the budget. Over the monthly serving budget: excluded, "
        "or shown flagged when nothing fits it.",
        "Local runs are charged for the cards' electricity only.",
        f"Cloud training cost: billed hours x GPUs x price, billed hours = training + {STARTUP_HOURS * 60:.0f} min "
        f"start-up + the 16-bit weights' download at {DOWNLOAD_MB_PER_S:g} MB/s, at least the offer's minimum "
        "billing (24 h for a capacity block).",
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
                f"{'' if cost.verified else (', undated, so unverified' if price_traced(cost) else ', not traced to a price list')}"
                f"); source: {cost.source}."
            )
        for line in lines:
            if line not in seen:
                seen.add(line)
                out.append(line)
    return out
