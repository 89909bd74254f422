"""Rank model x technique x hardware plans from what the user told us (issue 4): `recommend()`.

1. Hard constraints (`ftwizard.recommend.constraints`), each exclusion kept with its reason:
   licence against commercial use (research-only licences out; user thresholds, attribution
   and naming duties become warnings), training data openness when required, every requested
   language, regulated or air-gapped data -> local hardware only, memory fit on the available
   GPUs (sharded over several only when no single GPU holds the run), training cost within
   budget; a model over the monthly serving budget (`ftwizard.recommend.serving`) is excluded,
   or shown flagged when nothing fits it.
2. Score what is left (`ftwizard.recommend.scoring`, weights in the plan) and keep, for each
   model and technique, the placement that scores best (`ftwizard.recommend.rank_search`),
   fitting tier first (`ftwizard.recommend.tiers`).
3. Advice before the ranking (`ftwizard.recommend.advice`); each plan as a Recommendation
   (`ftwizard.recommend.recommendation`) and the plan's assumptions
   (`ftwizard.recommend.assumptions`).

Languages: a model whose catalog entry lists no languages (the vendor claims broad
multilingual support without a list) is kept with a warning, not excluded.
Calibration: with recorded runs (`calibration`: the store, or records), each estimate takes
the correction for its GPU, model architecture and method (`estimate.calibrated`,
looked up once per combination); each recommendation and the assumptions say which figures
are calibrated and from how many runs.
"""

from __future__ import annotations

import datetime as dt

from ftwizard import __version__
from ftwizard.catalog.entries import ModelEntry
from ftwizard.catalog.store import Catalog
from ftwizard.estimate.calibrated import CalibrationLookup, CalibrationSource
from ftwizard.estimate.request import EstimateRequest, InferenceCost
from ftwizard.hardware.profile import HardwareProfile
from ftwizard.recommend import scoring
from ftwizard.recommend.advice import advise
from ftwizard.recommend.answers import Answers
from ftwizard.recommend.assumptions import _assumptions
from ftwizard.recommend.candidate_types import Failure
from ftwizard.recommend.constraints import _hard_constraint
from ftwizard.recommend.hardware_options import CPU_ONLY_NOTE, cloud_policy, gpu_options, local_only
from ftwizard.recommend.hyperparams import run_config_for
from ftwizard.recommend.plan import Exclusion, Plan, ScoreWeights
from ftwizard.recommend.rank_memo import _memo
from ftwizard.recommend.rank_search import _rank
from ftwizard.recommend.recommendation import _recommendation
from ftwizard.recommend.serving import _serving_memo

DEFAULT_KWH_USD = EstimateRequest.model_fields["electricity_usd_per_kwh"].default


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


def _quality(model: ModelEntry, answers: Answers, catalog: Catalog) -> scoring.Quality:
    key = ("q", id(model), id(catalog.models), answers.task.kind, tuple(answers.languages), answers.data.p95_tokens)
    return _memo(key, model, lambda: scoring.quality(
        model, answers.task.kind, answers.languages, answers.data.p95_tokens, catalog.models
    ))


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
