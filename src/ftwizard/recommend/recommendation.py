"""A shown plan as the plan file's Recommendation: figures, hardware and price, score parts,
reasons and warnings (memoised: they do not depend on the weights), tier and calibration.
"""

from __future__ import annotations

from ftwizard.catalog.entries import price_traced
from ftwizard.catalog.store import Catalog
from ftwizard.estimate.request import InferenceCost
from ftwizard.recommend.answers import Answers
from ftwizard.recommend.candidate_types import Candidate
from ftwizard.recommend.plan import (
    WEIGHT_NAMES,
    HardwareChoice,
    Recommendation,
    ScoreParts,
    ScoreWeights,
)
from ftwizard.recommend.rank_memo import _memo
from ftwizard.recommend.text import describe_reasons, warnings_for
from ftwizard.recommend.tiers import _total


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
