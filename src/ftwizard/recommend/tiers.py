"""How plans are ordered: the weighted total, the warning tier and its flags, fitting plans first.

A plan fits when each card keeps its headroom (`scoring.fits_with_headroom`) and every figure
is known; otherwise `tier_flags` says why it is in the warning tier, listed after every plan
that fits. The first TOP_DISTINCT places hold one row per model (`diversify`).
"""

from __future__ import annotations

from ftwizard.catalog.entries import price_traced
from ftwizard.estimate.request import InferenceCost
from ftwizard.recommend import scoring
from ftwizard.recommend.answers import Answers
from ftwizard.recommend.candidate_types import Candidate
from ftwizard.recommend.plan import WEIGHT_NAMES, ScoreWeights

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


def _order(c: Candidate) -> tuple:
    """Fitting plans first; then plans with fewer warning flags; best score first within."""
    return (1 if c.flags else 0, len(c.flags), -c.total, c.model.id, c.technique)


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
