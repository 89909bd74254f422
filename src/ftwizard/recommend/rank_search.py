"""The search behind the ranking: each allowed model's best placement per technique, and
the plans shown, fitting tier first (`_rank`).

Memory: a lighter technique that does not fit means the heavier ones of the same
objective do not either (QLoRA < LoRA < full), so they are not estimated.
Speed (under 50 ms for the catalog, benchmarks/rank_speed.py): quality, data fit, maturity
and serving cost are known before any estimate, and time and cost add at most their weights;
with `top`, models that cannot reach the top N even so are not estimated (branch and bound;
the plan's assumptions say how many). Exclusions are then listed for the estimated models.
A DPO plan of a model without an instruct checkpoint starts with an SFT step; a model whose
catalog successor is allowed, fits and scores at least as well is flagged superseded.
"""

from __future__ import annotations

from collections.abc import Callable

from ftwizard.base.units import mem
from ftwizard.catalog.entries import ModelEntry
from ftwizard.catalog.store import Catalog
from ftwizard.estimate.calibrated import CalibrationLookup
from ftwizard.estimate.request import InferenceCost
from ftwizard.recommend import scoring
from ftwizard.recommend.answers import Answers
from ftwizard.recommend.candidate_types import Candidate, Failure
from ftwizard.recommend.candidates import find_candidates
from ftwizard.recommend.finalize import finalize
from ftwizard.recommend.hardware_options import GpuOption
from ftwizard.recommend.plan import Exclusion, ScoreWeights
from ftwizard.recommend.text import TECHNIQUE_LABEL
from ftwizard.recommend.tiers import _order, _total, diversify, tier_flags

# (technique, method, objective), lightest first within each objective.
SFT_TECHNIQUES = (("qlora", "qlora", "sft"), ("lora", "lora", "sft"), ("full", "full", "sft"))
DPO_TECHNIQUES = (("dpo", "qlora", "dpo"), ("dpo", "lora", "dpo"))

REFINE_TOP = 10  # shown plans whose micro-batch is tuned to the card (two estimates each at most)


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


def _heavier(model: ModelEntry, technique: str, lighter_label: str, lighter: Failure) -> Failure:
    return Failure(
        "memory",
        f"{TECHNIQUE_LABEL[technique]} of {model.name} needs more memory than {lighter_label}, "
        f"which already needs about {mem(lighter.peak_gb or 0)} and does not fit.",
        lighter.peak_gb,
    )
