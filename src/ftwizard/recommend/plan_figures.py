"""Figures behind the results charts that a Plan does not store: the estimator's VRAM
breakdown of each candidate, and the chosen job priced on every GPU option.

Both re-run the estimator with the recommendation's own settings, so the numbers match the
ranked table (same request, same catalog). Qt-free: the GUI and the PDF may share them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ftwizard.catalog.entries import price_traced
from ftwizard.catalog.store import Catalog
from ftwizard.estimate.estimator import estimate
from ftwizard.estimate.request import Estimate, EstimateRequest
from ftwizard.hardware.profile import HardwareProfile
from ftwizard.recommend.answers import Answers, HardwareAnswers
from ftwizard.recommend.hardware_options import gpu_options, local_only
from ftwizard.recommend.plan import Plan, Recommendation


def request_for(
    rec: Recommendation,
    answers: Answers,
    *,
    electricity_usd_per_kwh: float | None = None,
    **update: object,
) -> EstimateRequest:
    """The estimator request behind `rec`; `update` swaps fields (gpu_id, gpus, strategy)."""
    hp = rec.hyperparameters
    fields: dict[str, object] = {
        "model_id": rec.model_id,
        "method": rec.method,
        "objective": rec.objective,
        "precision": hp.precision,
        "optimizer": hp.optimizer,
        "lora_r": hp.lora_r or 16,
        "lora_alpha": hp.lora_alpha or 32,
        "seq_len": hp.seq_len,
        "micro_batch": hp.micro_batch,
        "grad_accum": hp.grad_accum,
        "grad_ckpt": hp.grad_ckpt,
        "examples": answers.data.examples,
        "avg_tokens": answers.data.avg_tokens,
        "epochs": hp.epochs,
        "gpu_id": rec.hardware.gpu_id,
        "gpus": rec.hardware.count,
        "strategy": rec.hardware.strategy,
    }
    if electricity_usd_per_kwh is not None:
        fields["electricity_usd_per_kwh"] = electricity_usd_per_kwh
    fields.update(update)
    return EstimateRequest(**fields)


def vram_breakdowns(
    plan: Plan, catalog: Catalog, top: int = 5, electricity_usd_per_kwh: float | None = None
) -> dict[int, dict[str, float]]:
    """rank -> the estimator's breakdown_gb (per GPU) for the first `top` recommendations.
    A calibrated recommendation's correction (its peak minus the physics) is its own part."""
    out: dict[int, dict[str, float]] = {}
    for rec in sorted(plan.recommendations, key=lambda r: r.rank)[:top]:
        req = request_for(rec, plan.answers, electricity_usd_per_kwh=electricity_usd_per_kwh)
        parts = dict(estimate(req, catalog).breakdown_gb)
        if rec.calibration:
            parts["calibration"] = round(rec.peak_vram_gb - sum(parts.values()), 3)
        out[rec.rank] = parts
    return out


@dataclass(frozen=True)
class PricedRun:
    """The chosen job on one GPU option: time from the estimator, cost from its cheapest price."""

    label: str
    gpu_id: str
    count: int
    where: str
    train_hours: float
    train_cost_usd: float
    provider: str
    verified: bool
    chosen: bool
    traced: bool = True  # traced to a price list, dated or not (verified also needs the date)


def priced_runs(
    plan: Plan,
    rec: Recommendation,
    catalog: Catalog,
    hardware: HardwareProfile | None = None,
    electricity_usd_per_kwh: float | None = None,
    limit: int = 8,
) -> list[PricedRun]:
    """`rec`'s job on each GPU option (same count), where it fits: the plan's own options,
    plus every priced cloud GPU unless the data must stay local (to answer "what if we
    rented instead?").

    Cost per option: the cheapest of the estimator's cost options for that GPU (verified
    prices first), i.e. hours x count x usd_per_gpu_hour, or electricity for a local card.
    Sorted by cost; the recommendation's own GPU is always kept.
    """
    options, _ = gpu_options(plan.answers, catalog, hardware or plan.hardware)
    if plan.answers.hardware.mode != "cloud" and not local_only(plan.answers):
        as_cloud = plan.answers.model_copy(update={"hardware": HardwareAnswers(mode="cloud")})
        options += gpu_options(as_cloud, catalog, None)[0]
    runs: list[PricedRun] = []
    for opt in options:
        count = min(rec.hardware.count, opt.max_count)
        req = request_for(
            rec, plan.answers, electricity_usd_per_kwh=electricity_usd_per_kwh,
            gpu_id=opt.gpu.id, gpus=count,
        )
        est = estimate(req, catalog)
        if not est.fits or est.train_hours is None:
            continue
        cost = _cheapest(est, opt.gpu.id, count, opt.where)
        if cost is None:
            continue
        mine = opt.gpu.id == rec.hardware.gpu_id and opt.where == rec.hardware.where
        # Short tick labels: 'RTX 4090 / local', 'H100 SXM 80GB / Lambda', 'L40S / unverified price'.
        where = "local" if opt.where == "local" else cost.provider.split(" (")[0]
        if not price_traced(cost):
            where = "unverified price"
        name = opt.gpu.name.removeprefix("NVIDIA ").removeprefix("GeForce ").removeprefix("AMD Instinct ")
        runs.append(PricedRun(
            label=f"{count} x {name}\n{where}" if count > 1 else f"{name}\n{where}",
            gpu_id=opt.gpu.id, count=count, where=opt.where, train_hours=est.train_hours,
            train_cost_usd=cost.usd, provider=cost.provider, verified=cost.verified, chosen=mine,
            traced=price_traced(cost),
        ))
    runs.sort(key=lambda r: r.train_cost_usd)
    kept = runs[:limit]
    own = [r for r in runs if r.chosen]
    if own and own[0] not in kept and limit > 0:
        kept = kept[: limit - 1] + own[:1]
    return kept


def _cheapest(est: Estimate, gpu_id: str, count: int, where: str):
    """The estimate prices many GPUs and counts; keep this GPU at this count, then cheapest."""
    costs = [
        c for c in est.costs
        if c.gpu_id == gpu_id and c.count == count and (c.pricing == "electricity") == (where == "local")
    ]
    # The ranker's order of trust: verified on-demand, verified non-spot, then anything.
    for ok in (
        lambda c: c.verified and c.pricing in ("on_demand", "electricity"),
        lambda c: c.verified and c.pricing != "spot",
        lambda c: price_traced(c) and c.pricing in ("on_demand", "electricity"),  # traced but undated
        lambda c: price_traced(c) and c.pricing != "spot",
        lambda c: True,
    ):
        pool = [c for c in costs if ok(c)]
        if pool:
            return min(pool, key=lambda c: c.usd)
    return None
